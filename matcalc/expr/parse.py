"""Text → expression tree: ``parse(text, shapes=None, domains=None, functions=None, shape=None) -> Expr``.

The untyped syntax tree (``matcalc.language.syntax``) gets its shapes by unification
(``matcalc.language.shapes``) and is built bottom-up, one ``BUILD`` entry per syntax-tree op,
with the builders of ``matcalc.expr.builders``.  ``canonical_name``, ``parse_declarations`` and ``grammar_text``
are re-exported from the modules that define them.
"""

from __future__ import annotations

from ..errors import DomainError, ParseError, UnsupportedError
from ..language.declarations import Declarations, parse_declarations
from ..language.names import canonical_name
from ..language.readings import infer
from ..language.shapes import ShapeInference
from ..language.syntax import Node, grammar_text, postorder, syntax_tree  # noqa: F401  (grammar_text: re-exported)
from ..language.limits import MAX_DEPTH, MAX_LENGTH, MAX_MATRIX_POWER, exponent_problem, number_problem
from . import tree as t
from . import where

__all__ = ["parse", "parse_declarations", "canonical_name", "Node"]


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
    if node.data == "2":
        return t.SpectralNorm(a)
    if node.data == "*":
        return t.NuclearNorm(a)
    text, p = inf.src(*node.kids[0].span), t.INF if node.data == "∞" else 1
    if not vector and p == t.INF:
        raise UnsupportedError(f"‖{text}‖_∞ of the matrix {text} ({t.show_shape(a.shape)}) is not supported: ‖·‖_∞ is the "
                               f"max-norm of a vector, maxᵢ |xᵢ|; for the largest |entry| of a matrix write ‖vec({text})‖_∞")
    if not vector:
        raise UnsupportedError(f"‖{text}‖₁ of the matrix {text} ({t.show_shape(a.shape)}) is not supported; the 1-norm is for vectors")
    return t.Norm(a if a.cols == t.ONE else t.transpose(a), p)


def _apply(inf, node, kids):
    name, order, formula = node.data
    if name == "log" and order == 0 and isinstance(kids[0], t.Det):
        return t.LogDet(kids[0].arg)
    if name == "log" and order == 0 and isinstance(kids[0], t.Softmax):
        return t.LogSoftmax(kids[0].arg)
    return t.Apply(name, kids[0], order, formula)


def _extremum(inf: ShapeInference, node: Node, kids) -> t.Expr:
    """max(a, b) = a + relu(b − a) and min(a, b) = a − relu(a − b), elementwise (a scalar
    broadcast): max(0, x) = relu(x), min(0, x) = −relu(−x); the kink's subgradient is step's."""
    a, b = kids
    if not (t.is_real(a) and t.is_real(b)):
        raise UnsupportedError(f"{node.op} of complex entries is not defined: complex numbers are not ordered; "
                               "compare real(·) or abs(·)")
    side = inf.plan[id(node)]
    a, b = (t.broadcast(a, b.shape), b) if side == "L" else (a, t.broadcast(b, a.shape)) if side == "R" else (a, b)
    sign = 1 if node.op == "max" else -1  # min(a, b) = −max(−a, −b)
    if t.is_zero(a) or t.is_zero(b):
        other = b if t.is_zero(a) else a
        return t.Apply("relu", other) if sign == 1 else t.neg(t.Apply("relu", t.neg(other)))
    return t.add(a, t.Apply("relu", t.sub(b, a))) if sign == 1 else t.sub(a, t.Apply("relu", t.sub(a, b)))


def _symbol(inf: ShapeInference, node: Node, kids) -> t.Expr:
    dims = inf.final(inf.symbols[node.data])
    return t.Symbol(node.data, dims, inf.decl.domains.get(node.data, frozenset()))


def _sized(inf: ShapeInference, node: Node, kids) -> t.Expr:
    """I_n, 𝟙_n, 𝟙_{m×n} (J: 1 broadcast), 0_{m×n}, K_{m,n}."""
    shape, kind = inf.final(inf.shape[id(node)]), node.data[0]
    if kind == "K":
        return t.commutation(*(inf.dims.sympy(d) for d in inf.plan[id(node)]))
    return {"I": lambda: t.identity(shape[0]), "𝟙": lambda: t.ones(shape[0]), "0": lambda: t.zero(shape),
            "J": lambda: t.broadcast(t.Number(t.ONE), shape)}[kind]()


