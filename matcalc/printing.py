"""Printers: textbook Unicode (``to_unicode``) and LaTeX (``to_latex``).

One Printer class per output, on the shared machinery of ``matcalc.printer`` (one precedence
table, one ``parenthesize``); nodes know nothing of printing.

The Unicode form is faithful: ``parse(to_unicode(e)) == e`` for every tree the builders make
(see docs/language.md).  ``KronFactor(C, B, 'left')`` (the adjoint of A ↦ A ⊗ B at C) prints
``⟨C, · ⊗ B⟩`` and the 'right' one ``⟨C, A ⊗ ·⟩``; this form is for reading only and does not
parse.
"""

from __future__ import annotations

import re

import sympy

from . import tree as t
from .printer import (ATOM, PRECEDENCE, PRODUCT, ROOT, VULGAR, Printer, exponent_of,
                      hadamard_pow_as_function, negative, number_value)

__all__ = ["PRECEDENCE", "LatexPrinter", "UnicodePrinter", "to_latex", "to_unicode"]


def _split_name(name: str) -> tuple[str, int, str]:
    """(base, primes, subscript) of a stored symbol name such as ``W_1``, ``x′``, ``W_{out}``."""
    m = re.fullmatch(r"([^\W\d_]+)(\d*)([′″‴']*)(?:_\{?([^{}]+?)\}?)?([′″‴']*)", name)
    if not m:
        return name, 0, ""
    base, digits, p1, sub, p2 = m.groups()
    primes = sum({"″": 2, "‴": 3}.get(ch, 1) for ch in p1 + p2)
    return base, primes, sub or digits


GREEK_NAMES = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
               "pi rho sigma tau upsilon phi chi psi omega").split()
GREEK = dict(zip(GREEK_NAMES, "αβγδεζηθικλμνξοπρστυφχψω"))
GREEK.update(zip((n.capitalize() for n in GREEK_NAMES), "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"))
LATEX_GREEK = {ch: ("\\" + n if not (n[0].isupper() and ch in "ΑΒΕΖΗΙΚΜΝΟΡΤΧ") else
                    "ABEZHIKMNOPTX"["ΑΒΕΖΗΙΚΜΝΟΡΤΧ".index(ch)])
               for n, ch in GREEK.items()}
LATEX_GREEK.update({"ο": "o", "ϵ": r"\epsilon", "ϑ": r"\vartheta", "ϕ": r"\phi", "ς": r"\varsigma", "ℓ": r"\ell"})

# Words the parser reads as one token: a run of one-letter names must not spell one.
RESERVED = set(GREEK) | {
    "exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softplus", "sqrt", "abs", "sign",
    "step", "tr", "trace", "det", "logdet", "inv", "adj", "kron", "diag", "vec", "sum", "norm1",
    "norm2", "ones",
}

SUPERSCRIPT = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
PRIME_MARKS = {1: "′", 2: "″", 3: "‴"}
UNICODE_FUNCTIONS = {"sigmoid": "σ"}


def _sup(k) -> str:
    return str(k).translate(SUPERSCRIPT)


