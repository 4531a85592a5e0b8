"""The newer words of the language in the random problems of ``oracle``, each with its NumPy
form written out here (never matcalc's): log1p, expm1, cosh, sinh, arctan, erf, gelu, softsign
and log σ elementwise; softmax and log softmax, log-sum-exp, mean, var and std of a vector
and of each row of a matrix; max and min; the max-norm ‖x‖_∞, the spectral and nuclear norms,
λ_max and λ_min; expm, logm and sqrtm; tril and triu.

The operations are grouped in a few draws (``WORDS``: one entry in each of the tables
``GENERAL``, ``SQUARE``, ``VECTOR`` and ``SCALAR`` of ``oracle_terms``), so that the older vocabulary keeps most of the draws.  The kinks of max, min,
softsign and ‖·‖_∞ are registered like those of abs and relu (``Generator.kinks``); the points
where λ_max, λ_min, ‖X‖₂, ‖X‖_*, ‖x‖_∞ or std are not differentiable (a repeated eigenvalue or
largest singular value, a rank-deficient argument, a tie of the largest |xᵢ|, a constant
row) as ``Generator.separations``: functions of the point whose value, a relative gap, is
near 0 there.
"""

from __future__ import annotations

import math
import re

import numpy as np

from oracle_terms import ATOM, DIM_NAMES, ONE, Term, add

_erf = np.vectorize(math.erf, otypes=[float])


def _gelu(a):
    return 0.5 * a * (1.0 + _erf(a / math.sqrt(2.0)))


def _softsign(a):
    return a / (1.0 + np.abs(a))


def _log_sigmoid(a):
    return -np.logaddexp(0.0, -a)


# Elementwise words: text templates and NumPy form, by the argument they take.
ANY = {
    "arctan": (["arctan({})"], np.arctan),
    "erf": (["erf({})"], _erf),
    "gelu": (["gelu({})"], _gelu),
    "softsign": (["softsign({})"], _softsign),
    "log σ": (["log_sigmoid({})", "logσ({})", "log(σ({}))", "log(sigmoid({}))"], _log_sigmoid),
}
BOUNDED = {"expm1": (["expm1({})"], np.expm1), "cosh": (["cosh({})"], np.cosh), "sinh": (["sinh({})"], np.sinh)}
POSITIVE = {"log1p": (["log1p({})"], np.log1p)}
KINKED = (_softsign,)  # smooth, but its second derivative jumps at 0


# ---- rows: a vector is taken over its entries, a matrix row by row -----------------------------


