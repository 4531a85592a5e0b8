"""The Unicode printer: textbook text, ``to_unicode``.

Faithful: ``parse(to_unicode(e)) == e`` for every tree the builders make (see
docs/language.md), given the declarations of its symbols.  Constants carry their size where
the rest does not fix it (``I_n``, ``𝟙_n``, ``𝟙_{m×n}``, always ``0_{m×n}``, ``K_{m,n}``,
``vec⁻¹_{m×n}(v)``); ``KronFactor(C, B, 'left')`` (the adjoint of A ↦ A ⊗ B at C) prints
``⟨C, · ⊗ B⟩`` and the 'right' one ``⟨C, A ⊗ ·⟩``.
"""

from __future__ import annotations

import re

import sympy

from .. import expr as t
from ..language.names import GREEK
from ..language.sizes import subscript
from ..language.vocabulary import RESERVED, SPECTRAL
from .factors import BINDS, named_factors
from .layout import (ATOM, PRODUCT, ROOT, VULGAR, Printer, base_names, exponent_of, hadamard_pow_as_function,
                     negative, number_value, split_symbol_name)

SUPERSCRIPT = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
PRIME_MARKS = {1: "′", 2: "″", 3: "‴"}
UNICODE_FUNCTIONS = {"sigmoid": "σ", "log_sigmoid": "logσ"}


def _sup(k) -> str:
    return str(k).translate(SUPERSCRIPT)


class UnicodePrinter(Printer):
    """Textbook Unicode that parses back to the same tree.  ``names`` are the symbol names in
    use: one-letter factors never spell a multi-letter one (a declared ``DR``), and the sigmoid
    prints ``sigmoid`` rather than ``σ`` when σ is a symbol."""

    def __init__(self, names=frozenset(), functions=frozenset(), dimensions=frozenset()):
        super().__init__(names)
        self.words = frozenset(n for n in set(names) | set(functions) if len(n) > 1)
        self.dimensions = dimensions  # dimensions that read back as numbers by their names

    minus = "−"
    GLYPHS = {"transpose": "ᵀ", "inverse": "⁻¹", "inverse transpose": "⁻ᵀ", "hermitian": "ᴴ",
              "inverse hermitian": "⁻ᴴ", "nabla": "∇", "d": "d",
              "max-norm": "_∞", "1-norm": "₁", "slot": "·", "spectral norm": "₂", "nuclear norm": "_*"}
    OPERATORS = {t.Hadamard: "⊙", t.HadamardDiv: "⊘", t.Kron: "⊗"}
    CONSTANTS = {t.Identity: "I", t.Ones: "𝟙", t.Zero: "0", t.Commutation: "K"}
    NAMED = {t.Trace: "tr", t.Det: "det", t.LogDet: "log det", t.Adj: "adj", t.DiagMat: "diag",
             t.DiagVec: "diag", t.Vec: "vec", t.Unvec: "vec⁻¹", t.Conj: "conj", t.Real: "real",
             t.Imag: "imag", t.TriangularPart: {"lower": "tril", "upper": "triu"},
             t.Softmax: "softmax", t.LogSoftmax: "logsoftmax", t.LogSumExp: "logsumexp",
             t.Mean: "mean", t.Var: "var", t.Std: "std"}
    FUNCTIONS = UNICODE_FUNCTIONS
    SPECTRAL = {word: word for word in SPECTRAL}
    FACTOR_NAMES = {"u_1": "u₁", "v_1": "v₁", "UV": "UVᵀ", "v": "v", "w": "w"}

    def where(self, clauses) -> str:
        """`` where X = UΣVᵀ (σ₁ simple)``, `` where Sv = λ_max(S)v (λ_max simple)``, joined by "; "."""
        out = []
        for c in clauses:
            matrix, assumed = to_unicode(c.matrix), ", ".join(c.assumptions)
            if c.kind == "svd":
                out.append(f"{matrix} = UΣVᵀ ({assumed})")
            else:
                v = self.FACTOR_NAMES[BINDS[c.kind][0]]
                lhs = self.paren(matrix) if self.precedence(c.matrix) < ATOM else matrix  # S as in λ_max(S)
                out.append(f"{lhs}{v} = λ_{c.kind}({matrix}){v} ({assumed})")
        return "".join(" where " + "; ".join(out) for _ in out[:1])

    def paren(self, text: str) -> str:
        return f"({text})"

    @staticmethod
    def _size(dims, sep: str = "×") -> str:
        return subscript(dims, sep)

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
        base, primes, sub = split_symbol_name(e.name)
        text = GREEK.get(base, base) + (PRIME_MARKS.get(primes, "′" * primes) if primes else "")
        if sub.isdigit():
            return text + sub.translate(SUBSCRIPT)
        if sub:
            return text + (f"_{sub}" if len(sub) == 1 else f"_{{{sub}}}")
        return text

    @staticmethod
    def _bar(text: str) -> str:
        return text + "\u0304"

    def _print_Number(self, e: t.Number) -> str:
        v = number_value(e)
        if v.has(sympy.I):  # 2i, −i/2, 3i + 1 (ⅈ when i is a symbol)
            unit = sympy.Symbol("ⅈ" if "i" in self.names else "i")
            text = sympy.sstr(v.xreplace({sympy.I: unit}))
            return text.replace("*", "").replace("-", "−")
        if negative(e):
            return "−" + self._print_Number(t.Number(-v))
        if not v.is_Number:
            p, q = sympy.fraction(v)
            if q != 1:
                return f"{self.parenthesize(t.Number(p), PRODUCT)}/{self.parenthesize(t.Number(q), ROOT)}"
            # a dimension n as a number is n where the symbols' shapes declare it, else tr(I_n)
            sizes = {d: sympy.Symbol(d.name if d in self.dimensions else f"tr(I{subscript((d,))})")
                     for d in v.free_symbols}
            text = re.sub(r"\*\*(\d+)", lambda m: _sup(m[1]), sympy.sstr(v.xreplace(sizes)))
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

    def _print_Partial(self, e) -> str:  # ∂f/∂V named in a derivation (matcalc.results.derivation)
        return f"(∂f/∂{self.doprint(e.var)})"