class UnicodePrinter(Printer):
    """Textbook Unicode that parses back to the same tree.  ``names`` are the symbol names in
    use: one-letter factors never spell a multi-letter one (a declared ``DR``), and the sigmoid
    prints ``sigmoid`` rather than ``σ`` when σ is a symbol."""

    def __init__(self, names=frozenset()):
        super().__init__(names)
        self.words = frozenset(n for n in names if len(n) > 1)

    minus = "−"
    GLYPHS = {"transpose": "ᵀ", "inverse": "⁻¹", "inverse transpose": "⁻ᵀ", "nabla": "∇", "d": "d",
              "1-norm": "₁", "slot": "·"}
    OPERATORS = {t.Hadamard: "⊙", t.HadamardDiv: "⊘", t.Kron: "⊗"}
    CONSTANTS = {t.Identity: "I", t.Ones: "𝟙", t.Zero: "0", t.Commutation: "K"}
    NAMED = {t.Trace: "tr", t.Det: "det", t.LogDet: "log det", t.Adj: "adj", t.DiagMat: "diag",
             t.DiagVec: "diag", t.Vec: "vec", t.Unvec: "vec⁻¹"}
    FUNCTIONS = UNICODE_FUNCTIONS

    def paren(self, text: str) -> str:
        return f"({text})"

    def _call(self, name: str, arg: t.Expr) -> str:
        return f"{name}({self.doprint(arg)})"

    def _function(self, name: str) -> str:
        return self.functions.get(name, name)

    @staticmethod
    def _bars(text: str) -> str:
        # A norm inside a norm is bracketed, so that the bars pair unambiguously: ‖(x‖y‖z)‖.
        return f"‖({text})‖" if "‖" in text else f"‖{text}‖"

    @staticmethod
    def _angle(text: str) -> str:
        return f"⟨{text}⟩"

    @staticmethod
    def _int_power(k: int) -> str:
        return _sup(k)

    def _print_Symbol(self, e: t.Symbol) -> str:
        base, primes, sub = _split_name(e.name)
        text = GREEK.get(base, base) + (PRIME_MARKS.get(primes, "′" * primes) if primes else "")
        if sub.isdigit():
            return text + sub.translate(SUBSCRIPT)
        if sub:
            return text + (f"_{sub}" if len(sub) == 1 else f"_{{{sub}}}")
        return text

    def _print_Number(self, e: t.Number) -> str:
        v = number_value(e)
        if negative(e):
            return "−" + self._print_Number(t.Number(-v))
        if not v.is_Number:
            p, q = sympy.fraction(v)
            if q != 1:
                return f"{self.parenthesize(t.Number(p), PRODUCT)}/{self.parenthesize(t.Number(q), ROOT)}"
            text = re.sub(r"\*\*(\d+)", lambda m: _sup(m[1]), sympy.sstr(v))
            return text.replace("*", "").replace("-", "−")
        if v.is_Rational and not v.is_Integer:
            return VULGAR.get((v.p, v.q), f"{v.p}/{v.q}")
        return str(v)

    def _fraction(self, c, texts: list[str], dens: list) -> str:
        if c != 1:
            texts = [self.parenthesize(t.Number(c), ROOT)] + texts
        out = prev = ""
        for text in texts:
            out += ("·" if out and _runs_together(out, prev, text, self.words) else "") + text
            prev = text
        return (out or "1") + "".join("/" + self.parenthesize(d, ROOT) for d in dens)

    @staticmethod
    def _exponent(p) -> str:
        if p.is_Rational and not p.is_Integer:
            return ("−" if p < 0 else "") + f"{abs(p.p)}/{p.q}"
        return sympy.sstr(p).replace("*", "").replace("-", "−")

    def _power(self, e: t.Power) -> str:
        p = exponent_of(e)
        if isinstance(e.base, t.Norm) and e.base.p == 2 and e.base.arg.cols != 1 and p == 2:
            return self._bars(self.doprint(e.base.arg)) + "²_F"
        base = self.parenthesize(e.base, ATOM)
        return base + (_sup(p) if p.is_Integer else f"^{{{self._exponent(p)}}}")

    def _print_HadamardPow(self, e: t.HadamardPow) -> str:
        if hadamard_pow_as_function(e):
            return self._call(self._function(e.base.name) + _sup(exponent_of(e)), e.base.arg)
        return self.parenthesize(e.base, ATOM) + f"^{{∘{self._exponent(exponent_of(e))}}}"

    def _print_Apply(self, e: t.Apply) -> str:
        if (e.name, e.order) == ("sqrt", 0):
            return "√" + self.parenthesize(e.arg, ATOM)
        marks = PRIME_MARKS.get(e.order, f"⁽{_sup(e.order)}⁾" if e.order else "")
        return self._call(self._function(e.name) + marks, e.arg)

    def _print_Partial(self, e) -> str:  # ∂f/∂V named in a derivation (matcalc.derive)
        return f"(∂f/∂{self.doprint(e.var)})"


DIGITS = "0123456789"
LETTERS = "[A-Za-zα-ωΑ-Ωϑϕϵ]"  # the letters a name is made of (docs/language.md, Symbols)


def _runs_together(out: str, prev: str, right: str, words: frozenset) -> bool:
    """Whether ``right`` juxtaposed after ``out`` (whose last factor is ``prev``) would read
    differently: two numbers, a name then a digit, a multi-letter name next to a letter, or
    one-letter names spelling a word read as one token (tr, pi, exp, a declared name in
    ``words``, …)."""
    if out[-1] in DIGITS and (right[0] in DIGITS or right[0] in "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"):
        return True
    tail = re.search(LETTERS + "*$", out)[0]
    if not tail:
        return False
    if right[0] in DIGITS:
        return True
    head = re.match(LETTERS + "*", right)[0]
    if not head:
        return False
    if len(head) > 1 or len(re.search(LETTERS + "*$", prev)[0]) > 1:
        return True
    run = tail + head
    return any(w in run and w not in tail and w not in head for w in RESERVED | words)


LATEX_FUNCTIONS = {
    "exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan",
    "tanh": r"\tanh", "sigmoid": r"\sigma",
}


def _latex_word(word: str) -> str:
    """A name in LaTeX: Greek letters as commands, one letter as is, longer words upright."""
    if len(word) == 1:
        return LATEX_GREEK.get(word, word) if word.isascii() or word in LATEX_GREEK else rf"\text{{{word}}}"
    if word in GREEK:
        return LATEX_GREEK[GREEK[word]]
    return rf"\mathrm{{{word}}}" if word.isascii() else rf"\text{{{word}}}"


