"""The command line: ``matcalc grad EXPR --wrt X [--shapes …] [--latex] [--check]``.

Prints the gradient (Unicode, or LaTeX with ``--latex``) and with ``--check`` the numeric
verification.  Exit codes: 0 success, 1 the numeric check disagrees, 2 bad input (a
``MatcalcError``, printed as ``error: …`` with the caret line for syntax errors) or bad usage.
"""

from __future__ import annotations

import argparse
import io
import sys

from . import __version__, api
from .errors import MatcalcError
from .declarations import parse_declarations

DECLARATION_OPTIONS = (
    ("--shapes", 'shapes, e.g. "X: m×n, D: m×k, λ: scalar" (also "m x n")'),
    ("--domains", 'domains, e.g. "M: symmetric, Σ: spd" (symmetric, spd, invertible, positive)'),
    ("--functions", 'user functions, e.g. "g: elementwise, f: scalar, h: x**3 + sin(x)"'),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``matcalc`` (one sub-command per operation)."""
    parser = argparse.ArgumentParser(
        prog="matcalc",
        description="Matrix calculus by the differential method: closed-form gradients of "
        "scalar functions of matrices written as a textbook writes them.",
    )
    parser.add_argument("--version", action="version", version=f"matcalc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grad = commands.add_parser(
        "grad",
        help="the gradient of a scalar expression",
        description="Print the gradient of the scalar expression EXPR with respect to a variable.",
    )
    grad.add_argument("expr", metavar="EXPR", help='the expression, e.g. "‖X − DR‖²_F"')
    grad.add_argument("--wrt", required=True, metavar="X", help="the variable")
    for option, text in DECLARATION_OPTIONS:
        grad.add_argument(option, default="", metavar="TEXT", help=text)
    grad.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode")
    grad.add_argument(
        "--check", action="store_true", help="also compare with central finite differences"
    )
    grad.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the random check points"
    )
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


def run_grad(args: argparse.Namespace, out) -> int:
    """``matcalc grad``: print G, then with --check the report; 1 when the check fails."""
    decl = declarations(args)
    gradient = api.grad(args.expr, args.wrt, **decl)
    print(gradient.latex() if args.latex else str(gradient), file=out)
    if not args.check:
        return 0
    report = api.check(args.expr, args.wrt, seed=args.seed, **decl)
    print(str(report), file=out)
    return 0 if report else 1


COMMANDS = {"grad": run_grad}


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
        return COMMANDS[args.command](args, sys.stdout)
    except MatcalcError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
