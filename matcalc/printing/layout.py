"""The machinery both printers share: ONE precedence table, the shared layout of signs and
products, and the ``Printer`` base class.

Designed after SymPy's printing/printer.py: a ``Printer`` dispatches on the node's class to a
``_print_<ClassName>`` method (an unknown class raises TypeError) and brackets a child with one
``parenthesize(child, level)`` helper, by the binding strengths of ``PRECEDENCE``.  The concrete
printers (``unicode.py``, ``latex.py``) supply the glyphs, the names and the forms that differ.  A
``Scale`` is laid out flat, ``c F₁F₂…/d``, when re-reading that text — products built left to
right, ``/d`` a product by ``d⁻¹``, a leading ``−`` a negation — rebuilds the same node with the
tree builders; otherwise its factor is parenthesised.
"""

from __future__ import annotations

import re

import sympy

from .. import expr as t
from ..errors import MatcalcError
from ..language.exact import exact
from ..language.limits import spend
from . import sizing

# ---- precedence, loosest to tightest (docs/language.md, "Operators") -----------------------

SUM, SIGN, PRODUCT, PREFIX, ELEMENTWISE, ROOT, POSTFIX, ATOM = range(1, 9)

VULGAR = {
    (1, 2): "½", (1, 3): "⅓", (2, 3): "⅔", (1, 4): "¼", (3, 4): "¾", (1, 5): "⅕", (2, 5): "⅖",
    (3, 5): "⅗", (4, 5): "⅘", (1, 6): "⅙", (5, 6): "⅚", (1, 8): "⅛", (3, 8): "⅜", (5, 8): "⅝",
    (7, 8): "⅞",
}


def number_value(e: t.Number) -> sympy.Expr:
    return exact(e.value)


def exponent_of(e) -> sympy.Expr:
    return exact(e.exponent)


def _number_precedence(e: t.Number) -> int:
    v = number_value(e)
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


def hadamard_pow_as_function(e: t.HadamardPow) -> bool:
    """tanh²(Z) for tanh(Z)^{∘2}: a plain elementwise function to a positive integer power."""
    b = e.base
    return (isinstance(b, t.Apply) and b.order == 0 and b.name != "sqrt"
            and exponent_of(e).is_Integer and exponent_of(e) > 0)


PRECEDENCE = {
    t.Add: SUM,
    t.Scale: lambda e: SIGN if negative(e) else PRODUCT,
    t.MatMul: PRODUCT,
    t.Hadamard: ELEMENTWISE,
    t.HadamardDiv: ELEMENTWISE,
    t.Kron: ELEMENTWISE,
    t.Apply: lambda e: ROOT if (e.name, e.order) == ("sqrt", 0) else ATOM,
    t.Transpose: POSTFIX,
    t.Inverse: POSTFIX,
    t.MatPow: POSTFIX,
    t.Power: lambda e: PRODUCT if exponent_of(e) == -1 else POSTFIX,
    t.HadamardPow: lambda e: ATOM if hadamard_pow_as_function(e) else POSTFIX,
    t.Number: _number_precedence,
    t.Broadcast: lambda e: precedence(e.arg),
}


def precedence(e: t.Expr) -> int:
    """The binding strength of ``e`` as printed (ATOM for names, calls and bracketed forms)."""
    rule = PRECEDENCE.get(type(e), ATOM)
    return rule(e) if callable(rule) else rule


# ---- signs and products (shared structure) -------------------------------------------------


def negative(e: t.Expr) -> bool:
    """Whether ``e`` prints with a leading minus (a negative leading coefficient)."""
    if isinstance(e, t.Number):
        v = number_value(e)
        return bool(v < 0) if v.is_Number else v.could_extract_minus_sign()
    if isinstance(e, t.Scale):
        return negative(e.factor)
    if isinstance(e, t.Broadcast) and isinstance(e.arg, t.Number):
        return negative(e.arg)
    return False


def _negate(e: t.Expr) -> t.Expr:
    """``e`` with its leading coefficient negated (structurally, so that neg(_negate(e)) = e)."""
    if isinstance(e, t.Number):
        return t.Number(-number_value(e))
    if isinstance(e, t.Broadcast):
        return t.Broadcast(_negate(e.arg), e.dims)
    f = _negate(e.factor)
    return e.operand if t.is_number(f, 1) else t.Scale(f, e.operand)