class LatexPrinter(Printer):
    """LaTeX for MathJax with the same structure as the Unicode form."""

    minus = "-"
    GLYPHS = {"transpose": r"^{\top}", "inverse": "^{-1}", "inverse transpose": r"^{-\top}",
              "nabla": r"\nabla ", "d": r"\mathrm{d}", "1-norm": "_1", "slot": r"\cdot"}
    OPERATORS = {t.Hadamard: r"\odot", t.HadamardDiv: r"\oslash", t.Kron: r"\otimes"}
    CONSTANTS = {t.Identity: "I", t.Ones: r"\mathbf{1}", t.Zero: "0"}
    NAMED = {t.Trace: r"\operatorname{tr}", t.Det: r"\det", t.LogDet: r"\log\det",
             t.Adj: r"\operatorname{adj}", t.DiagMat: r"\operatorname{diag}",
             t.DiagVec: r"\operatorname{diag}", t.Vec: r"\operatorname{vec}",
             t.Unvec: r"\operatorname{vec}^{-1}"}
    FUNCTIONS = LATEX_FUNCTIONS  # with σ a symbol, the sigmoid is \operatorname{sigmoid}, as in Unicode

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def _print_Commutation(self, e: t.Commutation) -> str:
        return f"K_{{{sympy.latex(e.m)},{sympy.latex(e.n)}}}"

    def _call(self, name: str, arg: t.Expr) -> str:
        return name + self.paren(self.doprint(arg))

    def _function(self, name: str) -> str:
        if name in self.functions:
            return self.functions[name]
        return _latex_word(name) if len(name) == 1 else rf"\operatorname{{{name}}}"

    @staticmethod
    def _bars(text: str) -> str:
        return rf"\left\lVert {text} \right\rVert"

    @staticmethod
    def _angle(text: str) -> str:
        return rf"\left\langle {text} \right\rangle"

    @staticmethod
    def _int_power(k: int) -> str:
        return f"^{{{k}}}"

    def _print_Symbol(self, e: t.Symbol) -> str:
        base, primes, sub = _split_name(e.name)
        if len(base) > 1 and base not in GREEK:
            text = rf"\mathit{{{base}}}" if base.isascii() else rf"\text{{{base}}}"
        else:
            text = _latex_word(base)
        text += "'" * primes
        if sub:
            simple = sub.isdigit() or (len(sub) == 1 and sub.isascii())
            text += f"_{{{sub if simple else _latex_word(sub)}}}"
        return text

    def _print_Number(self, e: t.Number) -> str:
        v = number_value(e)
        if negative(e):
            return "-" + self._print_Number(t.Number(-v))
        if not v.is_Number:
            return sympy.latex(v)
        if v.is_Rational and not v.is_Integer:
            return rf"\tfrac{{{v.p}}}{{{v.q}}}"
        return str(v)

    def _fraction(self, c, texts: list[str], dens: list) -> str:
        lead = ""
        if c != 1 and c.is_Integer:
            texts = [str(c)] + texts
        elif c != 1:
            lead = self.doprint(t.Number(c)) if c.is_Rational else self.parenthesize(t.Number(c), ROOT)
        if dens:
            den = self._join([self.doprint(d) for d in dens])
            texts = [rf"\frac{{{self._join(texts) or '1'}}}{{{den}}}"]
        return self._join([lead] + texts)

    @staticmethod
    def _join(texts: list[str]) -> str:
        """Juxtaposition: a space after a control word, \\cdot between two numbers."""
        out = ""
        for text in filter(None, texts):
            if out and out[-1].isdigit() and text[0].isdigit():
                out += r" \cdot "
            elif re.search(r"\\[A-Za-z]+$", out) and text[0].isalpha():
                out += " "
            out += text
        return out

    @staticmethod
    def _exponent(p) -> str:
        return sympy.sstr(p) if p.is_Number else sympy.latex(p)

    def _power(self, e: t.Power) -> str:
        return self.parenthesize(e.base, ATOM) + f"^{{{self._exponent(exponent_of(e))}}}"

    def _print_HadamardPow(self, e: t.HadamardPow) -> str:
        if hadamard_pow_as_function(e):
            return self._call(f"{self._function(e.base.name)}^{{{exponent_of(e)}}}", e.base.arg)
        return self.parenthesize(e.base, ATOM) + rf"^{{\circ {self._exponent(exponent_of(e))}}}"

    def _print_Apply(self, e: t.Apply) -> str:
        if (e.name, e.order) == ("sqrt", 0):
            return rf"\sqrt{{{self.doprint(e.arg)}}}"
        marks = "'" * e.order if e.order <= 3 else f"^{{({e.order})}}"
        return self._call(self._function(e.name) + marks, e.arg)

    def _print_Partial(self, e) -> str:  # ∂f/∂V named in a derivation (matcalc.derive)
        return rf"\frac{{\partial f}}{{\partial {self.doprint(e.var)}}}"


def _names(e: t.Expr) -> set:
    """The names of e's symbols, without subscript or primes (W for W_1)."""
    return {_split_name(s.name)[0] for s in e.free_symbols}


def to_unicode(e: t.Expr) -> str:
    """Textbook Unicode of ``e``; ``parse`` reads it back to ``e``."""
    return UnicodePrinter(_names(e)).print_tree(e)


def to_latex(e: t.Expr) -> str:
    """LaTeX of ``e`` (for MathJax): the structure of ``to_unicode`` with LaTeX commands."""
    return LatexPrinter(_names(e)).print_tree(e)
