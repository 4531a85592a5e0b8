"""Shapes of a syntax tree by unification of dimension variables: ``ShapeInference``, one
reading of the text.

It runs one ``rule_<op>`` per syntax-tree op, bottom-up, over the variables of
``matcalc.language.unify``, turns a clash into a ShapeError that quotes the text, and records
in ``plan`` the choices the builder follows.  An undeclared symbol starts from the default of
its name — upper-case: a matrix; lower-case Latin: a column vector (its 1 a soft one);
lower-case Greek: a scalar (both 1s soft) — unless it is ``relaxed``, when its shape comes from
use alone.  A soft one of a Greek name is never broadcast: that reading fails
(``refused``); a Latin vector broadcast across a matrix (a bias) is allowed but noted in
``broadcasts``, so that ``matcalc.language.readings`` can look for a reading without it.
"""

from __future__ import annotations

from ..errors import ShapeError
from .declarations import SQUARE_DOMAINS, Declarations
from .names import split_name
from .syntax import Node, postorder
from .unify import Clash, Dims


class Failure(Exception):
    """A reading that does not work: the node where it fails, the error, the symbols whose
    names alone gave a dimension in the clash, and whether it is the shape of the whole."""

    def __init__(self, node: Node, error: ShapeError | None, owners=frozenset(), whole: bool = False):
        super().__init__(str(error))
        self.node, self.error, self.owners, self.whole = node, error, frozenset(owners), whole

# ---- shape inference ------------------------------------------------------------------------


def is_greek_scalar(name: str) -> bool:
    """Whether the name alone makes a symbol a scalar: a lower-case Greek letter."""
    letter = split_name(name)[0][:1]
    return "α" <= letter <= "ω" or letter in "ϑϕϵ"



