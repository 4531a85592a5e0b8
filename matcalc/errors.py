"""The errors matcalc raises for bad input.

Every failure caused by the input is a ``MatcalcError``; nothing else escapes the public API.
"""

from __future__ import annotations


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
