"""One Cholesky factor per spd matrix, reused by every solve, inverse and log det of a program.

For a symbol declared spd, A = LLᵀ is factored once (``_cho_factor``, a line of its own) and
then A⁻¹B = cho_solve(L, B), B A⁻¹ = cho_solve(L, Bᵀ)ᵀ (A is symmetric), A⁻¹ itself (where the
program needs it formed) from L, and log det A = 2 Σ log diag L, across the value and all the
gradients.  A value that is not positive definite stops the generated NumPy and PyTorch code
with a LinAlgError naming the argument; under JAX (which cannot raise inside ``jax.jit``) the
factor, and so every value computed from it, is nan.  matcalc's own evaluation keeps its
checked inverse and log det (``matcalc.numeric``): this applies to exported code only.
"""

from __future__ import annotations

from .. import expr as t

# The helpers of each backend ({xp} the module alias).  NumPy calls SciPy's LAPACK when SciPy is
# installed (potrf, potrs, potri) and plain solves on the matrix itself when it is not.
NUMPY = {
    "_lapack": ("try:\n    import scipy.linalg.lapack as _lapack  # the Cholesky solves (without SciPy: plain solves)\n"
                "except ImportError:\n    _lapack = None\n"),
    "_cho_factor": ("def _cho_factor(a, name):\n    # L with a = LLᵀ, for an spd a\n"
                    "    if _lapack is not None and a.dtype == np.float64:\n"
                    "        l, info = _lapack.dpotrf(a, lower=1, clean=1)\n"
                    "        if info == 0:\n            return l\n"
                    "    else:\n        try:\n            return np.linalg.cholesky(a)\n"
                    "        except np.linalg.LinAlgError:\n            pass\n"
                    "    raise np.linalg.LinAlgError(f'{{name}} is not positive definite (it has no Cholesky factor)')\n"),
    "_cho_solve": ("def _cho_solve(l, a, b):\n    # a⁻¹b from a = LLᵀ\n"
                   "    if _lapack is not None and l.dtype == np.float64:\n"
                   "        return _lapack.dpotrs(l, b, lower=1)[0]\n"
                   "    return np.linalg.solve(a, b)\n"),
    "_cho_inverse": ("def _cho_inverse(l, a):\n    # a⁻¹ from a = LLᵀ (LAPACK fills the lower triangle; the upper one of L is 0)\n"
                     "    if _lapack is not None and l.dtype == np.float64:\n"
                     "        r = _lapack.dpotri(l, lower=1)[0]\n"
                     "        r = r + r.T\n        r.flat[::len(r) + 1] *= 0.5\n        return r\n"
                     "    return np.linalg.inv(a)\n"),
    "_cho_logdet": "def _cho_logdet(l):\n    # log det a = 2 Σ log diag L\n    return 2.0 * np.log(l.diagonal()).sum()\n",
}

JAX = {
    "_cho_factor": ("def _cho_factor(a, name):\n    # L with a = LLᵀ, for an spd a (nan where a is not: jax.jit cannot raise)\n"
                    "    return jnp.linalg.cholesky(a)\n"),
    "_cho_solve": "def _cho_solve(l, a, b):\n    # a⁻¹b from a = LLᵀ\n    return jax.scipy.linalg.cho_solve((l, True), b)\n",
    "_cho_inverse": ("def _cho_inverse(l, a):\n    # a⁻¹ from a = LLᵀ\n"
                     "    return jax.scipy.linalg.cho_solve((l, True), jnp.eye(l.shape[0], dtype=l.dtype))\n"),
    "_cho_logdet": "def _cho_logdet(l):\n    # log det a = 2 Σ log diag L\n    return 2.0 * jnp.sum(jnp.log(jnp.diag(l)))\n",
}

TORCH = {
    "_cho_factor": ("def _cho_factor(a, name):\n    # L with a = LLᵀ, for an spd a\n"
                    "    l, info = torch.linalg.cholesky_ex(a)\n"
                    "    if info.item() != 0:\n"
                    "        raise torch.linalg.LinAlgError(f'{{name}} is not positive definite (it has no Cholesky factor)')\n"
                    "    return l\n"),
    "_cho_solve": ("def _cho_solve(l, a, b):\n    # a⁻¹b from a = LLᵀ\n"
                   "    return torch.cholesky_solve(b[:, None], l)[:, 0] if b.ndim == 1 else torch.cholesky_solve(b, l)\n"),
    "_cho_inverse": "def _cho_inverse(l, a):\n    # a⁻¹ from a = LLᵀ\n    return torch.cholesky_inverse(l)\n",
    "_cho_logdet": ("def _cho_logdet(l):\n    # log det a = 2 Σ log diag L\n"
                    "    return 2.0 * torch.sum(torch.log(torch.diagonal(l)))\n"),
}

DEPENDS = {"_cho_factor": ("_lapack",), "_cho_solve": ("_lapack",), "_cho_inverse": ("_lapack",)}


def factored(em, a: t.Expr) -> bool:
    """Whether the program factors ``a`` once: a symbol declared spd, in exported code."""
    return not em.runtime and isinstance(a, t.Symbol) and "spd" in a.assumptions and "_cho_factor" in em.b.helpers


def factor(em, a: t.Expr) -> str:
    """The name of a's Cholesky factor, its line written the first time it is asked for."""
    cache = em.__dict__.setdefault("_cholesky", {})
    if a not in cache:
        ident = em.value(a).text
        cache[a] = em.temp(f"{em.helper('_cho_factor')}({ident}, {ident!r})")
    return cache[a]


def solve(em, a: t.Expr, b: str) -> str:
    """The code of a⁻¹b by a's factor."""
    return f"{em.helper('_cho_solve')}({factor(em, a)}, {em.value(a).text}, {b})"


def inverse(em, a: t.Expr) -> str:
    """The code of a⁻¹, formed from a's factor."""
    return f"{em.helper('_cho_inverse')}({factor(em, a)}, {em.value(a).text})"


def logdet(em, a: t.Expr) -> str:
    """The code of log det a from a's factor."""
    return f"{em.helper('_cho_logdet')}({factor(em, a)})"


# The rules of ``emit.EMIT`` for the nodes a factor serves: (emitter, node) → (code, atomic).


def inverse_rule(em, n: t.Inverse):
    """A⁻¹ formed: 1/a of a number, from the factor of a factored matrix, else the inverse."""
    if n.is_scalar:
        return f"1.0 / {em.operand(n.arg)}", False
    if factored(em, n.arg):
        return inverse(em, n.arg), True
    return f"{em.helper('_inv')}({em.value(n.arg).text})", True


def logdet_rule(em, n: t.LogDet):
    """log det A: from the factor of a factored matrix, else by slogdet (log of a number)."""
    arg = n.arg
    if arg.is_scalar:
        return f"{em.b.xp}.log({em.value(arg).text})", True
    if not t.is_real(arg):
        return f"{em.helper('_logdet_complex')}({em.value(arg).text})", True
    if factored(em, arg):
        return logdet(em, arg), True
    spd = isinstance(arg, t.Symbol) and "spd" in arg.assumptions
    return f"{em.helper('_logdet_spd' if spd else '_logdet')}({em.value(arg).text})", True
