"""User functions given by a formula in x (``functions={"h": "x**3 + sin(x)"}``).

A formula is read by Lark with ``grammar/formula.lark`` and the SymPy expression is built from
the tree node by node, from exact numbers, x and the functions of ``FUNCTIONS``: nothing in it
is run as code.  ``parse_formula`` raises ParseError (with the position and a caret) for text
that is not a formula in x, and DomainError for one that does not use x.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import sympy
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, VisitError
from lark.visitors import Transformer_NonRecursive, v_args

from ..errors import DomainError, MatcalcError, ParseError
from .exact import numeral
from .grammars import PYTHON_SYNTAX, grammar_text
from .limits import (MAX_FORMULA_DEPTH, MAX_FORMULA_LENGTH, exponent_problem, number_problem, numeral_problem,
                     power_problem)

X = sympy.Symbol("x", real=True)
HALF = sympy.Rational(1, 2)


def _sigmoid(a: sympy.Expr) -> sympy.Expr:
    """σ(a) = 1/(1 + exp(−a))."""
    return sympy.Pow(sympy.Add(sympy.Integer(1), sympy.exp(sympy.Mul(sympy.Integer(-1), a))), sympy.Integer(-1))


# The scalar functions a formula may name, by the SymPy expression each builds (one entry per
# elementwise function of the language, matcalc.language.vocabulary.ELEMENTWISE).
FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "tanh": sympy.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda a: sympy.Max(sympy.Integer(0), a),
    "softplus": lambda a: sympy.log(sympy.Add(sympy.Integer(1), sympy.exp(a))),
    "sqrt": lambda a: sympy.Pow(a, HALF),
    "abs": sympy.Abs,
    "sign": sympy.sign,
    "step": lambda a: sympy.Heaviside(a, sympy.Integer(0)),
    "log1p": lambda a: sympy.log(sympy.Add(sympy.Integer(1), a)),
    "expm1": lambda a: sympy.Add(sympy.exp(a), sympy.Integer(-1)),
    "erf": sympy.erf,
    "gelu": lambda a: sympy.Mul(HALF, a, sympy.Add(sympy.Integer(1), sympy.erf(sympy.Mul(a, sympy.sqrt(HALF))))),
    "softsign": lambda a: sympy.Mul(a, sympy.Pow(sympy.Add(sympy.Integer(1), sympy.Abs(a)), sympy.Integer(-1))),
    "cosh": sympy.cosh,
    "sinh": sympy.sinh,
    "arctan": sympy.atan,
    "log_sigmoid": lambda a: sympy.log(_sigmoid(a)),
}
ALIASES = {"σ": "sigmoid", "sigma": "sigmoid", "ln": "log", "Heaviside": "step", "atan": "arctan"}
CONSTANTS = {"x": X, "e": sympy.E, "π": sympy.pi, "pi": sympy.pi}

NUMERALS = "0123456789.½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒"
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))


@dataclass(frozen=True)
class Formula:
    """A user function's formula: the SymPy expression in x built from it (which alone decides
    equality) and its text as written."""

    expr: sympy.Expr
    text: str = field(compare=False)

    def __str__(self) -> str:
        return self.text


# ---- the parser -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _built() -> Lark:
    return Lark(grammar_text("formula.lark"), parser="lalr", lexer="basic", propagate_positions=True)


def lark_parser() -> Lark:
    with PYTHON_SYNTAX:  # built once, by one thread
        return _built()


class _Failure(Exception):
    """A reason and an offset in the formula, raised while building."""

    def __init__(self, reason: str, offset: int):
        super().__init__(reason)
        self.reason, self.offset = reason, offset


def _number(text: str, offset: int) -> sympy.Rational:
    """The exact value of 3, 2.5, .5, 1e-3 or ½."""
    problem = numeral_problem(text)
    if problem:
        raise _Failure(problem, offset)
    return _checked(numeral(text), offset)


def _checked(value: sympy.Expr, offset: int) -> sympy.Expr:
    """value, unless it holds a number or an exponent past the limits."""
    for node in sympy.preorder_traversal(value):
        problem = number_problem(node) or (exponent_problem(node.exp) if node.is_Pow else None)
        if problem:
            raise _Failure(problem, offset)
    return value


def _function(word: str) -> Callable | None:
    return FUNCTIONS.get(ALIASES.get(word, word))


def _word_problem(tok: Token, called: bool) -> _Failure | None:
    """What is wrong with a word of a formula: x, e, π or a function name before "(" are right."""
    word = tok.value
    known = ", ".join(list(FUNCTIONS) + ["σ", "ln"])
    if word in CONSTANTS or (called and _function(word)):
        return None
    if called:
        return _Failure(f"unknown function {word!r} (the functions are {known})", tok.start_pos)
    if _function(word):
        return _Failure(f"{word} is a function: write {word}(x)", tok.start_pos)
    return _Failure(f"a formula may use only x, numbers and the functions {known}, not {word!r}", tok.start_pos)


@v_args(meta=True)
class _Build(Transformer_NonRecursive):
    """Lark tree → SymPy expression, one method per rule of grammar/formula.lark."""

    def sum(self, meta, ch):
        terms, sign = [], 1
        for c in ch:
            if isinstance(c, Token):
                sign = 1 if c.value == "+" else -1
            else:
                terms.append(c if sign == 1 else sympy.Mul(sympy.Integer(-1), c))
        return _checked(sympy.Add(*terms), meta.start_pos)

    def sign(self, meta, ch):
        tok, value = ch
        return value if tok.value == "+" else _checked(sympy.Mul(sympy.Integer(-1), value), meta.start_pos)

    def product(self, meta, ch):
        out, divide = ch[0], False
        for c in ch[1:]:
            if isinstance(c, Token):
                divide = c.value in "/÷"
                continue
            if divide and c == 0:
                raise _Failure("division by zero", meta.start_pos)
            out = sympy.Mul(out, sympy.Pow(c, sympy.Integer(-1)) if divide else c)
            out, divide = _checked(out, meta.start_pos), False
        return out

    def sqrt(self, meta, ch):
        return _checked(sympy.Pow(ch[1], HALF), meta.start_pos)

    def power(self, meta, ch):
        return self._power(ch[0], ch[2], meta.start_pos)

    def sup_power(self, meta, ch):
        p = sympy.Integer(int("".join(SUPERSCRIPTS[c] for c in ch[1].value)))
        return self._power(ch[0], p, meta.start_pos)

    @staticmethod
    def _power(base, p, offset: int):
        problem = power_problem(base, p) if p.is_Rational else None
        if problem:
            raise _Failure(problem, offset)
        if base == 0 and p.is_negative:
            raise _Failure("division by zero", offset)
        return _checked(sympy.Pow(base, p), offset)

    def number(self, meta, ch):
        return _number(ch[0].value, meta.start_pos)

    def name(self, meta, ch):
        return CONSTANTS[ch[0].value]

    def call(self, meta, ch):
        tok, arg = ch
        if tok.value in CONSTANTS:  # x(x + 1), e(x + 1): a product
            return _checked(sympy.Mul(CONSTANTS[tok.value], arg), meta.start_pos)
        return _checked(_function(tok.value)(arg), meta.start_pos)


def _first_offset(item) -> int:
    return item.start_pos if isinstance(item, Token) else item.meta.start_pos


def _check_tree(tree: Tree, text: str) -> None:
    """The nesting limit, then the first of: an unknown word, a number after a factor without
    an operator (x2, x 2, 2 3)."""
    stack, problems = [(tree, 1)], []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_FORMULA_DEPTH:
            raise _Failure(f"the formula is nested too deeply (more than {MAX_FORMULA_DEPTH} levels)", node.meta.start_pos)
        if node.data in ("name", "call"):
            problems.append(_word_problem(node.children[0], node.data == "call"))
        if node.data == "product":
            for before, item in zip(node.children, node.children[1:]):
                start = _first_offset(item)
                opened = text[:start].rstrip().endswith("(")  # (x + 1)(2 − x)
                if not isinstance(before, Token) and not isinstance(item, Token) and not opened and text[start] in NUMERALS:
                    problems.append(_Failure("a number after a factor needs an operator: write 2x or x·2", start))
        stack.extend((k, depth + 1) for k in node.children if isinstance(k, Tree))
    problems = [p for p in problems if p is not None]
    if problems:
        raise min(problems, key=lambda p: p.offset)


def _lark_failure(exc: LarkError, text: str) -> _Failure:
    if isinstance(exc, UnexpectedCharacters):
        return _Failure(f"unexpected character {text[exc.pos_in_stream]!r}", exc.pos_in_stream)
    if isinstance(exc, UnexpectedInput):
        token = getattr(exc, "token", None)
        if token is None or token.type == "$END":
            return _Failure("unexpected end of the formula", len(text.rstrip()))
        return _Failure(f"unexpected {token.value!r}", token.start_pos)
    return _Failure("cannot read the formula", 0)


def _parentheses(text: str) -> None:
    depth = 0
    for i, c in enumerate(text):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth > MAX_FORMULA_DEPTH:
            raise _Failure(f"the formula is nested too deeply (more than {MAX_FORMULA_DEPTH} levels)", i)


def _read(text: str) -> sympy.Expr:
    if len(text) > MAX_FORMULA_LENGTH:
        raise _Failure(f"the formula is too long ({len(text)} characters; the limit is {MAX_FORMULA_LENGTH})", 0)
    if not text.strip():
        raise _Failure("the formula is empty", 0)
    _parentheses(text)
    try:
        tree = lark_parser().parse(text)
    except LarkError as exc:
        raise _lark_failure(exc, text) from None
    _check_tree(tree, text)
    try:
        return _Build().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, (_Failure, MatcalcError)):
            raise exc.orig_exc from None
        raise


@lru_cache(maxsize=256)
def parse_formula(name: str, text: str, declaration: str | None = None) -> Formula:
    """The formula of the user function ``name``: ParseError with the position for text that
    is not a formula in x, DomainError for a formula that does not use x.  The message names
    the ``declaration`` (the text one) or the formula of ``name``."""
    if declaration is None:
        label = f"the formula of {name}, {text!r}, is not a formula in x"
    else:
        label = f"the declaration {declaration!r} is neither a shape, a domain nor a formula in x"
    try:
        expr = _read(text)
    except _Failure as failure:
        raise ParseError.at(f"{label}: {failure.reason}", text, failure.offset) from None
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise DomainError(f"{label}: it is undefined (a division by zero or a log of 0)")
    if not expr.has(X):
        raise DomainError(f"{label}: it does not use x")
    return Formula(expr, text.strip())
