"""Stage: expressions.  Takes the syntax tree with its shapes (from ``matcalc.language``); gives
the expression tree every later stage works on: immutable nodes with shapes checked at
construction (``nodes``: the base class and the leaves; ``operations``), the builders that keep
the tree in its structural normal form (``builders``), and ``parse``, text → tree.

May import: errors, language.
"""

from .tree import *  # noqa: F401,F403  (nodes, operations and builders: see tree.py)
from .parse import parse
