"""Dimension variables and their unification: ``Dims``, a union–find over ``Var``s.

Four kinds of variable, by what may become of them:

- rigid: a dimension a symbol's name gives it (the m of an m×n matrix); never 1;
- flexible: the size of I or 𝟙, or a dimension of a symbol whose shape comes from use alone;
  becomes whatever it is unified with, 1 included; a *loose* one (of a symbol read from use)
  lets a number be broadcast against it rather than becoming 1 (μ + 1); a *preferred-one*
  one (the columns of a lower-case symbol read from use) is 1 if nothing else decides it;
- soft one: a 1 that only a name says (the dimensions of a Greek scalar, the columns of a
  Latin vector).  It counts as 1, takes in flexible variables, and names its ``owners`` in the
  ``Clash`` when a rigid dimension meets it, so that a reading can be retried without it.

``Prod`` is the dimension of a Kronecker product or of vec(A).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from .dims import dim

POOL = ("m", "n", "k", "p", "q", "r", "s", "t", "u", "v", "w")


class Var:
    """A dimension variable.  The root of a class carries its facts: a declared name, rigidity,
    a value (an int or a product), the owners of a soft one, the preference for 1, looseness."""

    __slots__ = ("parent", "index", "name", "declared", "rigid", "value", "owners", "prefer", "loose")

    def __init__(self, index: int, name, declared: bool, rigid: bool, owners=frozenset(), prefer=False, loose=False):
        self.parent, self.index, self.name = self, index, name
        self.declared, self.rigid, self.value = declared, rigid, None
        self.owners, self.prefer, self.loose = frozenset(owners), prefer, loose


@dataclass(frozen=True)
class Prod:
    """coef · f₁ · f₂ ⋯, the dimension of a Kronecker product or of vec(A)."""

    coef: int
    factors: tuple


class Clash(Exception):
    """Two dimensions that cannot be unified; ``owners`` are the symbols whose name alone made
    one of them 1."""

    def __init__(self, owners=frozenset()):
        super().__init__()
        self.owners = frozenset(owners)


class Dims:
    """Dimension variables named from a pool (m, n, k, …) in order of creation."""

    def __init__(self, reserved: set):
        self.count = 0
        self.declared: dict = {}
        self.names = self._pool(reserved)
        self.preferring: list = []

    @staticmethod
    def _pool(reserved):
        yield from (n for n in POOL if n not in reserved)
        i = 1
        while True:
            if f"n{i}" not in reserved:
                yield f"n{i}"
            i += 1

    def fresh(self, rigid: bool = True, prefer: bool = False, loose: bool = False) -> Var:
        """A symbol's dimension (rigid, named now) or a flexible one (named only if its class
        has no other name)."""
        self.count += 1
        v = Var(self.count, next(self.names) if rigid else None, False, rigid, prefer=prefer, loose=loose)
        if prefer:
            self.preferring.append(v)
        return v

    def soft_one(self, owner: str) -> Var:
        """A 1 that only the name of ``owner`` says."""
        self.count += 1
        return Var(self.count, None, False, False, owners={owner})

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
            elif not f.owners:  # a soft one is 1
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
        soft = [v for v in (a, b) if isinstance(v, Var) and v.owners]
        if soft:
            return self._unify_soft(soft[0], b if soft[0] is a else a)
        if isinstance(a, Var) and isinstance(b, Var):
            if a.declared and b.declared:
                raise Clash()
            keep, drop = sorted((a, b), key=lambda v: (not v.declared, v.name is None, v.index))
            drop.parent = keep
            keep.rigid = keep.rigid or drop.rigid
            keep.prefer = keep.prefer and drop.prefer
            keep.loose = keep.loose or drop.loose
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

    def _unify_soft(self, one: Var, other) -> None:
        """A soft one meets ``other``: another 1 leaves it as it is, a flexible variable joins
        it, anything else clashes and names the owners."""
        if other == 1:
            return
        if isinstance(other, Var) and not (other.rigid or other.declared):
            other.parent = one
            one.owners = one.owners | other.owners
            return
        raise Clash(one.owners)

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
        r = self.resolve(d)
        return r == 1 or (isinstance(r, Var) and bool(r.owners))

    def owners(self, d) -> frozenset:
        """The symbols whose names alone make ``d`` 1 (empty unless it is a soft one)."""
        r = self.resolve(d)
        return r.owners if isinstance(r, Var) else frozenset()

    def open_preferring_one(self, d) -> bool:
        r = self.resolve(d)
        return isinstance(r, Var) and r.prefer and not r.owners

    def settle(self) -> None:
        """Give every preferred-one variable left open the value 1."""
        for v in self.preferring:
            if self.open_preferring_one(v):
                self.find(v).value = 1

    def rigid(self, d) -> bool:
        r = self.resolve(d)
        return r.rigid or r.declared if isinstance(r, Var) else r != 1

    def broadcasts(self, one, other) -> bool:
        """Whether ``one`` (a 1) is broadcast against ``other`` rather than unified with it:
        against a dimension that is not 1 and never becomes 1, and a 1 that is not a name's
        against a loose one."""
        if not self.is_one(one) or self.is_one(other):
            return False
        r = self.resolve(other)
        return self.rigid(other) or (isinstance(r, Var) and r.loose and not self.owners(one))

    def composite(self, *ds) -> bool:
        return any(isinstance(self.resolve(d), Prod) for d in ds)

    def show(self, d) -> str:
        r = self.resolve(d)
        if isinstance(r, int):
            return str(r)
        if isinstance(r, Var):
            return "1" if r.owners else self.name(r)
        return "·".join(([str(r.coef)] if r.coef != 1 else []) + [self.name(v) for v in r.factors])

    def sympy(self, d) -> sympy.Expr:
        r = self.resolve(d)
        if isinstance(r, int):
            return sympy.Integer(r)
        if isinstance(r, Var):
            return sympy.Integer(1) if r.owners else dim(self.name(r))
        return sympy.Mul(sympy.Integer(r.coef), *(dim(self.name(v)) for v in r.factors))