class ShapeInference:
    """Shapes of the syntax tree by unification; ``plan`` records the choices the builder
    follows (which side of a sum is broadcast, det or abs for |…|, …)."""

    def __init__(self, text: str, decl: Declarations, relaxed=frozenset(), reserved=frozenset()):
        """``relaxed``: undeclared symbols whose shapes come from use alone; ``reserved``:
        dimension names the text uses (I_n), which no fresh dimension takes."""
        self.text, self.decl, self.relaxed = text, decl, frozenset(relaxed)
        self.dims = Dims(decl.dim_names() | set(reserved))
        self.shape: dict = {}
        self.plan: dict = {}
        self.symbols: dict = {}
        self.greek: set = set()  # symbols read as scalars by their Greek names
        self.broadcasts: list = []  # sums and ⊙ that broadcast a Latin vector by its name
        self.refused: list = []  # Failures: sums and ⊙ that would broadcast a Greek name
        self.owners: frozenset = frozenset()  # of the last clash

    def run(self, root: Node, target=None) -> None:
        """Infer every shape, then unify the whole with ``target``; raise Failure where the
        reading fails.  Preferred-one dimensions left open become 1."""
        node, whole = root, False
        try:
            for node in postorder(root):
                self.shape[id(node)] = getattr(self, "rule_" + node.op)(node, [self.shape[id(k)] for k in node.kids])
            node, whole = root, True
            if target is not None:
                self.fit(root, target)
        except ShapeError as error:
            raise Failure(node, error, self.owners, whole) from None
        self.dims.settle()

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
        except Clash as clash:
            self.owners = clash.owners
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

    def combine(self, node: Node, a, b, verb: str, left, right):
        """The shape of an elementwise combination, broadcasting the side with a 1 against a
        dimension that is not 1 (``Dims.broadcasts``); a 1 only a Greek name says is never
        broadcast."""
        sides = set()
        message = lambda: f"cannot {verb} {left()} and {right()}"  # noqa: E731
        ones = [i for i in (0, 1) if self.dims.is_one(a[i]) or self.dims.is_one(b[i])]
        for i in sorted((0, 1), key=lambda i: i in ones):  # positions without a 1 first
            x, y = a[i], b[i]
            if self.dims.broadcasts(x, y):
                sides.add("L")
                self.broadcast(node, x, message)
            elif self.dims.broadcasts(y, x):
                sides.add("R")
                self.broadcast(node, y, message)
            else:
                self.unify(x, y, message, "dimensions {x} and {y} differ")
        if len(sides) == 2:
            raise ShapeError(f"{message()}: only one side may be broadcast")
        side = sides.pop() if sides else None
        return (b if side == "L" else a), side

    def broadcast(self, node: Node, one, message) -> None:
        """Note the broadcast of a 1 a name says: refused for a Greek name (the reading goes on,
        to find every refusal at once, but fails), noted for a Latin one."""
        owners = self.dims.owners(one)
        greek = sorted(owners & self.greek)
        if greek:
            names = ", ".join(greek)
            error = ShapeError(f"{message()}: {names} is not declared, so it is not broadcast; declare {names} "
                               f"scalar to add it to every entry")
            self.refused.append(Failure(node, error, owners))
        elif owners:
            self.broadcasts.append(node)

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
                acc, side = self.combine(node, acc, shapes[i], verbs[op], *self.operands(node, i, acc, shapes[i]))
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
        if self.decl.domains.get(name, frozenset()) & SQUARE_DOMAINS:
            v = self.dims.fresh(rigid=name not in self.relaxed)
            return (v, v)
        if name in self.relaxed:
            return (self.dims.fresh(rigid=False, loose=True),
                    self.dims.fresh(rigid=False, prefer=letter.islower(), loose=True))
        if is_greek_scalar(name):
            self.greek.add(name)
            return (self.dims.soft_one(name), self.dims.soft_one(name))
        return (self.dims.fresh(), self.dims.fresh()) if letter.isupper() else (self.dims.fresh(), self.dims.soft_one(name))

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

    rule_apply = rule_hpow = rule_grad = rule_tril = rule_triu = rule_neg
    rule_conj = rule_real = rule_imag = rule_neg

    def rule_T(self, node, shapes):
        return (shapes[0][1], shapes[0][0])

    rule_H = rule_T

    def rule_invT(self, node, shapes):
        self.square(node, shapes[0], "inverse")
        return shapes[0]

    rule_invH = rule_invT

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
        if self.dims.open_preferring_one(s[1]):
            self.dims.unify(s[1], 1)
        if self.dims.is_one(s[1]):
            self.plan[id(node)] = "column"
            return (s[0], s[0])
        if self.dims.is_one(s[0]):
            self.plan[id(node)] = "row"
            return (s[1], s[1])
        self.square(node, s, "diag")
        self.plan[id(node)] = "matrix"
        return (s[0], 1)

    rule_softmax = rule_logsoftmax = rule_neg

    def rule_reduce(self, node, shapes):
        """A vector gives a scalar, an m×n matrix the m×1 column of its rows' values."""
        s = shapes[0]
        if self.dims.open_preferring_one(s[1]):
            self.dims.unify(s[1], 1)
        return (1, 1) if self.dims.is_one(s[1]) else (s[0], 1)

    rule_logsumexp = rule_mean = rule_var = rule_std = rule_reduce

    def rule_max(self, node, shapes):
        """max(a, b), min(a, b): elementwise, a scalar broadcast against the other operand."""
        acc, self.plan[id(node)] = self.combine(node, shapes[0], shapes[1], f"take the {node.op}imum of",
                                                *self.operands(node, 1, shapes[0], shapes[1]))
        return acc

    rule_min = rule_max

    def rule_vec(self, node, shapes):
        return (self.dims.mul(*shapes[0]), 1)

    def rule_sumall(self, node, shapes):
        return (1, 1)

    rule_norm = rule_callf = rule_specnorm = rule_nucnorm = rule_sumall

    # -- spectral words: λ_max(S), eigvec_max(S), svec_u(X), polar(X), expm(X), L_expm(X, E) --
    def rule_eigmax(self, node, shapes):
        self.square(node, shapes[0], "an eigenvalue")
        return (1, 1)

    rule_eigmin = rule_eigmax

    def rule_eigvec_max(self, node, shapes):
        self.square(node, shapes[0], "an eigenvector")
        return (shapes[0][0], 1)

    rule_eigvec_min = rule_eigvec_max

    def rule_pinv_max(self, node, shapes):
        self.square(node, shapes[0], "a resolvent")
        return shapes[0]

    rule_pinv_min = rule_pinv_max

    def rule_svec_u(self, node, shapes):
        return (shapes[0][0], 1)

    def rule_svec_v(self, node, shapes):
        return (shapes[0][1], 1)

    def rule_polar(self, node, shapes):
        return shapes[0]

    def rule_expm(self, node, shapes):
        self.square(node, shapes[0], "a matrix function")
        return shapes[0]

    rule_logm = rule_sqrtm = rule_expm

    def rule_epow(self, node, shapes):
        """e^x of a scalar is exp(x); e^X of a square matrix is expm(X)."""
        if self.scalar(shapes[0]):
            self.plan[id(node)] = "exp"
            return shapes[0]
        self.plan[id(node)] = "expm"
        self.square(node, shapes[0], "e^X, the matrix exponential,")
        return shapes[0]

    def rule_L_expm(self, node, shapes):
        self.square(node, shapes[0], "a Fréchet derivative")
        for i in (0, 1):
            self.unify(shapes[1][i], shapes[0][i], lambda: f"the direction {self.desc(node.kids[1], shapes[1])} of a "
                       f"Fréchet derivative needs the shape of {self.desc(node.kids[0], shapes[0])}")
        return shapes[0]

    rule_L_logm = rule_L_sqrtm = rule_L_expm

    def rule_K_expm(self, node, shapes):
        """K_f(X), K2_f(X, E): the n²×n² Kronecker forms of the first and second Fréchet derivatives."""
        self.square(node, shapes[0], "the Kronecker form of a Fréchet derivative")
        if len(shapes) > 1:
            self.rule_L_expm(node, shapes)
        nn = self.dims.mul(shapes[0][0], shapes[0][0])
        return (nn, nn)

    rule_K_logm = rule_K_sqrtm = rule_K2_expm = rule_K2_logm = rule_K2_sqrtm = rule_K_expm

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
