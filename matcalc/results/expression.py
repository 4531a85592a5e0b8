"""What an expression can do once every stage is loaded: print itself as Unicode (``str``,
and so ``repr`` and IPython's plain-text display) and LaTeX (``latex``, Jupyter's
``_repr_latex_``), evaluate with NumPy (``evaluate``), become a function (``compile``: its value on NumPy,
JAX or PyTorch, a function of its symbols), tell the shapes of its symbols
(``shapes``, text that ``shapes=`` reads back) and become a SymPy matrix expression
(``to_sympy``).

The node classes (``matcalc.expr``) know nothing of printing or numbers; these methods are
attached to ``Expr`` when this module is imported (by ``matcalc``).  ``e.structure()`` keeps
the tree's fields (``matcalc.expr.structure``).
"""

from __future__ import annotations

from ..expr import Expr
from ..interop import to_sympy
from ..numeric import evaluate
from ..numeric.plans import with_plans
from ..printing import to_latex, to_unicode
from ..printing.shapes import shapes_of
from .arguments import NUMERIC, public
from .compiled import compile_expression


def _repr_latex_(self: Expr) -> str:
    return f"${to_latex(self)}$"


Expr.__str__ = to_unicode
Expr.latex = to_latex
Expr._repr_latex_ = _repr_latex_
Expr.evaluate = with_plans(public(evaluate, **NUMERIC))
Expr.compile = public(compile_expression)
Expr.shapes = property(shapes_of)
Expr.to_sympy = to_sympy
