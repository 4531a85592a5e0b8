"""matcalc: matrix calculus by the differential method.

    >>> import matcalc as mc
    >>> str(mc.grad("‖X − DR‖²_F", "D"))
    '2(DR − X)Rᵀ'

The pipeline, one module per stage: grammar/matcalc.lark → tokens → syntax → shapes →
parser → tree (nodes and builders) → differential → adjoint → simplify (run by rewriting) →
kronecker → jacobian → backprop → printing / evaluate → check → jacobian_check → derive →
api → cli.  This file wires the printers and the evaluator onto ``Expr`` (so that the tree
module need not import later stages) and re-exports the public API.
"""

from __future__ import annotations

from . import evaluate as _evaluate
from . import printing as _printing
from .errors import DomainError, MatcalcError, ParseError, ShapeError, UnsupportedError
from .tree import Expr

Expr.__str__ = _printing.to_unicode
Expr.latex = _printing.to_latex
Expr._repr_latex_ = lambda self: f"${_printing.to_latex(self)}$"
Expr._repr_pretty_ = lambda self, p, cycle: p.text(_printing.to_unicode(self))  # IPython's text form
Expr.evaluate = _evaluate.evaluate

from .api import check, differential, grad, parse  # noqa: E402
from .api import solve, vjp  # noqa: E402
from .api import hessian, jacobian  # noqa: E402
from .api import derive  # noqa: E402
from .derive import Derivation  # noqa: E402

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
    "Derivation",
]
__version__ = "0.1.0"
