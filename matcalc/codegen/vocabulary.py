"""The code of the practitioner's vocabulary and of the spectral nodes, entries of ``emit.EMIT``.

The softmax family, mean, variance and standard deviation reduce a vector over its entries and a
matrix row by row: in the kind form of a value, over its last axis (``helpers.REDUCTIONS``);
of a 1×1 value, they are the value itself or a constant.  tril and triu act on the value as a
2-D array.  The spectral nodes call their helpers on the operand as a 2-D array: in matcalc's
own evaluation the runtime's (``matcalc.numeric.spectral``), in generated modules the source of
the backend's (``helpers.SPECTRAL`` on NumPy, ``spectral`` on JAX and PyTorch).
"""

from __future__ import annotations

from .. import expr as t
from ..errors import UnsupportedError
from .products import as_2d, from_2d
from .stable import kind


def _reduction(helper: str, of_a_number: str):
    """helper(value) over the last axis; of a 1×1 value, ``of_a_number`` ({a}: the value)."""
    def rule(em, n):
        if n.arg.is_scalar:
            return of_a_number.format(a=em.operand(n.arg)), of_a_number == "{a}"
        return f"{em.helper(helper)}({em.value(n.arg).text})", True
    return rule


def _triangular(em, n: t.TriangularPart):
    f = f"{em.b.xp}.{'tril' if n.side == 'lower' else 'triu'}"
    return from_2d(em, f"{f}({as_2d(em, n.arg)})", n.shape), True


def _spectral(em, name: str, n: t.Expr) -> str:
    """The helper ``name`` of a spectral node: the runtime's in matcalc's own evaluation, else
    its NumPy source."""
    if em.runtime or name in em.b.helpers:
        return em.helper(name)
    raise UnsupportedError(f"{type(n).__name__} has no generated {em.b.name} code (compile it with backend='numpy')")


def _call(name: str, *options: str, vector: bool = False):
    """A spectral rule: helper(the operand as a 2-D array, the node's options); a vector result
    (1-D) is read as a number when the node is 1×1, a matrix one in the node's kind form."""
    def rule(em, n):
        extra = "".join(f", {getattr(n, o)!r}" for o in options)
        text = f"{_spectral(em, name, n)}({as_2d(em, n.arg)}{extra})"
        if vector:
            return (f"{text}[0]" if kind(n.shape) == "s" else text), True
        return (text if n.is_scalar else from_2d(em, text, n.shape)), True
    return rule


def _matrix_function(em, n: t.MatrixFunction):
    text = f"{_spectral(em, '_matrix_function', n)}({n.name!r}, {as_2d(em, n.arg)})"
    return from_2d(em, text, n.shape), True


def _frechet(em, n: t.Frechet):
    text = f"{_spectral(em, '_frechet', n)}({n.name!r}, {as_2d(em, n.arg)}, {as_2d(em, n.direction)})"
    return from_2d(em, text, n.shape), True


def _frechet_kron(em, n: t.FrechetKron):
    extra = "".join(f", {as_2d(em, d)}" for d in n.directions)
    text = f"{_spectral(em, '_frechet_kron', n)}({n.name!r}, {as_2d(em, n.arg)}{extra})"
    return from_2d(em, text, n.shape), True


EMIT = {
    t.Softmax: _reduction("_softmax", "1.0 + 0.0 * {a}"),
    t.LogSoftmax: _reduction("_log_softmax", "0.0 * {a}"),
    t.LogSumExp: _reduction("_lse", "{a}"),
    t.Mean: _reduction("_mean", "{a}"),
    t.Var: _reduction("_var", "0.0 * {a}"),
    t.Std: _reduction("_std", "0.0 * {a}"),
    t.TriangularPart: _triangular,
    t.EigenValue: _call("_eigenvalue", "which"),
    t.EigenVector: _call("_eigenvector", "which", vector=True),
    t.Resolvent: _call("_resolvent", "which"),
    t.SpectralNorm: _call("_spectral_norm"),
    t.NuclearNorm: _call("_nuclear_norm"),
    t.SingularVector: _call("_singular_vector", "side", vector=True),
    t.PolarFactor: _call("_polar"),
    t.MatrixFunction: _matrix_function,
    t.Frechet: _frechet,
    t.FrechetKron: _frechet_kron,
}
