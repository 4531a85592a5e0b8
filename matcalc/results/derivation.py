"""Derivations a student can follow: the differential method, one rule per step.

``derive(f, X)`` returns a ``Derivation``: numbered steps from f to ∂f/∂X, each naming the rule
it applies and showing the whole expression after it.  The steps come from the engine itself,
not from a second one:

- the matrix differential: the rules of ``matcalc.calculus.differential.RULES`` applied top-down to an
  unworked d(·), one node class per step (a child's differential stays d(child) until its turn);
- the trace tricks: the transpose rules of ``matcalc.calculus.adjoint`` observed as the adjoint pass
  runs, df = Σ tr(Cᵀ M) over the cotangents C pending at the nodes M;
- the closed form: ``matcalc.simplify``, whose rule names are quoted.

Intermediate variables name the argument of a norm, of an elementwise or scalar function (a
composite f(WX)) or a repeated subexpression, when all of f's dependence on X passes through it
(Y = σ(Z), Z = WX).  Each gets a stage of the chain rule, df = tr((∂f/∂Y)ᵀ dY) = tr((∂f/∂Y)ᵀ
d(σ(Z))) = …, and the names are substituted back at the end.

A complex variable Z (Wirtinger calculus, docs/structure.md): dZ and dZ̄ are independent; the
conjugates are carried to the leaves, and since f is real its dZ part is the conjugate of its dZ̄
part, df = 2 Re(the dZ̄ part); the trace tricks work on that part, df = 2 Re tr(Gᵀ dZ̄) =
2 Re tr(Gᴴ dZ), and identify G = ∂f/∂Z̄, the conjugate cogradient.  A function of complex
symbols is derived without intermediate variables.

Contract: every step is an identity — with the names expanded (``Derivation.expand``), each
"f = …" line has the value of f, each "df = …" line the directional derivative of f along dX,
and each "∂f/∂V = G" line satisfies df = tr(Gᵀ dV) (a "∂f/∂Z̄ = G" line df = 2 Re tr(Gᴴ dZ));
the last step's G is ``matcalc.grad(f, X)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from .. import expr as t
from ..calculus.adjoint import gradient as pull_back
from ..calculus.differential import Differentiator, rule_for
from ..expr.nodes import DifferentialOf, Partial
from ..expr import rebuild
from ..expr.structure import TextRepr
from ..printing import to_latex, to_unicode
from ..printing.prose import prose_latex
from ..simplify import pushed_transpose, simplify
from .gradient import is_complex

NAMED_ARGUMENT = (t.Norm, t.Apply, t.Call, t.Det, t.LogDet)  # g(U): U becomes a variable
NAMES = {"matrix": "YZUVEHPQST", "vector": "zuvrhpqst", "scalar": "φψθηξζ"}
LEAVES = (t.Symbol, t.Differential, Partial)


@dataclass(frozen=True, repr=False)
class Step(TextRepr):
    """One line: ``kind`` is "f" (f = expr), "let" (var = expr), "df" (df = expr), "grad"
    (∂f/∂var = expr) or "projected" (grad f = expr, inside a structure); ``rule`` names the rule that gives it from the line before."""

    kind: str
    expr: t.Expr
    rule: str
    var: t.Expr | None = None  # the variable V, or V̄ in ∂f/∂V̄ (a complex V)

    def lhs(self, latex: bool = False) -> str:
        if self.kind == "projected":  # the gradient inside a structure, written grad f as Manopt does
            return r"\operatorname{grad} f" if latex else "grad f"
        if self.kind == "let":
            return to_latex(self.var) if latex else to_unicode(self.var)
        if self.kind == "grad":
            v = to_latex(self.var) if latex else to_unicode(self.var)
            return rf"\frac{{\partial f}}{{\partial {v}}}" if latex else f"∂f/∂{v}"
        return {"f": "f", "df": r"\mathrm{d}f" if latex else "df"}[self.kind]

    def __str__(self) -> str:
        """The line as a derivation prints it, without its number: ``df = tr(baᵀdX)   [cyclic property …]``."""
        return f"{self.lhs()} = {to_unicode(self.expr)}   [{self.rule}]"


@dataclass(frozen=True, eq=False, repr=False)
class Derivation(TextRepr):
    """The steps from f to G = ∂f/∂X; ``names`` maps each intermediate variable to its
    definition (innermost first), ``partials`` each to its gradient ∂f/∂V (in the names)."""

    f: t.Expr
    wrt: t.Symbol
    steps: tuple
    names: dict = field(default_factory=dict)
    partials: dict = field(default_factory=dict)

    @property
    def gradient(self) -> t.Expr:
        """G = ∂f/∂X, the expression of the last step (``matcalc.grad``'s closed form); it
        remembers f's symbols (``origin``), so it evaluates from their values."""
        return t.with_origin(self.steps[-1].expr, self.f)

    def projected(self, g: t.Expr, rule: str) -> "Derivation":
        """This derivation with a last step: the gradient inside a structure, ``g``, by ``rule``."""
        return replace(self, steps=self.steps + (Step("projected", g, rule, self.wrt),))

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def expand(self, e: t.Expr) -> t.Expr:
        """``e`` with every name replaced by its meaning: V by its definition, dV by d(definition)
        (along dX) and ∂f/∂V by its gradient, until only f's own symbols and dX remain."""
        dx = t.Differential(self.wrt)
        mapping = {Partial(v): g for v, g in self.partials.items()}
        for v, u in self.names.items():
            mapping[v], mapping[t.Differential(v)] = u, DifferentialOf(u, dx)
        for _ in range(2 * len(mapping) + 1):
            new = substitute(e, mapping)
            if new == e:
                break
            e = new
        return e

    def __str__(self) -> str:
        lines = [f"{s.lhs()} = {to_unicode(s.expr)}" for s in self.steps]
        width = min(max(map(len, lines)), 64)
        digits = len(str(len(lines)))
        return "\n".join(
            f"{i:>{digits}}. {line.ljust(width)}   [{s.rule}]" for i, (line, s) in enumerate(zip(lines, self.steps), 1)
        )

    def latex(self) -> str:
        """An align* environment: one line per step, the rule on the right, its words in
        ``\\text{…}`` and its formulas in math (pure ASCII: ``matcalc.printing.prose``)."""
        rows = [rf"{s.lhs(True)} &= {to_latex(s.expr)} && {prose_latex(s.rule)}" for s in self.steps]
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def _repr_latex_(self) -> str:
        return self.latex()


def substitute(e: t.Expr, mapping: dict) -> t.Expr:
    """e with the nodes of ``mapping`` replaced all at once (not inside a replacement, nor
    inside a name dV or ∂f/∂V), rebuilt through the tree's builders."""
    kept = lambda n: n in mapping or isinstance(n, LEAVES)  # noqa: E731
    memo: dict = {}
    for n in t.postorder(e, children=lambda n: () if kept(n) else n.children()):
        memo[n] = mapping.get(n, n) if kept(n) else rebuild(n, memo.__getitem__)
    return memo[e]


class _OneRule(Differentiator):
    """d(·) one rule deep: the variable's differential is dV, any other child's stays d(child)."""

    def __init__(self, var: t.Symbol, direction: t.Differential):
        super().__init__(var)
        self.direction = direction

    def __call__(self, e: t.Expr) -> t.Expr:
        if not self.depends(e):
            return t.zero(e.shape)
        return t.Differential(e) if e == self.wrt else DifferentialOf(e, self.direction)


def _flip(c: t.Expr) -> t.Expr:
    """Cᵀ with the transpose taken into a product, as a trace is rotated: (AB)ᵀ → BᵀAᵀ."""
    return c if c.is_scalar else pushed_transpose(c)


def _form(g: t.Expr, dv: t.Expr) -> t.Expr:
    """tr(Gᵀ dV), gᵀdv or g·dv, with Gᵀ kept as written."""
    if dv.is_scalar:
        return t.Scale(g, dv)
    body = t.MatMul((t.Transpose(g), dv))
    return body if dv.cols == t.ONE else t.Trace(body)


def _core(var: t.Symbol, hermitian: bool = False) -> str:
    """The core relationship for var: df = tr(Gᵀ dX), gᵀdx or g dx; for a complex var,
    df = 2 Re tr(Gᵀ dZ̄) (with ``hermitian``, 2 Re tr(Gᴴ dZ))."""
    g, dv = t.Symbol(_letter(var), var.shape), t.Differential(var)
    if not is_complex(var):
        return "df = " + to_unicode(_form(g, dv))
    pair = _form(t.Conj(g), dv) if hermitian else _form(g, t.Conj(dv))
    return f"df = 2 Re({to_unicode(pair)})"


def _twice_real(e: t.Expr) -> t.Expr:
    """2 Re(e), kept as written."""
    return t.Scale(t.number(2), t.Real(e))


def _identity(e: t.Expr) -> t.Expr:
    return e


def _letter(var: t.Symbol) -> str:
    return "G" if _kind(var.shape) == "matrix" else "g"


def _said(names: list, most: int = 3) -> str:
    """'; simplified: …' naming the simplifier's rules used (not those that only reorder)."""
    kept = [n for n in dict.fromkeys(names) if "ordered" not in n]
    if not kept:
        return ""
    return "; simplified: " + "; ".join(kept[:most]) + ("; …" if len(kept) > most else "")


def _kind(shape) -> str:
    return "scalar" if t.is_scalar_shape(shape) else "vector" if shape[1] == t.ONE else "matrix"


class _Deriver:
    """Builds the steps of one derivation."""

    def __init__(self, f: t.Expr, wrt: t.Symbol):
        self.f, self.wrt, self.dx = f, wrt, t.Differential(wrt)
        self.steps: list[Step] = []
        self.partials: dict = {}
        self.raw: dict = {}

    def step(self, kind: str, expr: t.Expr, rule: str, var=None) -> None:
        text = to_unicode(expr)
        last = self.steps[-1] if self.steps else None
        if last is not None and (last.kind, last.var) == (kind, var) and to_unicode(last.expr) == text:
            return
        self.steps.append(Step(kind, expr, rule, var))

    # ---- intermediate variables -----------------------------------------------------------

    def chain(self) -> list:
        """[(V, U)], outermost first: U is a subexpression through which all dependence on X
        passes (a dominator), the argument of a function or repeated; each searched inside the last."""
        taken = {s.name for s in self.f.free_symbols}
        if any(is_complex(s) for s in self.f.free_symbols):  # a name for a complex U: not yet
            return []
        out, body = [], self.f
        while (u := self._intermediate(body)) is not None:
            pool = NAMES[_kind(u.shape)]
            numbered = (f"{pool[0]}_{i}" for i in itertools.count(1))
            name = next(c for c in itertools.chain(pool, numbered) if c not in taken)
            taken.add(name)
            out.append((t.Symbol(name, u.shape), u))
            body = u
        return out

    def _intermediate(self, body: t.Expr):
        order = list(t.postorder(body))
        count = {n: 0 for n in order}
        count[body] = 1
        for n in reversed(order):
            for c in n.children():
                count[c] += count[n]
        arguments = {n.arg for n in order if isinstance(n, NAMED_ARGUMENT)}
        for n in t.walk(body):  # parents first: the outermost candidate
            if n is body or isinstance(n, LEAVES) or isinstance(n, t.Transpose) and isinstance(n.arg, t.Symbol):
                continue
            if (n in arguments or count[n] > 1) and self.wrt in n.free_symbols and self._dominates(body, n):
                return n
        return None

    def _dominates(self, body: t.Expr, node: t.Expr) -> bool:
        """Whether every path from body to X passes through node."""
        return self.wrt not in t.postorder(body, skip={node})

    # ---- the stages -------------------------------------------------------------------------

    def run(self, closed_form: t.Expr) -> Derivation:
        chain = self.chain()
        definitions = [substitute(u, {chain[i + 1][1]: chain[i + 1][0]}) if i + 1 < len(chain) else u
                       for i, (v, u) in enumerate(chain)]
        names = {v: u for (v, _), u in reversed(list(zip(chain, definitions)))}
        self.step("f", self.f, "the function")
        for v, u in names.items():
            self.step("let", u, "intermediate variable", v)
        f0 = substitute(self.f, {chain[0][1]: chain[0][0]}) if chain else self.f
        if chain:
            self.step("f", f0, "substitution")
        variables = [v for v, _ in chain] + [self.wrt]
        self.step("df", DifferentialOf(f0, self.dx), "the differential of both sides")
        df = self.differentiate(DifferentialOf(f0, self.dx), variables[0])
        self.identify(df, variables[0])
        for (v, _), u, nxt in zip(chain, definitions, variables[1:]):
            dv = t.Differential(v)
            core = t.inner(Partial(v), dv)
            self.step("df", core, f"core relationship {_core(v)}, {_letter(v)} = ∂f/∂{to_unicode(v)}")
            df = substitute(core, {dv: DifferentialOf(u, self.dx)})
            self.step("df", df, f"chain rule: d{to_unicode(v)} = d({to_unicode(u)})")
            self.identify(self.differentiate(df, nxt), nxt)
        if self.back_substitute(chain, names) != closed_form:  # the same value, grouped otherwise
            self.steps[-1] = replace(self.steps[-1], expr=closed_form)
        return Derivation(self.f, self.wrt, tuple(self.steps), names, dict(self.partials))

    def differentiate(self, df: t.Expr, var: t.Symbol) -> t.Expr:
        """Work out every d(·) in df, one node class per step, by the rules of the differential."""
        d = _OneRule(var, self.dx)
        while True:
            unworked = [n for n in t.walk(df) if isinstance(n, DifferentialOf)]
            if not unworked:
                return df
            cls = type(unworked[0].arg)
            rule = rule_for(cls)
            df = substitute(df, {n: rule.apply(n.arg, d) for n in unworked if type(n.arg) is cls})
            self.step("df", df, rule.name)

    def identify(self, df: t.Expr, var: t.Symbol) -> None:
        """The trace tricks (the adjoint pass, observed), df = tr(Gᵀ dV), and ∂f/∂V = G; for a
        complex V, df = 2 Re tr(Gᵀ dV̄) and ∂f/∂V̄ = G (``conjugate_pair``)."""
        dv = t.Differential(var)
        df = self.conjugates_to_leaves(df)
        conjugate = is_complex(var)
        outer = _twice_real if conjugate else _identity
        if conjugate:
            df = self.conjugate_pair(df, dv)
        target = t.Conj(dv) if conjugate else dv
        frontier = _Frontier(self, df, target, outer)
        if _kind(var.shape) == "matrix":
            traced = frontier.traced(df)
            if to_unicode(traced) != to_unicode(df):
                self.step("df", outer(traced), "a scalar is its own trace: a = tr(a)")
            frontier.wrap = True
        raw = pull_back(df, var, observe=frontier, conjugate=conjugate)
        names: list = []
        g = _simplify(raw, names)
        collect = "collecting terms, " if frontier.pieces > 1 else ""
        if not t.is_zero(g):
            self.step("df", outer(_form(g, target)), f"{collect}written as {_core(var)}{_said(names)}")
        if conjugate:
            lhs, said = t.Conj(var), f"{_core(var)} = {_core(var, hermitian=True)[5:]} ⇒ "
            said += f"∂f/∂{to_unicode(lhs)} = {_letter(var)}, the conjugate cogradient"
        else:
            lhs, said = var, f"{_core(var)} ⇒ ∂f/∂{to_unicode(var)} = {_letter(var)}"
        self.step("grad", g, f"identification: {said}", lhs)
        self.partials[var], self.raw[var] = g, raw

    def conjugates_to_leaves(self, df: t.Expr) -> t.Expr:
        """df with each conjugate carried down to the symbols and differentials."""
        mapping = {n: t.conj(n.arg) for n in t.walk(df) if isinstance(n, t.Conj) and not isinstance(n.arg, LEAVES)}
        if not mapping:
            return df
        df = substitute(df, mapping)
        self.step("df", df, "the conjugate of a product and of a sum: conj(AB) = ĀB̄, conj(A + B) = Ā + B̄")
        return df

    def conjugate_pair(self, df: t.Expr, dv: t.Differential) -> t.Expr:
        """The dV̄ part of df, which is df = 2 Re(it) for a real f (its dV part is the conjugate)."""
        if t.is_zero(df):  # f does not depend on V
            return df
        part = substitute(df, {dv: t.zero(dv.shape), t.Conj(dv): t.Conj(dv)})
        v = to_unicode(dv)
        self.step("df", _twice_real(part),
                  f"a real f: df = 2 Re(…), the {v} part being the conjugate of the {to_unicode(t.Conj(dv))} part")
        return part

    def back_substitute(self, chain: list, names: dict) -> t.Expr:
        """∂f/∂X with the ∂f/∂V and then the names substituted; the engine's closed form."""
        g, raw = self.partials[self.wrt], self.raw[self.wrt]
        for v, _ in reversed(chain):
            g = substitute(g, {Partial(v): self.partials[v]})
            self.step("grad", g, f"back-substitution: ∂f/∂{to_unicode(v)} = {to_unicode(self.partials[v])}", self.wrt)
            raw = substitute(raw, {Partial(v): self.raw[v]})
        if not chain:
            return g
        for v, u in reversed(list(names.items())):
            raw = substitute(raw, {v: u})
        said: list = []
        final = _simplify(raw, said)
        lets = ", ".join(f"{to_unicode(v)} = {to_unicode(u)}" for v, u in names.items())
        self.step("grad", final, f"substituting {lets}{_said(said)}", self.wrt)
        return final


class _Frontier:
    """The observer of the adjoint pass: df = Σ ⟨C, M⟩ over the pending cotangents, in the
    order the terms print (each keyed by its path from the root)."""

    def __init__(self, deriver: _Deriver, df: t.Expr, target: t.Expr, outer=_identity):
        self.deriver, self.target, self.outer = deriver, target, outer
        self.keys: dict = {df: [()]}
        self.wrap = False
        self.pieces = 1

    def __call__(self, name: str, node: t.Expr, pending: dict) -> None:
        base = min(self.keys.pop(node))
        for i, c in enumerate(node.children()):
            if c in pending:
                have = self.keys.setdefault(c, [])
                have.extend([base + (i,)] * (len(pending[c]) - len(have)))
        terms = sorted(
            ((k, n, piece) for n, pieces in pending.items() for k, piece in zip(self.keys[n], pieces)),
            key=lambda term: term[0],
        )
        self.pieces = len(pending.get(self.target, ()))
        expr = t.add(*(self.term(n, piece) for _, n, piece in terms))
        self.deriver.step("df", self.outer(expr), name)

    def term(self, n: t.Expr, c: t.Expr) -> t.Expr:
        """⟨C, M⟩ as a textbook writes it: tr(CᵀM) rotated, cᵀm for vectors, c·m for scalars."""
        if n.is_scalar:
            return t.mul(c, self.traced(n) if self.wrap else n)
        if n.cols == t.ONE:
            return t.matmul(_flip(c), n)
        if n.rows == t.ONE:
            return t.matmul(n, _flip(c))
        return t.trace(t.matmul(_flip(c), n))

    def traced(self, e: t.Expr) -> t.Expr:
        """e with each scalar product written as its own trace (a = tr(a))."""
        if isinstance(e, t.Add):
            return t.add(*(self.traced(x) for x in e.terms))
        if isinstance(e, t.Scale) and e.is_scalar:
            return t.scale(e.factor, self.traced(e.operand))
        return t.Trace(e) if isinstance(e, t.MatMul) and e.is_scalar else e


def _simplify(e: t.Expr, names: list) -> t.Expr:
    """simplify, with each ∂f/∂V standing in as a plain symbol; the rules used go to ``names``."""
    stand_in = {p: t.Symbol(f"∂f/∂{p.var.name}", p.shape) for p in t.walk(e) if isinstance(p, Partial)}
    trace: list = []
    out = simplify(substitute(e, stand_in), trace=trace)
    names.extend(name for name, _, _ in trace)
    return substitute(out, {s: p for p, s in stand_in.items()})


def derive(f: t.Expr, wrt: t.Symbol, closed_form: t.Expr) -> Derivation:
    """The derivation of ∂f/∂wrt for a scalar expression f (see the module docstring).

    ``closed_form`` is the gradient as ``matcalc.grad`` gives it: the last step shows it where
    the stages of the chain rule group terms otherwise."""
    return _Deriver(f, wrt).run(closed_form)
