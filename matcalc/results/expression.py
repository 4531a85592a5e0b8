"""What an expression can do once every stage is loaded: print itself as Unicode (``str``) and
LaTeX (``latex``, Jupyter's ``_repr_latex_``) and evaluate with NumPy (``evaluate``).

The node classes (``matcalc.expr``) know nothing of printing or numbers; these methods are
attached to ``Expr`` when this module is imported (by ``matcalc``).
"""

from __future__ import annotations

from ..expr import Expr
from ..numeric import evaluate
from ..printing import to_latex, to_unicode
from .arguments import NUMERIC, public


def _repr_latex_(self: Expr) -> str:
    return f"${to_latex(self)}$"


def _repr_pretty_(self: Expr, p, cycle) -> None:
    """IPython's text form."""
    p.text(to_unicode(self))


Expr.__str__ = to_unicode
Expr.latex = to_latex
Expr._repr_latex_ = _repr_latex_
Expr._repr_pretty_ = _repr_pretty_
Expr.evaluate = public(evaluate, **NUMERIC)
