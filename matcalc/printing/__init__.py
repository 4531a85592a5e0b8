"""Stage: printing.  Takes an expression tree; gives textbook Unicode (``to_unicode``, which
``parse`` reads back) and LaTeX (``to_latex``).

May import: errors, language (the words and names it must not misspell), expr.
"""

from .latex import LatexPrinter, to_latex
from .layout import PRECEDENCE
from .unicode import UnicodePrinter, to_unicode

__all__ = ["PRECEDENCE", "LatexPrinter", "UnicodePrinter", "to_latex", "to_unicode"]
