"""Which constants print with their size: ``sized(root)``.

Read back, a bare ``I`` or ``𝟙`` takes the size that unification with the rest of the text
gives it, and a bare number or vector in a sum is broadcast to the size of the other terms
(``matcalc.language.shapes``).  The printers write ``I_n``, ``𝟙_n``, ``𝟙_{m×n}`` where that
would not give the node its own size; ``0_{m×n}`` and ``K_{m,n}`` always carry theirs.

``sized`` runs the parser's unification over the tree as it prints, node by node in the
order the parser meets them: each unsized constant gets fresh dimension variables; products
of dimensions match only where the answer is unique (m·v = m·n gives v = n); a literal 1 is
broadcast only against a size already fixed, left to right.  A constant whose variables do
not end at its own size, or a broadcast the parser would not rebuild, fails; the first
failure in reading order is sized and the run repeated, until none fails.
"""

from __future__ import annotations

import sympy

from .. import expr as t
from ..expr.nodes import DifferentialOf
from ..language.exact import exact

FLEXIBLE = (t.Identity, t.Ones, t.Broadcast)


class Unsolved(Exception):
    """Two dimensions the parser could not unify."""


class Dims:
    """Union–find over dimension variables (SymPy Dummies) with the parser's rules."""

    def __init__(self):
        self.parent: dict = {}
        self.value: dict = {}
        self.broken: set = set()

    def fresh(self) -> sympy.Dummy:
        v = sympy.Dummy(integer=True, positive=True)
        self.parent[v] = v
        return v

    def find(self, v):
        while self.parent[v] is not v:
            self.parent[v] = self.parent[self.parent[v]]
            v = self.parent[v]
        return v

    def resolve(self, d):
        d = exact(d)
        subs = {}
        for s in d.free_symbols:
            if isinstance(s, sympy.Dummy):
                r = self.find(s)
                subs[s] = self.resolve(self.value[r]) if r in self.value else r
        return d.xreplace(subs) if subs else d

    def poison(self, *ds) -> None:
        """The parser fails here: the variables of ``ds`` are never fixed."""
        self.broken |= {self.find(s) for d in ds for s in exact(d).free_symbols if isinstance(s, sympy.Dummy)}

    def is_one(self, d) -> bool:
        return self.resolve(d) == 1

    def rigid(self, d) -> bool:
        r = self.resolve(d)
        return r != 1 and not isinstance(r, sympy.Dummy)

    def fixed(self, d) -> bool:
        return not any(isinstance(s, sympy.Dummy) for s in self.resolve(d).free_symbols)

    def unify(self, a, b) -> None:
        a, b = self.resolve(a), self.resolve(b)
        if a == b:
            return
        loose = {self.find(s) for s in (a.free_symbols | b.free_symbols) if isinstance(s, sympy.Dummy)}
        try:
            if loose & self.broken:
                raise Unsolved
            self._unify(a, b)
        except Unsolved:
            self.broken |= loose

    def _unify(self, a, b) -> None:
        if isinstance(b, sympy.Dummy):
            a, b = b, a
        if isinstance(a, sympy.Dummy):
            if isinstance(b, sympy.Dummy):
                self.parent[a] = b
            elif a in b.free_symbols:
                raise Unsolved
            else:
                self.value[a] = b
            return
        fa, fb = _factors(a), _factors(b)
        if fa is None or fb is None or fa[0] != fb[0] or len(fa[1]) + (fa[0] != 1) < 2 or len(fb[1]) + (fb[0] != 1) < 2:
            raise Unsolved  # only two products are matched, as the parser's Prod
        xs, ys = list(fa[1]), list(fb[1])
        for x in fa[1]:
            if x in ys:
                xs.remove(x)
                ys.remove(x)
        if len(xs) == 1 or len(ys) == 1:
            one, rest = (xs, ys) if len(xs) == 1 else (ys, xs)
            return self._unify(one[0], self.resolve(sympy.Mul(*rest)))
        if xs and len(xs) == len(ys) and len(set(xs)) == 1 and len(set(ys)) == 1:
            return self._unify(xs[0], ys[0])
        raise Unsolved


def _factors(d):
    """(integer coefficient, atoms with repetition) of a monomial dimension, else None."""
    coef, rest = d.as_coeff_Mul()
    if not coef.is_Integer:
        return None
    atoms = []
    for f in sympy.Mul.make_args(rest):
        base, power = f.as_base_exp()
        if not (base.is_Symbol and power.is_Integer and power > 0):
            return None
        atoms.extend([base] * int(power))
    return int(coef), atoms


