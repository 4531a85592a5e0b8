"""``evaluate`` at the speed of its compiled program: the binding of a call remembered.

The first evaluation of an expression at values of given names and shapes goes through the
``Evaluator`` (every dimension bound and every shape checked, each error a ``DomainError`` or
``ShapeError`` naming the symbol).  What that binding found (which value feeds which argument
of the program, in which form; the dimensions; the work to draw from the budget; the shape of
the result) is kept as a ``Plan`` keyed by the expression, the names and shapes of the values
and ``dims``: a later call with the same key, whose binding would find the same, converts the
values and runs the program at once.  Anything unusual (a value that does not convert, a
result of another shape, an error of the program) goes the checked way, which reports it.
Expressions whose program calls the runtime (user functions, stand-ins, d(E) by finite
differences) and expressions of complex symbols always go the checked way, and so does a complex
value given for a real symbol.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .. import expr as t
from ..codegen import kind
from ..language.limits import spend
from .evaluate import Evaluator, compiled

MAX_PLANS = 4096


@dataclass(frozen=True)
class Plan:
    """How a call with values of these names and shapes runs, for an expression of that
    ``origin``: ``feeds`` (the key of the value in the caller's dict, the shape of the program's
    argument: () a number, (n,) a vector, (m, n)), the bound ``sizes``, the ``units`` of work
    and the ``shape`` of the public result."""

    run: object
    origin: tuple  # the origin of the expression (equal trees may remember different ones)
    feeds: tuple
    sizes: dict
    units: int
    shape: tuple

    @np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore")  # as the Evaluator
    def __call__(self, values: dict):
        args = []
        for key, shape in self.feeds:
            a = np.asarray(values[key])
            if a.dtype != np.float64:
                if a.dtype.kind == "c":
                    return None  # a complex value for a real symbol: the checked way refuses it
                a = a.astype(float)
            if a.shape != shape:
                a = a.reshape(shape)
            args.append(a)
        spend(self.units)
        (out,) = self.run(None, self.sizes, *args)
        if self.shape == ():
            return float(out)
        fresh = type(out) is np.ndarray and out.base is None and out.dtype == np.float64 and all(out is not a for a in args)
        r = out if fresh else np.array(out, dtype=float)  # never the caller's array, nor a view of it
        if r.shape != self.shape:
            if r.size != int(np.prod(self.shape)) or r.ndim != 1:
                return None
            r = r.reshape(self.shape)
        return r


_PLANS: dict = {}


def _signature(e: t.Expr, values: dict, dims) -> tuple:
    shapes = []
    for k, v in values.items():
        shape = getattr(v, "shape", None)
        shapes.append((k, shape if type(shape) is tuple else np.shape(v)))
    return (e, tuple(shapes), tuple([(k, type(v), v) for k, v in dims.items()]) if dims else ())


def _plan(e: t.Expr, ev: Evaluator, values: dict):
    """The plan of the call ``ev`` has just checked, or None when its program calls the runtime."""
    prog, run = compiled(e)
    if prog.nodes or not t.is_real(e) or not all(t.is_real(p.leaf) for p in prog.params):
        return None  # complex values always go the checked way
    leaves = ev._leaves()
    by_key = {ev._key(k, leaves): k for k in values}  # the last value given for a symbol, as the Evaluator
    feeds = []
    for p in prog.params:
        rows, cols = (ev.size(d) for d in p.leaf.shape)
        form = {"m": (rows, cols), "c": (rows,), "r": (cols,), "s": ()}[kind(p.leaf.shape)]
        feeds.append((by_key[p.key], form))
    rows, cols = ev.shape(e)
    shape = () if (rows, cols) == (1, 1) else (rows,) if e.shape[1] == t.ONE else (rows, cols)
    return Plan(run, e.origin, tuple(feeds), dict(ev.sizes), ev.units(prog), shape)


def planned(e: t.Expr, values, dims=None):
    """The value of ``e`` by the plan of an earlier call with values of the same names and shapes,
    or None when there is none or it does not go through (the checked way then decides)."""
    try:
        plan = _PLANS.get(_signature(e, values, dims))
        return None if plan is None or (plan.origin is not e.origin and plan.origin != e.origin) else plan(values)
    except Exception:  # not hashable, not convertible, an error of the program: the checked way reports it
        return None


def evaluate(e: t.Expr, values: dict | None = None, *, dims: dict | None = None, functions: dict | None = None):
    """The value of ``e`` at ``values`` ({"X": array, "dX": array, symbol: array, …}).

    ``dims`` pins dimension sizes ({"n": 3}) that no value determines; ``functions`` gives
    callables for user functions ("g", "g′" or ("g", 1), "f", "∇f"), else stand-ins are used.
    Returns a float for a 1×1 result, a 1-D array for an n×1 result, else a 2-D array.
    """
    plain = not functions and bool(values)
    if plain:
        out = planned(e, values, dims)
        if out is not None:
            return out
    ev = Evaluator([e], values, dims, functions)
    out = ev.value(e)
    if plain:
        plan = _plan(e, ev, values)
        if plan is not None:
            if len(_PLANS) >= MAX_PLANS:
                _PLANS.clear()
            _PLANS[_signature(e, values, dims)] = plan
    return out


def with_plans(checked):
    """``Expr.evaluate``: a call by a plan first (``planned``; it was checked when the plan was
    made), else ``checked``, the public door of ``evaluate`` (arguments checked, work bounded)."""

    @functools.wraps(checked)
    def evaluate(e, values=None, **options):
        if type(values) is dict and options.keys() <= {"dims"}:
            out = planned(e, values, options.get("dims"))
            if out is not None:
                return out
        return checked(e, values, **options)

    return evaluate
