"""Printers: textbook Unicode (``to_unicode``) and LaTeX (``to_latex``).

Designed after SymPy's printing/printer.py: one Printer class per output, with a
``_print_<ClassName>`` method per node class (dispatch on the node's class; an unknown class
raises TypeError), ONE precedence table (``PRECEDENCE``) shared by both printers and one
``parenthesize(child, level)`` helper.  Nodes know nothing of printing.

The Unicode form is faithful: ``parse(to_unicode(e)) == e`` for every tree the builders make
(see docs/language.md).  A ``Scale`` is printed in the flat form ``c F₁F₂…/d`` when re-reading
that text — products built left to right, ``/d`` a product by ``d⁻¹``, a leading ``−`` a
negation — rebuilds the same node with the tree builders; otherwise its factor is parenthesised.
``KronFactor(C, B, 'left')`` (the adjoint of A ↦ A ⊗ B at C) prints ``⟨C, · ⊗ B⟩`` and the
'right' one ``⟨C, A ⊗ ·⟩``; this form is for reading only and does not parse.
"""

from __future__ import annotations

import re

import sympy

from . import tree as t
from .errors import MatcalcError

# ---- precedence, loosest to tightest (docs/language.md, "Operators") -----------------------

SUM, SIGN, PRODUCT, PREFIX, ELEMENTWISE, ROOT, POSTFIX, ATOM = range(1, 9)

VULGAR = {
    (1, 2): "½", (1, 3): "⅓", (2, 3): "⅔", (1, 4): "¼", (3, 4): "¾", (1, 5): "⅕", (2, 5): "⅖",
    (3, 5): "⅗", (4, 5): "⅘", (1, 6): "⅙", (5, 6): "⅚", (1, 8): "⅛", (3, 8): "⅜", (5, 8): "⅝",
    (7, 8): "⅞",
}


def _val(e: t.Number) -> sympy.Expr:
    return sympy.sympify(e.value)


def _exp(e) -> sympy.Expr:
    return sympy.sympify(e.exponent)


def _number_precedence(e: t.Number) -> int:
    v = _val(e)
    if v.is_Number:
        if v < 0:
            return SIGN
        if v.is_Rational and not v.is_Integer and (v.p, v.q) not in VULGAR:
            return PRODUCT
        return ATOM
    if v.could_extract_minus_sign():
        return SIGN
    if v.is_Add:
        return SUM
    if v.is_Mul or sympy.fraction(v)[1] != 1:
        return PRODUCT
    return POSTFIX if v.is_Pow else ATOM


def _hadamard_pow_as_function(e: t.HadamardPow) -> bool:
    """tanh²(Z) for tanh(Z)^{∘2}: a plain elementwise function to a positive integer power."""
    b = e.base
    return (isinstance(b, t.Apply) and b.order == 0 and b.name != "sqrt"
            and _exp(e).is_Integer and _exp(e) > 0)


PRECEDENCE = {
    t.Add: SUM,
    t.Scale: lambda e: SIGN if _negative(e) else PRODUCT,
    t.MatMul: PRODUCT,
    t.Hadamard: ELEMENTWISE,
    t.HadamardDiv: ELEMENTWISE,
    t.Kron: ELEMENTWISE,
    t.Apply: lambda e: ROOT if (e.name, e.order) == ("sqrt", 0) else ATOM,
    t.Transpose: POSTFIX,
    t.Inverse: POSTFIX,
    t.MatPow: POSTFIX,
    t.Power: lambda e: PRODUCT if _exp(e) == -1 else POSTFIX,
    t.HadamardPow: lambda e: ATOM if _hadamard_pow_as_function(e) else POSTFIX,
    t.Number: _number_precedence,
    t.Broadcast: lambda e: precedence(e.arg),
}


def precedence(e: t.Expr) -> int:
    """The binding strength of ``e`` as printed (ATOM for names, calls and bracketed forms)."""
    rule = PRECEDENCE.get(type(e), ATOM)
    return rule(e) if callable(rule) else rule


# ---- signs and products (shared structure) -------------------------------------------------


