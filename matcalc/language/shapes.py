"""Shapes of a syntax tree by unification of dimension variables: ``ShapeInference``.

``Dims`` keeps the dimension variables (``Var``, a union–find; ``Prod`` for the dimension of a
Kronecker product or of vec) and raises ``Clash`` where two cannot be unified;
``ShapeInference`` runs one ``rule_<op>`` per syntax-tree op, bottom-up, turns a clash into a
ShapeError that quotes the text, and records in ``plan`` the choices the builder follows.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..errors import ShapeError
from .declarations import SQUARE_DOMAINS, Declarations
from .dims import dim
from .names import split_name
from .syntax import Node, postorder

# ---- dimensions: union-find over dimension variables ----------------------------------------

POOL = ("m", "n", "k", "p", "q", "r", "s", "t", "u", "v", "w")


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
            return dim(self.name(r))
        return sympy.Mul(sympy.Integer(r.coef), *(dim(self.name(v)) for v in r.factors))


# ---- shape inference ------------------------------------------------------------------------


class ShapeInference:
    """Shapes of the syntax tree by unification; ``plan`` records the choices the builder
    follows (which side of a sum is broadcast, det or abs for |…|, …)."""

    def __init__(self, text: str, decl: Declarations, reserved=frozenset()):
        """``reserved``: dimension names the text uses (I_n), which no fresh dimension takes."""
        self.text, self.decl = text, decl
        self.dims = Dims(decl.dim_names() | set(reserved))
        self.shape: dict = {}
        self.plan: dict = {}
        self.symbols: dict = {}

    def run(self, root: Node) -> None:
        for node in postorder(root):
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

    # -- sized constants and reshapes: I_n, 𝟙_n, 𝟙_{m×n}, 0_{m×n}, K_{m,n}, vec⁻¹_{m×n}(v), ⟨C, · ⊗ B⟩ --
    def size(self, spec):
        """The dimension of a size spec (coefficient, names): the declared dimension of each name."""
        coef, names = spec
        term = coef
        for name in names:
            term = self.dims.mul(term, self.dims.of(name))
        return term

    def rule_sized(self, node, _):
        kind, specs = node.data
        d = self.plan[id(node)] = [self.size(s) for s in specs]
        if kind == "K":
            mn = self.dims.mul(d[0], d[1])
            return (mn, mn)
        return {"I": (d[0], d[0]), "𝟙": (d[0], 1)}.get(kind, tuple(d))

    def rule_unvec(self, node, shapes):
        m, n = (self.size(s) for s in node.data)
        show = self.dims.show
        message = lambda: (f"vec⁻¹_{{{show(m)}×{show(n)}}} needs a vector of {show(self.dims.mul(m, n))} entries, "  # noqa: E731
                           f"got {self.desc(node.kids[0], shapes[0])}")
        self.unify(shapes[0][1], 1, message)
        self.unify(shapes[0][0], self.dims.mul(m, n), message)
        return (m, n)

    def rule_kronadj(self, node, shapes):
        """⟨C, · ⊗ B⟩ is p×q where C is (p·rows B)×(q·cols B)."""
        (c, other), out = shapes, []
        for i in (0, 1):
            ci, oi = self.dims.resolve(c[i]), self.dims.resolve(other[i])
            if ci == oi or (isinstance(ci, int) and isinstance(oi, int) and ci % oi == 0):
                out.append(1 if ci == oi else ci // oi)
                continue
            out.append(self.dims.fresh(rigid=False))
            self.unify(self.dims.mul(out[i], other[i]), c[i], lambda: f"{self.desc(node.kids[0], c)} is not the shape "
                       f"of a Kronecker product with {self.desc(node.kids[1], other)}")
        return tuple(out)

    # -- the typed shapes --
    def final(self, shape) -> tuple:
        return (self.dims.sympy(shape[0]), self.dims.sympy(shape[1]))
