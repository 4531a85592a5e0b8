"""The LaTeX printer, ``to_latex``: the structure of the Unicode form with LaTeX commands
(for MathJax and pdfLaTeX).
"""

from __future__ import annotations

import re

import sympy

from .. import expr as t
from ..language.names import GREEK
from .factors import BINDS, named_factors
from .layout import ATOM, ROOT, Printer, base_names, exponent_of, hadamard_pow_as_function, negative, number_value, split_symbol_name

LATEX_GREEK = {ch: ("\\" + n if not (n[0].isupper() and ch in "ΑΒΕΖΗΙΚΜΝΟΡΤΧ") else
                    "ABEZHIKMNOPTX"["ΑΒΕΖΗΙΚΜΝΟΡΤΧ".index(ch)])
               for n, ch in GREEK.items()}
LATEX_GREEK.update({"ο": "o", "ϵ": r"\epsilon", "ϑ": r"\vartheta", "ϕ": r"\phi", "ς": r"\varsigma", "ℓ": r"\ell"})


LATEX_FUNCTIONS = {
    "exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan",
    "tanh": r"\tanh", "sigmoid": r"\sigma", "cosh": r"\cosh", "sinh": r"\sinh", "arctan": r"\arctan",
    "erf": r"\operatorname{erf}", "log_sigmoid": r"\log\sigma",
}


def _latex_word(word: str) -> str:
    """A name in LaTeX: Greek letters as commands, one letter as is, longer words upright;
    ASCII only (a word with Greek letters is spelled letter by letter: αβ → \\alpha\\beta)."""
    if word in GREEK:
        return LATEX_GREEK[GREEK[word]]
    if len(word) == 1 or not word.isascii():
        out = ""
        for c in word:
            out += (" " if re.search(r"\\[A-Za-z]+$", out) and c.isalpha() else "") + LATEX_GREEK.get(c, c)
        return out
    return rf"\mathrm{{{word}}}"