def _negative(e: t.Expr) -> bool:
    """Whether ``e`` prints with a leading minus (a negative leading coefficient)."""
    if isinstance(e, t.Number):
        v = _val(e)
        return bool(v < 0) if v.is_Number else v.could_extract_minus_sign()
    if isinstance(e, t.Scale):
        return _negative(e.factor)
    return False


def _negate(e: t.Expr) -> t.Expr:
    """``e`` with its leading coefficient negated (structurally, so that neg(_negate(e)) = e)."""
    if isinstance(e, t.Number):
        return t.Number(-_val(e))
    f = _negate(e.factor)
    return e.operand if t.is_number(f, 1) else t.Scale(f, e.operand)


def _flatten(e: t.Expr, operand: bool) -> tuple:
    """(c, pieces, denominators) with e = c·piece₁·piece₂·…/(d₁d₂…); on the ``operand`` side a
    matrix product contributes its factors, on the factor side it is one piece."""
    if isinstance(e, t.Number):
        p, q = sympy.fraction(_val(e)) if not _val(e).is_Number else (_val(e), sympy.Integer(1))
        return p, [], ([t.Number(q)] if q != 1 else [])
    if isinstance(e, t.Power) and _exp(e) == -1:
        return sympy.Integer(1), [], [e.base]
    if isinstance(e, t.Scale):
        c1, p1, d1 = _flatten(e.factor, False)
        c2, p2, d2 = _flatten(e.operand, operand)
        return c1 * c2, p1 + p2, d1 + d2
    if operand and isinstance(e, t.MatMul):
        return sympy.Integer(1), list(e.factors), []
    return sympy.Integer(1), [e], []


def _reread(c, pieces: list, dens: list) -> t.Expr | None:
    """The tree the parser builds from the text ``c piece₁ piece₂ … /d₁ /d₂``."""
    try:
        items = ([t.Number(c)] if c != 1 else []) + pieces
        r = items[0] if items else t.Number(sympy.Integer(1))
        for p in items[1:]:
            r = t.mul(r, p)
        for d in dens:
            r = t.mul(r, t.power(d, -1))
        return r
    except MatcalcError:
        return None


def _product_layout(e: t.Expr) -> tuple:
    """(c, pieces, dens) to print the positive product ``e`` flat, or (1, [factor, …], [])."""
    if isinstance(e, t.MatMul):
        return sympy.Integer(1), list(e.factors), []
    c, pieces, dens = _flatten(e, True)
    if _reread(c, pieces, dens) == e:
        return c, pieces, dens
    if isinstance(e, t.Scale):
        operand = list(e.operand.factors) if isinstance(e.operand, t.MatMul) else [e.operand]
        return sympy.Integer(1), [e.factor] + operand, []
    return None  # a reciprocal the builders would fold (1/2 as Power(2, −1))


# ---- the printers --------------------------------------------------------------------------


