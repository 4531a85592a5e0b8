"""The values of the reductions over a vector (or each row of a matrix): the softmax family by
the stable forms (the largest entry is subtracted before exp, so that nothing overflows), and
the mean, variance and standard deviation (the variance from the centred values).  ``RULES`` has one entry per node
class, in the form of ``matcalc.numeric.evaluate.RULES``: (node, evaluator) → 2-D array.
"""

from __future__ import annotations

import numpy as np

from .. import expr as t


def _axis(n: t.Expr) -> int:
    """0: a column vector, over its entries; 1: a matrix (or row) row by row."""
    return 0 if n.arg.cols == t.ONE else 1


def logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """log Σ exp(a) along the axis, with the maximum taken out: m + log Σ exp(a − m)."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return a - logsumexp(a, axis)


def softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return np.exp(log_softmax(a, axis))


def _centred(n: t.Expr, ev) -> np.ndarray:
    a = ev[n.arg]
    return a - np.mean(a, axis=_axis(n), keepdims=True)


def _var(n: t.Expr, ev) -> np.ndarray:
    return np.mean(_centred(n, ev) ** 2, axis=_axis(n), keepdims=True)


RULES = {
    t.Softmax: lambda n, ev: softmax(ev[n.arg], _axis(n)),
    t.LogSoftmax: lambda n, ev: log_softmax(ev[n.arg], _axis(n)),
    t.LogSumExp: lambda n, ev: logsumexp(ev[n.arg], _axis(n)),
    t.Mean: lambda n, ev: np.mean(ev[n.arg], axis=_axis(n), keepdims=True),
    t.Var: _var,
    t.Std: lambda n, ev: np.sqrt(_var(n, ev)),
}
