"""The simplifier's rules for sums and signs: like terms, common factors, differences.

Registered like those of ``algebra`` (``normal`` imports every rule set): one named identity
each.  Every choice between equal forms is made by ``total_key`` or by the sign of a sum's
first term, never by the order the terms came in, so that the result is deterministic.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import sympy

from .. import expr as t
from .rewriting import coefficient, is_negative, is_symmetric, rewrite, size, total_key, with_coefficient

# ---- like terms and their order -------------------------------------------------------------


@rewrite(t.Add, "like terms collected: aX + bX = (a + b)X")
def _collect(e):
    groups: dict[t.Expr, sympy.Expr] = defaultdict(lambda: sympy.Integer(0))
    for term in e.terms:
        c, core = coefficient(term)
        groups[core] += c
    if len(groups) == len(e.terms):
        return None
    kept = [with_coefficient(c, core) for core, c in groups.items() if c != 0]
    return t.add(*kept) if kept else t.zero(e.shape)


@rewrite(t.Add, "terms ordered: positive terms first, then as they print")
def _order(e):
    ordered = tuple(sorted(e.terms, key=_term_key))
    return t.Add(ordered) if ordered != e.terms else None


def _term_key(term: t.Expr) -> tuple:
    c, core = coefficient(term)
    return (is_negative(c), total_key(core), str(c))


# ---- common factors -------------------------------------------------------------------------


@rewrite(t.Add, "common factor: cA + cB = c(A + B)")
def _common_number(e):
    coeffs = [coefficient(x)[0] for x in e.terms]
    if not all(c.is_Rational for c in coeffs):
        return None
    g = sympy.gcd_list(coeffs)
    if all(is_negative(c) for c in coeffs):
        g = -g
    if g == 1 or g == 0:
        return None
    out = with_coefficient(g, t.add(*(with_coefficient(c / g, coefficient(x)[1]) for c, x in zip(coeffs, e.terms))))
    # −A − B = −(A + B) for matrices (the sign then joins a product's coefficient); otherwise only
    # where not longer: not ½α + β → ½(α + 2β)
    return out if (g == -1 and not e.is_scalar) or size(out) <= size(e) else None


@rewrite(t.Add, "common factor: AB + AC = A(B + C), BA + CA = (B + C)A")
def _common_factor(e):
    """Taken out when that is shorter, or as short without leaving an I behind (X(bcᵀ + cbᵀ)
    for Xbcᵀ + Xcbᵀ, as a textbook writes it; X + XA stays)."""
    return _factor_out(e.terms, e)


@rewrite(t.Add, "common factor of some terms: AB + AC + D = A(B + C) + D")
def _partial_common_factor(e):
    best = None
    for side in ("left", "right"):
        groups: dict = defaultdict(list)
        for term in e.terms:
            _, scalar, chain = _split_product(term)
            alone = len(chain) == 1 and not t.is_number(scalar, 1)  # it would leave an sI behind
            groups[(chain[0] if side == "left" else chain[-1], alone)].append(term)
        if all(len(g) < 2 for g in groups.values()):
            continue
        terms = []
        for group in groups.values():
            factored = _factor_out(group, t.add(*group)) if len(group) > 1 else None
            terms.extend([factored] if factored is not None else group)
        candidate = t.add(*terms)
        if size(candidate) < size(e) and (best is None or (size(candidate), total_key(candidate)) < (size(best), total_key(best))):
            best = candidate
    return best


def _chain(core: t.Expr) -> tuple:
    return core.factors if isinstance(core, t.MatMul) else (core,)


def _factor_out(terms, e):
    """The sum of ``terms`` (which is e) with its longest common left or right factor taken out,
    scalar factors staying with their terms (AB/s + AC = A(B/s + C))."""
    parts = [_split_product(x) for x in terms]
    if any(chain[0].rows == t.ONE and chain[-1].cols == t.ONE for _, _, chain in parts):
        return None
    chains = [chain for _, _, chain in parts]
    best = None
    for side in ("left", "right"):
        common = _shared(chains, side)
        if not common:
            continue
        rests = [_drop(chain, common, side) for chain in chains]
        if any(isinstance(r, t.Identity) and not t.is_number(scalar, 1) for (_, scalar, _), r in zip(parts, rests)):
            continue  # no sI left behind: (A + Aᵀ)x/(xᵀx) − 2(xᵀAx)x/(xᵀx)² keeps its x
        inner = t.add(*(with_coefficient(c, t.scale(scalar, r)) for (c, scalar, _), r in zip(parts, rests)))
        candidate = t.matmul(*common, inner) if side == "left" else t.matmul(inner, *common)
        tie_ok = not any(isinstance(r, (t.Identity, t.Number)) for r in rests)
        if size(candidate) < size(e) or (size(candidate) == size(e) and tie_ok):
            if best is None or size(candidate) < size(best):
                best = candidate
    return best


def _shared(chains, side) -> tuple:
    """The longest run of factors that every chain starts (or ends) with."""
    runs = chains if side == "left" else [c[::-1] for c in chains]
    n = 0
    while n < min(map(len, runs)) and all(r[n] == runs[0][n] for r in runs):
        n += 1
    return tuple(runs[0][:n]) if side == "left" else tuple(runs[0][:n][::-1])


def _drop(chain, common, side) -> t.Expr:
    """The chain without its common factors; I where none is left."""
    rest = chain[len(common):] if side == "left" else chain[: len(chain) - len(common)]
    if rest:
        return t.matmul(*rest)
    return t.identity(common[-1].cols if side == "left" else common[0].rows)


@rewrite(t.Add, "common scalar factor: sA + sB = s(A + B), s²A + sB = s(sA + B)")
def _common_scalar(e):
    """The scalar factors shared by all terms taken out, or else those of each group of terms
    with the same scalar factor, whichever is shorter."""
    parts = [_scalar_parts(x) for x in e.terms]
    if sum(1 for _, powers, _ in parts if powers) < 2:
        return None
    candidates = []
    common = _common_powers([p for _, p, _ in parts])
    if common:
        inner = [build_product(c, {b: k - common.get(b, 0) for b, k in p.items()}, m) for c, p, m in parts]
        candidates.append(build_product(1, common, t.add(*inner)))
    groups: dict = defaultdict(list)
    for c, powers, m in parts:
        groups[_powers_key(powers)].append((c, powers, m))
    if any(len(g) > 1 and g[0][1] for g in groups.values()):
        terms = []
        for g in groups.values():
            if len(g) > 1 and g[0][1]:
                terms.append(build_product(1, g[0][1], t.add(*(with_coefficient(c, m) for c, _, m in g))))
            else:
                terms.extend(build_product(c, p, m) for c, p, m in g)
        candidates.append(t.add(*terms))
    best = min(candidates, key=lambda x: (size(x), total_key(x)), default=None)
    if best is None or size(best) > size(e):
        return None
    # as short: a factor common to all terms is still taken out, as a textbook does
    return best if size(best) < size(e) or (common and best is candidates[0]) else None


def _scalar_parts(term: t.Expr) -> tuple:
    """(c, {base: exponent}, M) with term = c·Π baseᵏ·M, c a number and M not a scale."""
    c, core = coefficient(term)
    powers: dict = {}
    if isinstance(core, t.Scale) and not core.is_scalar:
        c = c * factor_powers(core.factor, powers)
        core = core.operand
    return c, {b: k for b, k in powers.items() if k != 0}, core


def factor_powers(s: t.Expr, powers: dict) -> sympy.Expr:
    """Add the factors of the scalar s to ``powers``; return its numeric part."""
    if isinstance(s, t.Number):
        return s.value
    if isinstance(s, t.Scale):
        return factor_powers(s.factor, powers) * factor_powers(s.operand, powers)
    base, k = (s.base, s.exponent) if isinstance(s, t.Power) else (s, sympy.Integer(1))
    powers[base] = powers.get(base, sympy.Integer(0)) + k
    return sympy.Integer(1)


def _common_powers(all_powers: list) -> dict:
    """{base: k}: the powers every term has, each of one sign, with the smallest |k|."""
    out = {}
    for base in all_powers[0]:
        ks = [p.get(base) for p in all_powers]
        if any(k is None for k in ks):
            continue
        if all(k > 0 for k in ks):
            out[base] = min(ks)
        elif all(k < 0 for k in ks):
            out[base] = max(ks)
    return out


def _powers_key(powers: dict) -> tuple:
    return tuple(sorted((total_key(b), str(k)) for b, k in powers.items()))


def build_product(c, powers: dict, m: t.Expr) -> t.Expr:
    """c·(numerators)·M/(denominators), built left to right as the text is read back."""
    out: t.Expr = t.Number(c)
    ordered = sorted((b for b in powers if powers[b] != 0), key=lambda b: (bool(powers[b] < 0), total_key(b)))
    for base in [b for b in ordered if powers[b] > 0]:
        out = t.mul(out, t.power(base, powers[base]))
    out = t.mul(out, m)
    for base in [b for b in ordered if powers[b] < 0]:
        out = t.mul(out, t.power(base, powers[base]))
    return out


# ---- signs ----------------------------------------------------------------------------------


def _sum_of(f: t.Expr) -> t.Add | None:
    """The sum S of a factor S or Sᵀ (Sᵀ also as a sum of transposed leaves, xᵀ − μᵀ)."""
    if isinstance(f, t.Transpose):
        f = f.arg
    if not isinstance(f, t.Add):
        return None
    inner = untransposed(f)
    return inner if isinstance(inner, t.Add) else f


def signed_terms(e: t.Expr, sign: int = 1) -> Counter:
    """The (core, coefficient) pairs of e's terms (a sum's own coefficient multiplied in; e is one
    term when it is no sum), negated for ``sign`` −1: a = −b when signed_terms(a) == signed_terms(b, −1)."""
    c, core = coefficient(e)
    terms = core.terms if isinstance(core, t.Add) else (core,)
    return Counter((k, sign * c * d) for d, k in map(coefficient, terms))


def _oriented(s: t.Add) -> bool:
    """Whether the first term of s, as sums are ordered, is positive (x − μ, not μ − x); a
    scalar broadcast (the centre of x − mean(x)) comes after the other terms."""
    c, _ = min((coefficient(x) for x in s.terms), key=lambda p: (isinstance(p[1], t.Broadcast), total_key(p[1])))
    return not is_negative(c)


def _negated(f: t.Expr) -> t.Expr:
    """f with its sum negated term by term: (x − μ)ᵀ → (μ − x)ᵀ, xᵀ − μᵀ → μᵀ − xᵀ."""
    s = f.arg if isinstance(f, t.Transpose) else f
    flipped = t.add(*(t.neg(x) for x in s.terms))
    return t.Transpose(flipped) if isinstance(f, t.Transpose) else flipped


def _split_product(e: t.Expr):
    """(c, s, factors) with e = c·s·F₁F₂…, c a number and s a scalar (1 when there is none)."""
    c, core = coefficient(e)
    scalar, body = t.split_scale(core)
    return c, scalar, _chain(body)


def _join(c, scalar, factors) -> t.Expr:
    return with_coefficient(c, t.scale(scalar, t.matmul(*factors)))


def _partnered(sums: list, i: int) -> bool:
    """Whether sums[i] equals another sum of the product up to sign."""
    mine, other = signed_terms(sums[i]), signed_terms(sums[i], -1)
    return any(j != i and s is not None and signed_terms(s) in (mine, other) for j, s in enumerate(sums))


@rewrite(t.MatMul, "(B − A)ᵀ…(A − B) = −(A − B)ᵀ…(A − B): one sign for a pair of opposite differences")
def _opposite_pair(e):
    sums = [_sum_of(f) for f in e.factors]
    for i, a in enumerate(sums):
        for j in range(i + 1, len(sums)):
            b = sums[j]
            if a is None or b is None or signed_terms(a) != signed_terms(b, -1):
                continue
            k = i if not _oriented(a) else j
            factors = list(e.factors)
            factors[k] = _negated(factors[k])
            return t.neg(t.matmul(*factors))
    return None


@rewrite(t.Scale, "−c(A − B) = c(B − A): a minus sign absorbed into a difference")
def _absorb_minus(e):
    c, scalar, factors = _split_product(e)
    if not is_negative(c):
        return None
    sums = [_sum_of(f) for f in factors]
    for i, s in enumerate(sums):
        if s is not None and 2 * _negatives(s) >= len(s.terms) and not _partnered(sums, i):
            flipped = list(factors)
            flipped[i] = _negated(factors[i])
            return _join(-c, scalar, flipped)
    return None


@rewrite(t.Scale, "the mean of a vector: 𝟙ᵀx/n = mean(x)")
def _mean(e):
    if not isinstance(e.operand, t.MatMul) and not isinstance(e.factor, t.Number):
        return None
    c, core = coefficient(e)
    if not (isinstance(core, t.MatMul) and len(core.factors) == 2 and isinstance(core.factors[0], t.Transpose)
            and isinstance(core.factors[0].arg, t.Ones) and core.factors[1].cols == t.ONE):
        return None
    k = sympy.simplify(c * core.factors[1].rows)
    return with_coefficient(k, t.Mean(core.factors[1])) if k.is_Number else None


def _negatives(s: t.Add) -> int:
    return sum(1 for x in s.terms if is_negative(coefficient(x)[0]))


# ---- transposed sums ------------------------------------------------------------------------


@rewrite(t.Add, "a scalar times 𝟙 in a sum is the scalar broadcast: x − μ𝟙 = x − μ")
def _broadcast_ones(e):
    terms, changed = [], False
    for term in e.terms:
        c, core = coefficient(term)
        scalar, body = t.split_scale(core)
        ones = isinstance(body, t.Ones) or (isinstance(body, t.Transpose) and isinstance(body.arg, t.Ones))
        if ones and not isinstance(scalar, t.Number) and scalar.is_scalar:
            term, changed = with_coefficient(c, t.broadcast(scalar, e.shape)), True
        terms.append(term)
    return t.add(*terms) if changed else None


def is_plain(e: t.Expr) -> bool:
    """A leaf whose transpose no rule changes (a symbol, 𝟙, g(A), ∇f(A), not symmetric)."""
    return isinstance(e, (t.Symbol, t.Ones, t.Apply, t.Grad)) and not is_symmetric(e)


def untransposed(s: t.Expr) -> t.Expr | None:
    """A + B for a sum Aᵀ + Bᵀ whose every term is a transposed plain leaf, else None."""
    if not isinstance(s, t.Add):
        return None
    inner = []
    for term in s.terms:
        c, core = coefficient(term)
        if isinstance(core, t.Broadcast) and core.arg.is_scalar:  # a broadcast scalar is its own transpose
            inner.append(with_coefficient(c, t.broadcast(core.arg, (core.dims[1], core.dims[0]))))
            continue
        if not (isinstance(core, t.Transpose) and is_plain(core.arg)):
            return None
        inner.append(with_coefficient(c, core.arg))
    if all(isinstance(coefficient(x)[1], t.Broadcast) for x in s.terms):
        return None
    return t.add(*inner)


def bracket_transposed_sums(e: t.Expr) -> t.Expr:
    """The printed form of the simplifier's result: inside a product, a scale or ⊙, a sum of
    transposes is written as the transpose of a sum, (x − μ)ᵀ for (xᵀ − μᵀ), one mark
    shorter; a sum standing alone keeps its terms, Aᵀ + Bᵀ.  The simplifier undoes it
    (transposes go to the leaves), so simplify stays idempotent."""
    memo: dict = {}

    def operand(x: t.Expr) -> t.Expr:
        x = walk(x)
        inner = untransposed(x)
        return t.Transpose(inner) if inner is not None else x

    def walk(n: t.Expr) -> t.Expr:
        if n in memo:
            return memo[n]
        if isinstance(n, (t.MatMul, t.Hadamard)):
            out = type(n)(tuple(operand(f) for f in n.factors))
        elif isinstance(n, t.Scale):
            out = t.Scale(walk(n.factor), operand(n.operand))
        else:
            out = t.rebuild(n, walk)
        memo[n] = out
        return out

    return walk(e)
