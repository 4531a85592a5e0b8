"""The simplifier's rules for products of scalars: a product of scalar factors is read as a
monomial c·Π sᵢᵏⁱ (c a number, sᵢ the bases) and written back with like bases merged by the
laws of exponents — s²/s³ = 1/s, (2s²)⁻²·s = s⁻³/4 — and |s| read as s·sign(s), so that
sign(s)·s/|s| = 1 and sign(s)/|s| = 1/s (sign(s)² = 1 where s ≠ 0: matcalc simplifies where
the original is defined, as ``quotients`` says).

Registered like those of ``algebra`` (``normal`` imports every rule set): one named identity
each; a rule returns the rewritten node or None.
"""

from __future__ import annotations

from collections import defaultdict

import sympy

from .. import expr as t
from .rewriting import rewrite, size
from .sums import build_product


def known_function(e: t.Expr, *names: str) -> bool:
    """Whether e is g(A) for a known function g of ``names`` (not a derivative, not by formula)."""
    return isinstance(e, t.Apply) and e.name in names and e.order == 0 and e.formula is None


def _sign(u: t.Expr) -> t.Expr:
    return t.Apply("sign", u)


def scalar_monomial(s: t.Expr) -> tuple[sympy.Expr, dict, int] | None:
    """(c, {base: exponent}, number of factors read) with s = c·Π baseᵏ, reading through scales,
    integer powers (and any power of a plain base), |u|ᵏ = uᵏsign(u)ᵏ for an integer k and a
    real u, sign(u)ᵏ = sign(u)^(k mod 2) for a real u (|z|² ≠ z² for a complex z);
    None when a zero would be divided by."""
    c = sympy.Integer(1)
    powers: dict = defaultdict(lambda: sympy.Integer(0))
    read = 0
    stack = [(s, sympy.Integer(1))]
    while stack:
        n, k = stack.pop()
        if isinstance(n, t.Number):
            if n.value == 0 and k < 0:
                return None
            c *= n.value**k
        elif isinstance(n, t.Scale):
            stack += [(n.factor, k), (n.operand, k)]
        elif isinstance(n, t.Power) and (n.exponent.is_Integer or not isinstance(n.base, (t.Scale, t.Power))):
            stack.append((n.base, k * n.exponent))
        elif known_function(n, "abs") and k.is_Integer and t.is_real(n.arg):  # |u|^{3/2} ≠ u^{3/2}sign(u)^{3/2}
            powers[n.arg] += k
            powers[_sign(n.arg)] += k
            read += 1
        else:
            powers[n] += k
            read += 1
    for base in [b for b in powers if known_function(b, "sign") and t.is_real(b.arg)]:
        k = powers[base]
        powers[base] = sympy.Integer(1) if k.is_Integer and k % 2 else sympy.Integer(0) if k.is_Integer else k
    return c, {b: k for b, k in powers.items() if k != 0}, read


def _nodes(e: t.Expr) -> int:
    """All nodes, so that of two forms as large αβ⁻³α loses to α²β⁻³."""
    return 1 + sum(_nodes(c) for c in e.children())


def _merged(s: t.Expr) -> t.Expr | None:
    """The scalar s with like bases merged, or None when nothing merges."""
    found = scalar_monomial(s)
    if found is None:
        return None
    c, powers, read = found
    powers = _moduli(powers)
    if read <= len(powers) and c == _leading(s) and not _reads_modulus(s):
        return None
    return build_product(c, powers, t.Number(sympy.Integer(1)))


def _reads_modulus(s: t.Expr) -> bool:
    """Whether a factor of the product s is |u| (|u|² may be written u²)."""
    stack = [s]
    while stack:
        n = stack.pop()
        if isinstance(n, t.Scale):
            stack += [n.factor, n.operand]
        elif isinstance(n, t.Power):
            stack.append(n.base)
        elif known_function(n, "abs"):
            return True
    return False


def _moduli(powers: dict) -> dict:
    """uᵏsign(u) written back as |u|ᵏ for an odd k (the inverse of reading |u|ᵏ = uᵏsign(u)ᵏ)."""
    out = dict(powers)
    for base in [b for b in powers if known_function(b, "sign") and powers[b] == 1]:
        k = out.get(base.arg)
        if k is not None and k.is_Integer and k % 2 == 1:
            del out[base], out[base.arg]
            out[t.Apply("abs", base.arg)] = k
    return out


def _leading(s: t.Expr) -> sympy.Expr:
    """The number a product of scalars starts with as the builders keep it (1 when none)."""
    while isinstance(s, t.Scale):
        s = s.factor
    return s.value if isinstance(s, t.Number) else sympy.Integer(1)


@rewrite((t.Scale, t.Power), "laws of exponents for scalars: s²/s³ = 1/s, |s| = s·sign(s), sign(s)² = 1")
def _scalar_powers(e):
    if isinstance(e, t.Power) and not e.is_scalar:
        return None
    target = e if e.is_scalar else e.factor
    if not isinstance(target, (t.Scale, t.Power)):
        return None
    merged = _merged(target)
    if merged is None:
        return None
    new = merged if e.is_scalar else t.scale(merged, e.operand)
    return new if (size(new), _nodes(new)) < (size(e), _nodes(e)) else None


@rewrite(t.Power, "square of a square root: (√s)² = s, (√s)⁻² = 1/s (s ≥ 0 where √s is defined)")
def _square_of_root(e):
    k = e.exponent
    if not (known_function(e.base, "sqrt") and e.base.is_scalar and k.is_Integer and k % 2 == 0):
        return None
    return t.power(e.base.arg, k / 2)
