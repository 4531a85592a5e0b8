"""Python identifiers for symbols and dimensions.

A symbol's canonical name becomes an ASCII identifier by a fixed spelling: subscripts stay
(W₁ → W_1), Greek letters are spelled out (Σ → Sigma, μ → mu), λ, a keyword, gets a trailing
underscore (lambda_), primes are spelled (x′ → x_prime), a bar or hat accent follows the letter
(x̄ → x_bar, ŷ → y_hat), and any other character becomes _u<code>.  An identifier that is a
keyword or a name the generated code uses itself gets a trailing underscore; two symbols that
would share an identifier are told apart by a number.  ``IDENTIFIER`` is the only form a name
in generated code has.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

from ..language.names import GREEK

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
GREEK_WORDS = {letter: word for word, letter in GREEK.items()}
ACCENTS = {"\u0304": "_bar", "\u0302": "_hat", "\u0303": "_tilde", "\u0307": "_dot"}
SPELLED = {"′": "_prime", "″": "_prime2", "‴": "_prime3", "'": "_prime"}
# Names the generated code uses itself: the backends' modules and the builtins it calls.
RESERVED = frozenset({"np", "jnp", "jax", "torch", "float", "int", "abs", "range", "len", "tuple", "math",
                      "ValueError", "print", "check_gradient"})


def spell(name: str) -> str:
    """The ASCII identifier of a canonical symbol name (before collisions are resolved)."""
    out = []
    for ch in unicodedata.normalize("NFD", name):
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            out.append(ch)
        elif ch in GREEK_WORDS:
            out.append(GREEK_WORDS[ch])
        elif ch in ACCENTS:
            out.append(ACCENTS[ch])
        elif ch in SPELLED:
            out.append(SPELLED[ch])
        else:
            out.append(f"_u{ord(ch):04x}")
    text = "".join(out)
    if not text or not text[0].isalpha():
        text = "v" + text
    if keyword.iskeyword(text) or text in RESERVED:
        text += "_"
    return text


def identifiers(names, taken=()) -> dict[str, str]:
    """{name: identifier} for each name in order: distinct, valid, none in ``taken``."""
    used = set(taken)
    out = {}
    for name in names:
        base = spell(name)
        ident, k = base, 2
        while ident in used:
            ident, k = f"{base}_{k}", k + 1
        if not IDENTIFIER.match(ident) or keyword.iskeyword(ident):  # pragma: no cover - spell() guarantees it
            raise ValueError(f"not an identifier: {ident!r}")
        used.add(ident)
        out[name] = ident
    return out
