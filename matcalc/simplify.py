"""The simplifier's rules: one named identity each, registered per node class.

``simplify(e)`` is the one normalisation path: the strategy of ``matcalc.rewriting`` applied
with these rules.  Every rule is an identity (valid for the declared domains); a rule returns
the rewritten node or None.
"""

from __future__ import annotations

from collections import defaultdict

import sympy

from . import tree as t
from .rewriting import (
    Simplifier,
    coefficient,
    is_negative,
    is_symmetric,
    order_key,
    rewrite,
    size,
    with_coefficient,
)


def simplify(e: t.Expr, trace: list | None = None) -> t.Expr:
    """The textbook closed form of e: same value, never larger, deterministic."""
    out = Simplifier(trace=trace)(e)
    return out if size(out) <= size(e) else e


# ---- transposes -----------------------------------------------------------------------------


@rewrite(t.Transpose, "a symmetric matrix is its own transpose: Sᵀ = S")
def _symmetric(e):
    return e.arg if is_symmetric(e.arg) else None


@rewrite(t.Transpose, "a scalar is its own transpose: sᵀ = s")
def _scalar_transpose(e):
    return e.arg if e.is_scalar else None


@rewrite(t.Transpose, "transpose of a product (AB)ᵀ = BᵀAᵀ")
def _transpose_product(e):
    if isinstance(e.arg, t.MatMul):
        return t.matmul(*(t.transpose(f) for f in reversed(e.arg.factors)))
    return None


@rewrite(t.Transpose, "transpose of a sum (A + B)ᵀ = Aᵀ + Bᵀ")
def _transpose_sum(e):
    return t.add(*(t.transpose(x) for x in e.arg.terms)) if isinstance(e.arg, t.Add) else None


@rewrite(t.Transpose, "(A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ, (A ⊘ B)ᵀ = Aᵀ ⊘ Bᵀ, (A^{∘p})ᵀ = (Aᵀ)^{∘p}")
def _transpose_elementwise(e):
    a = e.arg
    if isinstance(a, t.Hadamard):
        return t.hadamard(*(t.transpose(f) for f in a.factors))
    if isinstance(a, t.HadamardDiv):
        return t.HadamardDiv(t.transpose(a.num), t.transpose(a.den))
    if isinstance(a, t.HadamardPow):
        return t.hadamard_pow(t.transpose(a.base), a.exponent)
    return None


@rewrite(t.Transpose, "(A⁻¹)ᵀ = (Aᵀ)⁻¹, (Aᵏ)ᵀ = (Aᵀ)ᵏ, (A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ")
def _transpose_through(e):
    a = e.arg
    if isinstance(a, t.Inverse):
        return t.inverse(t.transpose(a.arg))
    if isinstance(a, t.MatPow):
        return t.matpow(t.transpose(a.arg), a.exponent)
    if isinstance(a, t.Kron):
        return t.Kron(t.transpose(a.left), t.transpose(a.right))
    if isinstance(a, t.Broadcast):
        return t.broadcast(t.transpose(a.arg), (a.cols, a.rows))
    return None


# ---- inverses, determinants, traces ---------------------------------------------------------


@rewrite(t.Inverse, "(Aᵏ)⁻¹ = (A⁻¹)ᵏ")
def _inverse_power(e):
    return t.matpow(t.inverse(e.arg.arg), e.arg.exponent) if isinstance(e.arg, t.MatPow) else None


@rewrite(t.Inverse, "(cA)⁻¹ = c⁻¹A⁻¹")
def _inverse_scale(e):
    if isinstance(e.arg, t.Scale):
        return t.scale(t.power(e.arg.factor, -1), t.inverse(e.arg.operand))
    return None


@rewrite(t.Det, "det(Aᵀ) = det A, det(A⁻¹) = 1/det A")
def _det(e):
    a = e.arg
    if isinstance(a, t.Transpose):
        return t.Det(a.arg)
    if isinstance(a, t.Inverse):
        return t.power(t.Det(a.arg), -1)
    if isinstance(a, t.Identity):
        return t.Number(t.ONE)
    return None