DIGITS = "0123456789"
LETTERS = "[A-Za-zα-ωΑ-Ωϑϕϵ]"  # the letters a name is made of (docs/language.md, Symbols)


def _runs_together(out: str, prev: str, right: str, words: frozenset) -> bool:
    """Whether ``right`` juxtaposed after ``out`` (whose last factor is ``prev``) would read
    differently, or read as a misspelt word: two numbers, a name then a digit, the symbol σ
    then "(" (the sigmoid), a multi-letter name next to a letter (X·exp(b), c·DR), or
    one-letter names spelling a word read as one token (tr, pi, exp, a declared name in
    ``words``, …).  After a subscript a function needs nothing: W₂tanh(x)."""
    if out[-1] in DIGITS and (right[0] in DIGITS or right[0] in "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"):
        return True
    if right.startswith("vec") and re.search(LETTERS + "[₀-₉]*$", out):  # W₁vec⁻¹… splits as W₁·v·e·c⁻¹
        return True
    tail = re.search(LETTERS + "*$", out)[0]
    if not tail:
        return False
    if right[0] in DIGITS or (right[0] == "(" and tail[-1] == "σ"):
        return True
    head = re.match(LETTERS + "*", right)[0]
    if not head:
        return False
    if len(head) > 1 or len(re.search(LETTERS + "*$", prev)[0]) > 1:
        return True
    run = tail + head
    return any(w in run and w not in tail and w not in head for w in RESERVED | words)


def to_unicode(e: t.Expr) -> str:
    """Textbook Unicode of ``e``; ``parse`` reads it back to ``e``."""
    names, clauses = named_factors(e, {s.name for s in (*e.free_symbols, *e.origin)})
    printer = UnicodePrinter(base_names(e) | set(names.values()), function_names(e), declared_dimensions(e))
    printer.factor_names = names
    return printer.print_tree(e) + printer.where(clauses)


def declared_dimensions(e: t.Expr) -> frozenset:
    """The dimensions in the shapes of e's symbols and of those it remembers, named by one
    letter that no symbol takes: declared with those symbols, ``n`` reads back as that number."""
    symbols = {*e.free_symbols, *e.origin}
    taken = {s.name for s in symbols}
    dims = {d for s in symbols for size in s.shape for d in size.free_symbols}
    return frozenset(d for d in dims if re.fullmatch(r"[A-Za-z]", d.name) and d.name not in taken)


def function_names(e: t.Expr) -> set:
    """The names of the user and elementwise functions applied in ``e``."""
    return {n.name for n in t.walk(e) if isinstance(n, (t.Apply, t.Call, t.Grad))}