def _flatten(e: t.Expr, operand: bool) -> tuple:
    """(c, pieces, denominators) with e = c·piece₁·piece₂·…/(d₁d₂…); on the ``operand`` side a
    matrix product contributes its factors, on the factor side it is one piece."""
    if isinstance(e, t.Number):
        p, q = sympy.fraction(number_value(e)) if not number_value(e).is_Number else (number_value(e), sympy.Integer(1))
        return p, [], ([t.Number(q)] if q != 1 else [])
    if isinstance(e, t.Power) and exponent_of(e) == -1:
        return sympy.Integer(1), [], [e.base]
    if isinstance(e, t.Power) and exponent_of(e).is_Integer and exponent_of(e) < 0:  # a/s³ for a·s⁻³
        return sympy.Integer(1), [], [t.Power(e.base, -exponent_of(e))]
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

    FUNCTIONS: dict = {}  # function name → how the printer spells it

    def __init__(self, names=frozenset()):
        """``names``: the symbol names in use; with σ among them the sigmoid is spelled out."""
        self._memo: dict = {}
        self.names = frozenset(names)
        self.functions = {k: v for k, v in self.FUNCTIONS.items() if k not in ("sigmoid", "log_sigmoid") or "σ" not in names}
        self.sized: set = set()  # ids of the constants printed with their size (printing.sizing)
        self.factor_names: dict = {}  # named factors of a decomposition (printing.factors): node → name

    def print_tree(self, root: t.Expr) -> str:
        """``root`` printed, children first, so that deep trees need no deep recursion; the
        constants whose size the rest does not fix carry it (I_n, 𝟙_n, 𝟙_{m×n})."""
        self.sized = sizing.sized(root)
        stack, seen = [(root, False)], set()
        while stack:
            node, expanded = stack.pop()
            if expanded:
                spend(2)  # printing a node costs about two units of the call's work
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

    def precedence(self, e: t.Expr) -> int:
        """The binding strength of ``e`` as this printer writes it (a sized broadcast is
        c𝟙_{m×n} or arg + 0_{m×n})."""
        if isinstance(e, t.Broadcast) and id(e) in self.sized:
            if not isinstance(e.arg, t.Number):
                return SUM
            return SIGN if negative(e) else ATOM if t.is_number(e.arg, 1) else PRODUCT
        if isinstance(e, t.PolarFactor) and e in self.factor_names:  # UVᵀ
            return PRODUCT
        return precedence(e)

    def parenthesize(self, child: t.Expr, level: int, strict: bool = False) -> str:
        """``child`` printed, bracketed when it binds looser than ``level`` (or as loose, if strict)."""
        p = self.precedence(child)
        text = self.doprint(child)
        return self.paren(text) if p < level or (strict and p == level) else text

    def _factor(self, e: t.Expr, last: bool) -> str:
        """A factor of a product: sums, signs, products, ⊙ ⊘ ⊗ and a non-final √ bracketed."""
        p = self.precedence(e)
        wrap = p <= PRODUCT or p == ELEMENTWISE or (p == ROOT and not last)
        wrap = wrap and e not in self.factor_names  # UVᵀ in a product: DᵀUVᵀ
        return self.paren(self.doprint(e)) if wrap else self.doprint(e)

    def _signless(self, e: t.Expr) -> str:
        """The text after the minus sign of a negative ``e``."""
        n = _negate(e)
        if id(e) in self.sized:  # a sized broadcast stays sized
            self.sized.add(id(n))
        p = self.precedence(n)
        # −A ⊗ B reads as −(A ⊗ B): a Kronecker product needs no bracket after a sign.
        wrap = p < PRODUCT or (p == ELEMENTWISE and not isinstance(n, t.Kron))
        return self.paren(self.doprint(n)) if wrap else self.doprint(n)

    def _product(self, e: t.Expr) -> str:
        if negative(e):
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
            if negative(term):
                out.append((self.minus if i == 0 else f" {self.minus} ") + self._signless(term))
            else:
                level = SUM if i == 0 else SIGN  # a later term may not start with a sign
                out.append(("" if i == 0 else " + ") + self.parenthesize(term, level, strict=True))
        return "".join(out)

    def _print_Power(self, e: t.Power) -> str:
        return self._product(e) if exponent_of(e) == -1 else self._power(e)

    # ---- postfix, elementwise and named forms, from each printer's glyph tables
    def _print_Transpose(self, e: t.Transpose) -> str:
        hermitian = _hermitian_of(e)
        if hermitian is not None:  # Āᵀ = Aᴴ, (Āz̄ − b̄)ᵀ = (Az − b)ᴴ
            return self.parenthesize(hermitian, ATOM) + self.GLYPHS["hermitian"]
        return self.parenthesize(e.arg, ATOM) + self.GLYPHS["transpose"]

    def _print_Inverse(self, e: t.Inverse) -> str:
        if isinstance(e.arg, t.Transpose):
            hermitian = _hermitian_of(e.arg)
            if hermitian is not None:
                return self.parenthesize(hermitian, ATOM) + self.GLYPHS["inverse hermitian"]
            return self.parenthesize(e.arg.arg, ATOM) + self.GLYPHS["inverse transpose"]
        return self.parenthesize(e.arg, ATOM) + self.GLYPHS["inverse"]

    def _print_Conj(self, e: t.Conj) -> str:
        inner = e.arg.var if isinstance(e.arg, t.Differential) else e.arg
        if isinstance(inner, t.Symbol) and _one_letter(inner.name):
            return (self.GLYPHS["d"] if inner is not e.arg else "") + self._bar(self.doprint(inner))
        return self._call(self.NAMED[t.Conj], e.arg)

    def _print_MatPow(self, e: t.MatPow) -> str:
        if isinstance(e.arg, t.Inverse):
            return self.parenthesize(e.arg.arg, ATOM) + self._int_power(-e.exponent)
        return self.parenthesize(e.arg, ATOM) + self._int_power(e.exponent)

    def _elementwise(self, e: t.Expr) -> str:
        operands = e.factors if isinstance(e, t.Hadamard) else e.args()
        op = f" {self.OPERATORS[type(e)]} "
        return op.join(self.parenthesize(x, ELEMENTWISE, strict=True) for x in operands)

    _print_Hadamard = _print_HadamardDiv = _print_Kron = _elementwise

    # ---- constants, bare where the rest fixes their size (printing.sizing), else I_n, 𝟙_n
    def _print_Identity(self, e: t.Identity) -> str:
        return self.CONSTANTS[t.Identity] + (self._size((e.n,)) if id(e) in self.sized else "")

    def _print_Ones(self, e: t.Ones) -> str:
        return self.CONSTANTS[t.Ones] + (self._size((e.n,)) if id(e) in self.sized else "")

    def _print_Zero(self, e: t.Zero) -> str:
        return self.CONSTANTS[t.Zero] + self._size(e.dims[:1] if e.cols == 1 else e.dims)

    def _print_Commutation(self, e: t.Commutation) -> str:
        return self.CONSTANTS[t.Commutation] + self._size((e.m, e.n), ",")

    def _print_Broadcast(self, e: t.Broadcast) -> str:
        if id(e) not in self.sized:
            return self.doprint(e.arg)
        ones = self.CONSTANTS[t.Ones] + self._size(e.dims)
        if not isinstance(e.arg, t.Number):
            return f"{self.parenthesize(e.arg, SUM)} + {self.CONSTANTS[t.Zero]}{self._size(e.dims)}"
        if negative(e):
            n = _negate(e)
            self.sized.add(id(n))
            return self.minus + self.doprint(n)
        return ones if t.is_number(e.arg, 1) else self._fraction(number_value(e.arg), [ones], [])

    def _named(self, e: t.Expr) -> str:
        return self._call(self.NAMED[type(e)], e.arg)

    _print_Trace = _print_Det = _print_LogDet = _print_Adj = _named
    _print_Real = _print_Imag = _named
    _print_DiagMat = _print_DiagVec = _print_Vec = _named
    _print_Softmax = _print_LogSoftmax = _print_LogSumExp = _print_Mean = _print_Var = _print_Std = _named

    def _print_TriangularPart(self, e: t.TriangularPart) -> str:
        return self._call(self.NAMED[t.TriangularPart][e.side], e.arg)

    def _print_Unvec(self, e: t.Unvec) -> str:
        return self._call(self.NAMED[t.Unvec] + self._size(e.dims), e.arg)

    def _print_Call(self, e: t.Call) -> str:
        return self._call(self._function(e.name), e.arg)

    def _print_Grad(self, e: t.Grad) -> str:
        return self._call(self.GLYPHS["nabla"] + self._function(e.name), e.arg)

    def _print_Differential(self, e: t.Differential) -> str:
        return self.GLYPHS["d"] + self.doprint(e.var)

    def _print_DifferentialOf(self, e) -> str:  # d(E), not yet worked out (matcalc.results.derivation)
        return self.GLYPHS["d"] + self.paren(self.doprint(e.arg))

    def _print_Norm(self, e: t.Norm) -> str:
        suffix = {1: self.GLYPHS["1-norm"], t.INF: self.GLYPHS["max-norm"]}.get(e.p, "_F" if e.arg.cols != 1 else "")
        return self._bars(self.doprint(e.arg)) + suffix

    # ---- spectral words: λ_max(S), ‖X‖₂, ‖X‖_*, expm(X), L_expm(X, E), the named factors
    def _spectral(self, e: t.Expr) -> str:
        if e in self.factor_names:
            return self.FACTOR_NAMES[self.factor_names[e]]
        return self._call(self.SPECTRAL[spectral_word(e)], e.arg)

    _print_EigenValue = _print_EigenVector = _print_SingularVector = _print_Resolvent = _spectral
    _print_PolarFactor = _print_MatrixFunction = _spectral

    def _print_Frechet(self, e: t.Frechet) -> str:
        return self.SPECTRAL[spectral_word(e)] + self.paren(f"{self.doprint(e.arg)}, {self.doprint(e.direction)}")

    def _print_FrechetKron(self, e: t.FrechetKron) -> str:
        return self.SPECTRAL[spectral_word(e)] + self.paren(", ".join(map(self.doprint, e.children())))

    def _print_SpectralNorm(self, e: t.SpectralNorm) -> str:
        return self._bars(self.doprint(e.arg)) + self.GLYPHS["spectral norm"]

    def _print_NuclearNorm(self, e: t.NuclearNorm) -> str:
        return self._bars(self.doprint(e.arg)) + self.GLYPHS["nuclear norm"]

    def _print_KronFactor(self, e: t.KronFactor) -> str:
        other = self.parenthesize(e.other, ELEMENTWISE, strict=True)
        dot, kron = self.GLYPHS["slot"], self.OPERATORS[t.Kron]
        pattern = f"{dot} {kron} {other}" if e.side == "left" else f"{other} {kron} {dot}"
        return self._angle(f"{self.doprint(e.arg)}, {pattern}")


