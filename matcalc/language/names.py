"""Names of symbols: their canonical spelling and the ways to write them.

``canonical_name`` gives the stored spelling of a name (W1, W_1, W₁ → W_1; alpha → α;
x_{i} → x_i); ``spellings`` the ways to write a canonical name inside a run of letters.
"""

from __future__ import annotations

import re

GREEK_LOWER = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
).split()
GREEK = {w: chr(0x03B1 + i + (i >= 17)) for i, w in enumerate(GREEK_LOWER)}
GREEK.update({w.capitalize(): chr(0x0391 + i + (i >= 17)) for i, w in enumerate(GREEK_LOWER)})

LETTER = r"[A-Za-zα-ωΑ-Ωϑϕϵ]"
PRIMES = {"′": 1, "″": 2, "‴": 3, "'": 1}
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789aeoxhklmnpstij"))
_SUB = "".join(SUBSCRIPTS)
_NAME = re.compile(
    rf"(?P<base>[A-Za-z]+|{LETTER})(?P<digits>[0-9]*)(?P<p1>[′″‴']*)"
    rf"(?:_(?:\{{(?P<braced>[^{{}}]+)\}}|(?P<plain>[A-Za-z0-9α-ωΑ-Ω]+))|(?P<usub>[{_SUB}]+))?"
    rf"(?P<p2>[′″‴']*)"
)
# One symbol inside a run of letters: a letter, digits, primes and a one-letter, digits or
# braced subscript (x_ij is x_i·j).
ATOM = re.compile(
    rf"{LETTER}[0-9]*[′″‴]*(?:_(?:\{{[A-Za-z0-9α-ωΑ-Ω,_·⁰¹²³⁴⁵⁶⁷⁸⁹]+\}}|[0-9]+|[A-Za-zα-ωΑ-Ω])|[{_SUB}]+)?[′″‴]*"
)
DECORATION = set("0123456789_{′″‴'") | set(SUBSCRIPTS)


def atoms(run: str, spelled=()) -> list[tuple[int, int, str]]:
    """The symbols of a run of letters as (start, end, canonical name): at each position the
    longest declared spelling of ``spelled`` ((spelling, name) pairs, longest first) that does
    not stop inside a decoration, else one letter with its digits, primes and subscript."""
    out, i = [], 0
    while i < len(run):
        for spelling, name in spelled:
            j = i + len(spelling)
            if run.startswith(spelling, i) and (j == len(run) or run[j] not in DECORATION):
                break
        else:
            m = ATOM.match(run, i)
            j = i + (len(m.group()) if m else 1)
            name = canonical_name(run[i:j])
        out.append((i, j, name))
        i = j
    return out


def _prime_count(text: str) -> int:
    return sum(PRIMES[c] for c in text)


def canonical_name(name: str) -> str:
    """The stored spelling of a name: W1, W_1, W₁ → W_1; x_{i} → x_i; alpha → α; Sigma → Σ."""
    text = str(name).strip()
    m = _NAME.fullmatch(text)
    if m is None:
        return text
    base = GREEK.get(m["base"], m["base"])
    sub = m["digits"] + (m["braced"] or m["plain"] or "".join(SUBSCRIPTS[c] for c in m["usub"] or ""))
    primes = "′" * _prime_count(m["p1"] + m["p2"])
    return base + (f"_{sub}" if sub else "") + primes


def is_greek_word(run: str) -> bool:
    """Whether ``run`` is an ASCII Greek name with its digits, primes and subscript (alpha_1)."""
    m = _NAME.fullmatch(run)
    return m is not None and m["base"] in GREEK


def split_name(name: str) -> tuple[str, str, int]:
    """(base, subscript, number of primes) of a canonical name."""
    primes = len(name) - len(name.rstrip("′"))
    core = name[: len(name) - primes]
    base, _, sub = core.partition("_")
    return base, sub, primes


def spellings(name: str) -> set[str]:
    """Ways to write the canonical ``name`` inside a run of letters (W_1: W1, W_1, W₁, W_{1})."""
    base, sub, primes = split_name(name)
    tail = "′" * primes
    bases = {base} | {w for w, g in GREEK.items() if g == base}
    subs = {""} if not sub else {f"_{sub}", f"_{{{sub}}}"}
    if sub.isdigit():
        subs |= {sub, "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in sub)}
    return {b + s + tail for b in bases for s in subs} | {name}


