"""The simplifier's rules of matrix algebra: transposes, inverses, det and tr, products,
elementwise operations.  One named identity each, registered per node class.

Every rule is an identity (valid for the declared domains); a rule returns the rewritten node
or None.
"""

from __future__ import annotations

from collections import defaultdict
from functools import reduce

import sympy

from .. import expr as t
from .rewriting import coefficient, is_symmetric, rewrite, size, total_key
from .scalars import known_function, scalar_monomial
from .sums import build_product, signed_terms


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


@rewrite(t.Trace, "a scalar is its own trace: tr(s) = s")
def _trace_scalar(e):
    return e.arg if e.arg.is_scalar else None


@rewrite(
    (t.Trace, t.Det, t.LogDet, t.DiagVec),
    "transpose invariance f(Aᵀ) = f(A) for f = tr, det, log det, diag; so f(A⁻ᵀ) = f(A⁻¹)",
)
def _transpose_invariant(e):
    a = e.arg
    if isinstance(a, t.Inverse) and isinstance(a.arg, t.Transpose):
        inner = t.inverse(a.arg.arg)
    elif isinstance(a, t.Transpose):
        inner = a.arg
    else:
        return None
    return t.trace(inner) if isinstance(e, t.Trace) else type(e)(inner)


@rewrite(t.Det, "det(A⁻¹) = 1/det A, det(I) = 1")
def _det(e):
    if isinstance(e.arg, t.Inverse):
        return t.power(t.Det(e.arg.arg), -1)
    return t.Number(t.ONE) if isinstance(e.arg, t.Identity) else None


@rewrite(t.LogDet, "log det(A⁻¹) = −log det A")
def _logdet(e):
    return t.neg(t.LogDet(e.arg.arg)) if isinstance(e.arg, t.Inverse) else None


@rewrite(t.DiagVec, "diagonal of an outer product: diag(abᵀ) = a ⊙ b")
def _diag_outer(e):
    a = e.arg
    if isinstance(a, t.MatMul) and len(a.factors) == 2 and a.factors[0].cols == t.ONE:
        return t.hadamard(a.factors[0], t.transpose(a.factors[1]))
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


@rewrite(t.MatMul, "diagonal scaling as a Hadamard product: diag(a)B diag(c) = (acᵀ) ⊙ B, diag(a)B = a ⊙ B")
def _diag_scaling(e):
    """diag(a)B multiplies row i of B by aᵢ: a ⊙ B with a broadcast along the rows (and
    B diag(c) = B ⊙ cᵀ); taken where shorter."""
    fs = list(e.factors)
    for i, f in enumerate(fs):
        if not isinstance(f, t.DiagMat):
            continue
        if i + 1 < len(fs) and not isinstance(fs[i + 1], t.DiagMat):
            b = fs[i + 1]
            if i + 2 < len(fs) and isinstance(fs[i + 2], t.DiagMat):
                outer = t.matmul(f.arg, t.transpose(fs[i + 2].arg))
                new = fs[:i] + [t.hadamard(outer, b)] + fs[i + 3 :]
            else:
                new = fs[:i] + [t.hadamard(t.broadcast(f.arg, b.shape), b)] + fs[i + 2 :]
        elif i > 0 and not isinstance(fs[i - 1], t.DiagMat):
            b = fs[i - 1]
            new = fs[: i - 1] + [t.hadamard(b, t.broadcast(t.transpose(f.arg), b.shape))] + fs[i + 1 :]
        else:
            continue
        candidate = t.matmul(*new)
        if size(candidate) < size(e):
            return candidate
    return None


