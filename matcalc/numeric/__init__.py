"""Stage: numbers.  Takes expression trees and values; gives their values with NumPy
(``evaluate``, its binding remembered per expression and shapes: ``plans``), random points that respect domains (``sampling``) and comparisons of
derivatives with central finite differences (``check``).

May import: errors, language, expr, calculus (the derivatives of user formulas).
"""

from .check import CheckReport, JacobianCheck, check_gradient, check_jacobian
from .evaluate import Evaluator, NumericError
from .plans import evaluate
from .sampling import domains, point, sample
from . import reductions, spectral  # noqa: F401  (the helpers of their nodes' code)  isort: skip

__all__ = ["CheckReport", "Evaluator", "JacobianCheck", "NumericError", "check_gradient", "check_jacobian",
           "domains", "evaluate", "point", "sample"]
