"""Stage: interop.  Takes expression trees; gives them in other libraries' vocabularies and
reads them back: SymPy matrix expressions (``sympy_matrices``: ``to_sympy``, ``from_sympy``;
``sympy_nodes``: the SymPy classes for matcalc's nodes that SymPy lacks).

May import: errors, language, expr.
"""

from .sympy_matrices import from_sympy, to_sympy
from . import sympy_spectral  # noqa: F401  (the spectral nodes in both tables)  isort: skip

__all__ = ["from_sympy", "to_sympy"]