class Occurrence:
    """A constant where it stands in the printed text: its node, its place in reading order,
    its shape in the run; for a bare broadcast, whether the parser rebuilds it."""

    __slots__ = ("node", "index", "shape", "broadcast")

    def __init__(self, node, index, shape):
        self.node, self.index, self.shape, self.broadcast = node, index, shape, False


class Run:
    """One pass of the unification over the tree as printed, the constants in ``sized`` with
    their size; ``failures()`` lists the constants the parser would not size as the tree."""

    def __init__(self, sized: set):
        self.sized = sized
        self.dims = Dims()
        self.constants: list = []
        self.failed: list = []  # bare broadcasts the parser would not rebuild
        self.forced: list = []  # broadcasts where the parser never broadcasts: always sized
        self.node, self.index = None, 0  # the node being built and its place in reading order

    def constant(self, shape):
        self.constants.append(Occurrence(self.node, self.index, shape))
        return shape, None

    def fold(self, node, kids):
        """The parser's fold of a sum or an elementwise chain: left to right, a side with a
        literal 1 is broadcast to the other when that one's size is fixed."""
        acc, first = kids[0]
        done = [first] if first else []
        for i, (shape, bare) in enumerate(kids[1:], 1):
            side = self.combine(acc, shape)
            if side == "L" and i == 1 and first:
                acc = shape
            elif side == "R" and bare:
                done.append(bare)
            elif side is not None or bare:
                self.failed.extend(b for b in (first if i == 1 else None, bare) if b)
                self.dims.poison(*acc, *shape)
        for b in done:
            b.shape, b.broadcast = acc, True
        return acc, None

    def combine(self, a, b):
        d, sides = self.dims, set()
        ones = [i for i in (0, 1) if d.is_one(a[i]) or d.is_one(b[i])]
        for i in sorted((0, 1), key=lambda i: i in ones):
            if d.is_one(a[i]) and not d.is_one(b[i]) and d.rigid(b[i]):
                sides.add("L")
            elif d.is_one(b[i]) and not d.is_one(a[i]) and d.rigid(a[i]):
                sides.add("R")
            else:
                d.unify(a[i], b[i])
        return sides.pop() if len(sides) == 1 else ("both" if sides else None)

    def product(self, node, kids):
        """The parser's product: left to right, a 1×1 operand is a scalar multiple."""
        acc = kids[0][0]
        for shape, _ in kids[1:]:
            if self.dims.is_one(acc[0]) and self.dims.is_one(acc[1]):
                acc = shape
            elif not (self.dims.is_one(shape[0]) and self.dims.is_one(shape[1])):
                self.dims.unify(acc[1], shape[0])
                acc = (acc[0], shape[1])
        return acc, None

    def square(self, shape):
        self.dims.unify(shape[0], shape[1])
        return shape

    def broadcast(self, node, kids, bare: bool):
        """A bare broadcast has its argument's shape until its sum broadcasts it; a sized one
        prints c𝟙_{m×n}, or arg + 0_{m×n} (which the parser folds the same way)."""
        if bare:
            occ = Occurrence(node, self.index, None)
            self.constants.append(occ)
            return kids[0][0], occ
        if not isinstance(node.arg, t.Number):
            self.fold(node, [kids[0], (node.dims, None)])
        return node.dims, None

    def kron_factor(self, node, kids):
        (c, _), (other, _) = kids
        out = []
        for i in (0, 1):
            if self.dims.fixed(c[i]) and self.dims.fixed(other[i]):
                out.append(node.shape[i])
            else:
                out.append(self.dims.fresh())
                self.dims.unify(out[i] * other[i], c[i])
        return tuple(out), None

    def unvec(self, node, kids):
        self.dims.unify(kids[0][0][1], t.ONE)
        self.dims.unify(kids[0][0][0], node.dims[0] * node.dims[1])
        return node.dims, None

    def failures(self) -> list:
        """The constants that must carry their size, in reading order."""
        out = list(self.failed)
        for occ in self.constants:
            if isinstance(occ.node, t.Broadcast):
                if not occ.broadcast or not self._is(occ.shape, occ.node.dims):
                    out.append(occ)
            elif not self._is(occ.shape, occ.node.shape):
                out.append(occ)
        return sorted(out, key=lambda o: o.index)

    def _is(self, shape, want) -> bool:
        return all(self.dims.fixed(a) and t.same_dim(self.dims.resolve(a), w) for a, w in zip(shape, want))


def _identity(run, node, kids):
    if id(node) in run.sized:
        return node.shape, None
    v = run.dims.fresh()
    return run.constant((v, v))


def _ones(run, node, kids):
    return (node.shape, None) if id(node) in run.sized else run.constant((run.dims.fresh(), t.ONE))


def _same(run, node, kids):
    return kids[0][0], None


