"""The words of the language: built-in functions, elementwise functions, prefix words.

One table per kind of word; the parser reads them, the printers avoid spelling them by
accident (a run of one-letter names that reads as a word), and later stages give each
elementwise function its derivative (``matcalc.calculus.elementwise``) and its numbers
(``matcalc.numeric.functions``).
"""

from __future__ import annotations

from .names import GREEK

# The spectral words: name → (syntax-tree op, number of arguments).
SPECTRAL = {
    "λ_max": ("eigmax", 1), "lambda_max": ("eigmax", 1), "λ_min": ("eigmin", 1), "lambda_min": ("eigmin", 1),
    "σ_max": ("specnorm", 1), "sigma_max": ("specnorm", 1), "norm_nuc": ("nucnorm", 1),
    "eigvec_max": ("eigvec_max", 1), "eigvec_min": ("eigvec_min", 1),
    "pinv_max": ("pinv_max", 1), "pinv_min": ("pinv_min", 1),
    "svec_u": ("svec_u", 1), "svec_v": ("svec_v", 1), "polar": ("polar", 1),
    "expm": ("expm", 1), "logm": ("logm", 1), "sqrtm": ("sqrtm", 1),
    "L_expm": ("L_expm", 2), "L_logm": ("L_logm", 2), "L_sqrtm": ("L_sqrtm", 2),
    "K_expm": ("K_expm", 1), "K_logm": ("K_logm", 1), "K_sqrtm": ("K_sqrtm", 1),
    "K2_expm": ("K2_expm", 2), "K2_logm": ("K2_logm", 2), "K2_sqrtm": ("K2_sqrtm", 2),
}

# Built-in functions: name → (syntax-tree op, number of arguments).
BUILTINS = {
    "tr": ("trace", 1),
    "trace": ("trace", 1),
    "det": ("det", 1),
    "logdet": ("logdet", 1),
    "inv": ("inv", 1),
    "adj": ("adj", 1),
    "kron": ("kron", 2),
    "diag": ("diag", 1),
    "vec": ("vec", 1),
    "sum": ("sumall", 1),
    "norm": ("norm", 1),
    "norm2": ("norm", 1),
    "norm1": ("norm1", 1),
    "norm_inf": ("norminf", 1),
    "tril": ("tril", 1),
    "triu": ("triu", 1),
    "conj": ("conj", 1),
    "ctranspose": ("H", 1),
    "real": ("real", 1),
    "imag": ("imag", 1),
    "softmax": ("softmax", 1),
    "logsoftmax": ("logsoftmax", 1),
    "log_softmax": ("logsoftmax", 1),
    "logsumexp": ("logsumexp", 1),
    "mean": ("mean", 1),
    "var": ("var", 1),
    "std": ("std", 1),
    "max": ("max", 2),
    "min": ("min", 2),
    # spectral quantities and their named factors; matrix functions and their Fréchet derivatives
    **SPECTRAL,
}

# Elementwise functions known by name (g(A) applies g to every entry).
ELEMENTWISE = ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softplus", "sqrt", "abs",
               "sign", "step", "log1p", "expm1", "erf", "gelu", "softsign", "cosh", "sinh", "arctan", "log_sigmoid")

# Other spellings of elementwise functions: logσ(x) is log_sigmoid(x) (unless σ is a symbol).
ELEMENTWISE_ALIASES = {"logσ": "log_sigmoid"}

# The elementwise functions that take a complex argument: the holomorphic ones (their derivative
# is g′(Z) ⊙ dZ) and abs, the modulus |Z| (real-valued, with a differential in dZ and dZ̄).
COMPLEX_ELEMENTWISE = ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "softplus", "sqrt", "abs")

# The imaginary unit: i or j when not declared as symbols; ⅈ always.
IMAGINARY_UNITS = ("i", "j")

# σ(…) and sigma(…) are the sigmoid unless σ is declared as a symbol.
SIGMOID_NAMES = ("σ", "sigma")

# Words that apply to the rest of a product when no "(" follows: tr AXB, log det Σ.
PREFIX_WORDS = {"tr": "trace", "trace": "trace", "det": "det", "logdet": "logdet"}

# Words the parser reads as one token: a run of one-letter names must not spell one.
RESERVED = frozenset(GREEK) | set(ELEMENTWISE) | set(ELEMENTWISE_ALIASES) | set(BUILTINS) | {"ones", "where"}
