"""Stage: code.  Takes expression trees; gives straight-line Python for their values on NumPy,
JAX or PyTorch (``program.build``), each distinct node computed once, products as an expert
writes them (``products``), argument names as identifiers (``names``), and runs the code it
wrote itself, checked (``load``).

May import: errors, language, expr, calculus (the derivatives of formulas), printing.
"""

from .backends import BACKENDS, JAX, NUMPY, TORCH, Backend, backend
from .emit import EMIT, kind, number_code
from .load import load
from .names import identifiers, spell
from .program import Parameter, Program, build, entry, leaves, make_parameters

__all__ = ["BACKENDS", "EMIT", "JAX", "NUMPY", "TORCH", "Backend", "Parameter", "Program", "backend", "build", "entry",
           "identifiers", "kind", "leaves", "load", "make_parameters", "number_code", "spell"]
