"""The code of an exact number: a SymPy number or dimension expression (with the dimensions'
identifiers) as a Python literal or arithmetic; integers stay integers, a complex number is a
Python complex literal."""

from __future__ import annotations

from functools import lru_cache

import sympy

from ..errors import UnsupportedError
from ..language.traversal import postorder


@lru_cache(maxsize=4096)
def _number_code(value: sympy.Expr, dims: tuple) -> str:
    names = dict(dims)
    if not value.free_symbols:
        if value.has(sympy.I):
            return repr(complex(value))  # 1j, (2-3j)
        v = float(value)
        return repr(v) if v >= 0 else f"({v!r})"
    out = []
    for e in postorder(value, lambda e: e.args if not e.is_Atom else (), frozenset()):
        out.append(e)
    code: dict = {}
    for e in out:
        if e.is_Symbol:
            code[e] = names[e.name]
        elif e == sympy.I:
            code[e] = "1j"
        elif e.is_Integer:
            code[e] = str(int(e))
        elif e.is_Number:
            code[e] = repr(float(e))
        elif e.is_Add:
            code[e] = "(" + " + ".join(code[a] for a in e.args) + ")"
        elif e.is_Mul:
            code[e] = "(" + " * ".join(code[a] for a in e.args) + ")"
        elif e.is_Pow:
            code[e] = f"({code[e.args[0]]} ** {code[e.args[1]]})"
        else:
            raise UnsupportedError(f"cannot compute the number {value}")
    text = code[value]
    return text


def number_code(value, dims: dict) -> str:
    """The code of an exact number or dimension expression; integers stay integers."""
    value = sympy.Integer(value) if isinstance(value, int) else value
    if value.is_Integer:
        return str(int(value))
    return _number_code(value, tuple(sorted(dims.items())))
