"""The command line: ``matcalc COMMAND EXPR [--wrt X] [--shapes …] [--latex | --json]``.

One command per function of the API: grad, differential, jacobian, hessian, vjp, solve,
derive, check, evaluate, codegen (the value and gradient as a Python module; ``grad --code``
prints the NumPy function after the gradient).  Each prints its result as Unicode text, as LaTeX with ``--latex``,
or as one JSON object with ``--json`` ("command", "expr", "text", "latex" and the command's
own fields; README.md, "Command line").  Exit codes: 0 success, 1 a numeric check disagrees
(or cannot decide), 2 bad input or usage — printed as ``error: …`` (with the caret line under
a syntax error, "did you mean …" under a mistyped name), never a traceback.

Values for ``evaluate`` come from .npz/.npy/.json files or inline JSON numbers
(``--value X=[[1,2],[3,4]]``): nothing the user writes is executed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import api, commands, web
from . import expr as t
from .commands import Output, json_values
from .errors import DomainError, MatcalcError, UnsupportedError, did_you_mean
from .language.names import canonical_name
from .numeric.functions import NUMERIC, as_array
from .numeric.structures import SPACES
from .printing.prose import latex_number

DECLARATION_OPTIONS = (
    ("--shapes", 'shapes, e.g. "X: m×n, D: m×k, λ: scalar" (also "m x n")'),
    ("--domains", 'domains, e.g. "M: symmetric, Σ: spd" (symmetric, spd, invertible, positive, probability, complex, '
                  'hermitian, unitary)'),
    ("--functions", 'user functions, e.g. "g: elementwise, f: scalar, h: x**3 + sin(x)"'),
)

# Each command: name → (help, description, example EXPR, its own options); evaluate is the
# command line's own.
COMMANDS = {
    **commands.COMMANDS,
    "evaluate": ("the value of an expression at given values",
                 "Print the value of EXPR (NumPy's array text) at the values of its symbols, read from "
                 ".npz/.npy/.json files (--values) or given inline as JSON numbers (--value X=[[1,2],[3,4]]).",
                 "aᵀXb", ("values",)),
    "codegen": ("the value and gradient as a Python module (NumPy, JAX or PyTorch)",
                "Print (or write to FILE with -o) a self-contained module defining f_and_grad, the value of the "
                "scalar EXPR and its gradients with respect to the --wrt variables (X or X,D), and "
                "check_gradient(), which compares them with central finite differences.",
                "‖X − DR‖²_F", ("variables", "code")),
}


def _add_wrt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wrt", required=True, metavar="X", help="the variable")


def _add_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="also compare with central finite differences")
    _add_trials(p)


def _add_trials(p: argparse.ArgumentParser) -> None:
    p.add_argument("--trials", type=int, default=3, metavar="N", help="the number of random points (default 3)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="the seed of the random points (default 0)")


def _add_expected(p: argparse.ArgumentParser) -> None:
    p.add_argument("--expected", metavar="G", help="a claimed gradient to check instead of matcalc's own")
    _add_trials(p)


def _add_values(p: argparse.ArgumentParser) -> None:
    p.add_argument("--values", action="append", default=[], metavar="FILE",
                   help="values from FILE.npz (by name), FILE.json (an object of arrays), FILE.npy "
                   "(when EXPR has one symbol) or NAME=FILE.npy; may be repeated")
    p.add_argument("--value", action="append", default=[], metavar="NAME=VALUE",
                   help="one value as JSON numbers, e.g. X=[[1,2],[3,4]], a=[1,2], λ=0.5; may be repeated")


def _add_code(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("numpy", "jax", "torch"), default="numpy", help="the array library (default numpy)")
    p.add_argument("--hessian", action="store_true", help="also return the Hessian (one variable)")
    p.add_argument("-o", dest="output", metavar="FILE", help="write the module to FILE (default: print it)")


OPTIONS: dict[str, Callable] = {
    "wrt": _add_wrt,
    "structure": lambda p: p.add_argument(
        "--structure", choices=tuple(SPACES), default=None,
        help="the gradient inside a structure: symmetric, skew, diagonal, lower, upper (projections), "
             "stiefel, orthogonal, sphere, spd (Riemannian gradients)"),
    "check": _add_check,
    "expected": _add_expected,
    "values": _add_values,
    "steps": lambda p: p.add_argument(
        "--steps", action="store_true", help="first print the derivation, one numbered rule per step"),
    "layout": lambda p: p.add_argument(
        "--layout", choices=("numerator", "denominator"), default="numerator",
        help="numerator (default): J; denominator: Jᵀ"),
    "upstream": lambda p: p.add_argument(
        "--upstream", default="G", metavar="G", help="the name of ∂L/∂EXPR (default G)"),
    "variables": lambda p: p.add_argument(
        "--wrt", required=True, metavar="X[,D]", help="the variable, or several separated by commas"),
    "code": _add_code,
}


class Parser(argparse.ArgumentParser):
    """argparse with matcalc's usage errors: ``error: …`` first, then the usage, exit code 2;
    a mistyped command or choice gets a "did you mean"."""

    def error(self, message: str):
        self.exit(2, f"error: {message}\n{self.format_usage()}")

    def _check_value(self, action, value):
        if action.choices is not None and value not in action.choices:
            what = "command" if isinstance(action, argparse._SubParsersAction) else "choice"
            options = "/".join(action.option_strings)
            raise argparse.ArgumentError(None, f"unknown {what} {value!r}{' for ' + options if options else ''}"
                                         f"{did_you_mean(value, action.choices)} (choose from "
                                         f"{', '.join(action.choices)})")


def build_parser() -> Parser:
    """The argument parser of ``matcalc`` (one sub-command per operation)."""
    parser = Parser(
        prog="matcalc",
        description="Matrix calculus by the differential method: closed-form gradients, Jacobians, "
        "Hessians and backpropagation rules of matrix expressions written as a textbook writes them.",
    )
    parser.add_argument("--version", action="version", version=f"matcalc {api.VERSION}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    parser.commands = {}
    for name, (help_text, description, example, options) in COMMANDS.items():
        sub = parser.commands[name] = commands.add_parser(name, help=help_text, description=description)
        sub.add_argument("expr", metavar="EXPR", help=f'the expression, e.g. "{example}"')
        for option in options:
            OPTIONS[option](sub)
        for option, text in DECLARATION_OPTIONS:
            sub.add_argument(option, default="", metavar="TEXT", help=text)
        if name == "grad":
            sub.add_argument("--code", action="store_true", help="also print the value and gradient as a NumPy function")
        sub.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode")
        sub.add_argument("--json", action="store_true",
                         help='print one JSON object: "text", "latex" and the fields of the result')
    serve = parser.commands["serve"] = commands.add_parser(
        "serve", help="the web page: an expression in, its derivatives typeset, derived and checked",
        description="Serve the web page and its JSON API (README.md, \"Web page\") until Ctrl-C; needs the "
        "extra matcalc[web].")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    serve.add_argument("--time-limit", type=float, default=web.app.TIME_LIMIT_SECONDS, metavar="SECONDS",
                       help=f"the time one request may compute (default {web.app.TIME_LIMIT_SECONDS:g})")
    serve.add_argument("--workers", type=int, default=None, metavar="N",
                       help="the worker processes computing in parallel (default: one per core, 2 to 8)")
    return parser


# --------------------------------------------------------------------------------------------
# The commands: each gives what to print, its JSON fields and, with --check, the check to run.


def run_evaluate(args, f, decl) -> Output:
    """``matcalc evaluate``: the value at the given values; a function without a formula has
    no values to give."""
    for n in t.walk(f):
        if isinstance(n, (t.Call, t.Grad)):
            raise UnsupportedError(f"{n.name} is an opaque scalar function ({n.name}: scalar): it has no values")
        if isinstance(n, t.Apply) and n.formula is None and n.name not in NUMERIC:
            raise UnsupportedError(f"{n.name} is declared without a formula, so it has no values: declare it by "
                                   f"a formula in x to evaluate, e.g. --functions \"{n.name}: tanh(x)\"")
    value = Value(f.evaluate(read_values(args, f)))
    return Output([value], {"value": json_values(value.array), "shape": list(value.array.shape)})


@dataclass
class Code:
    """Program text, shown as it is (in LaTeX as a verbatim block, ASCII: a character beyond it
    as its Python escape, \\u2202 for ∂)."""

    text: str

    def __str__(self) -> str:
        return self.text

    def latex(self) -> str:
        return "\\begin{verbatim}\n" + self.text.encode("ascii", "backslashreplace").decode("ascii") + "\n\\end{verbatim}"


def _wrt(args) -> object:
    names = [w.strip() for w in args.wrt.split(",")]
    return names[0] if len(names) == 1 else names


def run_codegen(args, f, decl) -> Output:
    """``matcalc codegen``: the module (printed, or written to -o FILE)."""
    source = api.codegen(f, _wrt(args), backend=args.backend, hessian=args.hessian)
    if args.output:
        try:
            Path(args.output).write_text(source, encoding="utf-8")
        except OSError as e:
            raise DomainError(f"cannot write {args.output}: {e.strerror}") from None
        return Output([Code(f"wrote {args.output}")], {"file": args.output})
    return Output([Code(source.rstrip("\n"))], {"code": source})


def run_grad(args, f, decl) -> Output:
    """``grad``, with ``--code`` the NumPy function of the value and gradient after it."""
    out = commands.RUN["grad"](args, f, decl)
    if getattr(args, "code", False):
        source = api.compile(f, args.wrt).source
        out.shown.append(Code(source.rstrip("\n")))
        out.fields["code"] = source
    return out


RUN = {**commands.RUN, "evaluate": run_evaluate, "codegen": run_codegen, "grad": run_grad}


# --------------------------------------------------------------------------------------------
# Values for evaluate


@dataclass
class Value:
    """A value as ``evaluate`` prints it: NumPy's text, or a LaTeX bmatrix."""

    value: object

    @property
    def array(self) -> np.ndarray:
        return as_array(self.value)

    def __str__(self) -> str:
        if np.ndim(self.value) == 0:
            return repr(complex(self.value) if np.iscomplexobj(self.value) else float(self.value))
        return np.array2string(self.array, threshold=self.array.size + 1)

    def latex(self) -> str:
        a = self.array
        if a.ndim == 0:
            return _latex_entry(a[()])
        rows = a.reshape(-1, 1) if a.ndim == 1 else a
        body = r" \\ ".join(" & ".join(_latex_entry(x) for x in row) for row in rows)
        return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def _latex_entry(x) -> str:
    """A number in LaTeX; a complex one as a ± b\\mathrm{i}."""
    if not np.iscomplexobj(x):
        return latex_number(float(x), 8)
    sign = "-" if x.imag < 0 else "+"
    return rf"{latex_number(float(x.real), 8)} {sign} {latex_number(abs(float(x.imag)), 8)}\mathrm{{i}}"


