"""The one place where matcalc runs code: the source of a ``Program`` it generated itself.

Before it is compiled, the source is read back with ``ast`` and refused unless every name in it
is an ASCII identifier, every import is of a backend, every string is of the harmless characters
the generator writes (symbol identifiers, shape text, einsum subscripts), and nothing reaches
for dunder attributes or the builtins that run or open things.  No text a user gives is ever
inside: symbols appear as their validated identifiers (``names``), numbers as literals.
"""

from __future__ import annotations

import ast
import re

from ..errors import UnsupportedError
from ..language.grammars import PYTHON_SYNTAX
from .program import Program

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
STRING = re.compile(r"[A-Za-z0-9_ ×·*,()>\-]*\Z")
MODULES = frozenset({"numpy", "jax", "jax.numpy", "torch", "math", "scipy.linalg.lapack"})
FORBIDDEN = frozenset({"eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr",
                       "globals", "locals", "vars", "input", "breakpoint"})


def validate(source: str) -> None:
    """Refuse source that the generator could not have written."""
    with PYTHON_SYNTAX:
        tree = ast.parse(source)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            if node.attr.startswith("__"):
                raise UnsupportedError(f"generated code reaches for {node.attr}")
        elif isinstance(node, (ast.FunctionDef, ast.arg)):
            names.append(node.name if isinstance(node, ast.FunctionDef) else node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            if not set(mods) <= MODULES:
                raise UnsupportedError(f"generated code imports {mods}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and not STRING.match(node.value):
            raise UnsupportedError(f"generated code holds the string {node.value!r}")
        for n in names:
            if not NAME.match(n) or n in FORBIDDEN:
                raise UnsupportedError(f"generated code uses the name {n!r}")


def load(program: Program, namespace: dict):
    """The function of ``program``, its source validated, compiled and run in ``namespace``."""
    validate(program.source)
    with PYTHON_SYNTAX:
        code = compile(program.source, f"<matcalc {program.name}>", "exec")
    exec(code, namespace)
    return namespace[program.name]
