"""The grammars of grammar/: package data in an installed wheel, else the folder beside the
package; and ``PYTHON_SYNTAX``, the lock under which matcalc builds Python syntax trees."""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

# CPython 3.11 cannot build two Python syntax trees at once in different threads ("AST
# constructor recursion depth mismatch"): Lark reads a grammar's literals with ast.literal_eval
# and generated code is checked with ast.parse and compiled, so all of these take this lock.
PYTHON_SYNTAX = threading.RLock()


def grammar_text(name: str = "matcalc.lark") -> str:
    """The text of grammar/``name`` (matcalc.lark, formula.lark)."""
    shipped = resources.files("matcalc").joinpath(f"grammar/{name}")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / name).read_text(encoding="utf-8")
