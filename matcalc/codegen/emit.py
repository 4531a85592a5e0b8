"""The emitter: an expression tree (or several) as straight-line code, each distinct node once.

``Emitter.value(e)`` returns the code of e's value, writing a line ``_tk = …`` for every node
that is used more than once (a common subexpression across the value and all gradients), is
an output, or would nest too deep; a node used once stands inline in its parent.  Values have
the form of their shape's kind: a float for 1×1 ('s'), a 1-D array for a column ('c') or a row
('r') vector, a 2-D array otherwise ('m').  The rules are data: ``EMIT`` maps each node class
to its code (products are in ``products``).  Nodes the generated code cannot compute itself
(opaque functions, d(E) by finite differences) are handed to the runtime object ``_rt`` when
the emitter is given one, and refused otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import sympy

from .. import expr as t
from ..calculus.elementwise import builtin_formula, formula_derivative
from ..errors import UnsupportedError
from ..expr.nodes import DifferentialOf, Partial
from ..language.traversal import postorder
from .backends import Backend
from .formulas import formula_code
from .stable import kind, negated_norms, shifted_exponentials, sigmoids_of_softplus
from . import complexes, factors, products, vocabulary
from .numbers import number_code

MAX_INLINE_DEPTH = 12


@dataclass(frozen=True)
class Code:
    text: str
    atomic: bool  # a name, a literal or a call: needs no parentheses as an operand
    depth: int = 0


class Emitter:
    """Code for the nodes of ``roots``: ``symbols`` {(kind, name): identifier} for the leaves
    (kind 'sym' or 'diff'), ``dims`` {dimension name: identifier}; ``runtime`` allows calls to
    ``_rt``."""

    def __init__(self, backend: Backend, roots, symbols: dict, dims: dict, *, runtime: bool = False):
        self.b, self.roots = backend, tuple(roots)
        self.symbols, self.dims = symbols, dims
        self.runtime = runtime
        self.code: dict = {}
        self.lines: list[str] = []
        self.helpers: list[str] = []
        self.nodes: list = []  # nodes handed to the runtime, as _N[i]
        self.materialized: set = set()
        self._temps = 0
        self.solved = self._solved_inverses()
        self.matmuls = {n.factors: n for r in self.roots for n in t.walk(r) if isinstance(n, t.MatMul)}
        self.negated = negated_norms(self.roots)
        self.from_softplus = sigmoids_of_softplus(self.roots)
        self.uses = self._uses()
        self.shifted = shifted_exponentials(self.roots)
        self.shifts: dict = {}  # exp(z) shifted → the name of max(z)

    # ---- analysis ----------------------------------------------------------------------------

    def _solved_inverses(self) -> set:
        """Inverses that appear only as factors of products: applied by solves, never formed."""
        factor, alone = set(), set(self.roots)
        for r in self.roots:
            for n in t.walk(r):
                for c in n.children():
                    (factor if isinstance(n, t.MatMul) else alone).add(c)
        return {n for n in factor if isinstance(n, t.Inverse) and n not in alone and not n.is_scalar}

    def temp(self, text: str) -> str:
        """A name for ``text``, written on a line of its own."""
        self._temps += 1
        self.lines.append(f"_t{self._temps} = {text}")
        return f"_t{self._temps}"

    def operands(self, n: t.Expr) -> tuple:
        """The nodes whose values n's code reads (a product reads the vector of a diag(v)
        factor, the matrix of a solved inverse, the factors of a Kronecker factor)."""
        if isinstance(n, t.MatMul):
            return tuple(c for f in products.factors_of(self, n) for c in products.reads(self, f))
        if isinstance(n, (t.Differential, DifferentialOf, Partial)):
            return ()
        if n in self.negated:
            return (self.negated[n],)
        if _squared_norm(n):
            return (self.negated.get(n.base, n.base.arg),)
        if n in self.from_softplus:
            return (n.arg, self.from_softplus[n])
        if isinstance(n, t.Trace) and products.trace_split(self, n):
            return products.trace_operands(self, n)
        return n.children()

    def _uses(self) -> dict:
        uses: dict = {r: 2 for r in self.roots}  # an output is always named
        done: set = set()
        for r in self.roots:
            for n in postorder(r, self.operands, done):
                done.add(n)
                for c in self.operands(n):
                    uses[c] = uses.get(c, 0) + 1
        return uses

    # ---- code --------------------------------------------------------------------------------

    def value(self, e: t.Expr) -> Code:
        """The code of e's value, its lines written first."""
        if e not in self.code:
            for n in postorder(e, self.operands, self.code):
                self._emit(n)
        return self.code[e]

    def operand(self, e: t.Expr) -> str:
        """e's code as an operand of an operator (parenthesised unless atomic)."""
        c = self.value(e)
        return c.text if c.atomic else f"({c.text})"

    def name(self, e: t.Expr) -> str:
        """e's code as a name (a line is written for it if it has none)."""
        c = self.value(e)
        if c.atomic and (c.text.isidentifier() or c.text.replace(".", "", 1).isdigit()):
            return c.text
        return self._assign(e, c.text)

    def _emit(self, n: t.Expr) -> None:
        rule = EMIT.get(type(n))
        if rule is None:
            raise UnsupportedError(f"cannot compute a {type(n).__name__} node")
        text, atomic = rule(self, n)
        depth = 1 + max((self.code[c].depth for c in self.operands(n) if c in self.code), default=0)
        self.materialized.add(n)
        if self.uses.get(n, 1) > 1 or depth > MAX_INLINE_DEPTH:
            if atomic and (text.isidentifier() or _is_literal(text)):
                self.code[n] = Code(text, True, 0)
            else:
                self._assign(n, text)
        else:
            self.code[n] = Code(text, atomic, depth)

    def _assign(self, n: t.Expr, text: str) -> str:
        self._temps += 1
        name = f"_t{self._temps}"
        self.lines.append(f"{name} = {text}")
        self.code[n] = Code(name, True, 0)
        return name

    def helper(self, name: str) -> str:
        if name not in self.helpers:
            self.helpers.append(name)
        return name

    def call_runtime(self, method: str, n: t.Expr, *args: str) -> str:
        if not self.runtime:
            raise UnsupportedError(f"cannot generate code for {_show(n)}: {RUNTIME_REASON[type(n)]}")
        self.nodes.append(n)
        return f"_rt.{method}(_N[{len(self.nodes) - 1}]" + "".join(", " + a for a in args) + ")"

    def dim(self, d) -> str:
        """The code of a dimension (an int, a size symbol, or an expression of them)."""
        text = number_code(d, self.dims)
        return text if d.is_Integer or d.is_Symbol else f"round({text})"

    def shape(self, shape) -> str:
        k = kind(shape)
        if k == "m":
            return f"({self.dim(shape[0])}, {self.dim(shape[1])})"
        return self.dim(shape[0] if k == "c" else shape[1])