def _size_names(root: Node) -> set:
    """The dimension names the sizes of the text use (I_n, K_{m,n}, …)."""
    specs = [s for n in postorder(root) if n.op in ("sized", "unvec") for s in (n.data[1] if n.op == "sized" else n.data)]
    return {name for _, names in specs for name in names}


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
    "H": lambda inf, n, k: t.ctranspose(k[0]),
    "invH": lambda inf, n, k: t.inverse(t.ctranspose(k[0])),
    "conj": lambda inf, n, k: t.conj(k[0]),
    "real": lambda inf, n, k: t.real_part(k[0]),
    "imag": lambda inf, n, k: t.imag_part(k[0]),
    "pow": lambda inf, n, k: t.power(k[0], n.data) if k[0].is_scalar else t.matpow(k[0], _matrix_power(inf, n)),
    "hpow": lambda inf, n, k: t.hadamard_pow(k[0], n.data),
    "apply": _apply,
    "trace": lambda inf, n, k: t.trace(k[0]),
    "det": lambda inf, n, k: t.Det(k[0]),
    "logdet": lambda inf, n, k: t.LogDet(k[0]),
    "adj": lambda inf, n, k: t.Adj(k[0]),
    "tril": lambda inf, n, k: t.triangular(k[0], "lower"),
    "triu": lambda inf, n, k: t.triangular(k[0], "upper"),
    "diag": lambda inf, n, k: {"column": lambda a: t.DiagMat(a), "row": lambda a: t.DiagMat(t.transpose(a)),
                               "matrix": lambda a: t.DiagVec(a)}[inf.plan[id(n)]](k[0]),
    "vec": lambda inf, n, k: k[0] if k[0].cols == t.ONE else t.Vec(k[0]),
    "sumall": lambda inf, n, k: t.matmul(t.transpose(t.ones(k[0].rows)), k[0], t.ones(k[0].cols)),
    "norm": lambda inf, n, k: _norm(inf, n, k[0]),
    "bars": lambda inf, n, k: t.Apply("abs", k[0]) if inf.plan[id(n)] == "abs" else t.Det(k[0]),
    "callf": lambda inf, n, k: t.Call(n.data, k[0]),
    "grad": lambda inf, n, k: t.Grad(n.data, k[0]),
    "sized": _sized,
    "unvec": lambda inf, n, k: t.Unvec(k[0], inf.final(inf.shape[id(n)])),
    "kronadj": lambda inf, n, k: t.KronFactor(k[0], k[1], n.data),
    "softmax": lambda inf, n, k: t.Softmax(k[0]),
    "logsoftmax": lambda inf, n, k: t.LogSoftmax(k[0]),
    "logsumexp": lambda inf, n, k: t.LogSumExp(k[0]),
    "mean": lambda inf, n, k: t.Mean(k[0]),
    "var": lambda inf, n, k: t.Var(k[0]),
    "std": lambda inf, n, k: t.Std(k[0]),
    "max": _extremum,
    "min": _extremum,
    "eigmax": lambda inf, n, k: t.EigenValue(k[0], "max"),
    "eigmin": lambda inf, n, k: t.EigenValue(k[0], "min"),
    "specnorm": lambda inf, n, k: _norm(inf, Node("norm", n.kids, "2", n.span), k[0]),
    "nucnorm": lambda inf, n, k: t.NuclearNorm(k[0]),
    "eigvec_max": lambda inf, n, k: t.EigenVector(k[0], "max"),
    "eigvec_min": lambda inf, n, k: t.EigenVector(k[0], "min"),
    "pinv_max": lambda inf, n, k: t.Resolvent(k[0], "max"),
    "pinv_min": lambda inf, n, k: t.Resolvent(k[0], "min"),
    "svec_u": lambda inf, n, k: t.SingularVector(k[0], "left"),
    "svec_v": lambda inf, n, k: t.SingularVector(k[0], "right"),
    "polar": lambda inf, n, k: t.PolarFactor(k[0]),
    "epow": lambda inf, n, k: t.Apply("exp", k[0]) if inf.plan[id(n)] == "exp" else t.MatrixFunction("expm", k[0]),
    **{name: (lambda name: lambda inf, n, k: t.MatrixFunction(name, k[0]))(name) for name in t.MATRIX_FUNCTIONS},
    **{f"L_{name}": (lambda name: lambda inf, n, k: t.Frechet(name, k[0], k[1]))(name) for name in t.MATRIX_FUNCTIONS},
    **{f"K{o}_{name}": (lambda name: lambda inf, n, k: t.FrechetKron(name, k[0], tuple(k[1:])))(name)
       for name in t.MATRIX_FUNCTIONS for o in ("", "2")},
}


