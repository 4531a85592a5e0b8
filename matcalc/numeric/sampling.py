"""Random points that respect domains.

``sample`` draws a value for every free symbol: each dimension a size in 2..5 (different
dimensions different sizes where possible, so that a transposition error shows), entries
standard normal scaled by 0.5–1, and the declared or inferred domain respected.  A symbol
under log det that is not declared spd gets a positive determinant from a positive definite
symmetric part plus a skew part — not symmetric, so that X⁻¹ in place of X⁻ᵀ shows.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import sympy

from .. import expr as t
from ..errors import UnsupportedError
from ..language.exact import exact
from ..language.limits import ENTRIES_PER_UNIT, MAX_ENTRIES, spend
from .evaluate import Evaluator, user_form

SIZES = (2, 3, 4, 5)


# --------------------------------------------------------------------------------------------
# Domains inferred from where a symbol stands: (node class) → [(operand, domain)].


def _not_whole(p) -> bool:
    p = exact(p)
    return not (p.is_integer and p.is_nonnegative)


INFERRED = {
    t.Apply: lambda n: [(n.arg, "positive")] if n.name in ("log", "sqrt") and n.formula is None else [],
    t.HadamardDiv: lambda n: [(n.den, "positive")],
    t.HadamardPow: lambda n: [(n.base, "positive")] if _not_whole(n.exponent) else [],
    t.Power: lambda n: [(n.base, "positive")] if _not_whole(n.exponent) else [],
    t.LogDet: lambda n: [(n.arg, "positive det")],
    t.Inverse: lambda n: [(n.arg, "invertible")],
    t.Det: lambda n: [(n.arg, "invertible")],
    t.Adj: lambda n: [(n.arg, "invertible")],
}


def _bare_symbol(e: t.Expr) -> t.Symbol | None:
    while isinstance(e, (t.Transpose, t.Conj)):
        e = e.arg
    return e if isinstance(e, t.Symbol) else None


def domains(exprs) -> dict[str, set]:
    """{symbol name: declared and inferred domains}."""
    out: dict[str, set] = defaultdict(set)
    for root in exprs:
        for n in t.walk(root):
            if isinstance(n, t.Symbol):
                out[n.name] |= set(n.assumptions)
            for operand, domain in INFERRED.get(type(n), lambda n: [])(n):
                s = _bare_symbol(operand)
                if s is not None:
                    out[s.name].add(domain)
    return dict(out)


# --------------------------------------------------------------------------------------------
# Random points


def _exprs(exprs) -> list:
    return [exprs] if isinstance(exprs, t.Expr) else list(exprs)


def _dimension_names(exprs) -> tuple[set, set]:
    """(names of dimension symbols, integer sizes already fixed) over all nodes."""
    names, fixed = set(), set()
    for root in exprs:
        for n in t.walk(root):
            parts = list(n.shape)
            if isinstance(n, t.Number):
                parts.append(n.value)
            if isinstance(n, (t.Power, t.HadamardPow)):
                parts.append(exact(n.exponent))
            for d in parts:
                if isinstance(d, sympy.Integer):
                    fixed.add(int(d))
                names |= {s.name for s in d.free_symbols}
    return names, fixed


def _choose_sizes(names, fixed, sizes, rng) -> dict[str, int]:
    chosen = {str(k): int(v) for k, v in (sizes or {}).items()}
    pool = [s for s in SIZES if s not in fixed and s not in chosen.values()]
    pool = list(rng.permutation(pool)) if pool else []
    for i, name in enumerate(sorted(n for n in names if n not in chosen)):
        chosen[name] = int(pool[i]) if i < len(pool) else int(rng.integers(SIZES[0], SIZES[-1] + 1))
    return chosen


def _draw_complex(shape: tuple[int, int], doms: set, rng) -> np.ndarray:
    """A random complex matrix: complex Gaussian entries (real and imaginary parts independent,
    E|z|² = scale²), Hermitian, Hermitian positive definite, unitary or invertible as declared;
    under log det, eigenvalues in the right half-plane."""
    r, c = shape
    scale = rng.uniform(0.5, 1.0)
    m = scale * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    if r != c:
        return m
    if "unitary" in doms:
        q, u = np.linalg.qr(m)
        return q * (np.diag(u) / np.abs(np.diag(u)))  # Haar measure: the phases of R's diagonal
    if "spd" in doms or ("hermitian" in doms and "positive det" in doms):
        return m @ m.conj().T / r + np.eye(r)
    if "hermitian" in doms:
        return (m + m.conj().T) / 2
    if "positive det" in doms or "invertible" in doms:
        return m + 3 * scale * np.sqrt(r) * np.eye(r)
    return m


def _draw(shape: tuple[int, int], doms: set, rng) -> np.ndarray:
    """A random matrix in the given domains."""
    r, c = shape
    if r * c > MAX_ENTRIES:
        raise UnsupportedError(f"a random {r}×{c} value would have {r * c:,} entries (the limit is {MAX_ENTRIES:,})")
    spend(1 + r * c // ENTRIES_PER_UNIT)
    if doms & t.COMPLEX_DOMAINS:
        return _draw_complex(shape, doms, rng)
    scale = rng.uniform(0.5, 1.0)
    positive = "positive" in doms
    m = rng.uniform(0.5, 2.0, shape) if positive else scale * rng.standard_normal(shape)
    if "probability" in doms:  # on the simplex: a vector's entries, or each row, sum to one
        m = rng.uniform(0.1, 1.0, shape)
        return m / m.sum(axis=0 if c == 1 else 1, keepdims=True)
    if r != c:
        return m
    if "spd" in doms:
        return m @ m.T / r + np.eye(r)
    if "positive det" in doms and "symmetric" not in doms:  # eigenvalues in the right half-plane
        skew = scale * rng.standard_normal(shape)
        return m @ m.T / r + np.eye(r) + (skew - skew.T) / 2
    if "positive det" in doms:
        return m @ m.T / r + np.eye(r)
    if "symmetric" in doms:
        m = (m + m.T) / 2
    if "invertible" in doms:  # eigenvalues moved at least √n·scale away from 0
        m = m + 3 * (1.0 if positive else scale) * np.sqrt(r) * np.eye(r)
    return m


def point(exprs, seed: int = 0, sizes: dict | None = None, structures: dict | None = None) -> tuple[dict, dict]:
    """(values, dims): a random point for ``exprs`` as ``sample`` draws it, with the size of
    every dimension (to evaluate expressions such as I or 𝟙 whose size no value shows).
    ``structures`` maps a symbol's name to the space it is drawn from
    (``matcalc.numeric.structures``): its ``draw``, and ``tall`` for rows ≥ columns."""
    exprs = _exprs(exprs)
    rng = np.random.default_rng(seed)
    names, fixed = _dimension_names(exprs)
    dims = _choose_sizes(names, fixed, sizes, rng)
    symbols = {}
    for root in exprs:
        for s in root.free_symbols:
            symbols.setdefault(s.name, s)
    structures = structures or {}
    for name, space in structures.items():
        if space.tall and name in symbols:
            _make_tall(symbols[name], dims)
    ev = Evaluator((), None, dims)
    doms = domains(exprs)
    values = {}
    for name, s in sorted(symbols.items()):
        shape, doms_of = ev.shape(s), doms.get(name, set())
        drawn = structures[name].draw(shape, doms_of, rng) if name in structures else _draw(shape, doms_of, rng)
        values[name] = user_form(s.shape, drawn)
    return values, dims


def _make_tall(s: t.Symbol, dims: dict) -> None:
    """Sizes with at least as many rows as columns for s (orthonormal columns): the sizes of
    its two dimensions swapped where they are the other way round."""
    rows, cols = (str(d) for d in s.dims)
    if rows in dims and cols in dims and dims[rows] < dims[cols]:
        dims[rows], dims[cols] = dims[cols], dims[rows]


def sample(exprs, seed: int = 0, sizes: dict | None = None) -> dict:
    """Random values {name: array} for every free symbol of ``exprs``, respecting domains.

    ``sizes`` pins dimensions ({"n": 3}); the others get random sizes in 2..5.
    """
    return point(exprs, seed, sizes)[0]
