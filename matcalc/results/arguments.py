"""The door of every public function: ``public`` checks each argument by its name (one entry
of ``CHECKS`` per name), gives the call its budget of work (``language.limits``), and turns an
exhausted resource — recursion, memory, a float overflow — or any other failure from inside
(a library's, a user callable's; chained as the cause) into a ``MatcalcError``.

A wrongly typed argument raises ``ArgumentTypeError`` (a ``TypeError``), a value it cannot
take ``ArgumentValueError`` (a ``ValueError``); both are ``DomainError``s, so that a caller
catching ``MatcalcError`` sees every failure caused by the input.  The message names the
argument.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Iterable
from typing import Callable

import numpy as np

from .. import expr as t
from ..errors import DomainError, MatcalcError, UnsupportedError, did_you_mean
from ..language.limits import MAX_TRIALS, bounded_work
from ..numeric.structures import SPACES
from ..printing import to_unicode

LAYOUTS = ("numerator", "denominator")


class ArgumentTypeError(DomainError, TypeError):
    """An argument of a public function has the wrong type; the message names it."""


class ArgumentValueError(DomainError, ValueError):
    """An argument of a public function has a value it cannot take; the message names it."""


def _kind(value) -> str:
    """What ``value`` is, for a message: an expression by its text, anything else by its type."""
    return f"the expression {to_unicode(value)}" if isinstance(value, t.Expr) else type(value).__name__


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# ---- one check per argument name ------------------------------------------------------------


def _text(name: str, value) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be the text of an expression (a str), not {_kind(value)}")


def _expression(name: str, value) -> None:
    if not isinstance(value, (str, t.Expr)):
        raise ArgumentTypeError(f"{name} must be the text of an expression or an Expr, not {_kind(value)}")


def _claim(name: str, value) -> None:
    if value is not None:
        _expression(name, value)


def _variable(name: str, value) -> None:
    if isinstance(value, t.Symbol):
        return
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be the name of a symbol (a str such as \"X\"), not {_kind(value)}")
    if not value.strip():
        raise ArgumentValueError(f"{name} must be the name of a symbol, not an empty string")


def _upstream(name: str, value) -> None:
    if not isinstance(value, (str, t.Symbol)):
        raise ArgumentTypeError(
            f"{name} must be a str: the upstream gradient ∂L/∂F, named by one symbol such as \"G\", not {_kind(value)}"
        )


def _declarations(name: str, value) -> None:
    if value is not None and not isinstance(value, (str, dict)):
        raise ArgumentTypeError(f"{name} must be a dict or declaration text (such as \"X: m×n\"), not {_kind(value)}")
    for key in value if isinstance(value, dict) else ():
        if not isinstance(key, str):
            raise ArgumentTypeError(f"{name} must be keyed by names (str), not {_kind(key)} {key!r}")


def _trials(name: str, value) -> None:
    if not _is_int(value):
        raise ArgumentTypeError(f"{name} must be an int, not {_kind(value)}")
    if not 1 <= value <= MAX_TRIALS:
        raise ArgumentValueError(f"{name} must be between 1 and {MAX_TRIALS}, not {value}")


def _seed(name: str, value) -> None:
    if not _is_int(value):
        raise ArgumentTypeError(f"{name} must be an int, not {_kind(value)}")
    if value < 0:
        raise ArgumentValueError(f"{name} must be a non-negative int, not {value}")


def _layout(name: str, value) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be 'numerator' or 'denominator', not {_kind(value)}")
    if value not in LAYOUTS:
        raise ArgumentValueError(f"{name} must be 'numerator' or 'denominator', not {value!r}")


def _flag(name: str, value) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, not {_kind(value)}")


def _values(name: str, value) -> None:
    if value is not None and not isinstance(value, dict):
        raise ArgumentTypeError(f"{name} must be a dict of arrays keyed by symbol names, not {_kind(value)}")
    for key in value or ():
        if not isinstance(key, (str, t.Symbol, t.Differential)):
            raise ArgumentTypeError(f"{name} must be keyed by symbol names (str), not {_kind(key)} {key!r}")


def _dims(name: str, value) -> None:
    _values(name, value)
    for key, size in (value or {}).items():
        if not _is_int(size):
            raise ArgumentTypeError(f"{name}[{key!r}] must be an int, not {_kind(size)}")
        if size < 1:
            raise ArgumentValueError(f"{name}[{key!r}] must be a positive int, not {size}")


def _callables(name: str, value) -> None:
    if value is not None and not isinstance(value, dict):
        raise ArgumentTypeError(f"{name} must be a dict of callables keyed by function names, not {_kind(value)}")
    for key, f in (value or {}).items():
        if not callable(f):
            raise ArgumentTypeError(f"{name}[{key!r}] must be callable, not {_kind(f)}")


def _tolerance(name: str, value) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be a float, not {_kind(value)}")
    if not (math.isfinite(value) and 0 < value < 1):
        raise ArgumentValueError(f"{name} must be a float between 0 and 1, not {value}")


def _structure(name: str, value) -> None:
    if value is None:
        return
    known = ", ".join(SPACES)
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be the name of a structure ({known}), not {_kind(value)}")
    if value not in SPACES:
        raise ArgumentValueError(f"{name} must be one of {known}, not {value!r}{did_you_mean(value, SPACES)}")


def _optional_flag(name: str, value) -> None:
    if value is not None:
        _flag(name, value)


def _points(name: str, value) -> None:
    if value is not None and not isinstance(value, Iterable):
        raise ArgumentTypeError(f"{name} must be an iterable of (values, dims) pairs, not {_kind(value)}")


CHECKS: dict[str, Callable[[str, object], None]] = {
    "text": _text,
    "f": _expression,
    "F": _expression,
    "wrt": _variable,
    "expected": _claim,
    "upstream": _upstream,
    "shapes": _declarations,
    "domains": _declarations,
    "functions": _declarations,
    "trials": _trials,
    "seed": _seed,
    "layout": _layout,
    "as_tensor": _flag,
    "conjugate": _optional_flag,
    "scalar": _flag,
    "values": _values,
    "dims": _dims,
    "rtol": _tolerance,
    "points": _points,
    "structure": _structure,
}

# The checks of a function that evaluates: its ``functions`` are callables, not declarations.
NUMERIC = {"functions": _callables}


# ---- the door ---------------------------------------------------------------------------------


def public(fn: Callable = None, **overrides) -> Callable:
    """``fn`` with its arguments checked (``CHECKS``, with ``overrides``), its work bounded and
    an exhausted resource reported as an ``UnsupportedError``."""
    if fn is None:
        return lambda f: public(f, **overrides)
    signature = inspect.signature(fn)
    checks = {**CHECKS, **overrides}
    params = signature.parameters.values()
    names = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    required = sum(p.default is p.empty for p in params if p.name in names)
    # a call by position alone binds its arguments to the first names (signature.bind, without its cost)
    by_position = all(p.kind is not p.VAR_POSITIONAL and (p.name in names or p.default is not p.empty) for p in params)

    @functools.wraps(fn)
    def door(*args, **kwargs):
        if by_position and not kwargs and required <= len(args) <= len(names):
            given = zip(names, args)
        else:
            try:
                given = signature.bind(*args, **kwargs).arguments.items()
            except TypeError as exc:
                raise ArgumentTypeError(f"{fn.__name__}(): {exc}") from None
        for name, value in given:
            if name in checks:
                checks[name](name, value)
        with bounded_work():
            try:
                return fn(*args, **kwargs)
            except MatcalcError:
                raise
            except RecursionError:
                raise UnsupportedError(
                    "the expression is nested too deeply to work with (Python's recursion limit was reached)"
                ) from None
            except MemoryError:
                raise UnsupportedError("there is not enough memory for this computation") from None
            except OverflowError as exc:
                raise UnsupportedError(f"a number is too large to compute with: {exc}") from None
            except Exception as exc:  # from a library or a user's callable; the cause stays chained
                raise UnsupportedError(f"{fn.__name__} could not complete: {type(exc).__name__}: {exc}") from exc

    return door
