"""The spectral nodes in SymPy: λ_max(S), ‖X‖₂, ‖X‖_*, the named factors, expm, logm, sqrtm
and their Fréchet derivatives (and, the same way, softmax, logsoftmax, logsumexp, mean, var,
std) have no SymPy form of their own, so they travel as the classes
``Spectral`` and ``SpectralMatrix`` of ``sympy_nodes`` (named by their matcalc word), entries
of the two tables of ``sympy_matrices``; the round trip is exact.
"""

from __future__ import annotations

import sympy

from .. import expr as t
from . import sympy_nodes as n
from .sympy_matrices import READERS, TO, _matrix

# word → the node it names, from its operands
SCALARS = {"λ_max": lambda a: t.EigenValue(a, "max"), "λ_min": lambda a: t.EigenValue(a, "min"),
           "σ_max": t.SpectralNorm, "norm_nuc": t.NuclearNorm}
MATRICES = {"eigvec_max": lambda a: t.EigenVector(a, "max"), "eigvec_min": lambda a: t.EigenVector(a, "min"),
            "pinv_max": lambda a: t.Resolvent(a, "max"), "pinv_min": lambda a: t.Resolvent(a, "min"),
            "svec_u": lambda a: t.SingularVector(a, "left"), "svec_v": lambda a: t.SingularVector(a, "right"),
            "polar": t.PolarFactor,
            **{f: (lambda f: lambda a: t.MatrixFunction(f, a))(f) for f in t.MATRIX_FUNCTIONS},
            **{f"L_{f}": (lambda f: lambda a, e: t.Frechet(f, a, e))(f) for f in t.MATRIX_FUNCTIONS},
            **{f"K{o}_{f}": (lambda f: lambda a, *e: t.FrechetKron(f, a, e))(f) for f in t.MATRIX_FUNCTIONS for o in ("", "2")}}


# the softmax family and the statistics of a vector or of each row of a matrix, by their words too
REDUCTIONS = {"softmax": t.Softmax, "logsoftmax": t.LogSoftmax, "logsumexp": t.LogSumExp, "mean": t.Mean,
              "var": t.Var, "std": t.Std}
REDUCTION_WORDS = {cls: word for word, cls in REDUCTIONS.items()}
SCALARS.update(REDUCTIONS)
MATRICES.update(REDUCTIONS)


def _word(e: t.Expr) -> str:
    if type(e) in REDUCTION_WORDS:
        return REDUCTION_WORDS[type(e)]
    if isinstance(e, t.EigenValue):
        return f"λ_{e.which}"
    if isinstance(e, (t.SpectralNorm, t.NuclearNorm)):
        return "σ_max" if isinstance(e, t.SpectralNorm) else "norm_nuc"
    if isinstance(e, t.EigenVector):
        return f"eigvec_{e.which}"
    if isinstance(e, t.Resolvent):
        return f"pinv_{e.which}"
    if isinstance(e, t.SingularVector):
        return "svec_u" if e.side == "left" else "svec_v"
    if isinstance(e, t.PolarFactor):
        return "polar"
    if isinstance(e, t.FrechetKron):
        return f"K{'2' if e.directions else ''}_{e.name}"
    return e.name if isinstance(e, t.MatrixFunction) else f"L_{e.name}"


def _scalar(e, k):
    return n.Spectral(sympy.Symbol(_word(e)), _matrix(k[0]))


def _matrix_node(e, k):
    return n.SpectralMatrix(sympy.Symbol(_word(e)), *map(_matrix, k), *e.shape)


def _reduction(e, k):
    return (_scalar if e.is_scalar else _matrix_node)(e, k)


TO.update({cls: _scalar for cls in (t.EigenValue, t.SpectralNorm, t.NuclearNorm)})
TO.update({cls: _matrix_node for cls in (t.EigenVector, t.Resolvent, t.SingularVector, t.PolarFactor, t.MatrixFunction, t.Frechet,
                                           t.FrechetKron)})
TO.update({cls: _reduction for cls in REDUCTION_WORDS})
READERS[n.Spectral] = lambda self, m: SCALARS[m.args[0].name](self.read(m.args[1]))
READERS[n.SpectralMatrix] = lambda self, m: MATRICES[m.args[0].name](*self.all(m.args[1:-2]))
