"""matcalc: matrix calculus by the differential method.

    >>> import matcalc as mc
    >>> str(mc.grad("‖X − DR‖²_F", "D"))
    '2(DR − X)Rᵀ'

The pipeline, one package per stage (docs/architecture.md): grammar/matcalc.lark → language
(text → syntax tree with shapes) → expr (the expression tree) → calculus (df, G, J) →
simplify (closed forms) → printing (Unicode, LaTeX) → codegen (straight-line code on NumPy,
JAX, PyTorch) → numeric (values by that code, checks) → results (what
the API returns) → api → commands → web (the page, ``serve``) → cli.  This file re-exports the public API.
"""

from __future__ import annotations

from . import results as _results  # noqa: F401
from .results import expression as _expression  # noqa: F401  (str, latex, evaluate on Expr)
from .api import (VERSION, check, clear_caches, codegen, compile, derive, differential, from_sympy, grad, hessian, jacobian,
                  minimize, parse, solve, vjp)
from .errors import DomainError, MatcalcError, ParseError, ShapeError, UnsupportedError
from .expr import Expr
from .results.derivation import Derivation
from .web import serve
__all__ = [
    "Expr",
    "MatcalcError",
    "ParseError",
    "ShapeError",
    "DomainError",
    "UnsupportedError",
    "parse",
    "grad",
    "differential",
    "check",
    "vjp",
    "solve",
    "jacobian",
    "hessian",
    "derive",
    "compile",
    "codegen",
    "minimize",
    "Derivation",
    "from_sympy",
    "clear_caches",
    "serve",
]
__version__ = VERSION
