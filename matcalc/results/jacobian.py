"""Jacobians and Hessians as results: the closed form assembled from the stages, its value at a
point as a matrix or a tensor, and its check against finite differences.

``jacobian_matrix`` is vec pushed through dF (``matcalc.calculus.vec``) brought to its
textbook form (``matcalc.simplify.closed_form``); ``hessian_matrix`` the Jacobian of vec of the
gradient.  ``Jacobian`` holds J (numerator layout: vec(dF) = J vec(dX); denominator layout:
Jᵀ; for a Hessian, H with d²f = vec(dX)ᵀ H vec(dX)), evaluates it and checks it
(``matcalc.numeric.check.check_jacobian``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from .. import expr as t
from ..calculus.adjoint import gradient as pull_back
from ..calculus.differential import Differentiator, differential
from ..calculus.vec import vec_jacobian
from ..errors import MatcalcError, ShapeError, UnsupportedError
from ..expr.structure import TextRepr
from ..numeric.check import MAX_TRIES, JacobianCheck, check_jacobian, jacobian_differences
from ..numeric.evaluate import Evaluator, user_axes
from ..printing import to_latex, to_unicode
from ..simplify import closed_form, simplify
from .arguments import LAYOUTS, NUMERIC, ArgumentValueError, public
from .gradient import gradient, is_complex
from .compiled import compile_expression


def jacobian_matrix(F: t.Expr, x: t.Symbol, layout: str = "numerator", conjugate: bool | None = None) -> t.Expr:
    """∂vec(F)/∂vec(X)ᵀ (numerator layout) or its transpose (denominator layout), closed form.

    For a complex X (``wirtinger``), ∂vec(F)/∂vec(X)ᵀ of a holomorphic F; with ``conjugate``
    False or True, the part in dX or in dX̄ of any F."""
    if layout not in LAYOUTS:
        raise MatcalcError(f"the layout is 'numerator' or 'denominator', not {layout!r}")
    if is_complex(x):
        j = wirtinger(F, x, conjugate)
    elif conjugate is not None:
        raise _one_part(x, "Jacobian")
    elif F.is_scalar:
        j = closed_form(t.transpose(t.vec(gradient(F, x))))
    else:
        j = closed_form(vec_jacobian(differential(F, x), x))
    return t.with_origin(closed_form(t.transpose(j)) if layout == "denominator" else j, F)


def wirtinger(F: t.Expr, z: t.Symbol, conjugate: bool | None, hessian_of: t.Expr | None = None) -> t.Expr:
    """∂vec(F)/∂vec(Z)ᵀ (``conjugate`` False, or None for a holomorphic F: UnsupportedError
    naming where F depends on Z̄ otherwise) or ∂vec(F)/∂vec(Z̄)ᵀ (True), with
    vec(dF) = J vec(dZ) + J̄ vec(dZ̄) (dZ and dZ̄ independent).  F is the gradient of
    ``hessian_of`` when a Hessian is asked for (the refusal says so)."""
    d = Differentiator(z)
    df = d(F)
    parts = {}
    for bar in ((False, True) if conjugate is None else (conjugate,)):
        if F.is_scalar:
            parts[bar] = closed_form(t.transpose(t.vec(simplify(pull_back(df, z, conjugate=bar)))))
        else:
            parts[bar] = closed_form(vec_jacobian(df, z, conjugate=bar))
    if conjugate is None and not t.is_zero(parts[True]):
        zbar = to_unicode(t.conj(z))
        if hessian_of is not None:
            raise UnsupportedError(
                f"the Hessian of {to_unicode(hessian_of)} in {z.name} has two parts: its gradient G = ∂f/∂{zbar} = "
                f"{to_unicode(F)} depends on {zbar} through {_antiholomorphic(F, d)}, so "
                f"vec(dG) = H vec(d{z.name}) + H̃ vec(d{zbar}): conjugate=False gives H = ∂vec(G)/∂vec({z.name})ᵀ, "
                f"conjugate=True H̃ = ∂vec(G)/∂vec({zbar})ᵀ")
        raise UnsupportedError(
            f"{to_unicode(F)} is not holomorphic in {z.name}: it depends on {zbar} through "
            f"{_antiholomorphic(F, d)}, so vec(dF) = J vec(d{z.name}) + J̄ vec(d{zbar}) has two parts: "
            f"conjugate=False gives ∂vec(F)/∂vec({z.name})ᵀ, conjugate=True ∂vec(F)/∂vec({zbar})ᵀ")
    return parts[bool(conjugate)]


def _one_part(x: t.Symbol, what: str) -> ArgumentValueError:
    return ArgumentValueError(f"conjugate: {x.name} is real (dX̄ = dX): its {what} has one part; "
                              "conjugate is for a complex variable")


def _antiholomorphic(F: t.Expr, d: Differentiator) -> str:
    """The smallest subexpressions of F whose differential has a part in dZ̄ (Zᴴ for Z̄ under a transpose)."""
    bar = t.Conj(t.Differential(d.wrt))
    has_bar = {n: bar in set(t.walk(dn)) for n, dn in d.memo.items()}
    found = []
    for n in t.postorder(F):
        if has_bar.get(n) and not any(has_bar.get(c) for c in n.children()):
            parents = [p for p in t.walk(F) if isinstance(p, t.Transpose) and p.arg == n]
            found.append(to_unicode(parents[0] if parents else n))
    return ", ".join(dict.fromkeys(found))


STRUCTURE = frozenset({"symmetric", "spd"})


def hessian_matrix(f: t.Expr, x: t.Symbol, conjugate: bool | None = None) -> t.Expr:
    """H with d²f = vec(dX)ᵀ H vec(dX): the Jacobian of vec of the gradient.

    The gradient is taken with respect to the unstructured X (a symmetric declaration would let
    the simplifier write Xᵀ as X and change the derivative); the declaration returns afterwards.
    For a complex Z, the Jacobian of vec of G = ∂f/∂Z̄ (``wirtinger``): H = ∂vec(G)/∂vec(Z)ᵀ,
    Hermitian, and H̃ = ∂vec(G)/∂vec(Z̄)ᵀ with ``conjugate``, so that
    d²f = 2 vec(dZ)ᴴ H vec(dZ) + 2 Re(vec(dZ)ᴴ H̃ vec(dZ̄)).
    """
    if not f.is_scalar:
        raise ShapeError(f"only a scalar function has a Hessian, got a {t.show_shape(f.shape)} one")
    if is_complex(x):
        return t.with_origin(wirtinger(gradient(f, x), x, conjugate, hessian_of=f), f)
    if conjugate is not None:
        raise _one_part(x, "Hessian")
    free = t.Symbol(x.name, x.dims, x.assumptions - STRUCTURE) if x.assumptions & STRUCTURE else x
    g = gradient(t.substitute(f, x, free), free)
    h = closed_form(vec_jacobian(differential(g, free), free))
    return t.with_origin(closed_form(t.substitute(h, free, x)) if free is not x else h, f)


@dataclass(frozen=True, repr=False)
class Jacobian(TextRepr):
    """∂vec(F)/∂vec(X)ᵀ in closed form (``matrix``), J with vec(dF) = J vec(dX); in the
    denominator layout its transpose.  For a Hessian (``hessian=True``) F is the scalar f and
    ``matrix`` is H with d²f = vec(dX)ᵀ H vec(dX).

    ``str`` and ``repr`` are the Unicode form of the matrix, ``latex()`` its LaTeX.  ``evaluate(values)``
    gives the 2-D array, or with ``as_tensor`` the array with F's axes then X's (numerator
    layout) or X's then F's (denominator layout), each value's axes as ``evaluate`` gives them
    (none for a scalar, one for a column vector, two for a matrix).
    """

    F: t.Expr
    wrt: t.Symbol
    matrix: t.Expr
    layout: str = "numerator"
    as_tensor: bool = False
    hessian: bool = False
    conjugate: bool = False  # for a complex X: the matrix is ∂vec(F)/∂vec(X̄)ᵀ
    sampler: Callable | None = field(default=None, compare=False, repr=False)  # seed → (values, dims)
    space: object = field(default=None, compare=False, repr=False)  # a Hessian's structure (matcalc.numeric.structures)

    @property
    def shape(self) -> tuple:
        return self.matrix.shape

    def __str__(self) -> str:
        return to_unicode(self.matrix)

    def latex(self) -> str:
        return to_latex(self.matrix)

    def lhs_latex(self) -> str:
        """What the matrix is: ∂vec(F)/∂vec(X)ᵀ (numerator layout), ∂vec(F)ᵀ/∂vec(X)
        (denominator layout) or ∂²f/∂vec(X)∂vec(X)ᵀ (a Hessian), with F and X written out."""
        x = to_latex(t.vec(t.conj(self.wrt) if self.conjugate else self.wrt))
        if self.hessian:
            first = to_latex(t.vec(t.conj(self.wrt))) if is_complex(self.wrt) else x  # ∂/∂vec(Z̄) of ∂f/∂Z̄
            return rf"\frac{{\partial^{{2}} \left({to_latex(self.F)}\right)}}{{\partial {first}\,\partial {x}^{{\top}}}}"
        f = to_latex(t.vec(self.F))
        if self.layout == "denominator":
            return rf"\frac{{\partial {f}^{{\top}}}}{{\partial {x}}}"
        return rf"\frac{{\partial {f}}}{{\partial {x}^{{\top}}}}"

    def _repr_latex_(self) -> str:
        """Jupyter's display: the equation ∂vec(F)/∂vec(X)ᵀ = J."""
        return f"${self.lhs_latex()} = {self.latex()}$"

    def _evaluator(self, values: dict, dims: dict | None, functions: dict | None) -> Evaluator:
        return Evaluator([self.F, self.wrt, self.matrix], values, dims, functions)

    @public(**NUMERIC)
    def evaluate(self, values: dict, dims: dict | None = None, functions: dict | None = None) -> np.ndarray:
        """The Jacobian's value: a 2-D array, or the tensor when ``as_tensor``."""
        ev = self._evaluator(values, dims, functions)
        j = np.array(ev.matrix(self.matrix))
        if not self.as_tensor:
            return j
        out = self.wrt if self.hessian else self.F
        f_axes, x_axes = user_axes(ev.shape(out)), user_axes(ev.shape(self.wrt))
        return j.reshape(f_axes + x_axes if self.layout == "numerator" else x_axes + f_axes, order="F")

    def compile(self, backend="numpy"):
        """The matrix as a generated function of the symbols (see ``Expr.compile``)."""
        return compile_expression(self.matrix, backend=backend, name="jacobian" if not self.hessian else "hessian")

    @public(**NUMERIC)
    def finite_differences(self, values: dict, dims=None, functions=None) -> tuple[np.ndarray, float]:
        """(the numerator-layout matrix by finite differences, its error estimate)."""
        return jacobian_differences(self._evaluator(values, dims, functions), self.F, self.wrt, self.hessian, self.space,
                                    self.conjugate)

    @public(**NUMERIC)
    def check(self, trials: int = 3, seed: int = 0, *, points: Iterable | None = None,
              rtol: float = 1e-6, functions: dict | None = None) -> JacobianCheck:
        """Compare with finite differences at ``trials`` points: ``points`` yields (values, dims),
        by default the random points of seeds seed, seed + 1, … (a point where a value is not
        finite, or that finite differences cannot resolve, is passed over)."""
        if points is None:
            if self.sampler is None:
                raise UnsupportedError("no random points: pass points=[(values, dims), …]")
            points = (self.sampler(s) for s in range(seed, seed + MAX_TRIES * max(trials, 1)))
        return check_jacobian(self.F, self.wrt, self.matrix, points, layout=self.layout, hessian=self.hessian,
                              trials=trials, rtol=rtol, functions=functions, space=self.space, conjugate=self.conjugate)
