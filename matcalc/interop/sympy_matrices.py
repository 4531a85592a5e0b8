"""matcalc expressions as SymPy matrix expressions and back: ``to_sympy`` and ``from_sympy``.

One table per direction, one entry per node class.  SymPy's vocabulary covers most nodes
(MatrixSymbol, MatAdd, MatMul, Transpose, Inverse, MatPow, Trace, Determinant,
HadamardProduct, HadamardPower, KroneckerProduct, DiagMatrix, DiagonalOf, Identity, OneMatrix,
ZeroMatrix, elementwise functions as ``ElementwiseApplyFunction``); the rest are the classes of
``sympy_nodes`` (‖A‖, adj, a broadcast, vec, the commutation matrix, …), whose ``doit()``
gives SymPy's own spelling where it has one.  A scalar symbol is a SymPy ``Symbol``, a vector
or matrix a ``MatrixSymbol`` with the same dimensions; a 1×1 matrix expression used as a
scalar (aᵀXb inside log, or added to λ) is wrapped in ``ScalarOf``.

The round trip is exact: ``from_sympy(to_sympy(e), declarations) == e`` (SymPy keeps no
domains, so symmetric, spd, … come back from the declarations, as in ``parse``).
"""

from __future__ import annotations

from typing import Callable

import sympy
from sympy import (Determinant, DiagMatrix, DiagonalOf, HadamardPower, HadamardProduct, Identity, Inverse,
                   KroneckerProduct, Lambda, MatAdd, MatMul, MatPow, MatrixExpr, MatrixSymbol, OneMatrix, Trace,
                   Transpose, ZeroMatrix)
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.tensor.array.expressions import convert_array_to_matrix

from .. import expr as t
from ..errors import UnsupportedError
from ..language.declarations import Declarations
from . import sympy_nodes as n

X = sympy.Dummy("x")

# The elementwise functions SymPy knows, as formulas in x: name → formula.
FORMULAS: dict[str, sympy.Expr] = {
    "exp": sympy.exp(X), "log": sympy.log(X), "sin": sympy.sin(X), "cos": sympy.cos(X), "tan": sympy.tan(X),
    "tanh": sympy.tanh(X), "sqrt": sympy.sqrt(X), "abs": sympy.Abs(X), "sign": sympy.sign(X),
    "step": sympy.Heaviside(X), "relu": sympy.Max(0, X), "sigmoid": 1 / (1 + sympy.exp(-X)),
    "softplus": sympy.log(1 + sympy.exp(X)),
    "log1p": sympy.log(1 + X), "expm1": sympy.exp(X) - 1, "erf": sympy.erf(X),
    "gelu": X * (1 + sympy.erf(X / sympy.sqrt(2))) / 2, "softsign": X / (1 + sympy.Abs(X)),
    "cosh": sympy.cosh(X), "sinh": sympy.sinh(X), "arctan": sympy.atan(X),
    "log_sigmoid": sympy.log(1 / (1 + sympy.exp(-X))),
}
# Those SymPy applies by a function of its own, read back from a scalar: exp(s) is exp.
SCALAR_HEADS = {sympy.exp: "exp", sympy.log: "log", sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan",
                sympy.tanh: "tanh", sympy.Abs: "abs", sympy.sign: "sign", sympy.Heaviside: "step",
                sympy.cosh: "cosh", sympy.sinh: "sinh", sympy.atan: "arctan", sympy.erf: "erf"}
HEADS = {name: head for head, name in SCALAR_HEADS.items()}


# ---- matcalc → SymPy ------------------------------------------------------------------------


def _scalar(x):
    """x as a SymPy scalar: a 1×1 matrix expression is wrapped in ScalarOf."""
    return n.ScalarOf(x) if isinstance(x, MatrixExpr) else x


def _matrix(x):
    """x as a matrix expression: a scalar s is s·I₁."""
    return x if isinstance(x, MatrixExpr) else MatMul(x, Identity(1), evaluate=False)


def _applied(e: t.Apply, arg):
    """g(A) in SymPy: a formula of SymPy's applied elementwise, or an undefined function g."""
    known = e.order == 0 and e.formula is None
    if known and e.arg.is_scalar and e.name in HEADS:
        return HEADS[e.name](_scalar(arg), evaluate=False)
    if known and not e.arg.is_scalar and e.name in FORMULAS:
        return ElementwiseApplyFunction(Lambda(X, FORMULAS[e.name]), arg)
    g = sympy.Function(e.name)
    body = g(X) if e.order == 0 else sympy.Derivative(g(X), (X, e.order))
    if e.arg.is_scalar:
        return body.subs(X, _scalar(arg))
    return ElementwiseApplyFunction(Lambda(X, body), arg)


