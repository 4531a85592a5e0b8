"""Stage: language.  Takes text and declarations; gives the untyped syntax tree of the text
(``syntax``, by the Lark grammar grammar/matcalc.lark through the token pass of ``tokens``)
and the shapes of its nodes (``readings``: the reading of the undeclared symbols from their
use; ``shapes``: one reading, by unification of the dimension variables of ``unify``).  Around them:
the words of the language (``vocabulary``), symbol names (``names``), the declarations
(``declarations``), user formulas (``formula``, by the grammar grammar/formula.lark, built
into SymPy and never run), exact numbers (``exact``), dimensions (``dims``) and the limits on
input and on the work of a call (``limits``).

May import: errors.
"""
