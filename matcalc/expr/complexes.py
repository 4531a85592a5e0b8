"""Builders for complex entries: ``conj`` (Ā), ``ctranspose`` (Aᴴ = Āᵀ), ``real_part``,
``imag_part`` and the test ``is_real``.

The conjugate is kept on the leaves: conj(AB) = ĀB̄, conj(A + B) = Ā + B̄, conj(Aᵀ) = Āᵀ,
conj(A⁻¹) = Ā⁻¹, conj(g(A)) = g(Ā) for a function with real Taylor coefficients, and the
conjugate of a real expression is itself.  So a ``Conj`` node wraps a complex symbol or its
differential dZ (or an opaque call), Aᴴ is always ``Transpose(Conj(A))``, and a differential
is a linear expression in dZ and dZ̄ (the Wirtinger pair, treated as independent).  A Hermitian
symbol A has Ā = Aᵀ.
"""

from __future__ import annotations

import sympy

from ..errors import UnsupportedError
from ..language.vocabulary import COMPLEX_ELEMENTWISE
from .builders import (add, broadcast, hadamard, hadamard_pow, inverse, kron, matmul, matpow, power, scale, trace,
                       transpose, triangular, zero)
from .nodes import Differential, Expr, Number, Symbol, postorder
from .operations import (Add, Adj, Apply, Broadcast, Call, Conj, Det, DiagMat, DiagVec, Grad, Hadamard, HadamardDiv,
                         HadamardPow, Imag, Inverse, Kron, KronFactor, LogDet, MatMul, MatPow, Norm, Power, Real,
                         Scale, Trace, Transpose, TriangularPart, Unvec, Vec, Softmax, LogSoftmax, LogSumExp, Var, Std)
from .spectral import (EigenValue, EigenVector, Frechet, MatrixFunction, NuclearNorm, PolarFactor, SingularVector,
                       SpectralNorm)

COMPLEX_DOMAINS = frozenset({"complex", "hermitian", "unitary"})
# Elementwise functions with real Taylor coefficients: g(Ā) = conj(g(A)), g′ holomorphic.
REAL_COEFFICIENTS = frozenset(COMPLEX_ELEMENTWISE) - {"abs"}
# Always real-valued, whatever their argument.
_REAL_VALUED = (Real, Imag, Norm, Call, Grad)


def _real_node(n: Expr, real: dict) -> bool:
    if isinstance(n, Symbol):
        return not (n.assumptions & COMPLEX_DOMAINS)
    if isinstance(n, Number):
        return not n.value.has(sympy.I)
    if isinstance(n, Differential):
        return real[n.var] if n.var in real else _real_node(n.var, real)
    if isinstance(n, _REAL_VALUED) or (isinstance(n, Apply) and n.name == "abs" and n.order == 0):
        return True
    return all(real[c] for c in n.children())


_REAL: dict = {}  # node → whether it is real, remembered across calls (nodes are immutable)
_COMPLEX_BELOW: dict = {}  # node → whether it or a node below it is not real
_REMEMBERED = 1 << 16


def _realness(e: Expr) -> dict:
    if len(_REAL) > _REMEMBERED:
        forget()
    for n in postorder(e, _REAL):
        real = _REAL[n] = _real_node(n, _REAL)
        _COMPLEX_BELOW[n] = not real or any(_COMPLEX_BELOW[c] for c in n.children())
    return _REAL


def forget() -> None:
    """Forget the realness remembered of every node."""
    _REAL.clear()
    _COMPLEX_BELOW.clear()


def is_real(e: Expr) -> bool:
    """Whether e's entries are real by construction (no complex symbol or number outside a
    real-valued operation: real, imag, abs, a norm)."""
    return _realness(e)[e]


def _conj_apply(n: Apply, arg: Expr) -> Expr:
    if n.name in REAL_COEFFICIENTS and n.formula is None:
        return Apply(n.name, arg, n.order)
    return Conj(n)


def _conj_symbol(n: Symbol) -> Expr:
    return transpose(n) if "hermitian" in n.assumptions else Conj(n)


