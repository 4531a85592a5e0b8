"""The simplifier's rules for elementwise products and quotients: every ⊙/⊘ product is read as a
monomial c·s·Π Bᵢ^{∘kᵢ} (c a number, s a product of scalar powers, Bᵢ the bases), so that
like bases cancel (A ⊘ A = 1, σ ⊙ (1 − σ) ⊘ σ = 1 − σ), quotient chains collapse to one
fraction bar, sums of such products are expanded where that collects them (σ − y for
(1 − y) ⊙ σ − y ⊙ (1 − σ)) and factored over a common denominator where that is shorter.

Convention for every cancellation: matcalc simplifies where the original is defined.  A ⊘ A = 1
holds wherever A has no zero entry, which is exactly where A ⊘ A is defined; the simplified form
may be defined at more points (there, the original had no value).  A rule never makes a form
undefined where the original had a value: bases are merged only by the laws of exponents
Aᵖ ⊙ Aᑫ = Aᵖ⁺ᑫ (true wherever the left side is defined), and a non-integer power of a product is
never split.

Registered like those of ``algebra`` (``normal`` imports every rule set): one named identity
each; a rule returns the rewritten node or None.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import sympy

from .. import expr as t
from .algebra import is_ones, operand_key
from .rewriting import coefficient, is_negative, rewrite, size, total_key, with_coefficient
from .scalars import known_function
from .sums import build_product, factor_powers

HALF = sympy.Rational(1, 2)
MAX_EXPANDED = 16  # products made by the distributive law from one term


# ---- monomials ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Monomial:
    """c·s·Π Bᵢ^{∘kᵢ}: a number c, scalar powers s = {base: exponent}, elementwise powers."""

    c: sympy.Expr
    scalars: tuple  # ((base, exponent), …), ordered by total_key of the base
    powers: tuple
    occurrences: int  # how many bases the expression it was read from has (before merging)

    @property
    def key(self) -> tuple:
        return (self.scalars, self.powers)


def _atomic(e: t.Expr) -> bool:
    """A base whose non-integer power may be merged: not itself a product, quotient or power."""
    return not isinstance(e, (t.Scale, t.Hadamard, t.HadamardDiv, t.HadamardPow, t.Broadcast))


def _ordered(powers: dict) -> tuple:
    return tuple(sorted(((b, k) for b, k in powers.items() if k != 0), key=lambda p: total_key(p[0])))


def monomial(e: t.Expr) -> Monomial | None:
    """e as c·s·Π Bᵢ^{∘kᵢ}, reading through scales, ⊙, ⊘, integer powers, √ and broadcast
    scalars (for a scalar e, every base is a scalar power); None when a zero number would be
    divided by."""
    c = sympy.Integer(1)
    scalars: dict = defaultdict(lambda: sympy.Integer(0))
    powers: dict = defaultdict(lambda: sympy.Integer(0))
    occurrences = 0
    stack = [(e, sympy.Integer(1))]
    while stack:
        n, k = stack.pop()
        if isinstance(n, t.Scale) or (isinstance(n, t.Broadcast) and n.arg.is_scalar):  # c·A, or c broadcast = c·𝟙𝟙ᵀ
            found: dict = {}
            value = factor_powers(n.factor if isinstance(n, t.Scale) else n.arg, found)
            if value == 0 and k < 0:
                return None
            c *= value**k
            for b, p in found.items():
                scalars[b] += p * k
            if isinstance(n, t.Scale):
                stack.append((n.operand, k))
        elif isinstance(n, t.Hadamard):
            stack.extend((f, k) for f in n.factors)
        elif isinstance(n, t.HadamardDiv):
            stack += [(n.num, k), (n.den, -k)]
        elif isinstance(n, (t.HadamardPow, t.Power)) and n.exponent.is_Integer:
            stack.append((n.base, k * n.exponent))
        elif isinstance(n, (t.HadamardPow, t.Power)) and n.exponent.is_Rational and _atomic(n.base):
            powers[n.base] += k * n.exponent
            occurrences += 1
        elif known_function(n, "sqrt"):
            powers[n.arg] += k * HALF
            occurrences += 1
        elif is_ones(n):
            continue
        else:
            powers[n] += k
            occurrences += 1
    if e.is_scalar:  # every base is a scalar
        for b, k in powers.items():
            scalars[b] += k
        powers = {}
    return Monomial(c, _ordered(scalars), _ordered(powers), occurrences)


def _power(base: t.Expr, k: sympy.Expr) -> t.Expr:
    return t.Apply("sqrt", base) if k == HALF else t.hadamard_pow(base, k)


def _elementwise(factors: list, shape) -> t.Expr:
    ordered = sorted(factors, key=operand_key)
    return t.hadamard(*ordered) if len(ordered) > 1 else ordered[0] if ordered else _ones(shape)


def _ones(shape) -> t.Expr:
    return t.broadcast(t.Number(sympy.Integer(1)), shape)


def build(m: Monomial, shape) -> t.Expr:
    """The textbook form of a monomial: c·s·(numerators ⊘ denominators), one fraction bar."""
    num = _elementwise([_power(b, k) for b, k in m.powers if k > 0], shape)
    den = [_power(b, -k) for b, k in m.powers if k < 0]
    core = t.HadamardDiv(num, _elementwise(den, shape)) if den else num
    return build_product(m.c, dict(m.scalars), core)


def _multiply(a: Monomial, b: Monomial) -> Monomial:
    scalars, powers = defaultdict(lambda: sympy.Integer(0)), defaultdict(lambda: sympy.Integer(0))
    for part, merged in ((a.scalars + b.scalars, scalars), (a.powers + b.powers, powers)):
        for base, k in part:
            merged[base] += k
    return Monomial(a.c * b.c, _ordered(scalars), _ordered(powers), a.occurrences + b.occurrences)


def _bars(e: t.Expr) -> tuple[int, int]:
    """(⊘ nodes, scales) inside the product structure of e: what one fraction bar removes."""
    divs = scales = 0
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, t.HadamardDiv):
            divs += 1
            stack += [n.num, n.den]
        elif isinstance(n, (t.Hadamard, t.HadamardPow)):
            stack.extend(n.children())
        elif isinstance(n, t.Scale) and n is not e:
            scales += 1
            stack.append(n.operand)
        elif isinstance(n, t.Scale):
            stack.append(n.operand)
    return divs, scales


def _plain(e: t.Expr) -> bool:
    """A base that ``monomial`` does not read into: no product, quotient, power, scale, √ or ones."""
    return _atomic(e) and not known_function(e, "sqrt") and not is_ones(e)


def _in_monomial_form(e: t.Expr) -> bool:
    """A quick test that e is already as ``build`` makes it (up to the order of ⊙, which
    ``algebra`` keeps): distinct plain bases, one fraction bar."""
    if isinstance(e, t.Hadamard):
        return all(map(_plain, e.factors)) and len(set(e.factors)) == len(e.factors)
    if isinstance(e, t.HadamardDiv):
        return (_plain(e.num) or is_ones(e.num)) and _plain(e.den) and e.num != e.den
    return _plain(e.base)


@lru_cache(maxsize=20_000)
def _normal(e: t.Expr) -> tuple[t.Expr, bool] | None:
    """(the monomial form of e, whether bases were merged), None when it is e itself."""
    if e.is_scalar or _in_monomial_form(e):
        return None
    m = monomial(e)
    if m is None:
        return None
    out = build(m, e.shape)
    return (out, m.occurrences > len(m.powers)) if out != e else None


@rewrite((t.Hadamard, t.HadamardDiv, t.HadamardPow),
         "laws of exponents: A^{∘j} ⊙ A^{∘k} = A^{∘(j+k)}, A ⊘ A = 1 (where A has no zero entry)")
def _cancel(e):
    """Like bases collected and cancelled: ((V ⊘ B^{∘2}) ⊙ V) ⊘ (V ⊘ B) = V ⊘ B,
    (σ ⊙ (1 − σ)) ⊘ σ = 1 − σ.  Simplified where the original is defined (see the module)."""
    found = _normal(e)
    if found is None or not found[1]:
        return None
    return found[0] if size(found[0]) <= size(e) else None


@rewrite((t.Hadamard, t.HadamardDiv, t.HadamardPow),
         "one fraction bar: (A ⊘ B) ⊘ (C ⊘ D) = (A ⊙ D) ⊘ (B ⊙ C), A ⊘ (cB) = c⁻¹(A ⊘ B)")
def _one_bar(e):
    found = _normal(e)
    if found is None:
        return None
    out = found[0]
    return out if (size(out), *_bars(out)) < (size(e), *_bars(e)) else None


# ---- the distributive law -------------------------------------------------------------------


def _has_a_sum(e: t.Expr, top: bool = True) -> bool:
    """Whether the product e has a sum (or σ(−A)) among its factors, as ``_expanded`` reads them."""
    if isinstance(e, t.Scale):
        return _has_a_sum(e.factor, False) or _has_a_sum(e.operand, False)
    if isinstance(e, (t.Hadamard, t.HadamardDiv)):
        return any(_has_a_sum(c, False) for c in e.children())
    if isinstance(e, (t.HadamardPow, t.Power)):
        return not top and e.exponent.is_Integer and _has_a_sum(e.base, False)
    return not top and _summands(e) is not None


_PRODUCTS = {False: (t.Hadamard, t.HadamardDiv), True: (t.Scale, t.Power)}


def _summands(base: t.Expr) -> tuple | None:
    """The terms a base is multiplied out into: those of a sum, and 1 − σ(A) for σ(−A)."""
    if isinstance(base, t.Add):
        return base.terms
    if known_function(base, "sigmoid") and is_negative(coefficient(base.arg)[0]):
        one = t.broadcast(t.Number(sympy.Integer(1)), base.shape)
        return (one, t.neg(t.Apply("sigmoid", t.neg(base.arg))))
    return None


def _expanded(term: t.Expr) -> tuple[list[Monomial], bool] | None:
    """The monomials of a ⊙/⊘ product with its sums multiplied out (A ⊙ (B + C) → A ⊙ B, A ⊙ C)
    and whether a base cancelled in one of them; None when it has no sum to multiply out or
    makes too many products."""
    core = coefficient(term)[1]
    if not isinstance(t.split_scale(core)[1] if not term.is_scalar else core, _PRODUCTS[term.is_scalar]):
        return None
    m = monomial(term)
    if m is None:
        return None
    bases = m.scalars if term.is_scalar else m.powers
    sums = {b: terms for b, k in bases if k == 1 and (terms := _summands(b)) is not None}
    if not sums:
        return None
    kept = tuple(p for p in bases if p[0] not in sums)
    rest = Monomial(m.c, kept if term.is_scalar else m.scalars, () if term.is_scalar else kept, 0)
    choices = [[monomial(x) for x in terms] for terms in sums.values()]
    count = 1
    for options in choices:
        count *= len(options)
    if count > MAX_EXPANDED or any(x is None for options in choices for x in options):
        return None
    out, cancelled = [], False
    for picked in product(*choices):
        m = rest
        for x in picked:
            bases = {b for b, _ in m.powers + x.powers + m.scalars + x.scalars}
            m = _multiply(m, x)
            cancelled = cancelled or len(m.powers) + len(m.scalars) < len(bases)
        out.append(m)
    return out, cancelled


def _collected(monomials: list[Monomial]) -> dict:
    """{(scalars, powers): coefficient}: like terms collected, those that cancel dropped."""
    totals: dict = {}
    for m in monomials:
        totals[m.key] = totals.get(m.key, sympy.Integer(0)) + m.c
    return {key: c for key, c in totals.items() if c != 0}


@rewrite((t.Add, t.Hadamard, t.HadamardDiv),
         "distributive law A ⊙ (B + C) = A ⊙ B + A ⊙ C, where the products then cancel or collect")
def _distribute(e):
    """(1 − y) ⊙ σ − y ⊙ (1 − σ) = σ − y; ((𝟙ᵀy)𝟙/s − y ⊘ e) ⊙ e = (𝟙ᵀy)e/s − y; for scalars
    (1 − y)σ(u) − yσ(−u) = σ(u) − y (σ(−u) read as 1 − σ(u)): taken only where the multiplied-out
    sum, like terms collected, is shorter."""
    if e.is_scalar and not isinstance(e, t.Add):
        return None
    terms = e.terms if isinstance(e, t.Add) else (e,)
    if not any(_has_a_sum(coefficient(x)[1]) for x in terms):
        return None
    expanded = [_expanded(x) for x in terms]
    if all(x is None for x in expanded):
        return None
    monomials, cancelled = [], False
    for term, found in zip(terms, expanded):
        if found is None:
            m = monomial(term)
            if m is None:
                return None
            monomials.append(m)
        else:
            monomials.extend(found[0])
            cancelled = cancelled or found[1]
    totals = _collected(monomials)
    if not cancelled and len(totals) == len(monomials):
        return None  # σ ⊙ (1 − σ) stays: multiplied out, nothing meets
    terms = [build(Monomial(c, *key, 0), e.shape) for key, c in totals.items()]
    out = t.add(*terms) if terms else t.zero(e.shape)
    return out if size(out) < size(e) else None


@rewrite(t.Add, "common factor of ⊙/⊘ products, over a common denominator: A ⊘ C + B ⊘ C = (A + B) ⊘ C, "
         "1 ⊘ Y − X ⊘ Y^{∘2} = (Y − X) ⊘ Y^{∘2}")
def _common_quotient(e):
    """The powers every term has, each of one sign, taken out (the least power of a numerator,
    the greatest of a denominator); taken where shorter."""
    if e.is_scalar or not any(isinstance(coefficient(x)[1], _QUOTIENTS) for x in e.terms):
        return None
    parts = [monomial(x) for x in e.terms]
    if any(m is None for m in parts):
        return None
    common = {}
    for base, k in parts[0].powers:
        ks = [dict(m.powers).get(base) for m in parts]
        if all(x is not None and x > 0 for x in ks) or all(x is not None and x < 0 for x in ks):
            common[base] = min(ks)
    if not common:
        return None
    rests = [Monomial(m.c, m.scalars, _ordered({b: k - common.get(b, 0) for b, k in m.powers}), 0) for m in parts]
    inner = t.add(*(build(m, e.shape) for m in rests))
    outer = {**common, inner: common.get(inner, 0) + 1}  # the sum may be a common base itself: (A + Q) ⊘ (A + Q)^{∘2}
    candidate = build(Monomial(sympy.Integer(1), (), _ordered(outer), 0), e.shape)
    return candidate if size(candidate) < size(e) else None


_QUOTIENTS = (t.Hadamard, t.HadamardDiv, t.HadamardPow)


# ---- sums with ones -------------------------------------------------------------------------


@rewrite(t.Add, "a matrix of ones in a sum: 𝟙𝟙ᵀ = 𝟙 = 1 (every entry one)")
def _ones_term(e):
    """Written one way, so that like terms meet: 𝟙𝟙ᵀ + log(P) − 1 = log(P)."""
    if e.is_scalar or not any(_other_ones(coefficient(x)[1]) for x in e.terms):
        return None
    terms = []
    for x in e.terms:
        c, core = coefficient(x)
        terms.append(with_coefficient(c, _ones(e.shape)) if _other_ones(core) else x)
    return t.add(*terms)


def _other_ones(e: t.Expr) -> bool:
    """𝟙, 𝟙ᵀ, 𝟙𝟙ᵀ or 𝟙 broadcast: ones not written 1."""
    return is_ones(e) and not (isinstance(e, t.Broadcast) and t.is_number(e.arg, 1))


# ---- inner products -------------------------------------------------------------------------


@rewrite(t.MatMul, "inner product as a sum of a Hadamard product: aᵀb = 𝟙ᵀ(a ⊙ b), so aᵀ(b ⊘ a) = 𝟙ᵀb")
def _inner_product(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        row, col = fs[i], fs[i + 1]
        if row.rows != t.ONE or col.cols != t.ONE or is_ones(row) or is_ones(col):
            continue
        a, b = monomial(row), monomial(col)
        if a is None or b is None or not _shares_a_base(a, b):
            continue
        flipped = Monomial(a.c, a.scalars, _ordered({t.transpose(x): k for x, k in a.powers}), a.occurrences)
        together = _multiply(flipped, b)
        if together.powers:
            pair = t.matmul(t.transpose(t.Ones(col.rows)), build(Monomial(together.c, (), together.powers, 0), col.shape))
        else:
            pair = t.Number(col.rows * together.c)
        pair = build_product(sympy.Integer(1), dict(together.scalars), pair)
        candidate = t.matmul(*fs[:i], pair, *fs[i + 2 :])
        if size(candidate) < size(e):
            return candidate
    return None


def _shares_a_base(row: Monomial, col: Monomial) -> bool:
    bases = {t.transpose(b) for b, _ in row.powers}
    return any(b in bases for b, _ in col.powers)


# ---- diagonal matrices ----------------------------------------------------------------------


@rewrite((t.DiagMat, t.DiagVec), "a scalar out of a diagonal: diag(cv) = c diag(v), diag(cA) = c diag(A)")
def _diag_scale(e):
    return t.scale(e.arg.factor, type(e)(e.arg.operand)) if isinstance(e.arg, t.Scale) else None


@rewrite(t.DiagMat, "inverse of a diagonal matrix: diag(1 ⊘ v) = diag(v)⁻¹ (where v has no zero entry)")
def _diag_reciprocal(e):
    if isinstance(e.arg, t.HadamardDiv) and is_ones(e.arg.num):
        return t.inverse(t.DiagMat(e.arg.den))
    return None
