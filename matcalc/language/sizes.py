"""Sizes written as subscripts: ``I_n``, ``𝟙_n``, ``0_{m×n}``, ``𝟙_{m×n}``, ``K_{m,n}``,
``vec⁻¹_{m×n}(v)`` (docs/language.md, "Sized constants").

A size is a product of an integer and dimension names, each with a power: ``n``, ``5``,
``mn``, ``2n``, ``n²``, ``n1·n2``, ``d_k·n``.  Factors are juxtaposed when every name is one
letter, else set apart by ``·``; a subscript longer than one character is braced.
``subscript`` writes one (the printers); ``read_sizes`` reads one back into specs
``(coefficient, names)`` — names repeated for a power — that shape inference turns into
dimensions (the declared dimension names are matched longest first).
"""

from __future__ import annotations

import re

import sympy

from .dims import show_dim
from .exact import exact

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FROM_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
WRITTEN = {"𝟙": "𝟙_n or 𝟙_{m×n}", "0": "0_n or 0_{m×n}", "I": "I_n", "K": "K_{m,n}", "vec⁻¹": "vec⁻¹_{m×n}(v)"}
_NAME = re.compile(r"[A-Za-zα-ωΑ-Ω](?:[0-9]+|_[A-Za-z0-9]+)?")
_POWER = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def size_text(d) -> str:
    """One dimension as a subscript writes it: 5, n, mn, 2n, n², n1·n2 (show_dim otherwise)."""
    d = exact(d)
    if d.is_Integer:
        return str(d)
    coef, rest = d.as_coeff_Mul()
    factors = []
    for f in sympy.Mul.make_args(rest):
        base, power = f.as_base_exp()
        if not (base.is_Symbol and power.is_Integer and power > 0):
            return show_dim(d)
        factors.append((base.name, int(power)))
    if not coef.is_Integer or coef < 1:
        return show_dim(d)
    sep = "" if all(len(name) == 1 for name, _ in factors) else "·"
    body = sep.join(name + (str(p).translate(SUPERSCRIPT) if p > 1 else "") for name, p in sorted(factors))
    return ("" if coef == 1 else str(coef)) + body


def subscript(dims, sep: str = "×") -> str:
    """``_n`` or ``_{…}``: the sizes ``dims`` joined by ``sep`` (× for a shape, , for K)."""
    text = sep.join(size_text(d) for d in dims)
    return f"_{text}" if len(text) == 1 else f"_{{{text}}}"


def read_subscript(text: str, names, what: str, counts: tuple) -> tuple:
    """The specs of the subscript ``text`` (``_n``, ``_{m×n}``, ``₂``) of ``what`` (a key of
    WRITTEN), which takes as many sizes as one of ``counts``."""
    raw = text.lstrip("_").strip().translate(FROM_SUBSCRIPT)
    raw = raw[1:-1] if raw.startswith("{") and raw.endswith("}") else raw
    try:
        sizes = read_sizes(raw, names)
    except ValueError as exc:
        raise ValueError(f"{exc}, in the size of {what}") from None
    if len(sizes) not in counts:
        raise ValueError(f"{what} takes {' or '.join(('one size', 'two sizes')[c - 1] for c in counts)}: write {WRITTEN[what]}")
    return sizes


def read_sizes(text: str, names=()) -> tuple:
    """The specs of a subscript's text (without ``_`` and braces): one per size, split at ×
    or ,.  ``names`` are the declared dimension names.  ValueError says what is wrong."""
    parts = re.split(r"\s*[×,]\s*", text.strip())
    return tuple(_read_size(p, sorted(names, key=len, reverse=True)) for p in parts)


def _read_size(text: str, names: list) -> tuple:
    if not text:
        raise ValueError("a size is missing")
    m = re.match(r"[0-9]+", text)
    coef, i = (int(m.group()), m.end()) if m else (1, 0)
    if coef < 1:
        raise ValueError(f"a size must be at least 1, not {text!r}")
    factors: list = []
    while i < len(text):
        if text[i] in "·⋅* ":
            i += 1
            continue
        name = next((n for n in names if text.startswith(n, i) and not text[i + len(n):i + len(n) + 1].isdigit()), None)
        if name is None:
            m = _NAME.match(text, i)
            if m is None:
                raise ValueError(f"{text!r} is not a size (write a dimension such as n, mn, 2n or n²)")
            name = m.group()
        i += len(name)
        m = _POWER.match(text, i)
        power = int(m.group().translate(FROM_SUPERSCRIPT)) if m else 1
        i = m.end() if m else i
        if power < 1:
            raise ValueError(f"a power in a size must be at least 1, in {text!r}")
        factors.extend([name] * power)
    return coef, tuple(factors)
