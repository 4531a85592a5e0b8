"""``simplify``: the one normalisation path.  The strategy of ``rewriting`` runs the rules of
``sums``, ``scalars``, ``algebra``, ``quotients``, ``logistic``, ``structured``, ``spectral`` and
``conjugates`` (tried in that order for a node class) to a fixed point.
"""

from __future__ import annotations

from .. import expr as t
# Importing the rule modules registers their rules, in this order: sums, scalars, algebra, quotients,
# logistic, structured, spectral, conjugates.
from . import sums  # noqa: F401  isort: skip
from . import scalars  # noqa: F401  isort: skip
from . import algebra  # noqa: F401  isort: skip
from . import quotients  # noqa: F401  isort: skip
from . import logistic  # noqa: F401  isort: skip
from . import structured  # noqa: F401  isort: skip
from . import spectral  # noqa: F401  isort: skip
from . import conjugates  # noqa: F401  isort: skip
from .rewriting import Simplifier, size
from .sums import bracket_transposed_sums


def simplify(e: t.Expr, trace: list | None = None) -> t.Expr:
    """The textbook closed form of e: same value, never larger, idempotent, deterministic.
    ``trace`` receives the (rule, before, after) steps of the result, none when e is kept."""
    steps: list = []
    out = normal_form(e, steps)
    if size(out) > size(e):
        return e
    if trace is not None:
        trace.extend(steps)
    return out


def normal_form(e: t.Expr, trace: list | None = None) -> t.Expr:
    """The rules run to a fixed point (transposes at the leaves, every loop capped), then a
    bracketed sum of transposes written (x − μ)ᵀ.  Equal for operands of + and ⊙ in any order."""
    out = Simplifier(trace=trace)(e)
    shown = bracket_transposed_sums(out)
    if shown != out and trace is not None:
        trace.append(("sum of transposes Aᵀ + Bᵀ = (A + B)ᵀ, in brackets", out, shown))
    return shown