def _symbol(e: t.Symbol, kids):
    return sympy.Symbol(e.name) if e.is_scalar else MatrixSymbol(e.name, e.rows, e.cols)


def _add(e: t.Add, kids):
    if e.is_scalar:
        return sympy.Add(*map(_scalar, kids), evaluate=False)
    return MatAdd(*kids, evaluate=False)


def _scale(e: t.Scale, kids):
    factor, operand = kids
    if e.is_scalar:
        return sympy.Mul(_scalar(factor), _scalar(operand), evaluate=False)
    return MatMul(_scalar(factor), operand, evaluate=False)


TO: dict[type, Callable] = {
    t.Symbol: _symbol,
    t.Number: lambda e, k: e.value,
    t.Identity: lambda e, k: Identity(e.n),
    t.Ones: lambda e, k: OneMatrix(e.n, 1),
    t.Zero: lambda e, k: ZeroMatrix(*e.dims),
    t.Add: _add,
    t.Scale: _scale,
    t.MatMul: lambda e, k: MatMul(*k, evaluate=False),
    t.Transpose: lambda e, k: Transpose(_matrix(k[0])),
    t.Inverse: lambda e, k: Inverse(k[0]),
    t.MatPow: lambda e, k: MatPow(k[0], e.exponent),
    t.Power: lambda e, k: sympy.Pow(_scalar(k[0]), e.exponent, evaluate=False),
    t.Trace: lambda e, k: Trace(_matrix(k[0])),
    t.Det: lambda e, k: Determinant(k[0]),
    t.LogDet: lambda e, k: sympy.log(Determinant(k[0])),
    t.Adj: lambda e, k: n.Adjugate(k[0]),
    t.Hadamard: lambda e, k: HadamardProduct(*map(_matrix, k), evaluate=False),
    t.HadamardDiv: lambda e, k: HadamardProduct(_matrix(k[0]), HadamardPower(_matrix(k[1]), -1), evaluate=False),
    t.HadamardPow: lambda e, k: HadamardPower(_matrix(k[0]), e.exponent),
    t.Apply: lambda e, k: _applied(e, k[0]),
    t.Kron: lambda e, k: KroneckerProduct(_matrix(k[0]), _matrix(k[1])),
    t.Norm: lambda e, k: n.MatrixNorm(k[0], e.p),
    t.Call: lambda e, k: n.MatrixFunction(sympy.Symbol(e.name), _matrix(k[0])),
    t.Grad: lambda e, k: n.Gradient(sympy.Symbol(e.name), _matrix(k[0])),
    t.DiagMat: lambda e, k: DiagMatrix(k[0]),
    t.DiagVec: lambda e, k: DiagonalOf(k[0]),
    t.Vec: lambda e, k: n.Vec(_matrix(k[0])),
    t.TriangularPart: lambda e, k: n.TriangularPart(_matrix(k[0]), sympy.Symbol(e.side)),
    t.Unvec: lambda e, k: n.Unvec(k[0], *e.dims),
    t.KronFactor: lambda e, k: n.KroneckerAdjoint(k[0], _matrix(k[1]), sympy.Symbol(e.side)),
    t.Broadcast: lambda e, k: n.Broadcast(k[0], *e.dims),
    t.Commutation: lambda e, k: n.CommutationMatrix(e.m, e.n),
}


def to_sympy(e: t.Expr):
    """The SymPy matrix expression of ``e`` (a SymPy scalar expression for a 1×1 ``e`` built
    from scalars; see the module docstring)."""
    memo: dict = {}
    for node in t.postorder(e):
        rule = TO.get(type(node))
        if rule is None:
            raise UnsupportedError(f"{type(node).__name__} has no SymPy form")
        memo[node] = rule(node, [memo[c] for c in node.children()])
    return memo[e]


# ---- SymPy → matcalc ------------------------------------------------------------------------


def _is_array(m) -> bool:
    """Whether m is one of SymPy's array expressions (PermuteDims, ArrayTensorProduct, …)."""
    return type(m).__module__.startswith("sympy.tensor.array.expressions")


