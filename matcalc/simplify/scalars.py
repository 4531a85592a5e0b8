"""The simplifier's rules for scalars: their algebra done by SymPy (s²/s³ = 1/s), with the
logistic function recognised (exp(s)/(1 + exp(s)) = σ(s)).

Registered like those of ``algebra`` (``normal`` imports every rule set): one named identity
each; a rule returns the rewritten node or None.
"""

from __future__ import annotations

from functools import reduce

import sympy

from .. import expr as t
from .rewriting import rewrite, size


def known_function(e: t.Expr, *names: str) -> bool:
    """Whether e is g(A) for a known function g of ``names`` (not a derivative, not by formula)."""
    return isinstance(e, t.Apply) and e.name in names and e.order == 0 and e.formula is None


_SCALAR_FUNCTIONS = {"abs": sympy.Abs, "sign": sympy.sign, "exp": sympy.exp, "log": sympy.log}
_FROM_SYMPY = {sympy.Abs: "abs", sympy.sign: "sign", sympy.exp: "exp", sympy.log: "log"}


@rewrite(t.Scale, "scalar algebra by SymPy: s²/s³ = 1/s, sign(s)·s/|s| = 1")
def _scalar_algebra(e):
    target = e if e.is_scalar else e.factor
    if not isinstance(target, (t.Scale, t.Power)) or _opaque_product(target):
        return None
    atoms: dict = {}
    expr = _to_sympy(target, atoms)
    if not atoms or sympy.count_ops(expr) > 40:
        return None
    denominators = sympy.fraction(sympy.together(expr))[1].free_symbols
    expr = expr.subs({s: _nonzero(s) for s in denominators if s in atoms})
    nodes = {_nonzero(s): n for s, n in atoms.items()} | atoms
    back = _from_sympy(sympy.simplify(expr), nodes)
    if back is None:
        return None
    new = back if e.is_scalar else t.scale(back, e.operand)
    return new if (size(new), _nodes(new)) < (size(e), _nodes(e)) else None


def _nonzero(s: sympy.Symbol) -> sympy.Symbol:
    """The atom s as a denominator: not zero, and real unless it stands for a complex scalar
    (SymPy's nonzero means real and not zero)."""
    return sympy.Symbol(s.name, real=True, nonzero=True) if s.is_real else sympy.Symbol(s.name, zero=False)


def _opaque_product(s: t.Expr) -> bool:
    """Whether s is a number times powers of distinct factors SymPy sees as plain symbols
    (−(xᵀAx)(xᵀx)⁻²): nothing for SymPy to simplify, so it is not asked."""
    bases, stack = [], [s]
    while stack:
        n = stack.pop()
        if isinstance(n, t.Scale):
            stack += [n.factor, n.operand]
        elif isinstance(n, t.Power) and not isinstance(n.base, t.Number):
            stack.append(n.base)
        elif isinstance(n, t.Add) or known_function(n, "sigmoid", *_SCALAR_FUNCTIONS):
            return False
        elif not isinstance(n, t.Number):  # a power of a number is a base: √2·√2 = 2 is SymPy's
            bases.append(n)
    return len(set(bases)) == len(bases)


def _nodes(e: t.Expr) -> int:
    """All nodes, so that of two forms as large αβ⁻³α loses to α²β⁻³."""
    return 1 + sum(_nodes(c) for c in e.children())


def _to_sympy(e: t.Expr, atoms: dict) -> sympy.Expr:
    """e (1×1) as a SymPy expression; subexpressions it cannot see into become symbols."""
    if isinstance(e, t.Number):
        return e.value
    if isinstance(e, t.Scale):
        return _to_sympy(e.factor, atoms) * _to_sympy(e.operand, atoms)
    if isinstance(e, t.Power):
        return _to_sympy(e.base, atoms) ** e.exponent
    if isinstance(e, t.Add):
        return sympy.Add(*(_to_sympy(x, atoms) for x in e.terms))
    if known_function(e, "sigmoid"):
        return 1 / (1 + sympy.exp(-_to_sympy(e.arg, atoms)))
    if known_function(e, *_SCALAR_FUNCTIONS):
        return _SCALAR_FUNCTIONS[e.name](_to_sympy(e.arg, atoms))
    for symbol, node in atoms.items():
        if node == e:
            return symbol
    assumptions = {"positive": True} if isinstance(e, t.Norm) else {"real": True} if t.is_real(e) else {}
    symbol = sympy.Symbol(f"s{len(atoms)}", **assumptions)
    atoms[symbol] = e
    return symbol


def _from_sympy(expr: sympy.Expr, nodes: dict) -> t.Expr | None:
    """The node of a SymPy expression; 1/(1 + exp(u)) is the logistic function σ(−u)."""
    g = _logistic_exp(expr)
    if g is not None:
        u = _from_sympy(-g.args[0], nodes)
        return None if u is None else t.Apply("sigmoid", u)
    if expr.is_Mul:  # exp(u)/(1 + exp(u)) = σ(u)
        for a in expr.args:
            g = _logistic_exp(a)
            if g is not None and g in expr.args:
                rest = _from_sympy(expr / (g * a), nodes)
                u = _from_sympy(g.args[0], nodes)
                return None if rest is None or u is None else t.mul(rest, t.Apply("sigmoid", u))
    if expr.is_Number:
        return t.Number(expr)
    if expr in nodes:
        return nodes[expr]
    args = [_from_sympy(a, nodes) for a in expr.args] if not expr.is_Pow else []
    if None in args:
        return None
    if expr.is_Mul:
        return reduce(t.mul, args)
    if expr.is_Add:
        return t.add(*args)
    if expr.is_Pow and expr.exp.is_Rational:
        base = _from_sympy(expr.base, nodes)
        return None if base is None else t.power(base, expr.exp)
    name = _FROM_SYMPY.get(expr.func)
    if name is not None and len(args) == 1:
        return t.Apply(name, args[0])
    return None


def _logistic_exp(expr: sympy.Expr):
    """exp(u) for a SymPy expression 1/(1 + exp(u)), else None."""
    if expr.is_Pow and expr.exp == -1 and expr.base.is_Add and len(expr.base.args) == 2 and 1 in expr.base.args:
        g = next(a for a in expr.base.args if a != 1)
        return g if g.func is sympy.exp else None
    return None
