"""A solver from the symbolic gradient: f minimised by SciPy's optimiser fed by the compiled
value and gradient (``compile_gradient``), over one variable or several at once.

SciPy is the optional extra ``matcalc[optimize]``; without it ``minimize`` says how to get it.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .. import expr as t
from ..errors import DomainError, UnsupportedError
from ..language.names import canonical_name
from .compiled import compile_gradient

try:
    from scipy import optimize as _scipy
except ImportError:  # pragma: no cover - the extra is installed wherever the suite runs
    _scipy = None

PROGRESS_SECONDS = 1.0  # a progress line at most this often


@dataclass(frozen=True)
class Minimum:
    """The optimum found: ``x`` {variable: value}, the ``value`` of f there, the number of
    ``iterations``, the optimiser's ``message`` and whether it reports ``success``."""

    x: dict
    value: float
    iterations: int
    message: str
    success: bool
    evaluations: int = 0
    history: list = field(default_factory=list, repr=False)  # f after each iteration

    def __getitem__(self, name: str):
        return self.x[canonical_name(name)]


def _initial(x0, names: list, single: bool) -> list:
    if single and not isinstance(x0, dict):
        x0 = {names[0]: x0}
    if isinstance(x0, (list, tuple)) and len(x0) == len(names):
        x0 = dict(zip(names, x0))
    if not isinstance(x0, dict):
        raise DomainError(f"x0 must give a starting value for {', '.join(names)} (a dict by name)")
    given = {canonical_name(str(k)): v for k, v in x0.items()}
    missing = [n for n in names if n not in given]
    if missing:
        raise DomainError(f"x0 has no starting value for {', '.join(missing)}")
    return [np.asarray(given[n], dtype=float) for n in names]


def _bounds(bounds, names: list, starts: list):
    """SciPy's bounds, one (low, high) per entry: ``bounds`` is (low, high) for every entry or
    {variable: (low, high)}."""
    if bounds is None:
        return None
    if not isinstance(bounds, dict):
        bounds = {n: bounds for n in names}
    bounds = {canonical_name(str(k)): v for k, v in bounds.items()}
    out = []
    for n, x in zip(names, starts):
        pair = bounds.get(n, (None, None))
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise DomainError(f"the bounds of {n} must be a pair (low, high), not {pair!r}")
        out += [tuple(pair)] * x.size
    return out


def minimize(f: t.Expr, wrt, x0, *, values=None, bounds=None, method: str = "L-BFGS-B",
             progress: bool = False, options=None) -> Minimum:
    """f minimised over wrt from x0, the other symbols fixed at ``values``."""
    if _scipy is None:
        raise UnsupportedError("minimize needs SciPy: pip install 'matcalc[optimize]'")
    fn = compile_gradient(f, wrt)
    single = isinstance(wrt, (str, t.Symbol))
    nvar = 1 if single else len(wrt)
    names = [fn.names[a] for a in fn.args[:nvar]]
    starts = _initial(x0, names, single)
    fixed = fn.bind((), {**{k: v for k, v in (values or {}).items()}, **dict(zip(fn.args[:nvar], starts))})
    sizes = [x.size for x in starts]
    cuts = np.cumsum(sizes)[:-1]
    history: list = []
    clock = {"last": time.monotonic()}

    def unpack(z):
        return {a: part.reshape(x.shape) for a, part, x in zip(fn.args, np.split(z, cuts), starts)}

    def fun(z):
        value, grads = fn(**{**fixed, **unpack(z)})
        grads = (grads,) if single else grads
        return float(value), np.concatenate([np.asarray(g, dtype=float).reshape(-1) for g in grads])

    def callback(z):
        history.append(fun(z)[0])
        if progress and time.monotonic() - clock["last"] >= PROGRESS_SECONDS:
            clock["last"] = time.monotonic()
            print(f"iteration {len(history)}: f = {history[-1]:.6g}", file=sys.stderr)

    z0 = np.concatenate([x.reshape(-1) for x in starts])
    result = _scipy.minimize(fun, z0, jac=True, method=method, bounds=_bounds(bounds, names, starts),
                             callback=callback, options=options)
    best = unpack(result.x)
    return Minimum({n: (float(best[a]) if starts[i].ndim == 0 else best[a]) for i, (n, a) in enumerate(zip(names, fn.args))},
                   float(result.fun), int(getattr(result, "nit", len(history))), str(result.message), bool(result.success),
                   int(getattr(result, "nfev", 0)), history)