# conj of each node class, from the node and its operands already conjugated.
CONJUGATE = {
    Symbol: lambda n, a: _conj_symbol(n),
    Differential: lambda n, a: Conj(n),
    Number: lambda n, a: Number(sympy.conjugate(n.value)),
    Conj: lambda n, a: n.arg,
    Add: lambda n, a: add(*a),
    Scale: lambda n, a: scale(*a),
    MatMul: lambda n, a: matmul(*a),
    Hadamard: lambda n, a: hadamard(*a),
    HadamardDiv: lambda n, a: HadamardDiv(*a),
    HadamardPow: lambda n, a: hadamard_pow(a[0], n.exponent),
    Transpose: lambda n, a: transpose(a[0]),
    Inverse: lambda n, a: inverse(a[0]),
    MatPow: lambda n, a: matpow(a[0], n.exponent),
    Power: lambda n, a: power(a[0], n.exponent),
    Trace: lambda n, a: trace(a[0]),
    Det: lambda n, a: Det(a[0]),
    LogDet: lambda n, a: LogDet(a[0]),
    Adj: lambda n, a: Adj(a[0]),
    Apply: lambda n, a: _conj_apply(n, a[0]),
    Kron: lambda n, a: kron(*a),
    DiagMat: lambda n, a: DiagMat(a[0]),
    DiagVec: lambda n, a: DiagVec(a[0]),
    Vec: lambda n, a: Vec(a[0]),
    Unvec: lambda n, a: Unvec(a[0], n.dims),
    Broadcast: lambda n, a: broadcast(a[0], n.dims),
    KronFactor: lambda n, a: KronFactor(a[0], a[1], n.side),
    TriangularPart: lambda n, a: triangular(a[0], n.side),
}


def conj(e: Expr) -> Expr:
    """Ā, with the conjugate carried down to the complex leaves."""
    real = _realness(e)
    out: dict = {}
    for n in postorder(e):
        if real[n]:
            out[n] = n
            continue
        rule = CONJUGATE.get(type(n))
        out[n] = Conj(n) if rule is None else rule(n, [out[c] for c in n.children()])
    return out[e]


def ctranspose(e: Expr) -> Expr:
    """Aᴴ = Āᵀ, the conjugate (Hermitian) transpose."""
    return transpose(conj(e))


def real_part(e: Expr) -> Expr:
    """real(A): A itself when A is real."""
    return e if is_real(e) else Real(e)


def imag_part(e: Expr) -> Expr:
    """imag(A): the zero matrix when A is real."""
    return zero(e.shape) if is_real(e) else Imag(e)


_SCORES = "it makes probabilities of real scores: take real(·) or abs(·) of the scores first"
_HERMITIAN = "its complex (Hermitian) form is not implemented: split the matrix into real(·) and imag(·)"
# The words with no complex meaning in matcalc, and why: a complex operand is refused, never misread.
REAL_ONLY = {
    Softmax: ("softmax", _SCORES), LogSoftmax: ("logsoftmax", _SCORES), LogSumExp: ("logsumexp", _SCORES),
    Var: ("var", "the variance of complex entries is E|z − μ|², not E(z − μ)²: write mean(abs(z − mean(z))²)"),
    Std: ("std", "the standard deviation of complex entries is √(E|z − μ|²): write √mean(abs(z − mean(z))²)"),
    EigenValue: ("λ_max/λ_min", _HERMITIAN), EigenVector: ("the eigenvector of λ_max/λ_min", _HERMITIAN),
    SpectralNorm: ("‖·‖₂", _HERMITIAN), NuclearNorm: ("‖·‖_*", _HERMITIAN),
    SingularVector: ("the singular vectors u₁, v₁", _HERMITIAN), PolarFactor: ("the polar factor UVᵀ", _HERMITIAN),
    MatrixFunction: (None, "its complex Fréchet derivative is not implemented"),
    Frechet: (None, "its complex form is not implemented"),
}


def refuse_complex(e: Expr) -> Expr:
    """e, unless a complex operand meets a word without a complex meaning (``REAL_ONLY``, an
    elementwise function other than those of ``COMPLEX_ELEMENTWISE``, an opaque function): then
    UnsupportedError naming the word and why."""
    real = _realness(e)
    if not _COMPLEX_BELOW[e]:
        return e  # real all the way down: nothing to refuse
    for n in postorder(e):
        if isinstance(n, (Call, Grad)) and not real[n.arg]:
            raise UnsupportedError(f"the opaque function {n.name} of a complex argument is not supported: "
                                   "its derivatives in z and z̄ are not known")
        if real[n] or all(real[c] for c in n.children()):
            continue
        if type(n) in REAL_ONLY:
            word, why = REAL_ONLY[type(n)]
            word = word or (n.name if isinstance(n, MatrixFunction) else f"L_{n.name}")
            raise UnsupportedError(f"{word} of a complex argument is not supported: {why}")
        if isinstance(n, Apply) and (n.name not in COMPLEX_ELEMENTWISE or n.formula is not None
                                        or (n.order and n.name not in REAL_COEFFICIENTS)):
            raise UnsupportedError(f"{n.name} of a complex argument is not supported (the elementwise functions of "
                                   f"complex entries: {', '.join(COMPLEX_ELEMENTWISE)})")
    return e