@rewrite(t.LogDet, "log det(Aᵀ) = log det A, log det(A⁻¹) = −log det A")
def _logdet(e):
    a = e.arg
    if isinstance(a, t.Transpose):
        return t.LogDet(a.arg)
    if isinstance(a, t.Inverse):
        return t.neg(t.LogDet(a.arg))
    return None


@rewrite(t.Trace, "a scalar is its own trace: tr(s) = s; tr(Aᵀ) = tr(A)")
def _trace(e):
    if e.arg.is_scalar:
        return e.arg
    if isinstance(e.arg, t.Transpose):
        return t.trace(e.arg.arg)
    return None


# ---- products -------------------------------------------------------------------------------


@rewrite(t.MatMul, "AA⁻¹ = I, AᵏAˡ = Aᵏ⁺ˡ (k, l integers, negative for powers of A⁻¹)")
def _matmul_powers(e):
    fs = list(e.factors)
    for i in range(len(fs) - 1):
        base_a, k_a = _power_parts(fs[i])
        base_b, k_b = _power_parts(fs[i + 1])
        if base_a == base_b and t.same_dim(base_a.rows, base_a.cols):
            return t.matmul(*fs[:i], t.matpow(base_a, k_a + k_b), *fs[i + 2 :])
    return None


def _power_parts(e: t.Expr) -> tuple[t.Expr, int]:
    """(B, k) with e = Bᵏ: A⁻¹ is (A, −1), (A⁻¹)³ is (A, −3)."""
    k = 1
    if isinstance(e, t.Inverse):
        e, k = e.arg, -k
    if isinstance(e, t.MatPow):
        e, k = e.arg, k * e.exponent
    if isinstance(e, t.Inverse):
        e, k = e.arg, -k
    return e, k


@rewrite(t.Inverse, "inverse of a product of square matrices (AB)⁻¹ = B⁻¹A⁻¹")
def _inverse_product(e):
    a = e.arg
    if isinstance(a, t.MatMul) and all(t.same_dim(f.rows, f.cols) for f in a.factors):
        return t.matmul(*(t.inverse(f) for f in reversed(a.factors)))
    return None


