"""The simplifier's rules for matrix functions: f(Aᵀ) = f(A)ᵀ, and the Fréchet derivative in a
direction that commutes with its point, L_f(A, E) = f′(A)E when AE = EA (E = cI or cA), which
gives tr f(X) its gradient f′(X)ᵀ.  Registered like those of ``algebra`` (``normal`` imports
every rule set): one named identity each; a rule returns the rewritten node or None.
"""

from __future__ import annotations

from .. import expr as t
from .rewriting import coefficient, rewrite, with_coefficient

@rewrite(t.MatrixFunction, "a matrix function commutes with the transpose: f(Aᵀ) = f(A)ᵀ")
def _function_of_transpose(e):
    if isinstance(e.arg, t.Transpose):
        return t.transpose(t.MatrixFunction(e.name, e.arg.arg))
    return None


@rewrite(t.Frechet, "L_f(A, E) = f′(A)E when E commutes with A (E = cI, E = cA), so that tr f(X) has the "
         "gradient f′(X)ᵀ")
def _commuting_direction(e):
    c, core = coefficient(e.direction)
    if isinstance(core, t.Identity):
        return with_coefficient(c, t.derivative(e.name, e.arg))
    if core == e.arg:
        return with_coefficient(c, t.matmul(t.derivative(e.name, e.arg), core))
    return None