class _Reader:
    """SymPy → matcalc, one method per SymPy class (``read``), with the declarations."""

    def __init__(self, decl: Declarations):
        self.decl = decl

    def dims(self, *ds) -> tuple:
        """SymPy dimensions as matcalc's: a name becomes the positive integer symbol of that name."""
        out = []
        for d in ds:
            d = sympy.Integer(d) if isinstance(d, int) else d
            out.append(d.subs({s: t.dim(s.name) for s in d.free_symbols}) if d.free_symbols else d)
        return tuple(out)

    def symbol(self, name: str, shape: tuple) -> t.Symbol:
        return t.Symbol(name, shape, self.decl.domains.get(name, frozenset()))

    def read(self, m) -> t.Expr:
        if getattr(m, "is_number", False) and m.is_real is False:
            raise UnsupportedError(f"the number {m} is not real")
        for cls in type(m).__mro__:
            method = READERS.get(cls)
            if method is not None:
                return method(self, m)
        if _is_array(m):  # what SymPy's diff returns: read as a matrix, where it is one
            try:
                matrix = convert_array_to_matrix(m)
            except Exception as exc:  # SymPy's conversion asserts on contractions it cannot write
                raise UnsupportedError(f"the SymPy array expression {m} has no matrix form that SymPy can "
                                       f"give ({type(exc).__name__} in convert_array_to_matrix)") from None
            if not _is_array(matrix):
                return self.read(matrix)
        raise UnsupportedError(f"the SymPy expression {m} ({type(m).__name__}) has no matcalc form")

    def all(self, args) -> list:
        return [self.read(a) for a in args]

    # -- leaves
    def number(self, m):
        if not m.is_real:
            raise UnsupportedError(f"the number {m} is not real")
        return t.Number(m)

    def sym(self, m):
        if m == t.dim(m.name) and m.name not in self.decl.symbols:  # a dimension used as a number: n𝟙, 1/n
            return t.Number(m)
        return self.symbol(m.name, t.SCALAR)

    def matrix_symbol(self, m):
        return self.symbol(m.name, self.dims(*m.shape))

    def ones(self, m):
        rows, cols = self.dims(*m.shape)
        if cols == t.ONE:
            return t.ones(rows)
        if rows == t.ONE:
            return t.transpose(t.ones(cols))
        return t.matmul(t.Ones(rows), t.transpose(t.Ones(cols)))

    # -- products and powers
    def product(self, m):
        parts = self.all(m.args)
        out = parts[0]
        for p in parts[1:]:
            out = t.mul(out, p)
        return out

    def power(self, m):
        base, exponent = m.args
        if not exponent.is_Rational:
            raise UnsupportedError(f"the exponent of {m} is not a rational number")
        return t.power(self.read(base), exponent)

    def hadamard(self, m):
        args = m.args
        if len(args) == 2 and isinstance(args[1], HadamardPower) and args[1].args[1] == -1:
            return t.HadamardDiv(self.read(args[0]), self.read(args[1].args[0]))
        return t.hadamard(*self.all(args))

    def kron(self, m):
        parts = self.all(m.args)
        out = parts[0]
        for p in parts[1:]:
            out = t.Kron(out, p)
        return out

    def log(self, m):
        if isinstance(m.args[0], Determinant):
            return t.LogDet(self.read(m.args[0].args[0]))
        return self.function(m)

    def function(self, m):
        """exp(s), sin(s), …; an undefined function g(s) named by a known or declared function."""
        name = SCALAR_HEADS.get(m.func) or getattr(m.func, "__name__", "")
        args = m.args[:1] if m.func is sympy.Heaviside else m.args  # Heaviside(s, H₀): step(s)
        if len(args) != 1 or not (name in FORMULAS or name in self.decl.functions):
            raise UnsupportedError(f"the SymPy function {m.func} has no matcalc form")
        return self._apply(name, self.read(m.args[0]), 0)

    def derivative(self, m):
        g, *variables = m.args
        if not (isinstance(g, AppliedUndef) and len(g.args) == 1 and all(v[0] == g.args[0] for v in variables)):
            raise UnsupportedError(f"{m} is not a derivative of an elementwise function")
        return self._apply(g.func.__name__, self.read(g.args[0]), sum(int(v[1]) for v in variables))

    def subs(self, m):
        """Subs(Derivative(g(ξ), ξ), ξ, s), SymPy's g′(s) at an expression s, is g′(s)."""
        body, variables, points = m.args
        if isinstance(body, sympy.Derivative) and len(variables) == 1:
            g, *wrt = body.args
            if isinstance(g, AppliedUndef) and g.args == variables and all(v[0] == variables[0] for v in wrt):
                return self._apply(g.func.__name__, self.read(points[0]), sum(int(v[1]) for v in wrt))
        if not body.has(sympy.Derivative):
            return self.read(body.xreplace(dict(zip(variables, points))))
        raise UnsupportedError(f"{m} is not a derivative of an elementwise function at a point")

    def _apply(self, name: str, arg: t.Expr, order: int) -> t.Expr:
        formula = self.decl.functions.get(name, (None, None))[1]
        return t.Apply(name, arg, order, formula)

    def elementwise(self, m):
        lam, arg = m.function, self.read(m.expr)
        (var,), body = lam.args
        body = body.subs(var, X)
        for name, formula in FORMULAS.items():
            if body == formula:
                return self._apply(name, arg, 0)
        if isinstance(body, AppliedUndef) and body.args == (X,):
            return self._apply(body.func.__name__, arg, 0)
        if isinstance(body, sympy.Derivative):
            g = body.args[0]
            return self._apply(g.func.__name__, arg, sum(int(v[1]) for v in body.args[1:]))
        raise UnsupportedError(f"the elementwise function {lam} has no matcalc form")