class LatexPrinter(Printer):
    """LaTeX for MathJax with the same structure as the Unicode form."""

    minus = "-"
    GLYPHS = {"transpose": r"^{\top}", "inverse": "^{-1}", "inverse transpose": r"^{-\top}",
              "hermitian": r"^{\mathsf{H}}", "inverse hermitian": r"^{-\mathsf{H}}",
              "nabla": r"\nabla ", "d": r"\mathrm{d}", "max-norm": r"_\infty", "1-norm": "_1", "slot": r"\cdot",
              "spectral norm": "_2", "nuclear norm": "_*"}
    OPERATORS = {t.Hadamard: r"\odot", t.HadamardDiv: r"\oslash", t.Kron: r"\otimes"}
    CONSTANTS = {t.Identity: "I", t.Ones: r"\mathbf{1}", t.Zero: "0", t.Commutation: "K"}
    NAMED = {t.Trace: r"\operatorname{tr}", t.Det: r"\det", t.LogDet: r"\log\det",
             t.Adj: r"\operatorname{adj}", t.DiagMat: r"\operatorname{diag}",
             t.DiagVec: r"\operatorname{diag}", t.Vec: r"\operatorname{vec}",
             t.Unvec: r"\operatorname{vec}^{-1}", t.Conj: r"\operatorname{conj}",
             t.Real: r"\operatorname{Re}", t.Imag: r"\operatorname{Im}",
             t.TriangularPart: {"lower": r"\operatorname{tril}", "upper": r"\operatorname{triu}"},
             t.Softmax: r"\operatorname{softmax}", t.LogSoftmax: r"\log\operatorname{softmax}",
             t.LogSumExp: r"\operatorname{logsumexp}", t.Mean: r"\operatorname{mean}",
             t.Var: r"\operatorname{var}", t.Std: r"\operatorname{std}"}
    SPECTRAL = {"λ_max": r"\lambda_{\max}", "λ_min": r"\lambda_{\min}", "eigvec_max": r"v_{\max}",
                "eigvec_min": r"v_{\min}", "pinv_max": r"\operatorname{pinv}_{\max}",
                "pinv_min": r"\operatorname{pinv}_{\min}", "svec_u": "u_1", "svec_v": "v_1", "polar": r"\operatorname{polar}",
                "expm": r"\operatorname{expm}", "logm": r"\operatorname{logm}", "sqrtm": r"\operatorname{sqrtm}",
                "L_expm": r"L_{\operatorname{expm}}", "L_logm": r"L_{\operatorname{logm}}",
                "L_sqrtm": r"L_{\operatorname{sqrtm}}",
                **{f"K_{f}": rf"K_{{\operatorname{{{f}}}}}" for f in ("expm", "logm", "sqrtm")},
                **{f"K2_{f}": rf"K^{{(2)}}_{{\operatorname{{{f}}}}}" for f in ("expm", "logm", "sqrtm")}}
    FACTOR_NAMES = {"u_1": "u_{1}", "v_1": "v_{1}", "UV": r"UV^{\top}", "v": "v", "w": "w"}
    FUNCTIONS = LATEX_FUNCTIONS  # with σ a symbol, the sigmoid is \operatorname{sigmoid}, as in Unicode

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"

    @staticmethod
    def _size(dims, sep: str = "×") -> str:
        return "_{" + {"×": r" \times ", ",": ","}[sep].join(sympy.latex(d) for d in dims) + "}"

    def _call(self, name: str, arg: t.Expr) -> str:
        return name + self.paren(self.doprint(arg))

    def _function(self, name: str) -> str:
        if name in self.functions:
            return self.functions[name]
        return _latex_word(name) if len(name) == 1 else rf"\operatorname{{{_latex_word(name) if not name.isascii() else name}}}"

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
        base, primes, sub = split_symbol_name(e.name)
        if len(base) > 1 and base not in GREEK:
            text = rf"\mathit{{{base}}}" if base.isascii() else _latex_word(base)
        else:
            text = _latex_word(base)
        text += "'" * primes
        if sub:
            simple = sub.isdigit() or (len(sub) == 1 and sub.isascii())
            text += f"_{{{sub if simple else _latex_word(sub)}}}"
        return text

    @staticmethod
    def _bar(text: str) -> str:
        return rf"\bar{{{text}}}"

    def _print_Number(self, e: t.Number) -> str:
        v = number_value(e)
        if v.has(sympy.I):
            return sympy.latex(v, imaginary_unit="ri")
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

    def _print_Partial(self, e) -> str:  # ∂f/∂V named in a derivation (matcalc.results.derivation)
        return rf"\frac{{\partial f}}{{\partial {self.doprint(e.var)}}}"



    def where(self, clauses) -> str:
        r"""``\quad\text{where } X = U\Sigma V^{\top}`` with the assumptions, as in Unicode."""
        out = []
        for c in clauses:
            matrix, assumed = to_latex(c.matrix), ", ".join(_ASSUMED[a] for a in c.assumptions)
            if c.kind == "svd":
                out.append(rf"{matrix} = U\Sigma V^{{\top}} \ ({assumed})")
            else:
                v, lam = BINDS[c.kind][0], self.SPECTRAL[f"λ_{c.kind}"]
                lhs = self.paren(matrix) if self.precedence(c.matrix) < ATOM else matrix  # S as in λ_max(S)
                out.append(rf"{lhs}{v} = {lam}\left({matrix}\right){v} \ ({assumed})")
        return "".join(r"\quad\text{where } " + r";\ ".join(out) for _ in out[:1])


_ASSUMED = {"σ₁ simple": r"\sigma_1\text{ simple}", "full rank": r"\text{full rank}",
            "λ_max simple": r"\lambda_{\max}\text{ simple}", "λ_min simple": r"\lambda_{\min}\text{ simple}"}


def to_latex(e: t.Expr) -> str:
    """LaTeX of ``e`` (for MathJax): the structure of ``to_unicode`` with LaTeX commands."""
    names, clauses = named_factors(e, {s.name for s in (*e.free_symbols, *e.origin)})
    printer = LatexPrinter(base_names(e) | set(names.values()))
    printer.factor_names = names
    return printer.print_tree(e) + printer.where(clauses)
