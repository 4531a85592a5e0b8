"""Stage: simplification.  Takes an expression tree (a raw derivative, or anything the builders
made); gives its closed form as a textbook writes it: the same value, never larger, the same
answer for operands in any order.  Named rules (one identity each, registered per node class)
run to a fixed point by the strategy of ``rewriting``: ``algebra`` (transposes, inverses, det,
tr, products, elementwise), ``sums`` (like terms, common factors, signs), ``scalars`` (scalar
algebra by SymPy), ``quotients`` (⊙/⊘ products as monomials: cancelling, one fraction bar, the
distributive law where it collects, common denominators), ``logistic`` (σ, exp and log),
``kronecker`` (the identities of ⊗ and the commutation matrix, for Jacobians).

May import: errors, language, expr.
"""

from .kronecker import closed_form, sort_sums
from .normal import normal_form, simplify
from .rewriting import order_key, pushed_transpose, size, total_key

__all__ = ["closed_form", "normal_form", "order_key", "pushed_transpose", "simplify", "size", "sort_sums", "total_key"]
