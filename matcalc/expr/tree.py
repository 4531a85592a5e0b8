"""The tree's whole vocabulary in one namespace: dimensions, the node classes and the builders
(``from matcalc.expr import tree as t``; ``matcalc.expr`` exports the same names).
"""

from ..language.dims import (
    ONE, SCALAR, Dim, Shape, dim, is_scalar_shape, same_dim, show_dim, show_shape,
)
from .builders import (
    add, broadcast, commutation, diag, hadamard, hadamard_pow, identity, inner, inverse,
    is_number, is_zero, kron, matmul, matpow, mul, neg, number, ones, power, rebuild, scale,
    split_scale, sub, substitute, symbol, trace, transpose, triangular, vec, zero,
)
from .complexes import COMPLEX_DOMAINS, REAL_COEFFICIENTS, conj, ctranspose, imag_part, is_real, real_part, refuse_complex
from .nodes import (
    Expr, Symbol, Differential, Number, Identity, Ones, Zero, node, postorder, walk, with_origin,
)
from .operations import (
    Add, Scale, MatMul, Transpose, Inverse, MatPow, Power, Trace, Det, LogDet, Adj, Hadamard,
    HadamardDiv, HadamardPow, Apply, Kron, Norm, Call, Grad, DiagMat, DiagVec, Vec, Unvec,
    KronFactor, Broadcast, Commutation, TriangularPart, Conj, Real, Imag,
)
from .operations import Softmax, LogSoftmax, LogSumExp, Mean, Var, Std, INF
from .spectral import (
    MATRIX_FUNCTIONS, derivative,    EigenValue, EigenVector, SpectralNorm, NuclearNorm, SingularVector, PolarFactor, MatrixFunction, Frechet,
    FrechetKron, Resolvent,
)

__all__ = [
    "ONE", "SCALAR", "Dim", "Shape", "dim", "is_scalar_shape", "same_dim", "show_dim",
    "show_shape", "add", "broadcast", "commutation", "diag", "hadamard", "hadamard_pow",
    "identity", "inner", "inverse", "is_number", "is_zero", "kron", "matmul", "matpow", "mul",
    "neg", "number", "ones", "power", "rebuild", "scale", "split_scale", "sub", "substitute",
    "symbol", "trace", "transpose", "vec", "zero", "Expr", "Symbol", "Differential", "Number",
    "Identity", "Ones", "Zero", "node", "postorder", "walk", "with_origin", "Add", "Scale", "MatMul",
    "Transpose", "Inverse", "MatPow", "Power", "Trace", "Det", "LogDet", "Adj", "Hadamard",
    "HadamardDiv", "HadamardPow", "Apply", "Kron", "Norm", "Call", "Grad", "DiagMat", "DiagVec",
    "Vec", "Unvec", "KronFactor", "Broadcast", "Commutation", "TriangularPart", "triangular",
    "Conj", "Real", "Imag",
    "COMPLEX_DOMAINS", "REAL_COEFFICIENTS", "conj", "ctranspose", "imag_part", "is_real", "real_part",
    "refuse_complex",
    "EigenValue", "EigenVector", "SpectralNorm", "NuclearNorm", "SingularVector", "PolarFactor",
    "MatrixFunction", "Frechet", "FrechetKron", "Resolvent", "MATRIX_FUNCTIONS", "derivative",
]
__all__ += ["Softmax", "LogSoftmax", "LogSumExp", "Mean", "Var", "Std", "INF"]