@rewrite(t.MatMul, "sum of ones: 𝟙ᵀ𝟙 = n, 𝟙_{m×n}𝟙_{n×p} = n𝟙_{m×p}")
def _ones(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        if isinstance(fs[i], t.Transpose) and isinstance(fs[i].arg, t.Ones) and isinstance(fs[i + 1], t.Ones):
            return t.matmul(*fs[:i], t.Number(fs[i + 1].n), *fs[i + 2 :])
        a, b = fs[i], fs[i + 1]
        if a.cols != t.ONE and is_ones(a) and is_ones(b):
            ones = t.scale(t.Number(a.cols), t.broadcast(t.Number(sympy.Integer(1)), (a.rows, b.cols)))
            return t.matmul(*fs[:i], ones, *fs[i + 2 :])
    return None


def _probability(e: t.Expr) -> bool:
    return isinstance(e, t.Symbol) and "probability" in e.assumptions


def _sum_to_one(x: t.Expr, y: t.Expr) -> t.Expr | None:
    """xy as ones, when x is 𝟙ᵀ and y a probability vector (or the reverse), or y is 𝟙 and x
    a probability matrix (its rows sum to one), or x is 𝟙ᵀ and y the transpose of one."""
    ones_t = isinstance(x, t.Transpose) and isinstance(x.arg, t.Ones)
    if ones_t and _probability(y) and y.cols == t.ONE:
        return t.Number(t.ONE)
    if isinstance(y, t.Ones) and isinstance(x, t.Transpose) and _probability(x.arg) and x.arg.cols == t.ONE:
        return t.Number(t.ONE)
    if isinstance(y, t.Ones) and _probability(x) and x.cols != t.ONE:
        return t.Number(t.ONE) if x.rows == t.ONE else t.ones(x.rows)
    if ones_t and isinstance(y, t.Transpose) and _probability(y.arg) and y.arg.cols != t.ONE:
        return t.Number(t.ONE) if y.arg.rows == t.ONE else t.transpose(t.ones(y.arg.rows))
    return None


@rewrite(t.MatMul, "a probability vector sums to one: 𝟙ᵀp = 1; the rows of a probability matrix: P𝟙 = 𝟙")
def _probabilities(e):
    fs = e.factors
    for i in range(len(fs) - 1):
        ones = _sum_to_one(fs[i], fs[i + 1])
        if ones is not None:
            return t.matmul(*fs[:i], ones, *fs[i + 2 :])
    return None


@rewrite((t.Mean, t.Var, t.Std), "the mean, variance and standard deviation of 0 are 0")
def _statistics_of_zero(e):
    return t.zero(e.shape) if t.is_zero(e.arg) else None


@rewrite(t.Number, "numbers in dimensions simplified: 2n/n = 2")
def _number(e):
    if not e.value.free_symbols:
        return None
    value = sympy.cancel(e.value)
    return t.Number(value) if value != e.value else None


# ---- elementwise ----------------------------------------------------------------------------


@rewrite((t.Hadamard, t.HadamardDiv, t.HadamardPow), "for scalars a ⊙ b = ab, a ⊘ b = a/b, a^{∘p} = aᵖ")
def _scalar_elementwise(e):
    if not e.is_scalar:
        return None
    if isinstance(e, t.Hadamard):  # in the order ⊙ sorts them, whatever order they came in
        return reduce(t.mul, sorted(e.factors, key=operand_key))
    if isinstance(e, t.HadamardDiv):
        return t.mul(e.num, t.power(e.den, -1))
    return t.power(e.base, e.exponent)


@rewrite(t.Hadamard, "c ⊙ A = cA for a constant c; 𝟙𝟙ᵀ ⊙ A = A; A ⊙ A = A^{∘2}")
def _hadamard_constants(e):
    for i, f in enumerate(e.factors):
        rest = e.factors[:i] + e.factors[i + 1 :]
        body = t.hadamard(*rest) if len(rest) > 1 else rest[0]
        if isinstance(f, t.Broadcast) and isinstance(f.arg, t.Number):
            return t.scale(f.arg, body)
        if is_ones(f):
            return body
    counts: dict[t.Expr, int] = defaultdict(int)
    for f in e.factors:
        counts[f] += 1
    if len(counts) < len(e.factors):
        merged = [t.hadamard_pow(f, k) for f, k in counts.items()]
        return t.hadamard(*merged) if len(merged) > 1 else merged[0]
    return None


def is_ones(e: t.Expr) -> bool:
    """1 broadcast, 𝟙, 𝟙ᵀ, 𝟙𝟙ᵀ or 𝟙 broadcast: all entries one."""
    if isinstance(e, t.Transpose):
        e = e.arg
    if isinstance(e, t.Ones) or (isinstance(e, t.Broadcast) and (t.is_number(e.arg, 1) or is_ones(e.arg))):
        return True
    # 𝟙𝟙ᵀ is all ones; 𝟙_{m×n}𝟙_{n×p} is n everywhere: only inner dimensions 1 keep the ones
    return isinstance(e, t.MatMul) and all(is_ones(f) and (f is e.factors[-1] or f.cols == t.ONE) for f in e.factors)


@rewrite(t.Hadamard, "⊙ is commutative: operands ordered (factors, then function values, then 1 − …)")
def _hadamard_order(e):
    ordered = tuple(sorted(e.factors, key=operand_key))
    return t.Hadamard(ordered) if ordered != e.factors else None


def operand_key(e: t.Expr) -> tuple:
    """Chain-rule order: the upstream factor (a named one first), then g(A), then derivative
    forms of one argument such as g′(A), 1 − σ(A) or 3A^{∘2} + cos(A)."""
    core = coefficient(e)[1]
    if isinstance(core, t.Broadcast) or (isinstance(core, t.MatMul) and core.factors[0].cols == t.ONE):
        rank = -1  # a ⊙ B, (acᵀ) ⊙ B: a broadcast vector or an outer product first
    elif isinstance(core, t.Apply) and core.order == 0:
        rank = 1
    elif _of_one_argument(core):
        rank = 2
    else:
        rank = 0
    named = isinstance(core, t.Symbol) or (isinstance(core, t.Transpose) and isinstance(core.arg, t.Symbol))
    return (rank, not named, total_key(e))  # y ⊙ (Xw): a named operand before a product


def _of_one_argument(e: t.Expr) -> bool:
    """Whether e is an elementwise expression in one argument A (g′(A), 1 − σ(A), A^{∘2} + cos A),
    built from functions of A, powers and constants."""
    if isinstance(e, (t.Symbol, t.MatMul, t.Transpose, t.Inverse)):
        return False
    found: set = set()  # the arguments of the functions, and the other operands

    def visit(n: t.Expr) -> None:
        if isinstance(n, t.Apply):
            found.add(n.arg)
        elif isinstance(n, t.HadamardPow):
            visit(n.base)
        elif isinstance(n, t.Scale) and isinstance(n.factor, t.Number):
            visit(n.operand)
        elif isinstance(n, (t.Add, t.Hadamard, t.HadamardDiv)):
            for c in n.children():
                visit(c)
        elif not (isinstance(n, t.Broadcast) and isinstance(n.arg, t.Number)):
            found.add(n)

    visit(e)
    return len(found) == 1


@rewrite(t.Hadamard, "A ⊙ (1 ⊘ B) = A ⊘ B")
def _reciprocal_factor(e):
    for i, f in enumerate(e.factors):
        if isinstance(f, t.HadamardDiv) and is_ones(f.num):
            rest = e.factors[:i] + e.factors[i + 1 :]
            return t.HadamardDiv(t.hadamard(*rest) if len(rest) > 1 else rest[0], f.den)
    return None


@rewrite(t.HadamardDiv, "0 ⊘ B = 0")
def _hdiv_zero(e):
    return t.zero(e.shape) if t.is_zero(e.num) else None


@rewrite(t.HadamardDiv, "A ⊘ c = A/c for a constant c")
def _hdiv_constant(e):
    if isinstance(e.den, t.Broadcast) and isinstance(e.den.arg, t.Number):
        return t.scale(t.Number(1 / e.den.arg.value), e.num)
    return None


@rewrite(t.HadamardDiv, "logistic function σ(A) = 1 ⊘ (1 + exp(−A)): B ⊘ (1 + exp(A)) = B ⊙ σ(−A)")
def _logistic_quotient(e):
    a = _exp_plus_one(e.den)
    if a is None:
        return None
    sigma = t.Apply("sigmoid", t.neg(a))
    return sigma if is_ones(e.num) else t.hadamard(e.num, sigma)


@rewrite(t.Hadamard, "logistic function σ(A) = exp(A) ⊘ (1 + exp(A)) = exp(A) ⊙ σ(−A)")
def _logistic_product(e):
    for s in (f for f in e.factors if known_function(f, "sigmoid")):
        for g in (f for f in e.factors if known_function(f, "exp")):
            if signed_terms(g.arg) == signed_terms(s.arg, -1):
                rest = list(e.factors)
                rest.remove(s)
                rest.remove(g)
                return t.hadamard(*rest, t.Apply("sigmoid", g.arg))
    return None


@rewrite(t.Power, "logistic function of a scalar: (1 + exp(a))⁻ᵏ = σ(−a)ᵏ")
def _logistic_power(e):
    a = _exp_plus_one(e.base) if e.exponent.is_Integer and e.exponent < 0 else None
    return None if a is None else t.power(t.Apply("sigmoid", t.neg(a)), -e.exponent)


@rewrite(t.Scale, "logistic function of a scalar: exp(a)·σ(−a) = σ(a)")
def _logistic_scalar_product(e):
    target = e if e.is_scalar else e.factor
    found = scalar_monomial(target) if isinstance(target, (t.Scale, t.Power)) else None
    if found is None:
        return None
    c, powers, _ = found
    for s in (b for b, k in powers.items() if k == 1 and known_function(b, "sigmoid")):
        for g in (b for b, k in powers.items() if k == 1 and known_function(b, "exp")):
            if signed_terms(g.arg) == signed_terms(s.arg, -1):
                rest = {b: k for b, k in powers.items() if b not in (s, g)}
                rest[t.Apply("sigmoid", g.arg)] = rest.get(t.Apply("sigmoid", g.arg), sympy.Integer(0)) + 1
                merged = build_product(c, rest, t.Number(sympy.Integer(1)))
                return merged if e.is_scalar else t.scale(merged, e.operand)
    return None


def _exp_plus_one(e: t.Expr) -> t.Expr | None:
    """A for a sum 1 + exp(A) (the 1 a number or a matrix of ones), else None."""
    if not (isinstance(e, t.Add) and len(e.terms) == 2):
        return None
    for one, g in (e.terms, e.terms[::-1]):
        if (t.is_number(one, 1) or is_ones(one)) and known_function(g, "exp"):
            return g.arg
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
