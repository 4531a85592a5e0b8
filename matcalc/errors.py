"""The errors matcalc raises for bad input.

Every failure caused by the input is a ``MatcalcError``; nothing else escapes the public API.
``did_you_mean`` gives the hint a message adds for a mistyped name.
"""

from __future__ import annotations

import difflib


class MatcalcError(Exception):
    """Base class of every error caused by the input."""


class ParseError(MatcalcError):
    """The text is not an expression: carries the line, the column and a caret line."""

    def __init__(self, reason: str, text: str = "", line: int = 1, column: int = 1):
        self.reason = reason
        self.text = text
        self.line = line
        self.column = column
        super().__init__(self._render())

    @classmethod
    def at(cls, reason: str, text: str, offset: int) -> "ParseError":
        """The error at character ``offset`` of ``text`` (0-based)."""
        line = text.count("\n", 0, offset) + 1
        return cls(reason, text, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)

    def _render(self) -> str:
        if not self.text:
            return self.reason
        lines = self.text.splitlines() or [""]
        source = lines[min(self.line, len(lines)) - 1]
        caret = " " * (self.column - 1) + "^"
        return f"{self.reason} (line {self.line}, column {self.column})\n  {source}\n  {caret}"


class ShapeError(MatcalcError):
    """Two shapes that must agree do not; the message names both."""


class DomainError(MatcalcError):
    """A declaration, a variable or a value is outside what the operation accepts."""


class UnsupportedError(MatcalcError):
    """Valid input that matcalc cannot handle (yet); the message says why."""


def did_you_mean(word: str, choices) -> str:
    """"; did you mean tanh?" naming the choices nearest to ``word`` by edit distance
    (difflib's ratio), or "" when none is near: the same word in another case first, then the
    closest ones (ratio ≥ 0.6, within 0.1 of the best), then — for a one-letter word — the one choice of the same kind (x for y when x
    is the only lower-case letter)."""
    word = str(word)
    choices = sorted({str(c) for c in choices} - {word})
    near = [c for c in choices if c.lower() == word.lower()]
    scored = sorted(((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in choices), reverse=True)
    near += [c for r, c in scored if r >= max(0.6, scored[0][0] - 0.1)]
    if not near and len(word) == 1:
        same_kind = [c for c in choices if len(c) == 1 and c.isupper() == word.isupper() and c.isascii() == word.isascii()]
        near = same_kind if len(same_kind) == 1 else []
    near = list(dict.fromkeys(near))[:3]
    if not near:
        return ""
    listed = near[0] if len(near) == 1 else ", ".join(near[:-1]) + " or " + near[-1]
    return f"; did you mean {listed}?"