def _matrix_power(inf: ShapeInference, node: Node) -> int:
    """k of a matrix power Aᵏ: an integer with |k| ≤ MAX_MATRIX_POWER (d(Aᵏ) has k terms)."""
    k = node.data
    if k.is_Integer and abs(k) > MAX_MATRIX_POWER:
        raise ParseError.at(f"the matrix power {k} is too large (matrix powers are limited to ±{MAX_MATRIX_POWER})",
                            inf.text, node.span[0])
    return int(k)


def _check_numbers(root: Node, text: str) -> None:
    """Every number and exponent within the limits (docs/language.md, "Limits")."""
    for node in postorder(root):
        value = node.data if node.op in ("num", "pow", "hpow") else None
        problem = value is not None and (number_problem(value) or (node.op != "num" and exponent_problem(value)))
        if problem:
            raise ParseError.at(problem, text, node.span[0])


def build(root: Node, inf: ShapeInference) -> t.Expr:
    """The typed tree, built bottom-up with the builders of matcalc.expr.builders."""
    out: dict = {}
    for node in postorder(root):
        out[id(node)] = BUILD[node.op](inf, node, [out[id(k)] for k in node.kids])
    e = out[id(root)]
    # a symbol of the text the builders cancelled (0·sum(N) = 0) is remembered: wrt may name it
    present = {s.name for s in e.free_symbols}
    gone = {s.name: s for s in out.values() if isinstance(s, t.Symbol) and s.name not in present}
    return t.with_origin(e, *gone.values()) if gone else e


def _declared_origin(e: t.Expr, decl: Declarations) -> t.Expr:
    """e remembering the declared symbols it does not contain (``origin``), so that their
    values bind its dimensions: parse("I_n", shapes="X: n×n").evaluate({"X": X})."""
    present = {s.name for s in e.free_symbols}
    absent = [t.Symbol(name, tuple(t.dim(d) for d in (tuple(dims) + (1, 1))[:2]) if dims else t.SCALAR,
                       decl.domains.get(name, frozenset()))
              for name, dims in sorted(decl.shapes.items()) if name not in present]
    return t.with_origin(e, *absent) if absent else e


# ---- parse ----------------------------------------------------------------------------------


def parse(text: str, shapes=None, domains=None, functions=None, shape=None, scalar=False):
    """The expression tree of ``text``, with shapes inferred (see docs/language.md).

    ``shapes`` maps names to dims (``()``, ``("m",)``, ``("m", "n")``) or is the text form
    ``"X: m×n, a: m, λ: scalar, Σ: spd, g: elementwise"``; ``domains`` maps names to
    symmetric / spd / invertible / positive / probability; ``functions`` maps names to "elementwise",
    "scalar" or a formula in x; ``shape``, a pair of dims (names or ints), is the shape the
    whole expression must have (it sizes a free I or 𝟙); with ``scalar``, a reading of the
    undeclared symbols in which the whole is 1×1 is preferred (for a function to
    differentiate).  ``where`` clauses name the factors of a decomposition (``u₁v₁ᵀ where
    X = UΣVᵀ``, ``vvᵀ where Sv = λ_max(S)v``: ``matcalc.expr.where``).  Raises a MatcalcError
    subclass on bad input.
    """
    if not isinstance(text, str):
        raise ParseError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    if not text.strip():
        raise ParseError("empty expression: there is nothing to parse")
    decl = Declarations.build(shapes, domains, functions)
    body, clauses = where.split(text)
    if not clauses:
        return _declared_origin(_tree(text, decl, shape, scalar), decl)
    # where X = UΣVᵀ, where Sv = λ_max(S)v: the matrices first, then the expression
    where.read_matrices(clauses, lambda text: _tree(text, decl, None, False))
    named = Declarations.build(*where.declarations(shapes, domains, functions, clauses))
    return _declared_origin(where.bind(_tree(body, named, shape, scalar), clauses), decl)


def _tree(text: str, decl: Declarations, shape, scalar: bool) -> t.Expr:
    """The typed tree of ``text`` (no where clause) under the declarations ``decl``."""
    root = syntax_tree(text, decl)
    _check_numbers(root, text)
    try:
        inference = infer(root, text, decl, shape=shape, scalar=scalar, reserved=_size_names(root))
        return t.refuse_complex(build(root, inference))
    except RecursionError:
        raise ParseError(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)") from None
