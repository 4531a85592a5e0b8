"""The values of the reductions over a vector (or each row of a matrix): the softmax family by
the stable forms (the largest entry is subtracted before exp, so that nothing overflows), and
the mean, variance and standard deviation (the variance from the centred values).  The helpers
compiled code calls are registered in ``evaluate.RUNTIME_HELPERS``: each reduces its operand's
last axis (a vector's entries, a matrix's rows).
"""

from __future__ import annotations

import numpy as np

from .evaluate import RUNTIME_HELPERS


def logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """log Σ exp(a) along the axis, with the maximum taken out: m + log Σ exp(a − m)."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return a - logsumexp(a, axis)


def softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return np.exp(log_softmax(a, axis))


def _var(a: np.ndarray) -> np.ndarray:
    return np.mean((a - np.mean(a, axis=-1, keepdims=True)) ** 2, axis=-1)


RUNTIME_HELPERS.update({
    "_lse": lambda a: logsumexp(a, -1)[..., 0],
    "_log_softmax": lambda a: log_softmax(a, -1),
    "_softmax": lambda a: softmax(a, -1),
    "_mean": lambda a: np.mean(a, axis=-1),
    "_var": _var,
    "_std": lambda a: np.sqrt(_var(a)),
})
