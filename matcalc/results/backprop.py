"""Backpropagation rules and stationary points, by the same differential method.

``vjp(F, X, G)``: for a matrix-valued F and the upstream symbol G = ∂L/∂F (of F's shape), the
loss seen by F is L = ⟨G, F⟩ = tr(GᵀF), so ∂L/∂X is the gradient of that scalar:

    WX ↦ GXᵀ (wrt W), WᵀG (wrt X)      g(Z) ↦ G ⊙ g′(Z)      Z + 𝟙bᵀ ↦ Gᵀ𝟙 (wrt b)
    AXB ↦ AᵀGBᵀ                         X⁻¹ ↦ −X⁻ᵀGX⁻ᵀ

A complex F: G = ∂L/∂F̄ (L real), L = 2 Re tr(GᴴF), and ∂L/∂X̄ for a complex X: AZB ↦ AᴴGBᴴ.

``stationary_point(f, w)``: where ∇f is affine in w — d(∇f) = ℒ(dw) free of w — split
∇f = ℒ(w) + C (C = ∇f at w = 0) and invert ℒ when it is Σ cᵢMᵢw, Σ cᵢwNᵢ or one cAwB:

    w = −(Σ cᵢMᵢ)⁻¹C,   w = −C(Σ cᵢNᵢ)⁻¹,   w = −c⁻¹A⁻¹CB⁻¹.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import expr as t
from ..calculus.differential import differential as _differential
from ..errors import DomainError, MatcalcError, ShapeError, UnsupportedError
from ..expr import parse as _parse
from ..expr import substitute
from ..simplify import simplify, sort_sums
from .gradient import gradient, real_valued


# --------------------------------------------------------------------------------------------
# Backpropagation


def upstream_symbol(F: t.Expr, name) -> t.Symbol:
    """The symbol ``name`` (= ∂L/∂F) with F's shape, complex when F's values are; it must be one
    fresh symbol name."""
    if isinstance(name, t.Symbol):
        if not (t.same_dim(name.rows, F.rows) and t.same_dim(name.cols, F.cols)):
            raise ShapeError(
                f"the upstream gradient {name.name} is {t.show_shape(name.shape)} but must have "
                f"the shape of F, {t.show_shape(F.shape)}"
            )
        name = name.name
    if not isinstance(name, str) or not name.strip():
        raise DomainError(f"the upstream gradient must be named by one symbol, not {name!r}")
    parsed = _symbol_named(name.strip())
    if parsed is None:
        raise DomainError(
            f"the upstream gradient must be named by one symbol (such as G, Δ or dz), not {name!r}"
        )
    taken = sorted(s.name for s in F.free_symbols)
    if parsed.name in taken:
        raise DomainError(
            f"the upstream name {parsed.name} is already a symbol of the expression "
            f"(its symbols: {', '.join(taken)}); choose another, e.g. upstream=\"Δ\""
        )
    return t.Symbol(parsed.name, F.shape, frozenset() if real_valued(F) else frozenset({"complex"}))


def _symbol_named(text: str) -> t.Symbol | None:
    """The symbol ``text`` names: one symbol (G, Δ, W_1) or a run of letters (dz, da_0) read as
    one name; None for a number, I, 𝟙, a function word or anything else."""
    try:
        bare = _parse(text)
    except ShapeError:  # a run of letters read as a product of mismatched symbols
        bare = None
    except MatcalcError:
        return None
    if isinstance(bare, t.Symbol):
        return bare
    if bare is not None and not isinstance(bare, (t.MatMul, t.Scale)):
        return None
    try:
        named = _parse(text, shapes={text: ()})
    except MatcalcError:
        return None
    return named if isinstance(named, t.Symbol) else None


def pairing(F: t.Expr, upstream: t.Symbol) -> t.Expr:
    """The loss seen through F: L = ⟨G, F⟩ = tr(GᵀF) (gᵀf for vectors, gf for scalars); for a
    complex F and G = ∂L/∂F̄, L = 2 Re tr(GᴴF), whose differential is dL = 2 Re tr(Gᴴ dF)."""
    if t.is_real(upstream):
        return t.inner(upstream, F)
    return t.scale(t.number(2), t.real_part(t.inner(t.conj(upstream), F)))


def vjp(F: t.Expr, wrt: t.Symbol, upstream="G") -> t.Expr:
    """∂L/∂X in closed form, given the upstream symbol G = ∂L/∂F: the gradient of ⟨G, F⟩.  For
    a complex F or X, G = ∂L/∂F̄ and the answer ∂L/∂X̄ (the conjugate cogradients of the real
    loss L, PyTorch's convention): AZB ↦ AᴴGBᴴ."""
    return t.with_origin(gradient(pairing(F, upstream_symbol(F, upstream)), wrt), F)


# --------------------------------------------------------------------------------------------
# The terms of a linear map


def contains(e: t.Expr, x: t.Symbol) -> bool:
    """Whether x occurs in e other than as the variable of a differential dx."""
    skip_dx = lambda n: () if isinstance(n, t.Differential) else n.children()  # noqa: E731
    return any(n == x for n in t.postorder(e, children=skip_dx))


@dataclass(frozen=True)
class Term:
    """coeff · L₁…Lₚ · dX · R₁…R_q, or with dXᵀ in place of dX when ``transposed``."""

    coeff: t.Expr
    left: tuple = ()
    right: tuple = ()
    transposed: bool = False

    def flip(self) -> "Term":
        """The transpose: (L dX R)ᵀ = Rᵀ dXᵀ Lᵀ."""
        left = tuple(t.transpose(f) for f in reversed(self.right))
        right = tuple(t.transpose(f) for f in reversed(self.left))
        return Term(self.coeff, left, right, not self.transposed)


class NotInvertible(Exception):
    """The linear map is not of a form with a closed-form inverse; the text says which part."""


def _product(factors: tuple) -> t.Expr | None:
    return t.matmul(*factors) if factors else None


def linear_terms(e: t.Expr, dx: t.Differential, vector: bool) -> list[Term]:
    """e, linear in dx, as a sum of Terms; a scalar factor aᵀdx is moved right for vectors."""
    if e == dx:
        return [Term(t.Number(t.ONE))]
    if isinstance(e, t.Add):
        return [term for x in e.terms for term in linear_terms(x, dx, vector)]
    if isinstance(e, t.Scale):
        if _has(e.operand, dx):
            return [Term(t.scale(e.factor, s.coeff), s.left, s.right, s.transposed)
                    for s in linear_terms(e.operand, dx, vector)]
        if not vector:
            raise NotInvertible(f"a scalar factor linear in d{dx.var.name} times a matrix: {e}")
        return [Term(s.coeff, (e.operand, *_vector_form(s).left)) for s in linear_terms(e.factor, dx, vector)]
    if isinstance(e, t.MatMul):
        k = next(i for i, f in enumerate(e.factors) if _has(f, dx))
        before, after = e.factors[:k], e.factors[k + 1:]
        return [Term(s.coeff, (*before, *s.left), (*s.right, *after), s.transposed)
                for s in linear_terms(e.factors[k], dx, vector)]
    if isinstance(e, t.Transpose):
        return [s.flip() for s in linear_terms(e.arg, dx, vector)]
    if isinstance(e, t.Trace) and e.arg.is_scalar:
        return linear_terms(e.arg, dx, vector)
    raise NotInvertible(f"{e} is not a product A·d{dx.var.name}·B")


def _has(e: t.Expr, dx: t.Differential) -> bool:
    return any(n == dx for n in t.walk(e))


def _vector_form(term: Term) -> Term:
    """A term of a vector x as c·M·dx (no dxᵀ, nothing right of dx)."""
    if not term.transposed and not term.right:
        return term
    if term.transposed:  # L dxᵀ R: dxᵀR is 1×1, so L dxᵀ R = L Rᵀ dx
        return Term(term.coeff, (*term.left, t.transpose(_product(term.right))), ())
    return Term(term.coeff, (t.scale(_product(term.right), _product(term.left)),), ())


# --------------------------------------------------------------------------------------------
# Stationary points


def _sum(terms: list[Term], side: str, n: t.Dim) -> t.Expr:
    """Σ cᵢ Mᵢ over the left (or right) factors; a bare dX counts as cI."""
    parts = [t.scale(s.coeff, _product(getattr(s, side)) or t.identity(n)) for s in terms]
    return t.add(*parts)


def inverse_times(m: t.Expr, side: str, c: t.Expr) -> t.Expr:
    """−M⁻¹C (side "left") or −CM⁻¹ (side "right"); the simplifier then pulls common numbers
    out of M, (2A)⁻¹(2b) = A⁻¹b."""
    inv = t.inverse(m)
    return t.neg(t.matmul(inv, c) if side == "left" else t.matmul(c, inv))


def identity_last(e: t.Expr) -> t.Expr:
    """Sums with their multiples of I last, as textbooks write them: (XᵀX + λI)⁻¹."""
    return sort_sums(e, _is_identity_multiple)


def _is_identity_multiple(e: t.Expr) -> bool:
    while isinstance(e, t.Scale):
        e = e.operand
    return isinstance(e, t.Identity)


def _affine_parts(f: t.Expr, w: t.Symbol) -> tuple[t.Expr, t.Expr]:
    """(d∇f, C): the differential of the gradient (must be free of w) and the gradient at w = 0."""
    g = gradient(f, w)
    dg = simplify(_differential(g, w))
    if contains(dg, w):
        raise UnsupportedError(
            f"no closed-form stationary point: the gradient {g} is not affine in {w.name} "
            f"(its differential {dg} still depends on {w.name})"
        )
    if t.is_zero(dg):
        raise UnsupportedError(
            f"no stationary point to solve for: the gradient {g} does not depend on {w.name}"
        )
    return dg, simplify(substitute(g, w, t.zero(w.shape)))


def stationary_point(f: t.Expr, w: t.Symbol) -> t.Expr:
    """The w with ∇f(w) = 0 in closed form, for ∇f affine in w (normal equations); it
    remembers f's symbols (``origin``), so it evaluates from their values."""
    return t.with_origin(_stationary_point(f, w), f)


def _stationary_point(f: t.Expr, w: t.Symbol) -> t.Expr:
    dg, c = _affine_parts(f, w)
    dw = t.Differential(w)
    if w.is_scalar:  # d∇f = m·dw
        m = simplify(substitute(dg, dw, t.Number(t.ONE)))
        return simplify(t.scale(t.power(m, -1), t.neg(c)))
    vector = w.cols == t.ONE
    try:
        terms = linear_terms(_as_products(dg), dw, vector)
    except NotInvertible as why:
        raise UnsupportedError(
            f"no closed-form stationary point: the gradient is affine in {w.name}, but its linear "
            f"part {_linear_part(dg, w)} has no closed-form inverse ({why})"
        ) from None
    if vector:
        terms = [_vector_form(s) for s in terms]
    return identity_last(simplify(_solve_terms(terms, c, w, dg)))


def _as_products(e: t.Expr) -> t.Expr:
    """e with the short forms of the simplifier written as products again: a scalar s
    broadcast to a column is s𝟙, and mean(v) of a vector is 𝟙ᵀv/n."""
    memo: dict[t.Expr, t.Expr] = {}
    for node in t.postorder(e):
        n = t.rebuild(node, memo.__getitem__)
        if isinstance(n, t.Broadcast) and n.arg.is_scalar and n.dims[1] == t.ONE and not isinstance(n.arg, t.Number):
            n = t.scale(n.arg, t.ones(n.dims[0]))
        elif isinstance(n, t.Mean) and n.arg.cols == t.ONE:
            n = t.scale(t.Number(1 / n.arg.rows), t.matmul(t.transpose(t.ones(n.arg.rows)), n.arg))
        memo[node] = n
    return memo[e]


def _linear_part(dg: t.Expr, w: t.Symbol) -> str:
    """The gradient's linear part as text, W ↦ ℒ(W), for the messages that say why it is not solved."""
    return f"{w.name} ↦ {simplify(substitute(dg, t.Differential(w), w))}"


def _solve_terms(terms: list[Term], c: t.Expr, w: t.Symbol, dg: t.Expr) -> t.Expr:
    """−ℒ⁻¹(C) for the linear part ℒ = d∇f written as ``terms``."""
    if any(s.transposed for s in terms):
        raise UnsupportedError(
            f"no closed-form stationary point: the linear part {_linear_part(dg, w)} involves "
            f"{w.name}ᵀ, which no left or right inverse undoes"
        )
    if all(not s.right for s in terms):
        return inverse_times(_sum(terms, "left", w.rows), "left", c)
    if all(not s.left for s in terms):
        return inverse_times(_sum(terms, "right", w.cols), "right", c)
    if len(terms) == 1:
        (s,) = terms
        a, b = t.inverse(_product(s.left)), t.inverse(_product(s.right))
        return t.neg(t.scale(t.power(s.coeff, -1), t.matmul(a, c, b)))
    raise UnsupportedError(
        f"no closed-form stationary point: the linear part {_linear_part(dg, w)} mixes left and "
        f"right multiplications (of the form AWB + CWD, a Sylvester-type equation), which has no "
        f"closed-form inverse"
    )