def _square(run, node, kids):
    return run.square(kids[0][0]), None


def _scalar_of_square(run, node, kids):
    run.square(kids[0][0])
    return t.SCALAR, None


def _negated(run, node, kids):
    """−b in a sum: a bare broadcast b stays bare under the sign (matcalc prints X − bᵀ)."""
    return kids[1][0], kids[1][1] if t.is_number(node.factor, -1) else None


# The shape of each node class from its children's (shape, bare broadcast); others keep theirs.
RULES = {
    t.Identity: _identity,
    t.Ones: _ones,
    t.Add: Run.fold,
    t.Hadamard: Run.fold,
    t.HadamardDiv: Run.fold,
    t.MatMul: Run.product,
    t.Scale: _negated,
    t.Transpose: lambda run, node, kids: ((kids[0][0][1], kids[0][0][0]), None),
    t.Inverse: _square,
    t.Adj: _square,
    t.MatPow: _square,
    t.Trace: _scalar_of_square,
    t.Det: _scalar_of_square,
    t.LogDet: _scalar_of_square,
    t.HadamardPow: _same,
    t.Apply: _same,
    t.Grad: _same,
    t.TriangularPart: _same,
    t.Conj: _same,
    t.Real: _same,
    t.Imag: _same,
    DifferentialOf: _same,
    t.Kron: lambda run, node, kids: ((kids[0][0][0] * kids[1][0][0], kids[0][0][1] * kids[1][0][1]), None),
    t.DiagMat: lambda run, node, kids: ((kids[0][0][0], kids[0][0][0]), None),
    t.DiagVec: lambda run, node, kids: ((run.square(kids[0][0])[0], t.ONE), None),
    t.Vec: lambda run, node, kids: ((kids[0][0][0] * kids[0][0][1], t.ONE), None),
    t.Unvec: Run.unvec,
    t.KronFactor: Run.kron_factor,
    t.Softmax: _same,
    t.LogSoftmax: _same,
    t.MatrixFunction: _square,
    t.EigenValue: _scalar_of_square,
    t.EigenVector: lambda run, node, kids: ((run.square(kids[0][0])[0], t.ONE), None),
    t.Resolvent: _square,
}


def _bare_context(parent, context, i: int, child):
    """Where the parser broadcasts a bare operand: in a sum or an elementwise chain (True),
    and under the sign of a later term of a sum ("sign", for the Scale that holds it)."""
    if isinstance(parent, (t.Add, t.Hadamard, t.HadamardDiv)):
        if isinstance(child, t.Broadcast):
            return True
        if (isinstance(parent, t.Add) and i > 0 and isinstance(child, t.Scale) and t.is_number(child.factor, -1)
                and isinstance(child.operand, t.Broadcast) and not isinstance(child.operand.arg, t.Number)):
            return "sign"
    return context == "sign" and i == 1 and isinstance(child, t.Broadcast)


def run(root: t.Expr, sized: set, flexible: set) -> Run:
    """The unification over every occurrence of the nodes in ``flexible`` (those above a
    constant), children before parents, without recursion."""
    out = Run(sized)
    frames = [[root, 0, [], False, 0]]  # node, next child, the children's results, bare context, index
    count = 0
    while True:
        frame = frames[-1]
        node, i, kids, context, index = frame
        children = node.children() if node in flexible else ()
        if i < len(children):
            frame[1] += 1
            count += 1
            frames.append([children[i], 0, [], _bare_context(node, context, i, children[i]), count])
            continue
        frames.pop()
        out.node, out.index = node, index
        if node not in flexible:
            result = (node.shape, None)
        elif isinstance(node, t.Broadcast):
            bare = context is True and id(node) not in sized
            if context is not True and id(node) not in sized:
                out.forced.append(node)
            result = out.broadcast(node, kids, bare)
        else:
            rule = RULES.get(type(node))
            result = rule(out, node, kids) if rule else (node.shape, None)
        if not frames:
            return out
        frames[-1][2].append(result)


def sized(root: t.Expr) -> set:
    """The ids of the constants of ``root`` (I, 𝟙, broadcasts) that print with their size,
    taken one at a time in reading order until the parser sizes every one as the tree."""
    flexible: set = set()  # by equality: postorder meets each distinct node once, its copies share it
    for n in t.postorder(root):
        if isinstance(n, FLEXIBLE) or any(c in flexible for c in n.children()):
            flexible.add(n)
    chosen: set = set()
    if root not in flexible:
        return chosen
    while True:
        result = run(root, chosen, flexible)
        chosen |= {id(n) for n in result.forced}
        failures = [o for o in result.failures() if id(o.node) not in chosen]
        if not failures:
            return chosen
        chosen.add(id(failures[0].node))
