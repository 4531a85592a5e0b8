"""Text → expression tree: ``parse(text, shapes=None, domains=None, functions=None) -> Expr``.

Three steps.  Lark's LALR parser reads the text with ``grammar/matcalc.lark`` (a token pass
pairs the bars ``|…|`` and ``‖…‖`` and marks the prefix words); a transformer turns the parse
tree into an untyped syntax tree, splitting runs of letters into symbols and resolving names
into calls; shapes are then inferred over that tree by unification of dimension variables, and
the typed tree is built bottom-up with the builders of ``matcalc.tree``.  Both passes over the
syntax tree are iterative, so that deep input cannot exhaust the stack.
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path

import sympy
from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError
from lark.lark import PostLex
from lark.visitors import Transformer_NonRecursive, v_args

from . import functions as fn
from . import tree as t
from .declarations import (
    ATOM,
    DECORATION,
    GREEK,
    Declarations,
    canonical_name,
    is_greek_word,
    parse_declarations,
    split_name,
)
from .errors import DomainError, MatcalcError, ParseError, ShapeError, UnsupportedError

__all__ = ["parse", "parse_declarations", "canonical_name", "Node"]

MAX_LENGTH = 10_000
MAX_DEPTH = 200

# ---- the function table: name → (syntax-tree op, number of arguments) -----------------------

BUILTINS = {
    "tr": ("trace", 1),
    "trace": ("trace", 1),
    "det": ("det", 1),
    "logdet": ("logdet", 1),
    "inv": ("inv", 1),
    "adj": ("adj", 1),
    "kron": ("kron", 2),
    "diag": ("diag", 1),
    "vec": ("vec", 1),
    "sum": ("sumall", 1),
    "norm": ("norm", 1),
    "norm2": ("norm", 1),
    "norm1": ("norm1", 1),
}
SIGMOID_NAMES = ("σ", "sigma")
PREFIX_WORDS = {"tr": "trace", "trace": "trace", "det": "det", "logdet": "logdet"}

SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
ENDS_OPERAND = {"NAME", "NUMBER", "VULGAR", "RPAR", "RBRACE", "ACLOSE", "NCLOSE", "NSUB", "TRANSPOSE", "INVT", "SUPNUM", "ONES"}
OPENERS = {"LPAR": "(", "LBRACE": "{"}
CLOSERS = {"RPAR": "(", "RBRACE": "{"}
BARS = {"NBAR": ("‖", "NOPEN", "NCLOSE"), "ABAR": ("|", "AOPEN", "ACLOSE")}


# ---- the grammar ----------------------------------------------------------------------------


def grammar_text() -> str:
    """The grammar: package data in an installed wheel, else grammar/ beside the package."""
    shipped = resources.files("matcalc").joinpath("grammar/matcalc.lark")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[1] / "grammar" / "matcalc.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        postlex=TokenPass(),
        propagate_positions=True,
        maybe_placeholders=True,
    )


_DECLARED: contextvars.ContextVar = contextvars.ContextVar("matcalc_declarations")


def _error_at(reason: str, text: str, offset: int) -> ParseError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return ParseError(reason, text, line, column)


def _tok_error(reason: str, tok: Token) -> ParseError:
    return ParseError(reason, _DECLARED.get()[1], tok.line, tok.column)


# ---- the token pass -------------------------------------------------------------------------


class TokenPass(PostLex):
    """Joins log det, primes and function powers, marks prefix words, pairs bars and brackets.

    A bar closes when a bar of its kind is open (the innermost open bracket) and the previous
    token ends an operand; otherwise it opens.
    """

    always_accept = ("NBAR", "ABAR")

    def process(self, stream):
        decl, _ = _DECLARED.get()
        tokens = _join_words(list(stream), decl)
        tokens = _move_function_powers(tokens, decl)
        yield from _pair(tokens)


def _is(tok, type_, value=None) -> bool:
    return tok is not None and tok.type == type_ and (value is None or tok.value == value)


def _elementwise_name(word: str, decl: Declarations) -> bool:
    if word in fn.ELEMENTWISE:
        return True
    if word in SIGMOID_NAMES:
        return "σ" not in decl.symbols
    base = canonical_name(word).rstrip("′")
    return decl.functions.get(base, ("",))[0] == "elementwise"


def _join_words(tokens: list, decl: Declarations) -> list:
    out: list = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if _is(tok, "NAME", "log") and _is(nxt, "NAME", "det"):
            tok = Token.new_borrow_pos("NAME", "logdet", tok)
            i += 1
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.type == "NAME":
            j = i + 1
            while j < len(tokens) and _is(tokens[j], "TRANSPOSE") and tokens[j].value in "'’":
                j += 1
            if j > i + 1 and j < len(tokens) and _is(tokens[j], "LPAR"):
                base = canonical_name(tok.value)
                if decl.functions.get(base, ("",))[0] == "elementwise":
                    out.append(Token.new_borrow_pos("NAME", tok.value + "′" * (j - i - 1), tok))
                    i = j
                    continue
            if tok.value in PREFIX_WORDS and not _is(nxt, "LPAR") and tok.value not in decl.symbols:
                tok = Token.new_borrow_pos("PREFIX", tok.value, tok)
        out.append(tok)
        i += 1
    return out


def _move_function_powers(tokens: list, decl: Declarations) -> list:
    """tanh²(Z) → tanh(Z).^2, as matcalc prints the elementwise power of a function."""
    match, stack = {}, []
    for i, tok in enumerate(tokens):
        if tok.type == "LPAR":
            stack.append(i)
        elif tok.type == "RPAR" and stack:
            match[stack.pop()] = i
    after: dict = {}
    out: list = []
    skip = set()
    for i, tok in enumerate(tokens):
        if (
            tok.type == "NAME"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "SUPNUM"
            and tokens[i + 2].type == "LPAR"
            and i + 2 in match
            and _elementwise_name(tok.value, decl)
        ):
            sup = tokens[i + 1]
            digits = "".join(SUPERSCRIPTS[c] for c in sup.value)
            moved = [Token.new_borrow_pos("DOTCARET", ".^", sup)]
            if digits.startswith("-"):
                moved.append(Token.new_borrow_pos("PM", "-", sup))
            moved.append(Token.new_borrow_pos("NUMBER", digits.lstrip("-"), sup))
            after[match[i + 2]] = moved
            skip.add(i + 1)
        if i not in skip:
            out.append(tok)
        out.extend(after.get(i, ()))
    return out


def _pair(tokens: list):
    stack: list = []  # (kind, token) of the open brackets and bars
    prev = None
    for tok in tokens:
        if tok.type in OPENERS:
            stack.append((OPENERS[tok.type], tok))
        elif tok.type in CLOSERS:
            kind = CLOSERS[tok.type]
            if not stack:
                raise _tok_error(f"unbalanced {tok.value!r}: there is no {kind!r} to close", tok)
            if stack[-1][0] != kind:
                raise _unclosed(*stack[-1])
            stack.pop()
        elif tok.value == "||" and stack and stack[-1][0] == "|":  # |a||b| is two pairs of bars
            for half in (0, 1):
                bar = Token("ABAR", "|", tok.start_pos + half, tok.line, tok.column + half,
                            tok.end_line, tok.column + half + 1, tok.start_pos + half + 1)
                prev = _bar(bar, stack, prev)
                yield prev
            continue
        elif tok.type in BARS:
            tok = _bar(tok, stack, prev)
        if len(stack) > MAX_DEPTH:
            raise _tok_error(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", tok)
        prev = tok
        yield tok
    if stack:
        kind = stack[-1][0]
        if len(stack) > 1 and kind in ("‖", "|") and any(k == kind for k, _ in stack[:-1]):
            raise _unclosed(*stack[-2])  # what kept the last bar from closing an earlier one
        raise _unclosed(*stack[-1])


def _bar(tok: Token, stack: list, prev) -> Token:
    """The bar as an opener or a closer (see TokenPass)."""
    bar, opener, closer = BARS[tok.type]
    if prev is not None and prev.type in ENDS_OPERAND and stack and stack[-1][0] == bar:
        stack.pop()
        return Token.new_borrow_pos(closer, tok.value, tok)
    stack.append((bar, tok))
    return Token.new_borrow_pos(opener, tok.value, tok)


def _unclosed(kind: str, tok: Token) -> ParseError:
    if kind in ("‖", "|"):
        return _tok_error(f"unbalanced {kind!r}: this bar is never closed", tok)
    return _tok_error(f"unbalanced {kind!r}: it is never closed", tok)


# ---- the untyped syntax tree ----------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Node:
    """An untyped syntax-tree node.  ``span`` is its (start, end) offset in the text.

    ops: sym ident ones num sum neg prod run elem T invT pow hpow apply trace det logdet inv
    adj diag vec sumall norm bars callf grad.  A ``run`` is a juxtaposition read from one run
    of letters (or a name before a parenthesis): a postfix applies to its last item only.
    """

    op: str
    kids: tuple = ()
    data: object = None
    span: tuple = (0, 0)


def _span(items) -> tuple:
    return (min(i.span[0] for i in items), max(i.span[1] for i in items))


def _value(node: Node) -> Node:
    """A run as one operand: the product of its items."""
    if node.op == "run":
        return Node("prod", node.kids, ("*",) * len(node.kids), node.span)
    return node


def _items(node: Node) -> list:
    return list(node.kids) if node.op == "run" else [node]


def _run(items: list) -> Node:
    return items[0] if len(items) == 1 else Node("run", tuple(items), None, _span(items))


def _number(text: str) -> sympy.Rational:
    if len(text) == 1 and not text.isdigit():
        return sympy.Rational(Fraction(unicodedata.numeric(text)).limit_denominator(20))
    return sympy.Rational(text)


def _const(node: Node):
    """The exact value of an exponent written as an expression, or None."""
    if node.op == "num":
        return node.data
    vals = [_const(k) for k in node.kids]
    if any(v is None for v in vals):
        return None
    if node.op == "neg":
        return -vals[0]
    if node.op == "sum":
        return sum((s * v for s, v in zip(node.data, vals)), sympy.Integer(0))
    if node.op in ("prod", "run"):
        out = sympy.Integer(1)
        for op, v in zip(node.data or ("*",) * len(vals), vals):
            if op == "/" and v == 0:
                return None
            out = out / v if op == "/" else out * v
        return out
    if node.op == "pow":
        return vals[0] ** node.data
    return None


@v_args(meta=True)
class ToSyntax(Transformer_NonRecursive):
    """Lark tree → untyped syntax tree; one method per rule alias of the grammar."""

    def __init__(self, text: str, decl: Declarations):
        super().__init__()
        self.text = text
        self.decl = decl

    # -- errors and positions --
    def error(self, reason: str, offset: int) -> ParseError:
        return _error_at(reason, self.text, offset)

    @staticmethod
    def span(meta) -> tuple:
        return (meta.start_pos, meta.end_pos)

    # -- sums and products --
    def sum(self, meta, ch):
        kids, signs, sign = [], [], 1
        for c in ch:
            if isinstance(c, Token):
                sign = 1 if c.value == "+" else -1
            else:
                kids.append(_value(c))
                signs.append(sign)
        return Node("sum", tuple(kids), tuple(signs), self.span(meta))

    def sign(self, meta, ch):
        tok, e = ch
        e = _value(e)
        if tok.value == "+":
            return e
        if e.op == "neg":
            return e.kids[0]
        return Node("neg", (e,), None, self.span(meta))

    def product(self, meta, ch):
        kids, ops, pending = [], [], "*"
        for c in ch:
            if isinstance(c, Token):
                pending = "/" if c.value == "/" else "*"
                continue
            for k, item in enumerate(_items(c)):
                kids.append(item)
                ops.append(pending if k == 0 else "*")
            pending = "*"
        return Node("prod", tuple(kids), tuple(ops), self.span(meta))

    def prefix(self, meta, ch):
        tok, e = ch
        return Node(PREFIX_WORDS[tok.value], (_value(e),), None, self.span(meta))

    def elem(self, meta, ch):
        items = _items(ch[0])
        chain = None  # the elementwise node the chain is extending
        for op_tok, operand in zip(ch[1::2], ch[2::2]):
            right = _items(operand)
            op = {"∘": "⊙", ".*": "⊙", "./": "⊘"}.get(op_tok.value, op_tok.value)
            if chain is not None and items[-1] is chain:
                kids, ops = chain.kids + (right[0],), chain.data + (op,)
            else:
                kids, ops = (items[-1], right[0]), (op,)
            chain = Node("elem", kids, ops, _span(kids))
            items = items[:-1] + [chain] + right[1:]
        return _run(items)

    def sqrt(self, meta, ch):
        items = _items(ch[1])
        first = Node("apply", (items[0],), ("sqrt", 0, None), (ch[0].start_pos, items[0].span[1]))
        return _run([first] + items[1:])

    # -- postfix operators --
    def postfix(self, meta, ch):
        items = _items(ch[0])
        target = items[-1]
        for op, data, end in ch[1:]:
            target = Node(op, (target,), data, (target.span[0], end))
        return _run(items[:-1] + [target])

    def transpose(self, meta, ch):
        return ("T", None, meta.end_pos)

    def inverse_transpose(self, meta, ch):
        return ("invT", None, meta.end_pos)

    def sup_power(self, meta, ch):
        tok = ch[0]
        return ("pow", sympy.Integer("".join(SUPERSCRIPTS[c] for c in tok.value)), meta.end_pos)

    def power(self, meta, ch):
        return ("pow", ch[-1], meta.end_pos)

    def hadamard_power(self, meta, ch):
        if len(ch) == 3 and ch[1].value not in ("⊙", "∘"):
            raise self.error(f"unexpected {ch[1].value!r} in an exponent: write A^{{∘p}} for the elementwise power", ch[1].start_pos)
        p = ch[-1]
        if isinstance(p, Node):
            p = _const(_value(p))
            if p is None:
                raise self.error("an exponent must be a number, such as 2, -1 or 1/2", ch[-1].span[0])
        return ("hpow", p, meta.end_pos)

    def exponent_number(self, meta, ch):
        return _number(ch[0].value)

    def exponent_sign(self, meta, ch):
        return -ch[1] if ch[0].value != "+" else ch[1]

    def exponent_group(self, meta, ch):
        value = _const(_value(ch[0]))
        if value is None:
            raise self.error("an exponent must be a number, such as 2, -1 or (1/2)", meta.start_pos)
        return value

    def exponent_name(self, meta, ch):
        tok = ch[0]
        hint = " (for the transpose write ^T)" if tok.value.lower().startswith("t") else ""
        raise self.error(f"an exponent must be a number, not {tok.value!r}{hint}", tok.start_pos)

    # -- atoms --
    def number(self, meta, ch):
        return Node("num", (), _number(ch[0].value), self.span(meta))

    def ones(self, meta, ch):
        return Node("ones", (), None, self.span(meta))

    def name(self, meta, ch):
        tok = ch[0]
        word = tok.value
        if word in BUILTINS or word in fn.ELEMENTWISE:
            if word not in self.decl.symbols:
                raise self.error(f"{word} is a function: write {word}(…)", tok.start_pos)
        return _run(self.split(tok))

    def group(self, meta, ch):
        return _value(ch[0])

    def norm(self, meta, ch):
        kind = "default"
        if ch[3] is not None:
            kind = {"F": "F", "1": "1", "₁": "1", "2": "2", "₂": "2"}[ch[3].value.strip("_{} ")]
        return Node("norm", (_value(ch[1]),), kind, self.span(meta))

    def norm_power(self, meta, ch):
        inner = self.norm(meta, [ch[0], ch[1], ch[2], ch[4]])
        p = sympy.Integer("".join(SUPERSCRIPTS[c] for c in ch[3].value))
        return Node("pow", (inner,), p, self.span(meta))

    def bars(self, meta, ch):
        return Node("bars", (_value(ch[1]),), None, self.span(meta))

    def gradient(self, meta, ch):
        _, tok, arg = ch
        name = canonical_name(tok.value)
        if self.decl.functions.get(name, ("",))[0] != "scalar":
            raise self.error(
                f"∇{tok.value} needs {tok.value} declared as a scalar function ({tok.value}: scalar)", tok.start_pos
            )
        return Node("grad", (_value(arg),), name, self.span(meta))

    def call(self, meta, ch):
        tok, args = ch[0], [_value(a) for a in ch[1:]]
        word = tok.value
        span = self.span(meta)
        node = self.function(word, args, tok, span)
        if node is not None:
            return node
        for k in range(1, len(word)):  # the longest function name ending the run: Xexp(b)
            prefix, suffix = word[:k], word[k:]
            if prefix[-1] in DECORATION or not suffix[0].isalpha():
                continue
            sub = Token.new_borrow_pos("NAME", suffix, tok)
            sub.start_pos = tok.start_pos + k
            node = self.function(suffix, args, sub, (sub.start_pos, span[1]))
            if node is not None:
                head = Token.new_borrow_pos("NAME", prefix, tok)
                self.check_unknown(head, word)
                return _run(self.split(head) + [node])
        self.check_unknown(tok, word)
        base, _, primes = split_name(canonical_name(word))
        if primes and base in self.decl.functions:
            raise self.error(
                f"{word} is not defined: {base} is declared as a scalar function (its gradient is ∇{base}(…))", tok.start_pos
            )
        if primes and canonical_name(word) not in self.decl.symbols and len(ATOM.match(word).group()) == len(word):
            raise self.error(f"{word}(…) is the derivative of {base}, but {base} is not declared elementwise ({base}: elementwise)", tok.start_pos)
        if len(args) != 1:
            raise self.error(f"{word} is not a function, so it cannot take {len(args)} arguments", tok.start_pos)
        return _run(self.split(tok) + [args[0]])

    # -- names --
    def check_unknown(self, tok: Token, word: str) -> None:
        """A run of two or more lower-case letters before "(" must be a function or declared symbols."""
        if re.fullmatch(r"[a-z]{2,}", tok.value) and tok.value not in GREEK:
            if not all(n.op == "sym" and n.data in self.decl.symbols for n in self.split(tok)):
                raise self.error(f"unknown function {word!r}", tok.start_pos)

    def function(self, word: str, args: list, tok: Token, span: tuple) -> Node | None:
        """The call of ``word`` on ``args`` when ``word`` names a function, else None."""
        decl = self.decl
        name = canonical_name(word)
        if word in BUILTINS:
            op, arity = BUILTINS[word]
            data = None
        elif word in fn.ELEMENTWISE or (word in SIGMOID_NAMES and "σ" not in decl.symbols):
            op, arity, data = "apply", 1, ("sigmoid" if word in SIGMOID_NAMES else word, 0, None)
        elif name in decl.functions:
            kind, formula = decl.functions[name]
            op, arity = ("apply", 1) if kind == "elementwise" else ("callf", 1)
            data = (name, 0, formula) if kind == "elementwise" else name
        elif name.endswith("′") and decl.functions.get(split_name(name)[0], ("",))[0] == "elementwise":
            base, _, order = split_name(name)
            op, arity, data = "apply", 1, (base, order, decl.functions[base][1])
        else:
            return None
        if len(args) != arity:
            plural = "argument" if arity == 1 else "arguments"
            raise self.error(f"{word} takes {arity} {plural}, got {len(args)}", tok.start_pos)
        if op == "kron":
            return Node("elem", tuple(args), ("⊗",), span)
        if op in ("norm", "norm1"):
            return Node("norm", tuple(args), "1" if op == "norm1" else "default", span)
        return Node(op, tuple(args), data, span)

    def split(self, tok: Token) -> list:
        """The symbols of a run of letters: declared names longest first, then single letters."""
        run, start, decl = tok.value, tok.start_pos, self.decl
        whole = canonical_name(run)
        if run == "ones" and "ones" not in decl.symbols:
            return [Node("ones", (), None, (start, start + len(run)))]
        if whole in decl.symbols or is_greek_word(run):
            return [self.symbol(whole, start, start + len(run))]
        out, i = [], 0
        while i < len(run):
            for spelling, name in decl.spelled:
                j = i + len(spelling)
                if run.startswith(spelling, i) and (j == len(run) or run[j] not in DECORATION):
                    break
            else:
                j = i + len(ATOM.match(run, i).group())
                name = canonical_name(run[i:j])
            out.append(self.symbol(name, start + i, start + j))
            i = j
        return out

    def symbol(self, name: str, start: int, end: int) -> Node:
        if name == "I" and "I" not in self.decl.symbols:
            return Node("ident", (), None, (start, end))
        if name in self.decl.functions:
            raise self.error(f"{name} is declared as a function: write {name}(…)", start)
        return Node("sym", (), name, (start, end))


def _postorder(root: Node):
    """Every node below ``root``, children before parents, without recursion."""
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(node.kids))


# ---- dimensions: union-find over dimension variables ----------------------------------------

POOL = ("m", "n", "k", "p", "q", "r", "s", "t", "u", "v", "w")
SQUARE_DOMAINS = {"symmetric", "spd", "invertible"}


class Var:
    """A dimension variable.  The root of a class carries its facts: a declared name, rigidity
    (a symbol's dimension never becomes 1) and a value (an int or a product)."""

    __slots__ = ("parent", "index", "name", "declared", "rigid", "value")

    def __init__(self, index: int, name: str, declared: bool, rigid: bool):
        self.parent, self.index, self.name = self, index, name
        self.declared, self.rigid, self.value = declared, rigid, None


@dataclass(frozen=True)
class Prod:
    """coef · f₁ · f₂ ⋯, the dimension of a Kronecker product or of vec(A)."""

    coef: int
    factors: tuple


class Clash(Exception):
    """Two dimensions that cannot be unified."""


class Dims:
    """Dimension variables named from a pool (m, n, k, …) in order of creation."""

    def __init__(self, reserved: set):
        self.count = 0
        self.declared: dict = {}
        self.names = self._pool(reserved)

    @staticmethod
    def _pool(reserved):
        yield from (n for n in POOL if n not in reserved)
        i = 1
        while True:
            if f"n{i}" not in reserved:
                yield f"n{i}"
            i += 1

    def fresh(self, rigid: bool = True) -> Var:
        """A symbol's dimension (rigid, named now) or a flexible one of I or 𝟙 (named only
        if its class has no other name)."""
        self.count += 1
        return Var(self.count, next(self.names) if rigid else None, False, rigid)

    def name(self, root: Var) -> str:
        if root.name is None:
            root.name = next(self.names)
        return root.name

    def of(self, d):
        """The term of a declared dimension (an int, or the variable of its name)."""
        if isinstance(d, int):
            return d
        if d not in self.declared:
            self.count += 1
            self.declared[d] = Var(self.count, d, True, True)
        return self.declared[d]

    def find(self, v: Var) -> Var:
        while v.parent is not v:
            v.parent = v.parent.parent
            v = v.parent
        return v

    def resolve(self, d):
        """int, a root Var or a normalised Prod."""
        if isinstance(d, int):
            return d
        if isinstance(d, Prod):
            return self._normal(d.coef, d.factors)
        root = self.find(d)
        if root.value is None:
            return root
        root.value = self.resolve(root.value)
        return root.value

    def _normal(self, coef: int, factors) -> object:
        out = []
        for f in factors:
            f = self.resolve(f)
            if isinstance(f, int):
                coef *= f
            elif isinstance(f, Prod):
                coef *= f.coef
                out.extend(f.factors)
            else:
                out.append(f)
        out.sort(key=lambda v: v.index)
        if not out:
            return coef
        return out[0] if coef == 1 and len(out) == 1 else Prod(coef, tuple(out))

    def mul(self, a, b):
        return self._normal(1, (a, b))

    def unify(self, a, b) -> None:
        a, b = self.resolve(a), self.resolve(b)
        if a is b or a == b:
            return
        if isinstance(a, Var) and isinstance(b, Var):
            if a.declared and b.declared:
                raise Clash()
            keep, drop = sorted((a, b), key=lambda v: (not v.declared, v.name is None, v.index))
            drop.parent = keep
            keep.rigid = keep.rigid or drop.rigid
            return
        if isinstance(a, Prod) and isinstance(b, Prod):
            return self._unify_products(a, b)
        if isinstance(b, Var):
            a, b = b, a
        if not isinstance(a, Var) or a.declared or (b == 1 and a.rigid):
            raise Clash()
        if isinstance(b, Prod) and a in b.factors:
            raise Clash()
        a.value = b

    def _unify_products(self, a: Prod, b: Prod) -> None:
        """Two products match only where the answer is unique: after cancelling common
        factors, one side is a single variable (m·v = m·n·k gives v = n·k), or both sides are
        powers of one variable each (v·v = m·m gives v = m)."""
        fa, fb = list(a.factors), list(b.factors)
        for v in a.factors:
            if v in fb:
                fa.remove(v)
                fb.remove(v)
        if a.coef != b.coef:
            raise Clash()
        if len(fa) == 1 or len(fb) == 1:
            one, rest = (fa, fb) if len(fa) == 1 else (fb, fa)
            return self.unify(one[0], self._normal(1, rest))
        if fa and len(fa) == len(fb) and len(set(fa)) == 1 and len(set(fb)) == 1:
            return self.unify(fa[0], fb[0])
        raise Clash()

    def is_one(self, d) -> bool:
        return self.resolve(d) == 1

    def rigid(self, d) -> bool:
        r = self.resolve(d)
        return r.rigid or r.declared if isinstance(r, Var) else r != 1

    def composite(self, *ds) -> bool:
        return any(isinstance(self.resolve(d), Prod) for d in ds)

    def show(self, d) -> str:
        r = self.resolve(d)
        if isinstance(r, int):
            return str(r)
        if isinstance(r, Var):
            return self.name(r)
        return "·".join(([str(r.coef)] if r.coef != 1 else []) + [self.name(v) for v in r.factors])

    def sympy(self, d) -> sympy.Expr:
        r = self.resolve(d)
        if isinstance(r, int):
            return sympy.Integer(r)
        if isinstance(r, Var):
            return t.dim(self.name(r))
        return sympy.Mul(sympy.Integer(r.coef), *(t.dim(self.name(v)) for v in r.factors))


# ---- shape inference ------------------------------------------------------------------------


class ShapeInference:
    """Shapes of the syntax tree by unification; ``plan`` records the choices the builder
    follows (which side of a sum is broadcast, det or abs for |…|, …)."""

    def __init__(self, text: str, decl: Declarations):
        self.text, self.decl = text, decl
        self.dims = Dims(decl.dim_names())
        self.shape: dict = {}
        self.plan: dict = {}
        self.symbols: dict = {}

    def run(self, root: Node) -> None:
        for node in _postorder(root):
            self.shape[id(node)] = getattr(self, "rule_" + node.op)(node, [self.shape[id(k)] for k in node.kids])

    # -- helpers --
    def src(self, start: int, end: int) -> str:
        s = " ".join(self.text[start:end].split())
        return s if len(s) <= 40 else s[:39] + "…"

    def desc(self, node: Node, shape, start: int | None = None) -> str:
        return f"{self.src(node.span[0] if start is None else start, node.span[1])} ({self.show(shape)})"

    def show(self, shape) -> str:
        return f"{self.dims.show(shape[0])}×{self.dims.show(shape[1])}"

    def scalar(self, shape) -> bool:
        return self.dims.is_one(shape[0]) and self.dims.is_one(shape[1])

    def unify(self, a, b, message, detail: str = "") -> None:
        """Unify two dimensions; on a clash raise ShapeError(message() + detail)."""
        try:
            self.dims.unify(a, b)
        except Clash:
            x, y = self.dims.show(a), self.dims.show(b)
            if self.dims.composite(a, b):
                detail = f"the dimensions {x} and {y} cannot be matched; declare the shapes so that they agree"
            raise ShapeError(f"{message()}: {detail.format(x=x, y=y)}" if detail else message()) from None

    def fit(self, root: Node, target) -> None:
        """Unify the shape of the whole expression with ``target`` (names or ints)."""
        have = self.shape[id(root)]
        want = tuple(int(d) if str(d).isdigit() else str(d) for d in target)
        for a, b in zip(have, want):
            self.unify(a, self.dims.of(b), lambda: f"the expression is {self.show(have)}, not {want[0]}×{want[1]}")

    def square(self, node: Node, shape, what: str) -> None:
        self.unify(shape[0], shape[1], lambda: f"{what} of a non-square matrix: {self.desc(node.kids[0], shape)}",
                   "its dimensions {x} and {y} differ")

    def combine(self, a, b, verb: str, left, right):
        """The shape of an elementwise combination, broadcasting the side with a literal 1."""
        sides = set()
        message = lambda: f"cannot {verb} {left()} and {right()}"  # noqa: E731
        ones = [i for i in (0, 1) if self.dims.is_one(a[i]) or self.dims.is_one(b[i])]
        for i in sorted((0, 1), key=lambda i: i in ones):  # positions without a literal 1 first
            x, y = a[i], b[i]
            if self.dims.is_one(x) and not self.dims.is_one(y) and self.dims.rigid(y):
                sides.add("L")
            elif self.dims.is_one(y) and not self.dims.is_one(x) and self.dims.rigid(x):
                sides.add("R")
            else:
                self.unify(x, y, message, "dimensions {x} and {y} differ")
        if len(sides) == 2:
            raise ShapeError(f"{message()}: only one side may be broadcast")
        side = sides.pop() if sides else None
        return (b if side == "L" else a), side

    def operands(self, node: Node, i: int, acc, shape):
        """Descriptions of the left part (kids before i, of shape acc) and of kid i."""
        return (lambda: self.desc(node.kids[i - 1], acc, node.kids[0].span[0]),
                lambda: self.desc(node.kids[i], shape))

    def fold(self, node: Node, shapes, verbs: dict):
        acc, sides = shapes[0], []
        for i in range(1, len(shapes)):
            op = node.data[i - 1] if node.op == "elem" else "+"
            if op == "⊗":
                acc, side = (self.dims.mul(acc[0], shapes[i][0]), self.dims.mul(acc[1], shapes[i][1])), None
            else:
                acc, side = self.combine(acc, shapes[i], verbs[op], *self.operands(node, i, acc, shapes[i]))
            sides.append(side)
        self.plan[id(node)] = sides
        return acc

    # -- rules, one per syntax-tree op --
    def rule_sym(self, node, _):
        name = node.data
        if name not in self.symbols:
            self.symbols[name] = self.symbol_shape(name)
        return self.symbols[name]

    def symbol_shape(self, name: str):
        dims = self.decl.shapes.get(name)
        if dims is not None:
            terms = [self.dims.of(d) for d in dims] + [1, 1]
            return (terms[0], terms[1]) if dims else (1, 1)
        letter = split_name(name)[0][:1]
        if "α" <= letter <= "ω" or letter in "ϑϕϵ":
            return (1, 1)
        if self.decl.domains.get(name, frozenset()) & SQUARE_DOMAINS:
            v = self.dims.fresh()
            return (v, v)
        return (self.dims.fresh(), self.dims.fresh()) if letter.isupper() else (self.dims.fresh(), 1)

    def rule_ident(self, node, _):
        v = self.dims.fresh(rigid=False)
        return (v, v)

    def rule_ones(self, node, _):
        return (self.dims.fresh(rigid=False), 1)

    def rule_num(self, node, _):
        return (1, 1)

    def rule_sum(self, node, shapes):
        return self.fold(node, shapes, {"+": "add"})

    def rule_elem(self, node, shapes):
        return self.fold(node, shapes, {"⊙": "take the elementwise product of", "⊘": "divide elementwise"})

    def rule_prod(self, node, shapes):
        acc, ops = shapes[0], node.data or ("*",) * len(shapes)
        for i in range(1, len(shapes)):
            s = shapes[i]
            left, right = self.operands(node, i, acc, s)
            if ops[i] == "/":
                for d in s:
                    self.unify(d, 1, lambda: f"cannot divide {left()} by {right()}",
                               "the divisor must be a scalar (for elementwise division write ⊘)")
            elif self.scalar(acc):
                acc = s
            elif not self.scalar(s):
                self.unify(acc[1], s[0], lambda: f"cannot multiply {left()} by {right()}",
                           "inner dimensions {x} and {y} differ")
                acc = (acc[0], s[1])
        return acc

    rule_run = rule_prod

    def rule_neg(self, node, shapes):
        return shapes[0]

    rule_apply = rule_hpow = rule_grad = rule_neg

    def rule_T(self, node, shapes):
        return (shapes[0][1], shapes[0][0])

    def rule_invT(self, node, shapes):
        self.square(node, shapes[0], "inverse")
        return shapes[0]

    def rule_inv(self, node, shapes):
        self.square(node, shapes[0], "inverse")
        return shapes[0]

    def rule_adj(self, node, shapes):
        self.square(node, shapes[0], "adj")
        return shapes[0]

    def rule_trace(self, node, shapes):
        self.square(node, shapes[0], "trace")
        return (1, 1)

    def rule_det(self, node, shapes):
        self.square(node, shapes[0], "det")
        return (1, 1)

    def rule_logdet(self, node, shapes):
        self.square(node, shapes[0], "log det")
        return (1, 1)

    def rule_pow(self, node, shapes):
        s, p = shapes[0], node.data
        if self.scalar(s):
            return s
        if p == -1:
            self.square(node, s, "inverse")
            return s
        base = self.src(*node.kids[0].span)  # short: a postfix operand
        if not p.is_integer:
            p = f"({p})"
            raise ShapeError(
                f"{base}^{p}: a matrix power needs an integer exponent, but {self.desc(node.kids[0], s)} is not a "
                f"scalar; for the elementwise power write {base}.^{p}"
            )
        self.unify(s[0], s[1], lambda: f"{base}^{p} is a matrix power, which needs a square matrix, but "
                   f"{self.desc(node.kids[0], s)} is non-square; for the elementwise power write {base}.^{p}")
        return s

    def rule_diag(self, node, shapes):
        s = shapes[0]
        if self.dims.is_one(s[1]):
            self.plan[id(node)] = "column"
            return (s[0], s[0])
        if self.dims.is_one(s[0]):
            self.plan[id(node)] = "row"
            return (s[1], s[1])
        self.square(node, s, "diag")
        self.plan[id(node)] = "matrix"
        return (s[0], 1)

    def rule_vec(self, node, shapes):
        return (self.dims.mul(*shapes[0]), 1)

    def rule_sumall(self, node, shapes):
        return (1, 1)

    rule_norm = rule_callf = rule_sumall

    def rule_bars(self, node, shapes):
        s = shapes[0]
        if self.scalar(s):
            self.plan[id(node)] = "abs"
            return s
        text = self.src(*node.kids[0].span)
        self.unify(s[0], s[1], lambda: f"|{text}| of a non-square non-scalar {self.desc(node.kids[0], s)}: |A| is "
                   f"the determinant of a square matrix or the absolute value of a scalar (for a norm write ‖{text}‖)")
        self.plan[id(node)] = "det"
        return (1, 1)

    # -- the typed shapes --
    def final(self, shape) -> tuple:
        return (self.dims.sympy(shape[0]), self.dims.sympy(shape[1]))


# ---- building the typed tree ----------------------------------------------------------------


def _fold_build(inf: ShapeInference, node: Node, kids: list) -> t.Expr:
    """A sum or an elementwise chain, broadcasting as planned; runs of + and of ⊙ are built
    with one call of the n-ary builder."""
    group, kind = [kids[0]], None  # operands of the pending n-ary add / hadamard
    for i, side in enumerate(inf.plan[id(node)], 1):
        k = kids[i]
        op = node.data[i - 1] if node.op == "elem" else node.data[i]
        if side == "L":
            group, kind = [t.broadcast(_flush(group, kind), k.shape)], None
        elif side == "R":
            k = t.broadcast(k, group[0].shape)
        new_kind = "⊙" if op == "⊙" else "+" if op in (1, -1) else None
        if new_kind is not None and kind in (None, new_kind):
            group.append(t.neg(k) if op == -1 else k)
            kind = new_kind
        else:
            group, kind = [_elem(_flush(group, kind), k, op)], None
    return _flush(group, kind)


def _flush(group: list, kind) -> t.Expr:
    if len(group) == 1:
        return group[0]
    return t.add(*group) if kind == "+" else t.hadamard(*group)


def _elem(a: t.Expr, b: t.Expr, op: str) -> t.Expr:
    return t.HadamardDiv(a, b) if op == "⊘" else t.Kron(a, b)


def _product(inf: ShapeInference, node: Node, kids: list) -> t.Expr:
    """Left to right: a 1×1 operand makes a scalar multiple, else a matrix product (a chain
    of matrix factors is built with one call of matmul)."""
    chain = [kids[0]]
    for op, k in zip(node.data[1:], kids[1:]):
        if op == "/":
            if t.is_zero(k):
                raise DomainError(f"division by zero in {inf.src(*node.span)}")
            k = t.inverse(k)
        if k.is_scalar or (chain[0].rows == t.ONE and chain[-1].cols == t.ONE):
            chain = [t.mul(_chain(chain), k)]
        else:
            chain.append(k)
    return _chain(chain)


def _chain(factors: list) -> t.Expr:
    return factors[0] if len(factors) == 1 else t.matmul(*factors)


def _norm(inf: ShapeInference, node: Node, a: t.Expr) -> t.Expr:
    vector = a.cols == t.ONE or a.rows == t.ONE
    if node.data in ("default", "F") or (node.data == "2" and vector):
        return t.Norm(a, 2)
    text = inf.src(*node.kids[0].span)
    if node.data == "2":
        raise UnsupportedError(
            f"‖{text}‖₂ of the matrix {text} ({t.show_shape(a.shape)}) is the spectral norm, which is not supported; "
            f"for the Frobenius norm write ‖{text}‖_F"
        )
    if not vector:
        raise UnsupportedError(f"‖{text}‖₁ of the matrix {text} ({t.show_shape(a.shape)}) is not supported; the 1-norm is for vectors")
    return t.Norm(a if a.cols == t.ONE else t.transpose(a), 1)


def _apply(inf, node, kids):
    name, order, formula = node.data
    if name == "log" and order == 0 and isinstance(kids[0], t.Det):
        return t.LogDet(kids[0].arg)
    return t.Apply(name, kids[0], order, formula)


def _symbol(inf: ShapeInference, node: Node, kids) -> t.Expr:
    dims = inf.final(inf.symbols[node.data])
    return t.Symbol(node.data, dims, inf.decl.domains.get(node.data, frozenset()))


BUILD = {
    "sym": _symbol,
    "ident": lambda inf, n, k: t.identity(inf.final(inf.shape[id(n)])[0]),
    "ones": lambda inf, n, k: t.ones(inf.final(inf.shape[id(n)])[0]),
    "num": lambda inf, n, k: t.Number(n.data),
    "sum": _fold_build,
    "elem": _fold_build,
    "prod": _product,
    "run": lambda inf, n, k: _product(inf, Node("prod", n.kids, ("*",) * len(k), n.span), k),
    "neg": lambda inf, n, k: t.neg(k[0]),
    "T": lambda inf, n, k: t.transpose(k[0]),
    "invT": lambda inf, n, k: t.inverse(t.transpose(k[0])),
    "inv": lambda inf, n, k: t.inverse(k[0]),
    "pow": lambda inf, n, k: t.power(k[0], n.data) if k[0].is_scalar else t.matpow(k[0], int(n.data)),
    "hpow": lambda inf, n, k: t.hadamard_pow(k[0], n.data),
    "apply": _apply,
    "trace": lambda inf, n, k: t.trace(k[0]),
    "det": lambda inf, n, k: t.Det(k[0]),
    "logdet": lambda inf, n, k: t.LogDet(k[0]),
    "adj": lambda inf, n, k: t.Adj(k[0]),
    "diag": lambda inf, n, k: {"column": lambda a: t.DiagMat(a), "row": lambda a: t.DiagMat(t.transpose(a)),
                               "matrix": lambda a: t.DiagVec(a)}[inf.plan[id(n)]](k[0]),
    "vec": lambda inf, n, k: k[0] if k[0].cols == t.ONE else t.Vec(k[0]),
    "sumall": lambda inf, n, k: t.matmul(t.transpose(t.ones(k[0].rows)), k[0], t.ones(k[0].cols)),
    "norm": lambda inf, n, k: _norm(inf, n, k[0]),
    "bars": lambda inf, n, k: t.Apply("abs", k[0]) if inf.plan[id(n)] == "abs" else t.Det(k[0]),
    "callf": lambda inf, n, k: t.Call(n.data, k[0]),
    "grad": lambda inf, n, k: t.Grad(n.data, k[0]),
}


def build(root: Node, inf: ShapeInference) -> t.Expr:
    """The typed tree, built bottom-up with the builders of matcalc.tree."""
    out: dict = {}
    for node in _postorder(root):
        out[id(node)] = BUILD[node.op](inf, node, [out[id(k)] for k in node.kids])
    return out[id(root)]


# ---- parse ----------------------------------------------------------------------------------


def _depth_check(root: Node, text: str) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _error_at(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", text, node.span[0])
        stack.extend((k, depth + 1) for k in node.kids)


def _syntax_error(exc: LarkError, text: str) -> ParseError:
    if isinstance(exc, UnexpectedCharacters):
        return ParseError(f"unexpected character {text[exc.pos_in_stream]!r}", text, exc.line, exc.column)
    if isinstance(exc, (UnexpectedEOF,)) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return _error_at("unexpected end of input: the expression is incomplete", text, len(text.rstrip()))
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        return ParseError(f"unexpected {tok.value!r}", text, tok.line, tok.column)
    return ParseError(f"cannot read the expression: {exc}", text)


def syntax_tree(text: str, decl: Declarations) -> Node:
    """The untyped syntax tree of ``text`` (ParseError on bad syntax)."""
    reset = _DECLARED.set((decl, text))
    try:
        tree = lark_parser().parse(text)
        root = _value(ToSyntax(text, decl).transform(tree))
    except VisitError as exc:
        if isinstance(exc.orig_exc, MatcalcError):
            raise exc.orig_exc from None
        raise
    except LarkError as exc:
        raise _syntax_error(exc, text) from None
    finally:
        _DECLARED.reset(reset)
    _depth_check(root, text)
    return root


def parse(text: str, shapes=None, domains=None, functions=None, shape=None):
    """The expression tree of ``text``, with shapes inferred (see docs/language.md).

    ``shapes`` maps names to dims (``()``, ``("m",)``, ``("m", "n")``) or is the text form
    ``"X: m×n, a: m, λ: scalar, Σ: spd, g: elementwise"``; ``domains`` maps names to
    symmetric / spd / invertible / positive; ``functions`` maps names to "elementwise",
    "scalar" or a formula in x; ``shape``, a pair of dims (names or ints), is the shape the
    whole expression must have (it sizes a free I or 𝟙).  Raises a MatcalcError subclass on
    bad input.
    """
    if not isinstance(text, str):
        raise ParseError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    if not text.strip():
        raise ParseError("empty expression: there is nothing to parse")
    decl = Declarations.build(shapes, domains, functions)
    root = syntax_tree(text, decl)
    try:
        inference = ShapeInference(text, decl)
        inference.run(root)
        if shape is not None:
            inference.fit(root, shape)
        return build(root, inference)
    except RecursionError:
        raise ParseError(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)") from None