READERS: dict[type, Callable] = {
    sympy.Number: _Reader.number,
    sympy.Symbol: _Reader.sym,
    MatrixSymbol: _Reader.matrix_symbol,
    Identity: lambda self, m: t.identity(self.dims(m.shape[0])[0]),
    OneMatrix: _Reader.ones,
    ZeroMatrix: lambda self, m: t.zero(self.dims(*m.shape)),
    MatAdd: lambda self, m: t.add(*self.all(m.args)),
    sympy.Add: lambda self, m: t.add(*self.all(m.args)),
    MatMul: _Reader.product,
    sympy.Mul: _Reader.product,
    sympy.Pow: _Reader.power,
    Transpose: lambda self, m: t.transpose(self.read(m.args[0])),
    Inverse: lambda self, m: t.inverse(self.read(m.args[0])),
    MatPow: lambda self, m: t.matpow(self.read(m.args[0]), int(m.args[1])),
    Trace: lambda self, m: t.trace(self.read(m.args[0])),
    Determinant: lambda self, m: t.Det(self.read(m.args[0])),
    sympy.log: _Reader.log,
    HadamardProduct: _Reader.hadamard,
    HadamardPower: lambda self, m: t.hadamard_pow(self.read(m.args[0]), m.args[1]),
    KroneckerProduct: _Reader.kron,
    DiagMatrix: lambda self, m: t.DiagMat(self.read(m.args[0])),
    DiagonalOf: lambda self, m: t.DiagVec(self.read(m.args[0])),
    ElementwiseApplyFunction: _Reader.elementwise,
    sympy.Derivative: _Reader.derivative,
    sympy.Subs: _Reader.subs,
    AppliedUndef: _Reader.function,
    sympy.Function: _Reader.function,
    n.ScalarOf: lambda self, m: self.read(m.args[0]),
    n.MatrixNorm: lambda self, m: t.Norm(self.read(m.args[0]), t.INF if m.args[1] == sympy.oo else int(m.args[1])),
    n.MatrixFunction: lambda self, m: t.Call(m.args[0].name, self.read(m.args[1])),
    n.Gradient: lambda self, m: t.Grad(m.args[0].name, self.read(m.args[1])),
    n.Adjugate: lambda self, m: t.Adj(self.read(m.args[0])),
    n.Vec: lambda self, m: t.Vec(self.read(m.args[0])),
    n.TriangularPart: lambda self, m: t.triangular(self.read(m.args[0]), m.args[1].name),
    n.Unvec: lambda self, m: t.Unvec(self.read(m.args[0]), self.dims(*m.args[1:])),
    n.KroneckerAdjoint: lambda self, m: t.KronFactor(self.read(m.args[0]), self.read(m.args[1]), m.args[2].name),
    n.Broadcast: lambda self, m: t.broadcast(self.read(m.args[0]), self.dims(*m.args[1:])),
    n.CommutationMatrix: lambda self, m: t.commutation(*self.dims(*m.args)),
}


def from_sympy(m, shapes=None, domains=None, functions=None) -> t.Expr:
    """The matcalc expression of the SymPy matrix expression (or scalar expression) ``m``.

    ``domains`` and ``functions`` are declarations as ``parse`` takes them (SymPy keeps no
    domains; a formula of a user function comes back from its declaration); ``shapes`` is
    accepted for symmetry with ``parse`` and must agree with SymPy's shapes.  Raises
    UnsupportedError naming the SymPy node that has no matcalc form."""
    if not isinstance(m, sympy.Basic):
        raise TypeError(f"from_sympy takes a SymPy expression, not {type(m).__name__}")
    return _Reader(Declarations.build(shapes, domains, functions)).read(m)
