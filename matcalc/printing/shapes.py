"""The shapes of an expression's symbols as text: ``shapes_of(e) -> Shapes``.

``Shapes`` is an immutable mapping, symbol name → shape text (``"m×n"``, ``"n"`` for a column,
``"scalar"``), in the order the symbols first appear; it prints as the declarations write
it, ``X: m×n, μ: n, λ: scalar``, so that the text can be given back as ``shapes=``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import expr as t
from ..language.dims import shape_text
from ..language.names import canonical_name
from .unicode import to_unicode


class Shapes(Mapping):
    """name → shape text; looked up by any spelling of a name (W₁, W_1, W1)."""

    __slots__ = ("_items", "_spelled", "_domains")

    def __init__(self, symbols):
        self._items = {s.name: shape_text(s.shape) for s in symbols}
        self._spelled = {s.name: to_unicode(s) for s in symbols}
        self._domains = {s.name: _complex_words(s) for s in symbols}

    def __getitem__(self, name: str) -> str:
        return self._items[canonical_name(name)]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __str__(self) -> str:
        return ", ".join(f"{self._spelled[n]}: {text}{self._domains[n]}" for n, text in self._items.items())

    def __repr__(self) -> str:
        return f"Shapes({str(self)!r})"


def _complex_words(s: t.Symbol) -> str:
    """" complex", " hermitian", " hermitian spd", " unitary" for a complex symbol, else ""."""
    words = s.assumptions & (t.COMPLEX_DOMAINS | {"spd"}) if s.assumptions & t.COMPLEX_DOMAINS else set()
    if words & {"hermitian", "unitary"}:
        words = words - {"complex"}
    return "".join(" " + w for w in sorted(words))


def shapes_of(e: t.Expr) -> Shapes:
    """The shapes of the symbols of ``e``, in the order they first appear."""
    return Shapes(dict.fromkeys(n for n in t.walk(e) if isinstance(n, t.Symbol)))
