"""Prose with formulas as pure LaTeX: the name of a rule in a derivation,
"cyclic property tr(AB) = tr(BA)", becomes ``\\text{cyclic property }\\operatorname{tr}(AB) =
\\operatorname{tr}(BA)`` — the words in ``\\text{…}``, the formulas in math mode with every
Unicode sign written as its command (ᵀ ``^{\\top}``, ⁻¹ ``^{-1}``, ⊙ ``\\odot``, ‖ ``\\|``,
∂ ``\\partial``, Greek letters, ⇒ ``\\Rightarrow``, …).  The result is ASCII, for MathJax and
for pdfLaTeX alike.

A word is prose when it reads as English: three letters or more with at least two lower-case
ones (and not a function name such as tr, det, exp), a common two-letter word (of, is, as, …),
or the article "a" before another prose word.  Everything else — single letters, runs such as
AB or dX, signs — is mathematics.
"""

from __future__ import annotations

import re
import unicodedata

from .latex import LATEX_GREEK
from .layout import VULGAR

# Function names, always mathematics: name → LaTeX.
FUNCTIONS = {
    "tr": r"\operatorname{tr}", "det": r"\det", "log": r"\log", "exp": r"\exp", "sin": r"\sin",
    "cos": r"\cos", "tan": r"\tan", "tanh": r"\tanh", "diag": r"\operatorname{diag}",
    "vec": r"\operatorname{vec}", "adj": r"\operatorname{adj}", "kron": r"\operatorname{kron}",
    "sigmoid": r"\operatorname{sigmoid}", "relu": r"\operatorname{relu}",
    "softplus": r"\operatorname{softplus}", "sqrt": r"\operatorname{sqrt}", "abs": r"\operatorname{abs}",
    "logdet": r"\log\det", "tril": r"\operatorname{tril}", "triu": r"\operatorname{triu}",
    "sym": r"\operatorname{sym}", "skew": r"\operatorname{skew}", "Re": r"\operatorname{Re}", "Im": r"\operatorname{Im}",
}
# Words that are English unless a "(" follows at once: "sum rule" but sum(X).
CALLS = {"sum": r"\operatorname{sum}", "sign": r"\operatorname{sign}", "trace": r"\operatorname{trace}", "step": r"\operatorname{step}",
         "norm": r"\operatorname{norm}", "ones": r"\operatorname{ones}", "conj": r"\operatorname{conj}",
         "real": r"\operatorname{Re}", "imag": r"\operatorname{Im}"}
ENGLISH_PAIRS = frozenset("of is as an by to in on it or at be if no so up we".split())

SIGNS = {
    "⊙": r"\odot", "⊘": r"\oslash", "⊗": r"\otimes", "⊕": r"\oplus", "∘": r"\circ", "·": r"\cdot",
    "⋅": r"\cdot", "×": r"\times", "−": "-", "–": "-", "—": "-", "∗": "*", "±": r"\pm",
    "‖": r"\|", "⟨": r"\langle", "⟩": r"\rangle", "∂": r"\partial", "∇": r"\nabla", "√": r"\sqrt",
    "𝟙": r"\mathbf{1}", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "→": r"\to", "↦": r"\mapsto",
    "←": r"\leftarrow", "≠": r"\neq", "≤": r"\leq", "≥": r"\geq", "≈": r"\approx", "≡": r"\equiv",
    "∈": r"\in", "∀": r"\forall", "∞": r"\infty", "∑": r"\sum", "…": r"\ldots", "⋯": r"\cdots",
    "⊤": r"\top", "ℓ": r"\ell", "′": "'", "″": "''", "‴": "'''",
    "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "~": r"\sim", "\\": r"\backslash", '"': "''",
}
SIGNS.update({ch: rf"\tfrac{{{p}}}{{{q}}}" for (p, q), ch in VULGAR.items()})
SIGNS.update(LATEX_GREEK)

PUNCTUATION = set(",.:;!?")
BAR = frozenset("\u0304\u0305")  # the combining macron and overline: z̄, the conjugate
ACCENTED = re.compile("[àáâäçèéêëìíîïñòóôöùúûüÀÁÂÄÇÈÉÊËÌÍÎÏÑÒÓÔÖÙÚÛÜ]")  # written by their letter in LaTeX
TOKEN = re.compile(r"(?P<word>[A-Za-z]+(?:-[a-z]{2,}(?![A-Za-z]))*)|(?P<space>\s+)|(?P<other>.)", re.S)


