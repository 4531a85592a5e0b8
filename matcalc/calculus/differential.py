"""The matrix differential: one rule per node class, from f to df (linear in dX).

``differential(f, X)`` applies the rules of the matrix differential bottom-up — the sum rule,
the product rule for every product (matrix, scalar, Hadamard, Kronecker), d(Aᵀ) = (dA)ᵀ,
d(A⁻¹) = −A⁻¹dAA⁻¹, d det A = det A tr(A⁻¹dA), d g(A) = g′(A) ⊙ dA, … — and returns an
expression that contains the leaf dX linearly.  Each rule is an entry of ``RULES`` with the
name a textbook gives it; each subexpression is differentiated once (expressions are DAGs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from .. import expr as t
from ..errors import UnsupportedError
from .elementwise import ELEMENTWISE, formula_derivative, from_formula


@dataclass(frozen=True)
class Rule:
    name: str  # as a textbook states it
    apply: Callable  # (node, d) -> differential of node; d differentiates a child


RULES: dict[type, Rule] = {}


def rule(cls: type, name: str):
    def register(fn):
        RULES[cls] = Rule(name, fn)
        return fn

    return register


class Differentiator:
    """d(·) with respect to one symbol, memoised per node."""

    def __init__(self, wrt: t.Symbol):
        self.wrt = wrt
        self.memo: dict[t.Expr, t.Expr] = {}
        self.dep: dict[t.Expr, bool] = {}

    def depends(self, e: t.Expr) -> bool:
        """Whether e depends on the variable (memoised, iterative over the DAG)."""
        if e in self.dep:
            return self.dep[e]
        stack = [e]
        while stack:
            n = stack[-1]
            if n in self.dep:
                stack.pop()
                continue
            pending = [c for c in n.children() if c not in self.dep]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            self.dep[n] = n == self.wrt or any(self.dep[c] for c in n.children())
        return self.dep[e]

    def __call__(self, e: t.Expr) -> t.Expr:
        if not self.depends(e):
            return t.zero(e.shape)
        if e not in self.memo:
            self.memo[e] = rule_for(type(e)).apply(e, self)
        return self.memo[e]


def rule_for(cls: type) -> Rule:
    """The differential rule of a node class; UnsupportedError for a class without one."""
    entry = RULES.get(cls)
    if entry is None:
        raise UnsupportedError(f"no differential rule for {cls.__name__}")
    return entry


def differential(f: t.Expr, wrt: t.Symbol) -> t.Expr:
    """df as an expression linear in dX (X = wrt)."""
    return Differentiator(wrt)(f)


def emul(a: t.Expr, b: t.Expr) -> t.Expr:
    """a ⊙ b, which for scalars is the product ab."""
    return t.mul(a, b) if a.is_scalar else t.hadamard(a, b)


def _linear(cls, dx: t.Expr, *rest, shape) -> t.Expr:
    return t.zero(shape) if t.is_zero(dx) else cls(dx, *rest)


# ---- leaves ---------------------------------------------------------------------------------


@rule(t.Symbol, "the variable: d(X) = dX")
def _symbol(e, d):
    return t.Differential(e) if e == d.wrt else t.zero(e.shape)


@rule(t.Differential, "second differential")
def _second(e, d):
    raise UnsupportedError("the differential of a differential is not supported")


# ---- linear structure -----------------------------------------------------------------------


@rule(t.Add, "sum rule d(A + B) = dA + dB")
def _add(e, d):
    return t.add(*(d(term) for term in e.terms))


@rule(t.Scale, "product rule d(αA) = dα·A + α·dA")
def _scale(e, d):
    return t.add(t.mul(d(e.factor), e.operand), t.scale(e.factor, d(e.operand)))


@rule(t.MatMul, "product rule d(XY) = dX·Y + X·dY")
def _matmul(e, d):
    fs = e.factors
    terms = [t.matmul(*fs[:i], d(f), *fs[i + 1 :]) for i, f in enumerate(fs) if d.depends(f)]
    return t.add(*terms) if terms else t.zero(e.shape)


@rule(t.Transpose, "d(Aᵀ) = (dA)ᵀ")
def _transpose(e, d):
    return t.transpose(d(e.arg))


@rule(t.Trace, "d tr(A) = tr(dA)")
def _trace(e, d):
    return t.trace(d(e.arg))


@rule(t.Inverse, "d(X⁻¹) = −X⁻¹ dX X⁻¹")
def _inverse(e, d):
    return t.neg(t.matmul(e, d(e.arg), e))


@rule(t.MatPow, "power rule d(Xᵏ) = Σᵢ Xⁱ dX Xᵏ⁻¹⁻ⁱ")
def _matpow(e, d):
    a, k, da = e.arg, e.exponent, d(e.arg)
    return t.add(*(t.matmul(t.matpow(a, i), da, t.matpow(a, k - 1 - i)) for i in range(k)))


@rule(t.Power, "power rule d(sᵖ) = p sᵖ⁻¹ ds")
def _power(e, d):
    p = e.exponent
    base = e.base
    if (isinstance(base, t.Norm) and base.p == 2) or _complex_abs(base):
        # d‖A‖ᵖ = p‖A‖ᵖ⁻² Re⟨A, dA⟩ and d|s|ᵖ = p|s|ᵖ⁻² Re(s̄ ds): no ‖A‖/‖A‖ to cancel later.
        return t.scale(t.scale(t.Number(p), t.power(base, p - 2)), real_inner(base.arg, d(base.arg)))
    return t.scale(t.scale(t.Number(p), t.power(base, p - 1)), d(base))


# ---- determinants and inverses --------------------------------------------------------------


@rule(t.Det, "d det X = det X tr(X⁻¹dX)")
def _det(e, d):
    return t.scale(e, t.trace(t.matmul(t.inverse(e.arg), d(e.arg))))


@rule(t.LogDet, "d log det X = tr(X⁻¹dX)")
def _logdet(e, d):
    return t.trace(t.matmul(t.inverse(e.arg), d(e.arg)))


@rule(t.Adj, "d adj X = det X (tr(X⁻¹dX)X⁻¹ − X⁻¹dX X⁻¹)")
def _adj(e, d):
    inv, da = t.inverse(e.arg), d(e.arg)
    inner = t.sub(t.scale(t.trace(t.matmul(inv, da)), inv), t.matmul(inv, da, inv))
    return t.scale(t.Det(e.arg), inner)


# ---- elementwise ----------------------------------------------------------------------------


@rule(t.Hadamard, "product rule d(A ⊙ B) = dA ⊙ B + A ⊙ dB")
def _hadamard(e, d):
    fs = e.factors
    terms = [t.hadamard(*fs[:i], d(f), *fs[i + 1 :]) for i, f in enumerate(fs) if d.depends(f)]
    return t.add(*terms)


@rule(t.HadamardDiv, "quotient rule d(A ⊘ B) = dA ⊘ B − (A ⊘ B^{∘2}) ⊙ dB")
def _hdiv(e, d):
    num, den = e.num, e.den
    first = _linear(t.HadamardDiv, d(num), den, shape=e.shape)
    second = t.zero(e.shape)
    if d.depends(den):
        second = t.neg(emul(t.HadamardDiv(num, t.hadamard_pow(den, 2)), d(den)))
    return t.add(first, second)


@rule(t.HadamardPow, "d(A^{∘p}) = p A^{∘(p−1)} ⊙ dA")
def _hpow(e, d):
    p = e.exponent
    if p - 1 == 0:
        return d(e.base)
    if _complex_abs(e.base):  # d|A|^{∘p} = p|A|^{∘(p−2)} ⊙ Re(Ā ⊙ dA)
        return emul(t.scale(t.Number(p), t.hadamard_pow(e.base, p - 2)), _modulus_part(e.base.arg, d))
    return emul(t.scale(t.Number(p), t.hadamard_pow(e.base, p - 1)), d(e.base))


@rule(t.Apply, "chain rule d g(A) = g′(A) ⊙ dA")
def _apply(e, d):
    if not t.is_real(e.arg):
        return _complex_apply(e, d)
    if e.formula is None and e.order == 0 and e.name in ELEMENTWISE:
        derivative = ELEMENTWISE[e.name].derivative(e.arg)
    else:
        derivative = t.Apply(e.name, e.arg, e.order + 1, e.formula)
        if e.formula is not None:  # a formula's derivative, by SymPy, in closed form when it has one
            derivative = from_formula(formula_derivative(e.formula, e.order + 1), e.arg) or derivative
    return emul(derivative, d(e.arg))


@rule(t.Kron, "product rule d(A ⊗ B) = dA ⊗ B + A ⊗ dB")
def _kron(e, d):
    left = _linear(t.Kron, d(e.left), e.right, shape=e.shape)
    right = t.zero(e.shape) if t.is_zero(d(e.right)) else t.Kron(e.left, d(e.right))
    return t.add(left, right)


# ---- scalar functions of matrices -----------------------------------------------------------


def argmax_indicator(e: t.Norm) -> t.Expr:
    """eₖ for the arg-max k of |xᵢ| in ‖x‖_∞: 𝟙 − step(‖x‖_∞𝟙 − |x|) (step(0) = 0)."""
    x = e.arg
    return t.sub(t.ones(x.rows), t.Apply("step", t.sub(t.broadcast(e, x.shape), t.Apply("abs", x))))


@rule(t.Norm, "d‖A‖ = ⟨A, dA⟩/‖A‖, d‖x‖₁ = sign(x)ᵀdx, d‖x‖_∞ = sign(x_k)dx_k (k the arg-max of |xᵢ|)")
def _norm(e, d):
    if e.p == 1:
        if not t.is_real(e.arg):
            raise UnsupportedError("the 1-norm of a complex vector is not supported: write 𝟙ᵀabs(x)")
        return t.inner(t.Apply("sign", e.arg), d(e.arg))
    if e.p == t.INF:
        if not t.is_real(e.arg):
            raise UnsupportedError("the max-norm ‖x‖_∞ of a complex vector is not supported")
        return t.inner(t.hadamard(t.Apply("sign", e.arg), argmax_indicator(e)), d(e.arg))
    return t.scale(t.power(e, -1), real_inner(e.arg, d(e.arg)))


@rule(t.Call, "chain rule d f(A) = ⟨∇f(A), dA⟩")
def _call(e, d):
    return t.inner(t.Grad(e.name, e.arg), d(e.arg))


@rule(t.Grad, "second derivative of an opaque function")
def _grad(e, d):
    raise UnsupportedError(f"the second derivative of the opaque function {e.name} is not available")


# ---- the softmax family: s = softmax(z); a matrix row by row --------------------------------


def _row_sums(a: t.Expr) -> t.Expr:
    """A𝟙, the column of the row sums of A."""
    return t.matmul(a, t.ones(a.cols))


@rule(t.Softmax, "d softmax(z) = (diag(s) − ssᵀ)dz, s = softmax(z); row by row dS = S ⊙ dZ − diag((S ⊙ dZ)𝟙)S")
def _softmax(e, d):
    dz = d(e.arg)
    if e.cols == t.ONE:
        return t.matmul(t.sub(t.DiagMat(e), t.matmul(e, t.transpose(e))), dz)
    weighted = t.hadamard(e, dz)
    return t.sub(weighted, t.matmul(t.DiagMat(_row_sums(weighted)), e))


@rule(t.LogSoftmax, "d log softmax(z) = (I − 𝟙sᵀ)dz, s = softmax(z); row by row dZ − (S ⊙ dZ)𝟙𝟙ᵀ")
def _logsoftmax(e, d):
    dz, s = d(e.arg), t.Softmax(e.arg)
    if e.cols == t.ONE:
        return t.sub(dz, t.scale(t.matmul(t.transpose(s), dz), t.ones(e.rows)))
    return t.sub(dz, t.matmul(_row_sums(t.hadamard(s, dz)), t.transpose(t.ones(e.cols))))


@rule(t.LogSumExp, "d logsumexp(z) = softmax(z)ᵀdz; row by row (softmax(Z) ⊙ dZ)𝟙")
def _logsumexp(e, d):
    dz, s = d(e.arg), t.Softmax(e.arg)
    return t.matmul(t.transpose(s), dz) if e.arg.cols == t.ONE else _row_sums(t.hadamard(s, dz))


# ---- statistics: n entries of a vector, or of each row --------------------------------------


def _count(a: t.Expr) -> t.Expr:
    """1/n, n the number of entries a reduction of a averages."""
    return t.Number(1 / (a.rows if a.cols == t.ONE else a.cols))


def _centred(e: t.Expr) -> t.Expr:
    """x − mean(x)𝟙, or X − mean(X)𝟙ᵀ row by row."""
    a = e.arg
    spread = t.scale(t.Mean(a), t.ones(a.rows)) if a.cols == t.ONE else t.matmul(t.Mean(a), t.transpose(t.ones(a.cols)))
    return t.sub(a, spread)


def _averaged(weights: t.Expr, da: t.Expr) -> t.Expr:
    """wᵀda/n of a vector, (W ⊙ dA)𝟙/n row by row."""
    pair = t.matmul(t.transpose(weights), da) if da.cols == t.ONE else _row_sums(t.hadamard(weights, da))
    return t.scale(_count(da), pair)


@rule(t.Mean, "d mean(x) = 𝟙ᵀdx/n; row by row dX𝟙/n")
def _mean(e, d):
    da = d(e.arg)
    return t.scale(_count(da), t.matmul(t.transpose(t.ones(da.rows)), da) if da.cols == t.ONE else _row_sums(da))


@rule(t.Var, "d var(x) = 2(x − mean(x)𝟙)ᵀdx/n; row by row 2((X − mean(X)𝟙ᵀ) ⊙ dX)𝟙/n")
def _var(e, d):
    return t.scale(t.Number(sympy.Integer(2)), _averaged(_centred(e), d(e.arg)))


@rule(t.Std, "d std(x) = (x − mean(x)𝟙)ᵀdx/(n std(x)); row by row ((X − mean(X)𝟙ᵀ) ⊙ dX)𝟙 ⊘ (n std(X))")
def _std(e, d):
    change = _averaged(_centred(e), d(e.arg))
    return t.mul(change, t.power(e, -1)) if e.is_scalar else t.HadamardDiv(change, e)


# ---- complex entries: dZ and dZ̄ independent (Wirtinger calculus) -----------------------------


def _re(a: t.Expr) -> t.Expr:
    """Re(A) = ½(A + Ā), as an expression in dZ and dZ̄."""
    return t.scale(t.Number(sympy.Rational(1, 2)), t.add(a, t.conj(a)))


def _modulus_part(a: t.Expr, d) -> t.Expr:
    """Re(Ā ⊙ dA), the differential of ½|A|^{∘2}."""
    return _re(emul(t.conj(a), d(a)))


def real_inner(a: t.Expr, da: t.Expr) -> t.Expr:
    """Re⟨A, dA⟩ = ½(⟨Ā, dA⟩ + ⟨A, dĀ⟩), the differential of ½‖A‖²; ⟨A, dA⟩ for a real A."""
    if t.is_real(a):
        return t.inner(a, da)
    return t.scale(t.Number(sympy.Rational(1, 2)), t.add(t.inner(t.conj(a), da), t.inner(a, t.conj(da))))


def _complex_abs(e: t.Expr) -> bool:
    return isinstance(e, t.Apply) and e.name == "abs" and e.order == 0 and not t.is_real(e.arg)


def _complex_apply(e, d):
    """g(A) of a complex A: g′(A) ⊙ dA for g with real Taylor coefficients (holomorphic);
    d|A| = Re(Ā ⊙ dA) ⊘ |A|, the modulus."""
    if _complex_abs(e):
        re = _modulus_part(e.arg, d)
        return t.mul(t.power(e, -1), re) if e.is_scalar else t.HadamardDiv(re, e)
    if e.name not in t.REAL_COEFFICIENTS or e.formula is not None or e.order:
        raise UnsupportedError(f"{e.name} of a complex argument is not supported "
                               f"(complex arguments: {', '.join(sorted(t.REAL_COEFFICIENTS))}, abs)")
    return emul(ELEMENTWISE[e.name].derivative(e.arg), d(e.arg))


@rule(t.Conj, "d conj(A) = conj(dA), with dZ and conj(dZ) independent")
def _conj(e, d):
    return t.conj(d(e.arg))


@rule(t.Real, "d real(A) = ½(dA + conj(dA))")
def _real(e, d):
    return _re(d(e.arg))


@rule(t.Imag, "d imag(A) = (dA − conj(dA))/2i")
def _imag(e, d):
    da = d(e.arg)
    return t.scale(t.Number(-sympy.I / 2), t.sub(da, t.conj(da)))


# ---- reshaping (all linear) -----------------------------------------------------------------


@rule(t.DiagMat, "d diag(x) = diag(dx)")
def _diagmat(e, d):
    return _linear(t.DiagMat, d(e.arg), shape=e.shape)


@rule(t.DiagVec, "d diag(A) = diag(dA)")
def _diagvec(e, d):
    return _linear(t.DiagVec, d(e.arg), shape=e.shape)


@rule(t.TriangularPart, "d tril(A) = tril(dA), d triu(A) = triu(dA)")
def _triangular(e, d):
    return t.triangular(d(e.arg), e.side)


@rule(t.Vec, "d vec(A) = vec(dA)")
def _vec(e, d):
    return _linear(t.Vec, d(e.arg), shape=e.shape)


@rule(t.Unvec, "d vec⁻¹(v) = vec⁻¹(dv)")
def _unvec(e, d):
    return _linear(t.Unvec, d(e.arg), e.dims, shape=e.shape)


@rule(t.Broadcast, "a broadcast is linear: d(A broadcast) = dA broadcast")
def _broadcast(e, d):
    return t.broadcast(d(e.arg), e.dims)


@rule(t.KronFactor, "product rule for the Kronecker adjoint")
def _kronfactor(e, d):
    first = _linear(t.KronFactor, d(e.arg), e.other, e.side, shape=e.shape)
    second = t.zero(e.shape)
    if d.depends(e.other):
        second = t.KronFactor(e.arg, d(e.other), e.side)
    return t.add(first, second)


for _const in (t.Number, t.Identity, t.Ones, t.Zero, t.Commutation):
    RULES[_const] = Rule("a constant has no differential", lambda e, d: t.zero(e.shape))

