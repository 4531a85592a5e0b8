"""Code for a formula in x: the SymPy tree of a user's elementwise function (or of a derivative
of one), written as an expression of the backend's functions.  One entry per SymPy head; any
other head is refused (UnsupportedError), never evaluated."""

from __future__ import annotations

import sympy

from ..errors import UnsupportedError
from ..language.formula import X
from ..language.traversal import postorder


def _power(b, xp, base, exponent_expr, exponent):
    if exponent_expr.is_Integer and abs(int(exponent_expr)) <= 4:
        return f"({base} ** {int(exponent_expr)})" if int(exponent_expr) >= 0 else f"(1.0 / {base} ** {-int(exponent_expr)})"
    return f"{xp}.power({base}, {exponent})"


# head → (code of the operands' codes); ``xp`` is the module alias, ``h`` the helper namer.
# the heads the backend module has a function of the same meaning for: xp.<name>(a)
_BACKEND_FUNCTIONS = {sympy.exp: "exp", sympy.log: "log", sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan",
                      sympy.tanh: "tanh", sympy.Abs: "abs", sympy.sign: "sign", sympy.cosh: "cosh",
                      sympy.sinh: "sinh", sympy.atan: "arctan"}

HEADS = {
    sympy.Add: lambda xp, h, a: "(" + " + ".join(a) + ")",
    sympy.Mul: lambda xp, h, a: "(" + " * ".join(a) + ")",
    **{head: (lambda name: lambda xp, h, a: f"{xp}.{name}({a[0]})")(name) for head, name in _BACKEND_FUNCTIONS.items()},
    sympy.erf: lambda xp, h, a: f"{h('_erf')}({a[0]})",
    sympy.Heaviside: lambda xp, h, a: f"{h('_heaviside')}({a[0]})",
    sympy.DiracDelta: lambda xp, h, a: f"(0.0 * {a[0]})",  # 0 away from x = 0, as d sign = 0 a.e.
    sympy.Max: lambda xp, h, a: _fold(f"{xp}.maximum", a),
    sympy.Min: lambda xp, h, a: _fold(f"{xp}.minimum", a),
}


def _fold(f, args):
    out = args[0]
    for a in args[1:]:
        out = f"{f}({out}, {a})"
    return out


def _constant(e: sympy.Expr):
    if not (e.is_Number or e.is_NumberSymbol):
        return None
    try:
        return repr(float(e))
    except TypeError:  # ∞ of unknown sign
        return "float('nan')"


def formula_code(formula: sympy.Expr, arg: str, xp: str, helper) -> str:
    """The code of ``formula`` (a SymPy expression in x) at the code ``arg``."""
    code: dict = {}
    for e in postorder(formula, lambda e: () if e == X or _constant(e) is not None else e.args, frozenset()):
        if e == X:
            code[e] = arg if arg.isidentifier() else f"({arg})"  # x² at −2 is (-2) ** 2, not -2 ** 2
        elif (c := _constant(e)) is not None:
            code[e] = f"({c})" if c.startswith("-") else c
        elif isinstance(e, sympy.Pow):
            code[e] = _power(None, xp, code[e.args[0]], e.args[1], code[e.args[1]])
        elif e.func in HEADS:
            code[e] = HEADS[e.func](xp, helper, [code[a] for a in e.args])
        else:
            raise UnsupportedError(f"cannot evaluate {e.func.__name__} in a formula numerically")
    return code[formula]
