"""The base class of the expression tree and its leaves: immutable, with shapes checked at
construction.

Every node is a frozen, slotted dataclass with structural equality and a cached hash.  A
result's root may remember ``origin``, the symbols of the expression it came from (with their
dimensions), so that it evaluates from their values (``with_origin``); origin takes no part in
equality or hashing.  Every
value is a matrix: a scalar is 1×1, a vector n×1, a row vector 1×n.  Dimensions are SymPy
expressions (positive integer symbols such as ``m``, integers, or products for ``⊗`` and vec;
``matcalc.language.dims``).  The operations are in ``operations``; stages make nodes through
the builders of ``matcalc.expr.builders``, and ``matcalc.expr`` exports all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Iterator

import sympy

from ..errors import ShapeError, UnsupportedError
from ..language import traversal
from ..language.declarations import SQUARE_DOMAINS
from ..language.limits import number_problem, spend
from ..language.dims import ONE, SCALAR, Dim, Shape, dim, is_scalar_shape, same_dim, show_dim, show_shape  # noqa: F401
from .structure import TextRepr, structure

# --------------------------------------------------------------------------------------------
# Nodes


def node(cls):
    """Make ``cls`` a frozen slotted dataclass that shares Expr's equality, cached hash and
    text ``repr`` (``structure()`` gives the fields)."""
    cls = dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
    names = cls.__match_args__
    getter = attrgetter(*names) if len(names) > 1 else (lambda e: (getattr(e, names[0]),)) if names else (lambda e: ())
    cls._fields = staticmethod(getter)
    return cls


@node
class Expr(TextRepr):
    """Base of all nodes.  Subclasses define ``_shape`` (which checks its operands).

    ``repr`` is ``str``: the Unicode text once the printers are attached (``matcalc.results.expression``),
    the structure until then."""

    shape: Shape = field(init=False, repr=False)
    _hash: int = field(init=False, repr=False)
    origin: tuple = field(init=False, repr=False)  # Symbols of the expression a result came from

    def __post_init__(self) -> None:
        args = self._fields(self)
        units = 1
        for a in args:
            units += len(a) if type(a) is tuple else 1
        spend(units)
        object.__setattr__(self, "shape", self._shape())
        object.__setattr__(self, "_hash", hash((type(self).__name__,) + args))
        object.__setattr__(self, "origin", ())

    def _shape(self) -> Shape:  # pragma: no cover - every node overrides it
        raise NotImplementedError

    def args(self) -> tuple:
        """The node's fields, in declaration order (children and parameters)."""
        return self._fields(self)

    def children(self) -> tuple["Expr", ...]:
        out = []
        for value in self._fields(self):
            if isinstance(value, Expr):
                out.append(value)
            elif type(value) is tuple:
                out.extend([v for v in value if isinstance(v, Expr)])
        return tuple(out)

    def __hash__(self) -> int:
        return self._hash

    __str__ = structure

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if type(self) is not type(other) or self._hash != other._hash:
            return False
        return self.args() == other.args()

    def __ne__(self, other) -> bool:
        return not self == other

    @property
    def is_scalar(self) -> bool:
        return is_scalar_shape(self.shape)

    @property
    def rows(self) -> Dim:
        return self.shape[0]

    @property
    def cols(self) -> Dim:
        return self.shape[1]

    @property
    def free_symbols(self) -> frozenset:
        return frozenset(n for n in walk(self) if isinstance(n, Symbol))


def with_origin(e: Expr, *sources: Expr) -> Expr:
    """A fresh copy of the root of ``e`` (equal to it) whose ``origin`` holds the symbols of
    ``sources`` and those they and ``e`` remember, by name.  Contract: every dimension of ``e``
    is a dimension of one of those symbols, so their values bind all of e's sizes."""
    symbols: dict = {}
    for src in (e, *sources):
        symbols.update((s.name, s) for s in src.origin)
    for src in sources:
        symbols.update((s.name, s) for s in src.free_symbols)
    copy = type(e)(*e.args())
    object.__setattr__(copy, "origin", tuple(symbols[name] for name in sorted(symbols)))
    return copy


def walk(root: Expr) -> Iterator[Expr]:
    """Every distinct node below ``root`` (shared subtrees once), parents before children."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(reversed(e.children()))


def postorder(root: Expr, skip=frozenset(), children=None) -> Iterator[Expr]:
    """Distinct nodes below ``root`` that are not in ``skip``, each after all of its children
    (iterative, so deep trees are fine); ``children(node)`` may narrow what is descended into."""
    return traversal.postorder(root, children or Expr.children, skip)


def _need(ok: bool, message) -> None:
    """Raise ShapeError(message) unless ok; ``message`` may be a function giving the text, so
    that the text is only made for an error."""
    if not ok:
        raise ShapeError(message() if callable(message) else message)


def _square(op: str, e: Expr) -> Dim:
    _need(same_dim(e.rows, e.cols), lambda: f"{op} needs a square matrix, got {show_shape(e.shape)}")
    return e.rows


# ---- leaves ---------------------------------------------------------------------------------


@node
class Symbol(Expr):
    """A named variable; ``assumptions`` ⊆ {symmetric, spd, invertible, positive, probability,
    complex, hermitian, unitary} as declared, and those a structure gives X (skew, diagonal,
    lower, upper, orthonormal columns, orthogonal, unit norm; ``matcalc.results.structure``)."""

    name: str
    dims: Shape
    assumptions: frozenset = frozenset()

    def _shape(self):
        if self.assumptions & SQUARE_DOMAINS:
            _need(
                same_dim(self.dims[0], self.dims[1]),
                lambda: f"{self.name} is declared {'/'.join(sorted(self.assumptions))} "
                f"but is {show_shape(self.dims)}, not square",
            )
        return self.dims

    @property
    def rows(self):
        return self.dims[0]

    @property
    def cols(self):
        return self.dims[1]


@node
class Differential(Expr):
    """dX: the differential of the variable X."""

    var: Symbol

    def _shape(self):
        return self.var.shape


@node
class Number(Expr):
    """A scalar constant: an exact SymPy number (possibly involving dimensions, as n or 1/n)."""

    value: sympy.Expr

    def _shape(self):
        problem = number_problem(self.value)
        if problem:
            raise UnsupportedError(problem)
        return SCALAR


@node
class Identity(Expr):
    """I, the n×n identity."""

    n: Dim

    def _shape(self):
        return (self.n, self.n)


@node
class Ones(Expr):
    """𝟙, the n×1 vector of ones."""

    n: Dim

    def _shape(self):
        return (self.n, ONE)


@node
class Zero(Expr):
    """The zero matrix of the given shape."""

    dims: Shape

    def _shape(self):
        return self.dims


# ---- names in derivations (matcalc.results.derivation): never differentiated --------------


@node
class DifferentialOf(Expr):
    """d(E): the differential of E along ``direction`` (dX), not yet worked out."""

    arg: Expr
    direction: Differential

    def _shape(self):
        return self.arg.shape


@node
class Partial(Expr):
    """∂f/∂V: the gradient of the function being derived with respect to V, as a name."""

    var: Symbol

    def _shape(self):
        return self.var.shape
