"""The grammars of grammar/: package data in an installed wheel, else the folder beside the
package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def grammar_text(name: str = "matcalc.lark") -> str:
    """The text of grammar/``name`` (matcalc.lark, formula.lark)."""
    shipped = resources.files("matcalc").joinpath(f"grammar/{name}")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / name).read_text(encoding="utf-8")
