"""The command line: ``matcalc grad|jacobian|hessian|vjp|solve EXPR --wrt X [--shapes …] [--latex] [--check]``.

Prints the result (Unicode, or LaTeX with ``--latex``); ``grad --steps`` prints the derivation
first, ``--check`` the numeric verification after.  Exit codes: 0 success, 1 the numeric check
disagrees, 2 bad input (a ``MatcalcError``, printed as ``error: …`` with the caret line for
syntax errors) or bad usage.
"""

from __future__ import annotations

import argparse
import io
import sys

from . import api
from .errors import MatcalcError
from .language.declarations import parse_declarations
from .results import backprop

DECLARATION_OPTIONS = (
    ("--shapes", 'shapes, e.g. "X: m×n, D: m×k, λ: scalar" (also "m x n")'),
    ("--domains", 'domains, e.g. "M: symmetric, Σ: spd" (symmetric, spd, invertible, positive)'),
    ("--functions", 'user functions, e.g. "g: elementwise, f: scalar, h: x**3 + sin(x)"'),
)


# Each sub-command: (name, help, description, example EXPR, has --check).
SUBCOMMANDS = (
    ("grad", "the gradient of a scalar expression",
     "Print the gradient of the scalar expression EXPR with respect to a variable.", "‖X − DR‖²_F", True),
    ("jacobian", "the Jacobian ∂vec(F)/∂vec(X)ᵀ of a vector- or matrix-valued expression",
     "Print J with vec(dF) = J vec(dX) in closed form (⊗, the commutation matrix K, diag).", "AXB", True),
    ("hessian", "the Hessian of a scalar expression",
     "Print H with d²f = vec(dX)ᵀ H vec(dX) in closed form.", "xᵀAx", True),
    ("vjp", "the backpropagation rule ∂L/∂X of a matrix-valued expression",
     "Print ∂L/∂X in closed form, given the upstream gradient G = ∂L/∂EXPR.", "WX", True),
    ("solve", "the stationary point of a scalar expression",
     "Print the point where the gradient of EXPR vanishes, when it is affine in the variable.", "‖Xw − y‖²", False),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``matcalc`` (one sub-command per operation)."""
    parser = argparse.ArgumentParser(
        prog="matcalc",
        description="Matrix calculus by the differential method: closed-form gradients, Jacobians, "
        "Hessians and backpropagation rules of matrix expressions written as a textbook writes them.",
    )
    parser.add_argument("--version", action="version", version=f"matcalc {api.VERSION}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    subs = {}
    for name, help_text, description, example, checks in SUBCOMMANDS:
        sub = subs[name] = commands.add_parser(name, help=help_text, description=description)
        sub.add_argument("expr", metavar="EXPR", help=f'the expression, e.g. "{example}"')
        sub.add_argument("--wrt", required=True, metavar="X", help="the variable")
        for option, text in DECLARATION_OPTIONS:
            sub.add_argument(option, default="", metavar="TEXT", help=text)
        sub.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode")
        if checks:
            sub.add_argument("--check", action="store_true", help="also compare with central finite differences")
            sub.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the random check points")
    subs["grad"].add_argument(
        "--steps", action="store_true", help="first print the derivation, one numbered rule per step"
    )
    subs["jacobian"].add_argument(
        "--layout", choices=("numerator", "denominator"), default="numerator",
        help="numerator (default): J; denominator: Jᵀ",
    )
    subs["vjp"].add_argument("--upstream", default="G", metavar="G", help="the name of ∂L/∂EXPR (default G)")
    return parser


def declarations(args: argparse.Namespace) -> dict:
    """The keyword arguments shapes/domains/functions from the declaration options."""
    text = ", ".join(
        t for t in (args.shapes.strip(), args.domains.strip(), args.functions.strip()) if t
    )
    if not text:
        return {}
    shapes, domains, functions = parse_declarations(text)
    return {"shapes": shapes or None, "domains": domains or None, "functions": functions or None}


def run_grad(args: argparse.Namespace, decl: dict) -> tuple:
    """``matcalc grad``: G (after the derivation, with --steps), checked by ``api.check``."""
    if args.steps:
        derivation = api.derive(args.expr, args.wrt, **decl)
        shown = [derivation, derivation.gradient]
    else:
        derivation = api.differential(args.expr, args.wrt, **decl)
        shown = [derivation.gradient]
    if not args.latex and set(derivation.f.shapes) - set(decl.get("shapes") or {}):  # some shapes were inferred
        shown.append(f"shapes: {derivation.f.shapes}")
    return shown, lambda: api.check(args.expr, args.wrt, seed=args.seed, **decl)


def run_vjp(args: argparse.Namespace, decl: dict) -> tuple:
    """``matcalc vjp``: ∂L/∂X, checked against finite differences of the loss ⟨G, F⟩."""
    F = api.parse(args.expr, **decl)
    result = api.vjp(F, args.wrt, args.upstream)

    def check():
        loss = backprop.pairing(F, backprop.upstream_symbol(F, args.upstream))
        return api.check(loss, args.wrt, expected=result, seed=args.seed)

    return [result], check


def run_solve(args: argparse.Namespace, decl: dict) -> tuple:
    """``matcalc solve``: the stationary point (no check)."""
    return [api.solve(args.expr, args.wrt, **decl)], None


def run_jacobian(args: argparse.Namespace, decl: dict) -> tuple:
    """``matcalc jacobian``: J in the chosen layout, checked by ``Jacobian.check``."""
    result = api.jacobian(args.expr, args.wrt, layout=args.layout, **decl)
    return [result], lambda: result.check(seed=args.seed)


def run_hessian(args: argparse.Namespace, decl: dict) -> tuple:
    """``matcalc hessian``: H, checked by ``Jacobian.check``."""
    result = api.hessian(args.expr, args.wrt, **decl)
    return [result], lambda: result.check(seed=args.seed)


# Each command: (args, declarations) -> (what to print, in order; a thunk giving the check report).
COMMANDS = {"grad": run_grad, "jacobian": run_jacobian, "hessian": run_hessian, "vjp": run_vjp, "solve": run_solve}


def run(args: argparse.Namespace, out) -> int:
    """Print the command's results (LaTeX with --latex), then with --check the report; 1 when
    the check fails."""
    shown, check = COMMANDS[args.command](args, declarations(args))
    for result in shown:  # an Expr, a Jacobian or a Derivation
        print(result.latex() if args.latex else str(result), file=out)
    if not getattr(args, "check", False):
        return 0
    report = check()
    print(str(report), file=out)
    return 0 if report else 1


def _utf8(stream) -> None:
    """Make ``stream`` write UTF-8 whatever the locale (pipes, files, CI logs)."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    if encoding == "utf8":
        return
    try:
        stream.reconfigure(encoding="utf-8")
    except (AttributeError, ValueError, io.UnsupportedOperation):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    _utf8(sys.stdout)
    _utf8(sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        return run(args, sys.stdout)
    except MatcalcError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