RUNTIME_REASON = {
    t.Call: "an opaque function has no code (give it a formula, or functions={…} to compile)",
    t.Grad: "an opaque function has no code (give it a formula, or functions={…} to compile)",
    t.Apply: "a function without a formula has no code (give it one: functions={'g': 'x**3'})",
    DifferentialOf: "d(E) is computed by finite differences",
}


def _show(n) -> str:
    try:
        return str(n)
    except Exception:  # pragma: no cover - printing is attached by the package
        return type(n).__name__


def _is_literal(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


# --------------------------------------------------------------------------------------------
# Rules, one per node class: (emitter, node) → (code, atomic)


def _same(em: Emitter, e: t.Expr):
    """e's own code: for a node whose value is its operand's in the kind form (xᵀ of a vector, vec of a column)."""
    c = em.value(e)
    return c.text, c.atomic


def _leaf(kind_: str):
    def rule(em: Emitter, n):
        name = n.name if kind_ == "sym" else n.var.name
        return em.symbols[(kind_, name)], True
    return rule


def _number(em: Emitter, n: t.Number):
    text = number_code(n.value, em.dims)
    convert = "complex" if n.value.has(sympy.I) else "float"
    return (f"{convert}({text})" if n.value.free_symbols else text), True


def _zero(em: Emitter, n: t.Zero):
    k = kind(n.shape)
    return ("0.0", True) if k == "s" else (em.b.zeros(em.shape(n.shape)), True)


def _scalar_filled(x: t.Expr) -> bool:
    return isinstance(x, t.Broadcast) and x.arg.is_scalar


def _add(em: Emitter, n: t.Add):
    """A sum; a number filled to the shape (1 − tanh²(z)) is added as the number where another
    term has the shape (the backend broadcasts it)."""
    filled = len([x for x in n.terms if _scalar_filled(x)]) < len(n.terms)
    parts = [em.operand(x.arg if filled and _scalar_filled(x) else x) for x in n.terms]
    text = parts[0]
    for p in parts[1:]:
        text = f"{text} - {p[2:-1]}" if p.startswith("(-") and p.endswith(")") and _negation_is_plain(p) else f"{text} + {p}"
    return text, False


def _negation_is_plain(p: str) -> bool:
    """'(-x)' whose x is one operand (a name, a call, a parenthesised group), so that a + (-x)
    may be written a - x."""
    inner = p[2:-1]
    if inner.startswith("(") and inner.endswith(")"):  # one group: no depth 0 before its end
        depths = list(accumulate({"(": 1, ")": -1}.get(ch, 0) for ch in inner))
        return 0 not in depths[:-1]
    return inner.isidentifier() or (inner.endswith(")") and "(" in inner and inner.split("(")[0].replace(".", "").isidentifier())


def _scale(em: Emitter, n: t.Scale):
    f = n.factor
    if isinstance(f, t.Number) and f.value == -1:
        return f"-{em.operand(n.operand)}", False
    return f"{em.operand(f)} * {em.operand(n.operand)}", False


def _of_a_matrix(template: str):
    """A rule that writes ``template`` of a matrix operand and keeps a vector's or scalar's code
    (Xᵀ → X.T but xᵀ → x; vec(X) stacks the columns but vec(x) = x)."""
    def rule(em: Emitter, n):
        if kind(n.arg.shape) == "m":
            return template.format(a=em.operand(n.arg)), True
        return _same(em, n.arg)
    return rule


def _power(em: Emitter, n, base: str):
    p = n.exponent
    if p.is_Integer and 0 <= int(p) <= 4:
        return f"{base} ** {int(p)}", False
    if p == -1:
        return f"1.0 / {base}", False
    if p.is_Integer and int(p) < 0:
        return f"1.0 / {base} ** {-int(p)}", False
    return f"{em.b.xp}.power({base}, {number_code(p, em.dims)})", True


def _squared_norm(n: t.Expr) -> bool:
    """‖A‖² of a real A (Σ A ⊙ A; of a complex A it is Σ Ā ⊙ A)."""
    return (isinstance(n, t.Power) and n.exponent == 2 and isinstance(n.base, t.Norm) and n.base.p == 2
            and t.is_real(n.base.arg))


def _power_rule(em: Emitter, n: t.Power):
    """‖A‖² = Σ A ⊙ A without the square root: a·a of a vector (one dot), vdot of a NumPy matrix;
    other powers as they are."""
    if _squared_norm(n):
        a, k = em.operand(em.negated.get(n.base, n.base.arg)), kind(n.base.arg.shape)
        return {"s": (f"{a} * {a}", False), "c": (f"{a} @ {a}", False), "r": (f"{a} @ {a}", False)}.get(
            k, (f"np.vdot({a}, {a})", True) if em.b.name == "numpy" else (f"({a} * {a}).sum()", True))
    return _power(em, n, em.operand(n.base))


def _trace(em: Emitter, n: t.Trace):
    if n.arg.is_scalar:
        return _same(em, n.arg)
    if products.trace_split(em, n):
        return products.emit_trace(em, n)
    return f"{em.b.xp}.trace({em.value(n.arg).text})", True


def _hadamard(em: Emitter, n: t.Hadamard):
    return " * ".join(em.operand(x) for x in n.factors), False


def _norm(em: Emitter, n: t.Norm):
    a = em.value(em.negated.get(n, n.arg)).text
    if n.p == 1:
        return f"{em.b.xp}.sum({em.b.xp}.abs({a}))", True
    if n.p == t.INF:
        return f"{em.b.xp}.max({em.b.xp}.abs({a}))", True
    if n.arg.is_scalar:
        return f"{em.b.xp}.abs({a})", True
    return f"{em.b.xp}.linalg.norm({a})", True


def _apply(em: Emitter, n: t.Apply):
    a = em.value(n.arg).text
    if n.formula is None and n.name not in em.b.functions:
        return em.call_runtime("apply", n, a), True
    if n.order == 0 and n.formula is None and (n.name not in complexes.REAL_HELPERS or t.is_real(n.arg)):
        special = _stable_composition(em, n)
        if special is not None:
            return special, True
        f = em.b.function(n.name)
        if f.startswith("_"):
            em.helper(f)
        return f"{f}({a})", True
    formula = formula_derivative(n.formula if n.formula is not None else builtin_formula(n.name), n.order)
    try:
        text = formula_code(formula, em.operand(n.arg), em.b.xp, em.helper)
    except UnsupportedError as exc:
        raise UnsupportedError(f"cannot evaluate the function {n.name}: {exc}") from None
    if not formula.has(sympy.Symbol):
        return f"{text} + 0.0 * {em.operand(n.arg)}", False  # a constant, filled to the shape
    return text, False


def _stable_composition(em: Emitter, n: t.Apply):
    """log σ(z) = −softplus(−z) and log 𝟙ᵀexp(x) = log Σ exp(x), without overflow; exp(z) of a
    log Σ exp or softmax as exp(z − max z) (``Emitter.shifted``); σ(z) = exp(z − softplus(z))
    beside softplus(z) (``Emitter.from_softplus``)."""
    inner = n.arg
    if not t.is_real(inner):
        return None
    if n in em.from_softplus:
        return f"{em.b.xp}.exp({em.operand(inner)} - {em.operand(em.from_softplus[n])})"
    if n in em.shifted:
        z = em.operand(n.arg)
        top = em.shifts[n] = em.temp(f"{em.b.xp}.max({z})")
        return f"{em.b.xp}.exp({z} - {top})"
    if n.name != "log" or n.formula is not None:
        return None
    if isinstance(inner, t.MatMul) and len(inner.factors) == 2 and inner.factors[1] in em.shifts:
        return f"({em.shifts[inner.factors[1]]} + {em.b.xp}.log({em.value(inner).text}))"
    if isinstance(inner, t.Apply) and inner.name == "sigmoid" and inner.order == 0 and inner.formula is None:
        return f"{em.helper('_log_sigmoid')}({em.value(inner.arg).text})"
    if (isinstance(inner, t.MatMul) and len(inner.factors) == 2 and inner.factors[0] == t.transpose(t.Ones(inner.factors[1].rows))
            and isinstance(inner.factors[1], t.Apply) and inner.factors[1].name == "exp" and inner.factors[1].order == 0
            and inner.factors[1].formula is None and em.uses.get(inner, 0) <= 1 and em.uses.get(inner.factors[1], 0) <= 1):
        return f"{em.helper('_logsumexp')}({em.value(inner.factors[1].arg).text})"
    return None


def _call(em: Emitter, n: t.Call):
    return em.call_runtime("call", n, em.value(n.arg).text), True


def _grad(em: Emitter, n: t.Grad):
    return em.call_runtime("grad", n, em.value(n.arg).text), True


def _diag_mat(em: Emitter, n: t.DiagMat):
    if n.is_scalar:
        return _same(em, n.arg)
    return f"{em.b.xp}.diag({em.value(n.arg).text})", True


def _diag_vec(em: Emitter, n: t.DiagVec):
    if n.arg.is_scalar:
        return _same(em, n.arg)
    return f"{em.b.xp}.diag({em.value(n.arg).text})", True


def _unvec(em: Emitter, n: t.Unvec):
    if kind(n.shape) == "m":
        return f"{em.operand(n.arg)}.reshape({em.dim(n.shape[1])}, {em.dim(n.shape[0])}).T", True
    return _same(em, n.arg)


def _broadcast(em: Emitter, n: t.Broadcast):
    k, ka = kind(n.shape), kind(n.arg.shape)
    if k == ka:
        return _same(em, n.arg)
    a = em.operand(n.arg)
    if ka == "c" and k == "m":
        a = f"{a}[:, None]"
    return f"{em.b.zeros(em.shape(n.shape))} + {a}", False


def _kron(em: Emitter, n: t.Kron):
    a, b = products.as_2d(em, n.left), products.as_2d(em, n.right)
    return products.from_2d(em, em.b.kron(a, b), n.shape), True


def _kron_factor(em: Emitter, n: t.KronFactor):
    c, o = products.as_2d(em, n.arg), products.as_2d(em, n.other)
    (p, q) = (em.dim(n.other.rows), em.dim(n.other.cols))
    r, k = em.dim(n.shape[0]), em.dim(n.shape[1])
    if n.side == "left":
        text = f"{em.b.xp}.einsum('ikjl,kl->ij', {c}.reshape({r}, {p}, {k}, {q}), {o})"
    else:
        text = f"{em.b.xp}.einsum('ikjl,ij->kl', {c}.reshape({p}, {r}, {q}, {k}), {o})"
    return products.from_2d(em, text, n.shape), True


def _commutation(em: Emitter, n: t.Commutation):
    em.helper("_commutation")
    return em.b.commutation(em.dim(n.m), em.dim(n.n)), True


def _differential_of(em: Emitter, n: DifferentialOf):
    return em.call_runtime("differential_of", n), True


def _hadamard_pow(em: Emitter, n):
    return _power(em, n, em.operand(n.base))


EMIT = {
    t.Symbol: _leaf("sym"),
    t.Differential: _leaf("diff"),
    t.Number: _number,
    t.Identity: lambda em, n: ("1.0", True) if n.is_scalar else (em.b.eye(em.dim(n.n)), True),
    t.Ones: lambda em, n: ("1.0", True) if n.is_scalar else (em.b.ones(em.dim(n.n)), True),
    t.Zero: _zero,
    t.Add: _add,
    t.Scale: _scale,
    t.MatMul: products.emit_matmul,
    t.Transpose: _of_a_matrix("{a}.T"),
    t.Inverse: factors.inverse_rule,
    t.MatPow: lambda em, n: (f"{em.b.xp}.linalg.matrix_power({em.value(n.arg).text}, {n.exponent})", True),
    t.Power: _power_rule,
    t.Trace: _trace,
    t.Det: lambda em, n: (em.operand(n.arg), False) if n.arg.is_scalar else (f"{em.b.xp}.linalg.det({em.value(n.arg).text})", True),
    t.LogDet: factors.logdet_rule,
    t.Adj: lambda em, n: (f"1.0 + 0.0 * {em.operand(n.arg)}", False) if n.arg.is_scalar else (f"{em.helper('_adj')}({em.value(n.arg).text})", True),
    t.Hadamard: _hadamard,
    t.HadamardDiv: lambda em, n: (f"{em.operand(n.num)} / {em.operand(n.den)}", False),
    t.HadamardPow: _hadamard_pow,
    t.Apply: _apply,
    t.Kron: _kron,
    t.Norm: _norm,
    t.Call: _call,
    t.Grad: _grad,
    t.DiagMat: _diag_mat,
    t.DiagVec: _diag_vec,
    t.Vec: _of_a_matrix("{a}.T.reshape(-1)"),
    t.Unvec: _unvec,
    t.KronFactor: _kron_factor,
    t.Broadcast: _broadcast,
    t.Commutation: _commutation,
    DifferentialOf: _differential_of,
    **vocabulary.EMIT,
    **complexes.EMIT,
}