def _softmax_rows(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def _lse_rows(x):
    top = np.max(x, axis=1, keepdims=True)
    return top + np.log(np.sum(np.exp(x - top), axis=1, keepdims=True))


def _logsoftmax_rows(x):
    return x - _lse_rows(x)


def _mean_rows(x):
    return np.mean(x, axis=1, keepdims=True)


def _var_rows(x):
    return np.mean((x - _mean_rows(x)) ** 2, axis=1, keepdims=True)


def _std_rows(x):
    return np.sqrt(_var_rows(x))


SOFTMAX = {"softmax": (["softmax({})"], _softmax_rows),
           "logsoftmax": (["logsoftmax({})", "log_softmax({})", "log(softmax({}))"], _logsoftmax_rows)}
STATISTICS = {"logsumexp": _lse_rows, "mean": _mean_rows, "var": _var_rows, "std": _std_rows}


def _by_rows(fn, columnwise: bool):
    """fn of a 2-D array row by row, or of a column over its entries (through its transpose)."""
    return (lambda x: fn(x.T).T) if columnwise else fn


def _columnwise(g, shape) -> bool:
    """Whether matcalc reads a term of ``shape`` as a column: its labels say so, or (sizes
    declared) its second size is 1."""
    return shape[1] == ONE or (not g.symbolic and g.size(shape[1]) == 1)


def _wide(g):
    """A dimension of size 2 at least, or None."""
    wide = [d for d in DIM_NAMES if g.size(d) >= 2]
    return g.pick(wide) if wide else None


def _apply(template: str, a: Term, shape, fn) -> Term:
    return Term(template.format(a.text), shape, lambda p, f=a.fn: fn(f(p)), ATOM)


def _constant_rows(fn):
    """The separation of std: the smallest spread of a row (or of the column) relative to it."""
    def gap(x):
        centred = x - _mean_rows(x)
        return np.min(np.linalg.norm(centred, axis=1) / np.maximum(1.0, np.linalg.norm(x, axis=1)))
    return lambda p: gap(fn(p))


def _statistic(g, a: Term, columnwise: bool) -> Term:
    """logsumexp, mean, var or std of the vector or of each row of ``a``."""
    length = g.size(a.shape[0] if columnwise else a.shape[1])
    name = g.pick([n for n in STATISTICS if n != "std" or length >= 2])
    shape = (ONE, ONE) if columnwise else (a.shape[0], ONE)
    if name == "std":
        g.separations.append(_constant_rows(lambda p, f=a.fn: f(p).T if columnwise else f(p)))
    return _apply(name + "({})", a, shape, _by_rows(STATISTICS[name], columnwise))


# ---- elementwise: the new functions, softmax, max and min, tril and triu (GENERAL) -------------


def _elementwise(g, shape, d):
    choice = g.rng.randrange(10)
    if choice < 2 and shape != (ONE, ONE):
        templates, fn = SOFTMAX[g.pick(list(SOFTMAX))]
        return _apply(g.pick(templates), g.gen(shape, d), shape, _by_rows(fn, _columnwise(g, shape)))
    if choice < 4:
        return _extremum(g, shape, d)
    if choice == 4 and ONE not in shape:
        word, fn = g.pick([("tril", np.tril), ("triu", np.triu)])
        return _apply(word + "({})", g.gen(shape, d), shape, fn)
    family = g.pick([ANY, ANY, BOUNDED, POSITIVE])
    templates, fn = family[g.pick(list(family))]
    a = g.bounded(shape, d) if family is BOUNDED else g.positive(shape, d) if family is POSITIVE else g.gen(shape, d)
    if fn in KINKED:
        g.kinks.append(a.fn)
    return _apply(g.pick(templates), a, shape, fn)


def _extremum(g, shape, d):
    """max(A, B), min(A, B), a scalar (a term or a number) broadcast on either side."""
    word, fn = g.pick([("max", np.maximum), ("min", np.minimum)])
    a = g.gen(shape, d)
    b = g.gen((ONE, ONE), d) if g.chance(0.3) else g.number() if g.chance(0.2) else g.gen(shape, d)
    if g.chance(0.5):
        a, b = b, a
    g.kinks.append(lambda p, f=a.fn, h=b.fn: f(p) - h(p))
    return Term(f"{word}({a.text}, {b.text})", shape, lambda p, f=a.fn, h=b.fn: fn(f(p), h(p)), ATOM)


# ---- reductions of each row to a column (VECTOR) ---------------------------------------------


def _row_statistic(g, shape, d):
    c = _wide(g)
    if c is None:
        return g.gen(shape, d)
    return _statistic(g, g.gen((shape[0], c), d), columnwise=False)


# ---- scalars: statistics of a vector, norms, extreme eigenvalues (SCALAR) ----------------------


def _scalar(g, shape, d):
    choice = g.rng.randrange(5)
    if choice == 0:
        k = g.dim()
        row = g.chance(0.2)
        a = g.gen((ONE, k) if row else (k, ONE), d)
        return _statistic(g, a, columnwise=not row)
    if choice == 1:
        return _max_norm(g, d)
    if choice == 2:
        return _extreme_eigenvalue(g, d)
    r, c = _wide(g), _wide(g)
    if r is None:
        return g.gen(shape, d)
    if choice == 3 and not (g.kind == "hessian" and g.symbolic and r != c):  # refused: tall or wide?
        return _nuclear_norm(g, g.gen((r, c), d))
    return _spectral_norm(g, g.gen((r, c), d))


def _max_norm(g, d):
    k = g.dim()
    row = g.chance(0.2)
    a = g.gen((ONE, k) if row else (k, ONE), d)

    def largest(p, f=a.fn):
        """The entry of largest |xᵢ| alone: its sign changes where the arg-max or its sign does."""
        x = f(p).ravel()
        out = np.zeros_like(x)
        k = int(np.argmax(np.abs(x)))
        out[k] = x[k]
        return out

    def tie(p, f=a.fn):
        top = np.sort(np.abs(f(p).ravel()))[::-1]
        gap = top[0] - top[1] if top.size > 1 else top[0]
        return min(gap, top[0]) / max(1.0, top[0])

    g.kinks.append(largest)
    g.separations.append(tie)
    text = g.pick(["‖{}‖_∞", "‖{}‖_{{∞}}", "‖{}‖_inf", "norm_inf({})", "||{}||_inf"])
    if text.startswith("||") and ("|" in a.text or "‖" in a.text):
        text = "norm_inf({})"
    return _apply(text, a, (ONE, ONE), lambda x: np.array([[np.max(np.abs(x))]]))


def _singular_values(x):
    return np.linalg.svd(x, compute_uv=False)


def _spectral_norm(g, a: Term) -> Term:
    def gap(p, f=a.fn):
        s = _singular_values(f(p))
        return (s[0] - (s[1] if s.size > 1 else 0.0)) / max(1.0, s[0])

    g.separations.append(gap)
    text = g.pick(["‖{}‖₂", "‖{}‖_2", "σ_max({})", "sigma_max({})"] + ([] if "|" in a.text or "‖" in a.text else ["||{}||_2"]))
    return _apply(text, a, (ONE, ONE), lambda x: np.array([[_singular_values(x)[0]]]))


def _nuclear_norm(g, a: Term) -> Term:
    def rank(p, f=a.fn):
        s = _singular_values(f(p))
        return s[-1] / max(1.0, s[0])

    g.separations.append(rank)
    text = g.pick(["‖{}‖_*", "norm_nuc({})"] + ([] if "|" in a.text or "‖" in a.text else ["||{}||_*"]))
    return _apply(text, a, (ONE, ONE), lambda x: np.array([[np.sum(_singular_values(x))]]))


def _symmetric_part_eigenvalues(x):
    return np.linalg.eigvalsh((x + x.T) / 2)  # ascending


def _extreme_eigenvalue(g, d):
    """λ_max or λ_min of a symmetric term, or of any square one (of its symmetric part)."""
    n = _wide(g)
    if n is None:
        return g.gen((ONE, ONE), d)
    choice = g.rng.randrange(4)
    if choice == 0:
        s = g.spd(n, d)
    elif choice == 1:
        a = g.gen((n, n), d)
        s = add(a, g.transpose(a), +1)
    else:
        s = g.gen((n, n), d)
    largest = g.chance(0.5)

    def gap(p, f=s.fn):
        lam = _symmetric_part_eigenvalues(f(p))
        return (lam[-1] - lam[-2] if largest else lam[1] - lam[0]) / max(1.0, np.max(np.abs(lam)))

    g.separations.append(gap)
    word = g.pick(["λ_max({})", "lambda_max({})"] if largest else ["λ_min({})", "lambda_min({})"])
    return _apply(word, s, (ONE, ONE), lambda x: np.array([[_symmetric_part_eigenvalues(x)[-1 if largest else 0]]]))


# ---- matrix functions (SQUARE) ----------------------------------------------------------------


def _expm(x):
    """e^X by the Taylor series of e^{X/2ˢ} (‖X/2ˢ‖ ≤ ½, 24 terms) squared s times."""
    s = max(0, int(np.ceil(np.log2(max(np.linalg.norm(x, 1), 1e-300) / 0.5))))
    y = x / 2.0**s
    term = total = np.eye(x.shape[0])
    for k in range(1, 25):
        term = term @ y / k
        total = total + term
    for _ in range(s):
        total = total @ total
    return total


def _spectral_function(f):
    """f(S) = V f(Λ) Vᵀ of a symmetric S (of its symmetric part: its value on symmetric
    arguments, which is all that matcalc's derivatives are compared on)."""
    def apply(x):
        lam, v = np.linalg.eigh((x + x.T) / 2)
        return (v * f(lam)) @ v.T
    return apply


def _matrix_function(g, shape, d):
    n = shape[0]
    choice = g.rng.randrange(4)
    if choice < 2:
        a = g.bounded(shape, d) if g.chance(0.8) else g.gen(shape, min(d, 1))
        text = g.pick(["expm({})", "expm({})", "e^{{{}}}"])
        if re.fullmatch("[−-]?[TH]", a.text):  # e^{T} is eᵀ, e^{H} eᴴ, e^{-T} e⁻ᵀ
            text = "expm({})"
        return _apply(text, a, shape, _expm)
    word, f = ("logm", np.log) if choice == 2 else ("sqrtm", np.sqrt)
    return _apply(word + "({})", g.spd(n, d), shape, _spectral_function(f))


# One draw per table of oracle_terms.
WORDS = {"GENERAL": [_elementwise], "SQUARE": [_matrix_function], "VECTOR": [_row_statistic], "SCALAR": [_scalar]}