# ---- names, shared by both printers ---------------------------------------------------------


def _conj_count(e: t.Expr) -> int:
    return sum(isinstance(n, t.Conj) for n in t.walk(e))


def _hermitian_of(e: t.Transpose) -> t.Expr | None:
    """B when e = Bᴴ reads shorter than e: e = Āᵀ, or the conjugate of e's operand has fewer
    conjugate marks (the builders keep the conjugate on the leaves: (Az − b)ᴴ is (Āz̄ − b̄)ᵀ)."""
    if isinstance(e.arg, t.Conj):
        return e.arg.arg
    if t.is_real(e.arg):
        return None
    other = t.conj(e.arg)
    return other if _conj_count(other) < _conj_count(e.arg) else None


def _one_letter(name: str) -> bool:
    """A name printed as one letter (the conjugate bar goes over it: Z̄)."""
    base, primes, sub = split_symbol_name(name)
    return len(base) == 1 and not primes and not sub


SPECTRAL_WORDS = {(t.EigenValue, "max"): "λ_max", (t.EigenValue, "min"): "λ_min",
                  (t.EigenVector, "max"): "eigvec_max", (t.EigenVector, "min"): "eigvec_min",
                  (t.Resolvent, "max"): "pinv_max", (t.Resolvent, "min"): "pinv_min",
                  (t.SingularVector, "left"): "svec_u", (t.SingularVector, "right"): "svec_v"}