@rewrite(t.MatMul, "sum of ones: 𝟙ᵀ𝟙 = n")
def _ones(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        if isinstance(fs[i], t.Transpose) and isinstance(fs[i].arg, t.Ones) and isinstance(fs[i + 1], t.Ones):
            return t.matmul(*fs[:i], t.Number(fs[i + 1].n), *fs[i + 2 :])
    return None


@rewrite(t.Number, "numbers in dimensions simplified: 2n/n = 2")
def _number(e):
    if not e.value.free_symbols:
        return None
    value = sympy.simplify(e.value)
    return t.Number(value) if value != e.value else None


@rewrite(t.Scale, "−c(A − B) = c(B − A): a minus sign absorbed into a difference")
def _absorb_minus(e):
    c, core = coefficient(e)
    if not is_negative(c):
        return None
    scalar, body = (core.factor, core.operand) if isinstance(core, t.Scale) else (None, core)
    factors = body.factors if isinstance(body, t.MatMul) else (body,)
    for i, f in enumerate(factors):
        if isinstance(f, t.Add) and 2 * _negatives(f) >= len(f.terms):
            flipped = t.add(*(t.neg(x) for x in f.terms))
            body = t.matmul(*factors[:i], flipped, *factors[i + 1 :])
            return with_coefficient(-c, body if scalar is None else t.scale(scalar, body))
    return None


def _negatives(s: t.Add) -> int:
    return sum(1 for x in s.terms if is_negative(coefficient(x)[0]))


# ---- sums -----------------------------------------------------------------------------------


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
    return (is_negative(c), order_key(core), str(c))


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
    return with_coefficient(g, t.add(*(with_coefficient(c / g, coefficient(x)[1]) for c, x in zip(coeffs, e.terms))))


@rewrite(t.Add, "common factor: AB + AC = A(B + C), BA + CA = (B + C)A")
def _common_factor(e):
    parts = [coefficient(x) for x in e.terms]
    if any(core.is_scalar for _, core in parts):
        return None
    chains = [core.factors if isinstance(core, t.MatMul) else (core,) for _, core in parts]
    best = None
    for side in ("left", "right"):
        common = _shared(chains, side)
        if not common:
            continue
        rests = [_drop(chain, len(common), side, common) for chain in chains]
        inner = t.add(*(with_coefficient(c, r) for (c, _), r in zip(parts, rests)))
        candidate = t.matmul(*common, inner) if side == "left" else t.matmul(inner, *common)
        if size(candidate) < size(e) and (best is None or size(candidate) < size(best)):
            best = candidate
    return best


def _shared(chains, side) -> tuple:
    """The longest run of factors that every chain starts (or ends) with."""
    shortest = min(len(c) for c in chains)
    n = 0
    while n < shortest:
        pick = (lambda c: c[n]) if side == "left" else (lambda c: c[-1 - n])
        if any(pick(c) != pick(chains[0]) for c in chains):
            break
        n += 1
    if n == 0:
        return ()
    return tuple(chains[0][:n]) if side == "left" else tuple(chains[0][-n:])


def _drop(chain, n, side, common):
    rest = chain[n:] if side == "left" else chain[: len(chain) - n]
    if rest:
        return t.matmul(*rest)
    return t.identity(common[-1].cols if side == "left" else common[0].rows)


# ---- elementwise ----------------------------------------------------------------------------


@rewrite(t.Hadamard, "c ⊙ A = cA for a constant c; 𝟙𝟙ᵀ ⊙ A = A; A ⊙ A = A^{∘2}")
def _hadamard_constants(e):
    for i, f in enumerate(e.factors):
        rest = e.factors[:i] + e.factors[i + 1 :]
        body = t.hadamard(*rest) if len(rest) > 1 else rest[0]
        if isinstance(f, t.Broadcast) and isinstance(f.arg, t.Number):
            return t.scale(f.arg, body)
        if _is_ones(f):
            return body
    counts: dict[t.Expr, int] = defaultdict(int)
    for f in e.factors:
        counts[f] += 1
    if len(counts) < len(e.factors):
        merged = [t.hadamard_pow(f, k) for f, k in counts.items()]
        return t.hadamard(*merged) if len(merged) > 1 else merged[0]
    return None


def _is_ones(e: t.Expr) -> bool:
    """𝟙, 𝟙ᵀ or 𝟙𝟙ᵀ: all entries one."""
    if isinstance(e, t.Transpose):
        e = e.arg
    if isinstance(e, t.Ones):
        return True
    return isinstance(e, t.MatMul) and all(_is_ones(f) for f in e.factors)


@rewrite(t.Hadamard, "⊙ is commutative: operands ordered (factors, then function values, then 1 − …)")
def _hadamard_order(e):
    ordered = tuple(sorted(e.factors, key=_operand_key))
    return t.Hadamard(ordered) if ordered != e.factors else None


def _operand_key(e: t.Expr) -> tuple:
    """Chain-rule order: the upstream factor, then g(A), then derivative forms of one argument
    such as g′(A), 1 − σ(A) or 3A^{∘2} + cos(A)."""
    core = coefficient(e)[1]
    if isinstance(core, t.Apply) and core.order == 0:
        rank = 1
    elif _argument(core) is not None:
        rank = 2
    else:
        rank = 0
    return (rank, order_key(e))


def _argument(e: t.Expr):
    """The A of an elementwise expression in one argument A (g′(A), 1 − σ(A), A^{∘2} + cos A),
    built from functions of A, powers and constants; None for anything else."""
    found: set = set()

    def visit(n: t.Expr) -> bool:
        if isinstance(n, t.Broadcast) and isinstance(n.arg, t.Number):
            return True
        if isinstance(n, t.Apply):
            found.add(n.arg)
            return True
        if isinstance(n, t.HadamardPow):
            return visit(n.base)
        if isinstance(n, t.Scale) and isinstance(n.factor, t.Number):
            return visit(n.operand)
        if isinstance(n, (t.Add, t.Hadamard, t.HadamardDiv)):
            return all(visit(c) for c in n.children())
        found.add(n)
        return True

    if isinstance(e, (t.Symbol, t.MatMul)) or not visit(e) or len(found) != 1:
        return None
    return next(iter(found))


@rewrite(t.HadamardDiv, "A ⊘ c = A/c for a constant c")
def _hdiv_constant(e):
    if isinstance(e.den, t.Broadcast) and isinstance(e.den.arg, t.Number):
        return t.scale(t.Number(1 / e.den.arg.value), e.num)
    return None


# ---- Kronecker adjoints ---------------------------------------------------------------------


@rewrite(t.KronFactor, "⟨cC, · ⊗ B⟩ = c⟨C, · ⊗ B⟩; ⟨I, · ⊗ B⟩ = tr(B)I; ⟨D ⊗ E, · ⊗ B⟩ = ⟨E, B⟩D")
def _kron_factor(e):
    c, other = e.arg, e.other
    if isinstance(c, t.Scale):
        return t.scale(c.factor, t.KronFactor(c.operand, other, e.side))
    if isinstance(c, t.Identity) and t.same_dim(other.rows, other.cols):
        return t.scale(t.trace(other), t.identity(e.rows))
    if isinstance(c, t.Kron):
        kept, paired = (c.left, c.right) if e.side == "left" else (c.right, c.left)
        if t.same_dim(paired.rows, other.rows) and t.same_dim(paired.cols, other.cols):
            return t.scale(t.inner(paired, other), kept)
    return None


# ---- scalar algebra -------------------------------------------------------------------------

_SCALAR_FUNCTIONS = {"abs": sympy.Abs, "sign": sympy.sign, "exp": sympy.exp, "log": sympy.log}
_FROM_SYMPY = {sympy.Abs: "abs", sympy.sign: "sign", sympy.exp: "exp", sympy.log: "log"}


@rewrite(t.Scale, "scalar algebra by SymPy: s²/s³ = 1/s, sign(s)·s/|s| = 1")
def _scalar_algebra(e):
    target = e if e.is_scalar else e.factor
    if not isinstance(target, (t.Scale, t.Power)):
        return None
    atoms: dict = {}
    expr = _to_sympy(target, atoms)
    if len(atoms) < 1 or sympy.count_ops(expr) > 40:
        return None
    denominators = sympy.fraction(sympy.together(expr))[1].free_symbols
    expr = expr.subs({s: sympy.Symbol(s.name, real=True, nonzero=True) for s in denominators if s in atoms})
    nodes = {sympy.Symbol(s.name, real=True, nonzero=True): n for s, n in atoms.items()} | atoms
    back = _from_sympy(sympy.simplify(expr), nodes)
    if back is None:
        return None
    new = back if e.is_scalar else t.scale(back, e.operand)
    return new if size(new) < size(e) else None


def _to_sympy(e: t.Expr, atoms: dict) -> sympy.Expr:
    """e (1×1) as a SymPy expression; subexpressions it cannot see into become symbols."""
    if isinstance(e, t.Number):
        return e.value
    if isinstance(e, t.Scale):
        return _to_sympy(e.factor, atoms) * _to_sympy(e.operand, atoms)
    if isinstance(e, t.Power):
        return _to_sympy(e.base, atoms) ** e.exponent
    if isinstance(e, t.Add):
        return sympy.Add(*(_to_sympy(x, atoms) for x in e.terms))
    if isinstance(e, t.Apply) and e.name in _SCALAR_FUNCTIONS and e.order == 0 and e.formula is None:
        return _SCALAR_FUNCTIONS[e.name](_to_sympy(e.arg, atoms))
    for symbol, node in atoms.items():
        if node == e:
            return symbol
    assumptions = {"positive": True} if isinstance(e, t.Norm) else {"real": True}
    symbol = sympy.Symbol(f"s{len(atoms)}", **assumptions)
    atoms[symbol] = e
    return symbol


def _from_sympy(expr: sympy.Expr, nodes: dict) -> t.Expr | None:
    if expr.is_Number:
        return t.Number(expr)
    if expr in nodes:
        return nodes[expr]
    args = [_from_sympy(a, nodes) for a in expr.args] if not expr.is_Pow else []
    if None in args:
        return None
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = t.mul(out, a)
        return out
    if expr.is_Add:
        return t.add(*args)
    if expr.is_Pow and expr.exp.is_Rational:
        base = _from_sympy(expr.base, nodes)
        return None if base is None else t.power(base, expr.exp)
    name = _FROM_SYMPY.get(expr.func)
    if name is not None and len(args) == 1:
        return t.Apply(name, args[0])
    return None