def _numbers(name: str, data) -> np.ndarray:
    """``data`` (numbers, nested lists of numbers) as a float array, or {"real": …, "imag": …}
    (as --json writes complex values) as a complex one; anything else is an error."""
    if isinstance(data, dict) and set(data) == {"real", "imag"}:
        re, im = _numbers(name, data["real"]), _numbers(name, data["imag"])
        if re.shape != im.shape:
            raise DomainError(f"the real and imaginary parts of {name} have shapes {re.shape} and {im.shape}")
        return re + 1j * im

    def only_numbers(v) -> bool:
        if isinstance(v, list):
            return all(only_numbers(x) for x in v)
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not only_numbers(data):
        raise DomainError(f"the value of {name} must be a number or a (nested) list of numbers, not {json.dumps(data)}")
    try:
        return np.array(data, dtype=float)
    except ValueError:
        raise DomainError(f"the value of {name} is not a rectangular array: rows of different lengths") from None


def _inline(name: str, text: str) -> np.ndarray:
    def no_constant(word):
        raise DomainError(f"the value of {name} contains {word}: give finite numbers")

    try:
        return _numbers(name, json.loads(text, parse_constant=no_constant))
    except json.JSONDecodeError as e:
        raise DomainError(f"the value of {name}, {text!r}, is not JSON numbers ({e.msg} at column {e.colno}); "
                          f"write e.g. {name}=[[1,2],[3,4]], {name}=[1,2] or {name}=0.5") from None