def spectral_word(e: t.Expr) -> str:
    """The word a spectral node is written with: λ_max, eigvec_max, svec_u, polar, expm, L_expm."""
    if isinstance(e, t.MatrixFunction):
        return e.name
    if isinstance(e, t.Frechet):
        return f"L_{e.name}"
    if isinstance(e, t.FrechetKron):
        return f"K{'2' if e.directions else ''}_{e.name}"
    if isinstance(e, t.PolarFactor):
        return "polar"
    return SPECTRAL_WORDS[type(e), e.args()[1]]


def split_symbol_name(name: str) -> tuple[str, int, str]:
    """(base, primes, subscript) of a stored symbol name such as ``W_1``, ``x′``, ``W_{out}``."""
    m = re.fullmatch(r"([^\W\d_]+)(\d*)([′″‴']*)(?:_\{?([^{}]+?)\}?)?([′″‴']*)", name)
    if not m:
        return name, 0, ""
    base, digits, p1, sub, p2 = m.groups()
    primes = sum({"″": 2, "‴": 3}.get(ch, 1) for ch in p1 + p2)
    return base, primes, sub or digits


def base_names(e: t.Expr) -> set:
    """The names of e's symbols, without subscript or primes (W for W_1)."""
    return {split_symbol_name(s.name)[0] for s in e.free_symbols}
