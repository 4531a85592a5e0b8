"""How results show themselves: ``repr`` is the textbook text a person reads, ``structure()``
the call that builds the value.

Every result type (expressions, Jacobians and Hessians, differentials, derivations, check
reports) takes ``TextRepr``: ``repr(x)`` and IPython's plain-text display are ``str(x)``,
and ``x.structure()`` is the dataclass dump, ``MatMul(factors=(Symbol(name='A', …), …))``.
"""

from __future__ import annotations

import dataclasses


def _parts(value) -> tuple[str, str, str, list] | None:
    """(opening, closing, separator, [(label, child)]) of a composite value, None for a leaf.

    A dataclass instance shows its fields that take part in ``repr`` as ``name=…``; tuples,
    lists and dicts show their items."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [(f"{f.name}=", getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr]
        return f"{type(value).__name__}(", ")", ", ", fields
    if isinstance(value, tuple):
        return "(", ",)" if len(value) == 1 else ")", ", ", [("", v) for v in value]
    if isinstance(value, list):
        return "[", "]", ", ", [("", v) for v in value]
    if isinstance(value, dict):
        return "{", "}", ", ", [(None, kv) for kv in value.items()]
    return None


def structure(value) -> str:
    """``value`` as the call that builds it: ``Name(field=…, …)`` for a dataclass, all the way
    down (iterative, so deep expression trees are fine)."""
    shown: dict[int, str] = {}
    keep = []  # the values seen, alive while their ids key ``shown``
    stack = [(value, False)]
    while stack:
        v, ready = stack.pop()
        if id(v) in shown and not ready:
            continue
        parts = _parts(v)
        if parts is None:
            shown[id(v)] = repr(v)
            keep.append(v)
            continue
        opening, closing, sep, items = parts
        children = [c for label, item in items for c in (item if label is None else (item,))]
        if not ready:
            stack.append((v, True))
            stack.extend((c, False) for c in reversed(children))
            continue
        texts = []
        for label, item in items:
            if label is None:  # a dict entry
                texts.append(f"{shown[id(item[0])]}: {shown[id(item[1])]}")
            else:
                texts.append(label + shown[id(item)])
        shown[id(v)] = opening + sep.join(texts) + closing
        keep.append(v)
    return shown[id(value)]


class TextRepr:
    """A result that shows itself as text: ``repr`` and IPython's plain-text display give
    ``str`` (the textbook form); ``structure()`` gives the fields, recursively."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        """IPython's plain-text display (``text/plain``): the same text as ``str``."""
        p.text(str(self))

    def structure(self) -> str:
        """The value as the call that builds it, e.g. ``MatMul(factors=(Symbol(name='A', dims=(m, n), …), …))``."""
        return structure(self)
