"""Text → untyped syntax tree: ``syntax_tree(text, decl) -> Node``.

Lark's LALR parser reads the text with ``grammar/matcalc.lark``, through the token pass of
``matcalc.language.tokens``; ``ToSyntax`` turns the parse tree into ``Node``s, splitting runs of letters
into symbols and resolving names into calls.  Bad syntax raises ParseError with its position.
Passes over the tree are iterative (``postorder``), so that deep input cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sympy
from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive, v_args

from ..errors import MatcalcError, ParseError, did_you_mean
from . import traversal
from .declarations import Declarations
from .dims import dim
from .exact import numeral
from .grammars import PYTHON_SYNTAX, grammar_text
from .limits import numeral_problem, power_problem
from .names import ATOM, GREEK, atoms, canonical_name, is_greek_word, split_name
from .sizes import read_subscript
from .tokens import DECLARED, MAX_DEPTH, SUPERSCRIPTS, TokenPass
from .vocabulary import BUILTINS, ELEMENTWISE, ELEMENTWISE_ALIASES, IMAGINARY_UNITS, PREFIX_WORDS, SIGMOID_NAMES

# ---- the grammar ----------------------------------------------------------------------------


def lark_parser() -> Lark:
    with PYTHON_SYNTAX:  # built once, by one thread
        return _built()


@lru_cache(maxsize=1)
def _built() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        postlex=TokenPass(),
        propagate_positions=True,
        maybe_placeholders=True,
    )


def _error_at(reason: str, text: str, offset: int) -> ParseError:
    return ParseError.at(reason, text, offset)



# ---- the untyped syntax tree ----------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Node:
    """An untyped syntax-tree node.  ``span`` is its (start, end) offset in the text.

    ops: sym ident ones num sum neg prod run elem T invT H invH conj real imag pow hpow apply
    trace det logdet inv adj diag vec sumall norm bars callf grad epow (e^X); sized (data: kind I, 𝟙, J = 𝟙_{m×n}, 0 or K and
    the size specs), unvec (data: size specs), kronadj (data: side).  A ``run`` is a
    juxtaposition read from one run of letters (or a name before a parenthesis): a postfix
    applies to its last item only.
    """

    op: str
    kids: tuple = ()
    data: object = None
    span: tuple = (0, 0)


@dataclass(frozen=True, slots=True)
class Exponent:
    """An exponent that is not a number: the argument of e^X, else the error it is."""

    node: Node
    error: tuple  # (reason, offset)


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


def _number(tok: Token) -> sympy.Rational:
    problem = numeral_problem(tok.value)
    if problem:
        raise _error_at(problem, DECLARED.get()[1], tok.start_pos)
    return numeral(tok.value)


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
        problem = power_problem(vals[0], node.data)
        if problem:
            raise _error_at(problem, DECLARED.get()[1], node.span[0])
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
            if isinstance(data, Exponent):  # e^X: the exponential, of a scalar or (expm) of a square matrix
                if not (target.op == "sym" and target.data == "e" and "e" not in self.decl.symbols):
                    raise self.error(*data.error)
                target = Node("epow", (data.node,), None, (target.span[0], end))
                continue
            target = Node(op, (target,), data, (target.span[0], end))
        return _run(items[:-1] + [target])

    def transpose(self, meta, ch):
        return ("T", None, meta.end_pos)

    def inverse_transpose(self, meta, ch):
        return ("invT", None, meta.end_pos)

    def hermitian(self, meta, ch):
        return ("H", None, meta.end_pos)

    def inverse_hermitian(self, meta, ch):
        return ("invH", None, meta.end_pos)

    def conjugate(self, meta, ch):
        return ("conj", None, meta.end_pos)

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
        return _number(ch[0])

    def exponent_sign(self, meta, ch):
        if isinstance(ch[1], Exponent):
            raise self.error(*ch[1].error)
        return -ch[1] if ch[0].value != "+" else ch[1]

    def exponent_group(self, meta, ch):
        value = _const(_value(ch[0]))
        if value is None:
            return Exponent(_value(ch[0]), ("an exponent must be a number, such as 2, -1 or (1/2)", meta.start_pos))
        return value

    def exponent_name(self, meta, ch):
        tok = ch[0]
        hint = " (for the transpose write ^T)" if tok.value.lower().startswith("t") else ""
        return Exponent(_value(_run(self.split(tok))), (f"an exponent must be a number, not {tok.value!r}{hint}", tok.start_pos))

    # -- atoms --
    def number(self, meta, ch):
        return Node("num", (), _number(ch[0]), self.span(meta))

    def imaginary_unit(self, meta, ch):
        return Node("num", (), sympy.I, self.span(meta))

    def ones(self, meta, ch):
        if ch[1] is None:
            return Node("ones", (), None, self.span(meta))
        sizes = self.sizes(ch[1].value, ch[1].start_pos, "𝟙", (1, 2))
        return Node("sized", (), ("𝟙" if len(sizes) == 1 else "J", sizes), self.span(meta))

    def name(self, meta, ch):
        tok = ch[0]
        word = tok.value
        if word in BUILTINS or word in ELEMENTWISE:
            if word not in self.decl.symbols:
                raise self.error(f"{word} is a function: write {word}(…)", tok.start_pos)
        return _run(self.split(tok))

    def group(self, meta, ch):
        node = _value(ch[0])
        node.span = self.span(meta)  # with its parentheses: (x − μ)ᵀ
        return node

    def norm(self, meta, ch):
        kind = "default"
        if ch[3] is not None:
            kind = {"F": "F", "1": "1", "₁": "1", "2": "2", "₂": "2", "*": "*", "∞": "∞", "inf": "∞",
                    r"\infty": "∞"}[ch[3].value.strip("_{} ")]
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

    # -- sized constants and reshapes (docs/language.md, "Sized constants") --
    def sized_number(self, meta, ch):
        num, sub = ch
        if _number(num) != 0:
            raise self.error(f"only 0 takes a size, as in 0_{{m×n}}; a matrix of {num.value}s is {num.value}𝟙_{{m×n}}",
                             sub.start_pos)
        sizes = self.sizes(sub.value, sub.start_pos, "0", (1, 2))
        return Node("sized", (), ("0", sizes + ((1, ()),) * (2 - len(sizes))), self.span(meta))

    def unvec(self, meta, ch):
        tok, sub, arg = ch
        if sub is None:
            raise self.error("vec⁻¹ needs the shape it makes: write vec⁻¹_{m×n}(v)", tok.end_pos)
        return Node("unvec", (_value(arg),), self.sizes(sub.value, sub.start_pos, "vec⁻¹", (2,)), self.span(meta))

    def kron_adjoint(self, meta, ch):
        """⟨C, · ⊗ B⟩ (side left: the · comes first) or ⟨C, A ⊗ ·⟩ (side right)."""
        c, left = ch[1], isinstance(ch[2], Token)
        dot, kron, other = (ch[2], ch[3], ch[4]) if left else (ch[4], ch[3], ch[2])
        for tok, want in ((dot, "·⋅"), (kron, "⊗")):
            if tok.value not in want:
                raise self.error(f"unexpected {tok.value!r}: the adjoint of a Kronecker product is ⟨C, · ⊗ B⟩ or ⟨C, A ⊗ ·⟩",
                                 tok.start_pos)
        return Node("kronadj", (_value(c), _value(other)), "left" if left else "right", self.span(meta))

    kron_adjoint_left = kron_adjoint_right = kron_adjoint

    def sizes(self, text: str, offset: int, what: str, counts: tuple) -> tuple:
        """The size specs of a subscript (``_n``, ``_{m×n}``, ``₂``) of ``what``."""
        try:
            return read_subscript(text, self.decl.dim_names(), what, counts)
        except ValueError as exc:
            raise self.error(str(exc), offset) from None

    # -- names --
    def check_unknown(self, tok: Token, word: str) -> None:
        """A run of two or more lower-case letters before "(" must be a function or declared symbols."""
        if re.fullmatch(r"[a-z]{2,}", tok.value) and tok.value not in GREEK:
            if not all(n.op == "sym" and n.data in self.decl.symbols for n in self.split(tok)):
                known = [*BUILTINS, *ELEMENTWISE, *SIGMOID_NAMES, *self.decl.functions]
                hint = did_you_mean(word, known) or f" (declare it, e.g. \"{word}: elementwise\" or \"{word}: scalar\")"
                raise self.error(f"unknown function {word!r}{hint}", tok.start_pos)

    def function(self, word: str, args: list, tok: Token, span: tuple) -> Node | None:
        """The call of ``word`` on ``args`` when ``word`` names a function, else None."""
        decl = self.decl
        name = canonical_name(word)
        if word in BUILTINS:
            op, arity = BUILTINS[word]
            data = None
        elif word in ELEMENTWISE or (word in SIGMOID_NAMES and "σ" not in decl.symbols):
            op, arity, data = "apply", 1, ("sigmoid" if word in SIGMOID_NAMES else word, 0, None)
        elif word in ELEMENTWISE_ALIASES and "σ" not in decl.symbols:
            op, arity, data = "apply", 1, (ELEMENTWISE_ALIASES[word], 0, None)
        elif name.endswith("′") and name.rstrip("′") in ELEMENTWISE and name not in decl.symbols:
            op, arity, data = "apply", 1, (name.rstrip("′"), len(name) - len(name.rstrip("′")), None)
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
        if op in ("norm", "norm1", "norminf"):
            return Node("norm", tuple(args), {"norm1": "1", "norminf": "∞"}.get(op, "default"), span)
        return Node(op, tuple(args), data, span)

    def split(self, tok: Token) -> list:
        """The symbols of a run of letters: declared names longest first, then single letters."""
        run, start, decl = tok.value, tok.start_pos, self.decl
        whole = canonical_name(run)
        if run == "ones" and "ones" not in decl.symbols:
            return [Node("ones", (), None, (start, start + len(run)))]
        if whole in decl.symbols or is_greek_word(run):
            return [self.symbol(whole, start, start + len(run))]
        return [self.symbol(name, start + i, start + j) for i, j, name in atoms(run, decl.spelled)]

    def symbol(self, name: str, start: int, end: int) -> Node:
        if name == "I" and "I" not in self.decl.symbols:
            return Node("ident", (), None, (start, end))
        base, sub, primes = split_name(name)
        if sub and not primes and name not in self.decl.symbols and (base == "I" or (base == "K" and "," in sub)):
            return Node("sized", (), (base, self.sizes(sub, start, base, (1,) if base == "I" else (2,))), (start, end))
        if name in self.decl.functions:
            raise self.error(f"{name} is declared as a function: write {name}(…)", start)
        if name not in self.decl.symbols and name in self.decl.dim_names():  # a dimension is a number: √d, 1/n
            return Node("num", (), dim(name), (start, end))
        if name in IMAGINARY_UNITS and name not in self.decl.symbols:
            return Node("num", (), sympy.I, (start, end))
        return Node("sym", (), name, (start, end))


def postorder(root: Node):
    """Every node below ``root``, children before parents, without recursion."""
    return traversal.postorder(root, _kids)


def _kids(node: Node) -> tuple:
    return tuple(node.kids)


# ---- text → syntax tree ---------------------------------------------------------------------


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
        if tok.type == "DIMSUB":
            return ParseError(f"unexpected subscript {tok.value!r}: a norm takes _F, _1, _2, _* or _∞, and sizes are written "
                              "I_n, 𝟙_n, 𝟙_{m×n}, 0_{m×n}, K_{m,n}, vec⁻¹_{m×n}(v)", text, tok.line, tok.column)
        return ParseError(f"unexpected {tok.value!r}", text, tok.line, tok.column)
    return ParseError(f"cannot read the expression: {exc}", text)


def syntax_tree(text: str, decl: Declarations) -> Node:
    """The untyped syntax tree of ``text`` (ParseError on bad syntax)."""
    reset = DECLARED.set((decl, text))
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
        DECLARED.reset(reset)
    _depth_check(root, text)
    return root
