"""Stage: calculus.  Takes an expression tree and a variable X; gives its raw derivatives: the
differential df, linear in dX (``differential``, one rule per node class), the G with
df = tr(Gᵀ dX) (``adjoint``: the trace tricks as the transpose of the linear map dX ↦ df), and
the J with vec(dF) = J vec(dX) (``vec``).  ``elementwise`` gives each elementwise function its
derivative.  The results are raw: ``matcalc.simplify`` brings them to their closed form.

May import: errors, language, expr.
"""

from .adjoint import TRANSPOSE_RULES
from .adjoint import gradient as pull_back
from .differential import RULES, differential
from .vec import VEC_RULES, vec_jacobian
from . import spectral  # noqa: F401  (registers the rules of the spectral nodes)  isort: skip

__all__ = ["RULES", "TRANSPOSE_RULES", "VEC_RULES", "differential", "pull_back", "vec_jacobian"]