def _load(path: str, only: str | None) -> dict:
    """{name: array} from a .npz (by name), .json (an object) or .npy file (the one symbol ``only``)."""
    p = Path(path)
    try:
        if p.suffix == ".npz":
            with np.load(p, allow_pickle=False) as z:
                return {k: np.array(z[k]) for k in z.files}
        if p.suffix == ".npy":
            if only is None:
                raise DomainError(f"{path} holds one array: name its symbol, --values X={path} (or --value X={path})")
            return {only: np.load(p, allow_pickle=False)}
        if p.suffix == ".json":
            data = json.loads(p.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise DomainError(f"{path} must hold a JSON object of values, {{\"X\": [[1, 2], [3, 4]], …}}")
            return {k: _numbers(k, v) for k, v in data.items()}
    except (OSError, ValueError) as e:  # a missing file, a pickled or malformed array, bad JSON
        raise DomainError(f"cannot read values from {path}: {e}") from None
    raise DomainError(f"cannot read values from {path}: give a .npz, .npy or .json file")


def read_values(args, f) -> dict:
    """The values of f's symbols from --values and --value.  A name given inline must be a
    symbol of f; a file may hold more arrays than f uses."""
    symbols = sorted(s.name for s in f.free_symbols)
    filed: dict = {}
    for item in args.values:
        name, sep, path = item.rpartition("=") if item.rpartition("=")[2].endswith(".npy") else ("", "", item)
        only = name.strip() if sep else (symbols[0] if len(symbols) == 1 else None)
        filed.update({canonical_name(k): v for k, v in _load(path, only).items()})
    out = {k: v for k, v in filed.items() if k in symbols}
    for item in args.value:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise DomainError(f"--value takes NAME=VALUE, e.g. X=[[1,2],[3,4]], not {item!r}")
        name, key = name.strip(), canonical_name(name.strip())
        if key not in symbols:
            raise DomainError(f"{name} is not a symbol of the expression{did_you_mean(key, symbols)} "
                              f"(its symbols: {', '.join(symbols) or 'none'})")
        out[key] = _load(text, name)[name] if text.strip().endswith(".npy") else _inline(name, text)
    missing = [s for s in symbols if s not in out]
    if missing:
        hint = f" (the files give {', '.join(sorted(filed))})" if filed else ""
        raise DomainError(f"no value for {', '.join(missing)}{hint}: give --value {missing[0]}=… or --values FILE.npz")
    return out


# --------------------------------------------------------------------------------------------
# Running


def run(args: argparse.Namespace, out) -> int:
    """Print the command's result (Unicode, LaTeX with --latex, one JSON object with --json),
    then with --check the report; 1 when the check fails."""
    result = commands.answer(args.command, args, RUN)
    if args.json:
        printed = json.dumps(result.json, ensure_ascii=False)
    else:
        printed = result.latex if args.latex else result.text
    try:
        print(printed, file=out, flush=True)
    except BrokenPipeError:  # the reader (head, less) has gone: the rest goes nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    return 1 if result.failed else 0


def _utf8(stream) -> None:
    """Make ``stream`` write UTF-8 whatever the locale (pipes, files, CI logs)."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    if encoding == "utf8":
        return
    try:
        stream.reconfigure(encoding="utf-8")
    except (AttributeError, ValueError, io.UnsupportedOperation):
        pass


def _minus_signs(argv: list[str]) -> list[str]:
    """An argument that starts with '-' and a letter is an expression, −aᵀx (matcalc's only
    short options are -h and -o): its '-' becomes the minus sign '−' so that argparse leaves it alone."""
    return [f"−{a[1:]}" if len(a) > 1 and a[0] == "-" and a[1] not in "-.0123456789" and a not in ("-h", "-o") else a
            for a in argv]


def parse_args(parser: Parser, argv: list[str]) -> argparse.Namespace:
    """The arguments; an unknown option gets a "did you mean", a stray word a hint to quote EXPR."""
    args, extras = parser.parse_known_args(argv)
    if extras and args.command == "serve":
        parser.commands["serve"].error(f"unexpected argument {extras[0]!r}")
    if extras:
        sub = parser.commands[args.command]
        options = [s for action in sub._actions for s in action.option_strings]
        word = extras[0]
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            sub.error(f"unknown option {option}{did_you_mean(option, options)} (the options of "
                      f"{args.command}: {', '.join(o for o in options if o.startswith('--'))})")
        sub.error(f"unexpected argument {word!r}: write the expression in quotes, "
                  f"e.g. matcalc {args.command} \"{COMMANDS[args.command][2]}\"")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    _utf8(sys.stdout)
    _utf8(sys.stderr)
    args = parse_args(build_parser(), _minus_signs(sys.argv[1:] if argv is None else list(argv)))
    try:
        if args.command == "serve":
            web.serve(args.host, args.port, time_limit=args.time_limit, workers=args.workers)
            return 0
        return run(args, sys.stdout)
    except web.MissingExtra as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except MatcalcError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