class Printer:
    """Dispatch on the node class and parenthesise by the shared precedence table."""

    def __init__(self):
        self._memo: dict = {}

    def print_tree(self, root: t.Expr) -> str:
        """``root`` printed, children first, so that deep trees need no deep recursion."""
        stack, seen = [(root, False)], set()
        while stack:
            node, expanded = stack.pop()
            if expanded:
                self.doprint(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in node.children())
        return self.doprint(root)

    def doprint(self, e: t.Expr) -> str:
        key = id(e)
        if key not in self._memo:
            for cls in type(e).__mro__:
                method = getattr(self, f"_print_{cls.__name__}", None)
                if method is not None:
                    break
            else:
                raise TypeError(f"{type(self).__name__} cannot print a {type(e).__name__} node")
            self._memo[key] = (e, method(e))
        return self._memo[key][1]

    def paren(self, text: str) -> str:
        raise NotImplementedError

    def parenthesize(self, child: t.Expr, level: int, strict: bool = False) -> str:
        """``child`` printed, bracketed when it binds looser than ``level`` (or as loose, if strict)."""
        p = precedence(child)
        text = self.doprint(child)
        return self.paren(text) if p < level or (strict and p == level) else text

    def _factor(self, e: t.Expr, last: bool) -> str:
        """A factor of a product: sums, signs, products, ⊙ ⊘ ⊗ and a non-final √ bracketed."""
        p = precedence(e)
        wrap = p <= PRODUCT or p == ELEMENTWISE or (p == ROOT and not last)
        return self.paren(self.doprint(e)) if wrap else self.doprint(e)

    def _signless(self, e: t.Expr) -> str:
        """The text after the minus sign of a negative ``e``."""
        n = _negate(e)
        p = precedence(n)
        # −A ⊗ B reads as −(A ⊗ B): a Kronecker product needs no bracket after a sign.
        wrap = p < PRODUCT or (p == ELEMENTWISE and not isinstance(n, t.Kron))
        return self.paren(self.doprint(n)) if wrap else self.doprint(n)

    def _product(self, e: t.Expr) -> str:
        if _negative(e):
            return self.minus + self._signless(e)
        layout = _product_layout(e)
        if layout is None:
            return self._power(e)
        c, pieces, dens = layout
        texts = [self._factor(p, i == len(pieces) - 1) for i, p in enumerate(pieces)]
        return self._fraction(c, texts, dens)

    _print_Scale = _print_MatMul = _product

    def _print_Add(self, e: t.Add) -> str:
        out = []
        for i, term in enumerate(e.terms):
            if _negative(term):
                out.append((self.minus if i == 0 else f" {self.minus} ") + self._signless(term))
            else:
                level = SUM if i == 0 else SIGN  # a later term may not start with a sign
                out.append(("" if i == 0 else " + ") + self.parenthesize(term, level, strict=True))
        return "".join(out)

    def _print_Power(self, e: t.Power) -> str:
        return self._product(e) if _exp(e) == -1 else self._power(e)

    # ---- postfix, elementwise and named forms, from each printer's glyph tables
    def _print_Transpose(self, e: t.Transpose) -> str:
        return self.parenthesize(e.arg, ATOM) + self.GLYPHS["transpose"]

    def _print_Inverse(self, e: t.Inverse) -> str:
        if isinstance(e.arg, t.Transpose):
            return self.parenthesize(e.arg.arg, ATOM) + self.GLYPHS["inverse transpose"]
        return self.parenthesize(e.arg, ATOM) + self.GLYPHS["inverse"]

    def _print_MatPow(self, e: t.MatPow) -> str:
        if isinstance(e.arg, t.Inverse):
            return self.parenthesize(e.arg.arg, ATOM) + self._int_power(-e.exponent)
        return self.parenthesize(e.arg, ATOM) + self._int_power(e.exponent)

    def _elementwise(self, e: t.Expr) -> str:
        operands = e.factors if isinstance(e, t.Hadamard) else e.args()
        op = f" {self.OPERATORS[type(e)]} "
        return op.join(self.parenthesize(x, ELEMENTWISE, strict=True) for x in operands)

    _print_Hadamard = _print_HadamardDiv = _print_Kron = _elementwise

    def _constant(self, e: t.Expr) -> str:
        return self.CONSTANTS[type(e)]

    _print_Identity = _print_Ones = _print_Zero = _print_Commutation = _constant

    def _named(self, e: t.Expr) -> str:
        return self._call(self.NAMED[type(e)], e.arg)

    _print_Trace = _print_Det = _print_LogDet = _print_Adj = _named
    _print_DiagMat = _print_DiagVec = _print_Vec = _print_Unvec = _named

    def _print_Call(self, e: t.Call) -> str:
        return self._call(self._function(e.name), e.arg)

    def _print_Grad(self, e: t.Grad) -> str:
        return self._call(self.GLYPHS["nabla"] + self._function(e.name), e.arg)

    def _print_Differential(self, e: t.Differential) -> str:
        return self.GLYPHS["d"] + self.doprint(e.var)

    def _print_DifferentialOf(self, e) -> str:  # d(E), not yet worked out (matcalc.derive)
        return self.GLYPHS["d"] + self.paren(self.doprint(e.arg))

    def _print_Norm(self, e: t.Norm) -> str:
        suffix = self.GLYPHS["1-norm"] if e.p == 1 else ("_F" if e.arg.cols != 1 else "")
        return self._bars(self.doprint(e.arg)) + suffix

    def _print_KronFactor(self, e: t.KronFactor) -> str:
        other = self.parenthesize(e.other, ELEMENTWISE, strict=True)
        dot, kron = self.GLYPHS["slot"], self.OPERATORS[t.Kron]
        pattern = f"{dot} {kron} {other}" if e.side == "left" else f"{other} {kron} {dot}"
        return self._angle(f"{self.doprint(e.arg)}, {pattern}")

    def _print_Broadcast(self, e: t.Broadcast) -> str:
        return self.doprint(e.arg)


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
        super().__init__()
        self.words = frozenset(n for n in names if len(n) > 1)
        self.functions = UNICODE_FUNCTIONS if "σ" not in names else {}

    minus = "−"
    GLYPHS = {"transpose": "ᵀ", "inverse": "⁻¹", "inverse transpose": "⁻ᵀ", "nabla": "∇", "d": "d",
              "1-norm": "₁", "slot": "·"}
    OPERATORS = {t.Hadamard: "⊙", t.HadamardDiv: "⊘", t.Kron: "⊗"}
    CONSTANTS = {t.Identity: "I", t.Ones: "𝟙", t.Zero: "0", t.Commutation: "K"}
    NAMED = {t.Trace: "tr", t.Det: "det", t.LogDet: "log det", t.Adj: "adj", t.DiagMat: "diag",
             t.DiagVec: "diag", t.Vec: "vec", t.Unvec: "vec⁻¹"}

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
        v = _val(e)
        if _negative(e):
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
        p = _exp(e)
        if isinstance(e.base, t.Norm) and e.base.p == 2 and e.base.arg.cols != 1 and p == 2:
            return self._bars(self.doprint(e.base.arg)) + "²_F"
        base = self.parenthesize(e.base, ATOM)
        return base + (_sup(p) if p.is_Integer else f"^{{{self._exponent(p)}}}")

    def _print_HadamardPow(self, e: t.HadamardPow) -> str:
        if _hadamard_pow_as_function(e):
            return self._call(self._function(e.base.name) + _sup(_exp(e)), e.base.arg)
        return self.parenthesize(e.base, ATOM) + f"^{{∘{self._exponent(_exp(e))}}}"

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

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    def _print_Commutation(self, e: t.Commutation) -> str:
        return f"K_{{{sympy.latex(e.m)},{sympy.latex(e.n)}}}"

    def __init__(self, names=frozenset()):
        super().__init__()
        # The sigmoid is \sigma unless σ is a symbol too: then \operatorname{sigmoid}, as in Unicode.
        self.functions = {k: v for k, v in LATEX_FUNCTIONS.items() if k != "sigmoid" or "σ" not in names}

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
        v = _val(e)
        if _negative(e):
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
        return self.parenthesize(e.base, ATOM) + f"^{{{self._exponent(_exp(e))}}}"

    def _print_HadamardPow(self, e: t.HadamardPow) -> str:
        if _hadamard_pow_as_function(e):
            return self._call(f"{self._function(e.base.name)}^{{{_exp(e)}}}", e.base.arg)
        return self.parenthesize(e.base, ATOM) + rf"^{{\circ {self._exponent(_exp(e))}}}"

    def _print_Apply(self, e: t.Apply) -> str:
        if (e.name, e.order) == ("sqrt", 0):
            return rf"\sqrt{{{self.doprint(e.arg)}}}"
        marks = "'" * e.order if e.order <= 3 else f"^{{({e.order})}}"
        return self._call(self._function(e.name) + marks, e.arg)

    def _print_Partial(self, e) -> str:  # ∂f/∂V named in a derivation (matcalc.derive)
        return rf"\frac{{\partial f}}{{\partial {self.doprint(e.var)}}}"


def to_unicode(e: t.Expr) -> str:
    """Textbook Unicode of ``e``; ``parse`` reads it back to ``e``."""
    return UnicodePrinter({_split_name(s.name)[0] for s in e.free_symbols}).print_tree(e)


def to_latex(e: t.Expr) -> str:
    """LaTeX of ``e`` (for MathJax): the structure of ``to_unicode`` with LaTeX commands."""
    return LatexPrinter({_split_name(s.name)[0] for s in e.free_symbols}).print_tree(e)