def _script(ch: str) -> str | None:
    """"sup" or "sub" for a superscript or subscript character (ᵀ, ⁻, ¹, ᵏ; ₖ, ᵢ, ₍), else None."""
    decomposition = unicodedata.decomposition(ch)
    return "sup" if decomposition.startswith("<super>") else "sub" if decomposition.startswith("<sub>") else None


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text): word, space, sup (a run of superscripts), sub (of subscripts) or other."""
    out: list[tuple[str, str]] = []
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "other" and (script := _script(m.group())):
            kind = script
        if out and kind in ("sup", "sub") and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + m.group())
        else:
            out.append((kind, m.group()))
    return out


def _is_prose(tokens: list, i: int) -> bool:
    kind, word = tokens[i]
    if kind != "word" or word in FUNCTIONS:
        return False
    following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
    if word in CALLS:
        return following != "("
    if len(word) >= 3:
        return sum(c.islower() for c in word) >= 2
    if len(word) == 2:
        return word.lower() in ENGLISH_PAIRS
    if word == "a" and following.isspace() and i + 2 < len(tokens):
        return _is_prose(tokens, i + 2)
    return False


def _sides(tokens: list) -> list[bool]:
    """For each token, whether it goes into prose (\\text) rather than mathematics."""
    prose = [_is_prose(tokens, i) for i in range(len(tokens))]

    def near(i: int, step: int) -> int | None:  # the nearest token that is not a space
        i += step
        while 0 <= i < len(tokens) and tokens[i][0] == "space":
            i += step
        return i if 0 <= i < len(tokens) else None

    sides = list(prose)
    for i, (kind, text) in enumerate(tokens):
        before, after = near(i, -1), near(i, 1)
        if kind == "space":
            sides[i] = (i > 0 and prose[i - 1]) or (i + 1 < len(tokens) and prose[i + 1])
        elif text in PUNCTUATION:
            sides[i] = before is not None and sides[before]
        elif text == "(":
            sides[i] = after is not None and prose[after]
        elif text == ")":
            sides[i] = before is not None and sides[before]
    for i, (kind, text) in enumerate(tokens):  # ": " and "; " between clauses stay in the prose
        if text in (":", ";") and i + 1 < len(tokens) and tokens[i + 1][0] == "space":
            sides[i] = sides[i + 1] = True
    return sides


def _script_latex(kind: str, run: str, missing: list | None) -> str:
    body = "".join(r"\top " if c == "ᵀ" else r"\mathsf{H} " if c == "ᴴ" else _sign(unicodedata.normalize("NFKC", c), missing) for c in run)
    return ("^{" if kind == "sup" else "_{") + body.strip() + "}"


def _sign(ch: str, missing: list | None) -> str:
    """One character of a formula in LaTeX."""
    if ch in SIGNS:
        return SIGNS[ch]
    if ch.isascii():
        return ch
    letter, *marks = unicodedata.normalize("NFD", ch)
    if letter.isascii() and letter.isalpha() and marks and set(marks) <= BAR:  # Ā, the conjugate of A
        return rf"\bar{{{letter}}}"
    ascii_form = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    if missing is not None:
        missing.append(ch)
    return ascii_form or "?"


def _math(tokens: list, missing: list | None) -> str:
    out = ""
    for i, (kind, text) in enumerate(tokens):
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "word":
            if text in FUNCTIONS or (text in CALLS and following == "("):
                piece = FUNCTIONS.get(text) or CALLS[text]
            elif text == "d" or re.fullmatch(r"d[A-Za-z]", text):
                piece = r"\mathrm{d}" + text[1:]
            else:
                piece = text
        elif kind == "space":
            piece = " "
        elif text in BAR:  # Z̄ written as Z and its mark: \bar{Z}
            out, piece = re.sub(r"([A-Za-z])$", r"\\bar{\1}", out), ""
        elif kind in ("sup", "sub"):
            piece = ("{}" if kind == "sup" and out.endswith("}") and re.search(r"\^\{[^{}]*\}$", out) else "")
            piece += _script_latex(kind, text, missing)
        elif text == "Σ" and tokens[i + 1:i + 2] and tokens[i + 1][0] == "sub":
            piece = r"\sum"  # Σᵢ: a sum over i
        else:
            piece = _sign(text, missing)
        if re.search(r"\\[A-Za-z]+$", out) and piece[:1].isalnum():
            out += " "
        out += piece
    return out


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def prose_latex(text: str, missing: list | None = None) -> str:
    """``text`` — words and formulas in Unicode — as pure ASCII LaTeX for math mode (see the
    module docstring).  A character with no LaTeX form is written by its ASCII letters (or ?)
    and appended to ``missing`` when a list is given."""
    if not _balanced(text):
        text = text.replace("{", "(").replace("}", ")")
    text = ACCENTED.sub(lambda m: unicodedata.normalize("NFD", m[0])[0], text)  # Fréchet → Frechet
    tokens = _tokens(text)
    sides = _sides(tokens)
    out, start = [], 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or sides[i] != sides[start]:
            run = tokens[start:i]
            if sides[start]:
                out.append(r"\text{" + "".join(t for _, t in run) + "}")
            else:
                math = _math(run, missing)
                if out and re.search(r"\\[A-Za-z]+$", out[-1]) and math[:1].isalnum():
                    out.append(" ")
                out.append(math)
            start = i
    return "".join(out)


def latex_number(x: float, digits: int = 2) -> str:
    """A float in LaTeX with ``digits`` significant digits: 6.2 \\times 10^{-12}, 0.5, -3."""
    x = float(x)
    if x != x:
        return r"\mathrm{NaN}"
    if x in (float("inf"), float("-inf")):
        return ("-" if x < 0 else "") + r"\infty"
    mantissa, _, exponent = f"{x:.{digits}g}".partition("e")
    return mantissa + (rf" \times 10^{{{int(exponent)}}}" if exponent else "")
