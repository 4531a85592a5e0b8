"""The values of the spectral nodes, the helpers their compiled code calls (registered in
``evaluate.RUNTIME_HELPERS``, on 2-D arrays), and the domains their operands need, in
``sampling.INFERRED``.

λ_max(S) and λ_min(S) are the extreme eigenvalues of the symmetric part ½(S + Sᵀ) (S itself when
S is symmetric), so that vvᵀ is their gradient in every direction; their unit eigenvectors come
from ``eigh`` with the sign fixed (largest entry positive).  ‖X‖₂, ‖X‖_*, u₁, v₁ and UVᵀ come
from the SVD.  expm is Padé [6/6] with scaling and squaring; its Fréchet derivative
L_exp(X, E) is the upper-right block of exp([[X, E], [0, X]]) (Najfeld & Havel; Higham,
Functions of Matrices, 3.2).  logm and sqrtm (principal branches) and their Fréchet
derivatives are computed in the eigenbasis X = VΛV⁻¹: f(X) = V f(Λ) V⁻¹ and the
Daleckii–Krein form L_f(X, E) = V((V⁻¹EV) ⊙ F)V⁻¹ with the divided differences
F_ij = f[λᵢ, λⱼ] (V orthogonal for symmetric X).
"""

from __future__ import annotations

from math import factorial

import numpy as np

from .. import expr as t
from . import sampling
from .evaluate import RUNTIME_HELPERS, NumericError

PADE = 6
PADE_COEFFICIENTS = [factorial(2 * PADE - k) * factorial(PADE) / (factorial(2 * PADE) * factorial(k) * factorial(PADE - k))
                     for k in range(PADE + 1)]
PADE_RADIUS = 0.5  # ‖X/2ˢ‖₁ ≤ ½: the [6/6] approximant is exact to rounding
CLOSE = 1e-8  # relative gap below which two eigenvalues are one for a divided difference


# ---- eigenvalues and singular values --------------------------------------------------------


def _eigh(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and orthonormal eigenvectors of the symmetric part of a."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    return w, v


def _signed(v: np.ndarray) -> np.ndarray:
    """A unit vector with its sign fixed: the entry of largest magnitude positive."""
    return v if v[np.argmax(np.abs(v))] >= 0 else -v


def _eigenvalue(a: np.ndarray, which: str) -> float:
    w, _ = _eigh(a)
    return w[-1] if which == "max" else w[0]


def _eigenvector(a: np.ndarray, which: str) -> np.ndarray:
    _, v = _eigh(a)
    return _signed(v[:, -1] if which == "max" else v[:, 0])


def _resolvent(a: np.ndarray, which: str) -> np.ndarray:
    """(λI − A)⁺ = Σⱼ vⱼvⱼᵀ/(λ − λⱼ) over the eigenpairs other than λ's, of the symmetric part of A."""
    w, v = _eigh(a)
    k = len(w) - 1 if which == "max" else 0
    others = np.arange(len(w)) != k
    return (v[:, others] / (w[k] - w[others])) @ v[:, others].T


def _singular_vector(a: np.ndarray, side: str) -> np.ndarray:
    u, _, vt = np.linalg.svd(a)
    left, right = u[:, 0], vt[0, :]
    sign = 1.0 if left[np.argmax(np.abs(left))] >= 0 else -1.0  # u₁ with its largest entry positive, v₁ to match
    return sign * (left if side == "left" else right)


def _polar(a: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    return u @ vt


# ---- matrix functions -----------------------------------------------------------------------


def expm(a: np.ndarray) -> np.ndarray:
    """e^A by Padé [6/6] with scaling and squaring."""
    norm = np.linalg.norm(a, 1)
    s = max(0, int(np.ceil(np.log2(norm / PADE_RADIUS)))) if norm > PADE_RADIUS else 0
    x = a / 2.0**s
    num, den, power = np.zeros_like(x), np.zeros_like(x), np.eye(len(x))
    for k, c in enumerate(PADE_COEFFICIENTS):
        num, den = num + c * power, den + (-1) ** k * c * power
        power = power @ x
    r = np.linalg.solve(den, num)
    for _ in range(s):
        r = r @ r
    return r


def _direction_scale(a: np.ndarray, e: np.ndarray) -> float:
    """A power of two c with ‖E/c‖₁ ≈ max(‖A‖₁, ½): L_exp(A, E) is linear in E, and the block
    method loses A's digits when ‖E‖ ≫ ‖A‖ (the scaling 2⁻ˢ of the block sinks A below rounding)."""
    size = np.linalg.norm(e, 1)
    if not np.isfinite(size) or size == 0:
        return 1.0
    return 2.0 ** np.round(np.log2(size / max(np.linalg.norm(a, 1), PADE_RADIUS)))


def expm_frechet(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """L_exp(A, E) = c·L_exp(A, E/c): the upper-right block of exp([[A, E/c], [0, A]]) times c."""
    n, c = len(a), _direction_scale(a, e)
    return c * expm(np.block([[a, e / c], [np.zeros_like(a), a]]))[:n, n:]


SCALAR_FUNCTIONS = {  # f and f′ on eigenvalues (complex: principal branches)
    "logm": (np.log, lambda z: 1 / z),
    "sqrtm": (np.sqrt, lambda z: 0.5 / np.sqrt(z)),
}


def _eigenbasis(name: str, a: np.ndarray):
    """(λ, V, V⁻¹) of A, with V orthogonal for a symmetric A; NumericError outside the domain
    of the principal logm / sqrtm (an eigenvalue on the closed negative real axis)."""
    if np.allclose(a, a.T, rtol=0, atol=1e-13 * max(1.0, np.abs(a).max())):
        w, v = np.linalg.eigh((a + a.T) / 2)
        vinv = v.T
    else:
        w, v = np.linalg.eig(a)
        if np.linalg.cond(v) > 1e12:
            raise NumericError(f"{name} of a matrix that is not diagonalizable is not evaluated:\n{np.array2string(a, precision=4)}")
        vinv = np.linalg.inv(v)
    if np.any((np.abs(np.imag(w)) <= 1e-12 * np.abs(w).max()) & (np.real(w) <= 0)):
        raise NumericError(f"{name} is defined for a matrix with no eigenvalue on the closed negative real axis:\n"
                           f"{np.array2string(a, precision=4)}")
    return w, v, vinv


def _real(a: np.ndarray) -> np.ndarray:
    return np.real_if_close(a, tol=1e6).real


def eigen_function(name: str, a: np.ndarray) -> np.ndarray:
    """f(A) = V f(Λ) V⁻¹."""
    w, v, vinv = _eigenbasis(name, a)
    return _real((v * SCALAR_FUNCTIONS[name][0](w.astype(complex))) @ vinv)


def daleckii_krein(name: str, a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """L_f(A, E) = V((V⁻¹EV) ⊙ F)V⁻¹, F_ij = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ), f′(λᵢ) when λᵢ = λⱼ."""
    f, df = SCALAR_FUNCTIONS[name]
    w, v, vinv = _eigenbasis(name, a)
    z = w.astype(complex)
    divided = _divided(f, df, z[:, None], z[None, :])
    return _real(v @ ((vinv @ e @ v) * divided) @ vinv)


SECOND_DERIVATIVES = {"logm": lambda z: -1 / z**2, "sqrtm": lambda z: -0.25 / z**1.5}


def _close(x, y):
    return np.abs(x - y) <= CLOSE * np.maximum(np.abs(x), np.abs(y))


def _divided(f, df, x, y):
    """The first divided difference f[x, y] = (f(x) − f(y))/(x − y), f′ at the midpoint where x ≈ y."""
    close = _close(x, y)
    return np.where(close, df((x + y) / 2), (f(x) - f(y)) / np.where(close, 1.0, x - y))


def daleckii_krein2(name: str, a: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """L²_f(A, E₁, E₂) = V M V⁻¹, Mᵢⱼ = Σₖ f[λᵢ, λₖ, λⱼ](Ẽ₁ᵢₖẼ₂ₖⱼ + Ẽ₂ᵢₖẼ₁ₖⱼ) with Ẽ = V⁻¹EV and
    the second divided differences f[a, b, c] = (f[a, b] − f[b, c])/(a − c), f[a, a, b] =
    (f′(a) − f[a, b])/(a − b), f[a, a, a] = f″(a)/2."""
    f, df = SCALAR_FUNCTIONS[name]
    w, v, vinv = _eigenbasis(name, a)
    z = w.astype(complex)
    li, lk, lj = z[:, None, None], z[None, :, None], z[None, None, :]
    fik, fkj = _divided(f, df, li, lk), _divided(f, df, lk, lj)
    ij, ik = _close(li, lj), _close(li, lk)
    second = np.where(~ij, (fik - fkj) / np.where(ij, 1.0, li - lj),
                      np.where(~ik, (df(li) - fik) / np.where(ik, 1.0, li - lk), SECOND_DERIVATIVES[name](li) / 2))
    x1, x2 = vinv @ e1 @ v, vinv @ e2 @ v
    m = np.einsum("ik,kj,ikj->ij", x1, x2, second) + np.einsum("ik,kj,ikj->ij", x2, x1, second)
    return _real(v @ m @ vinv)


def expm_frechet2(a: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """L²_exp(A, E₁, E₂): the upper-right block of exp([[A, E₁, E₂, 0], [0, A, 0, E₂], [0, 0, A, E₁], [0, 0, 0, A]])
    (with E₁, E₂ scaled as in ``expm_frechet``: L² is linear in each)."""
    n, z = len(a), np.zeros_like(a)
    c1, c2 = _direction_scale(a, e1), _direction_scale(a, e2)
    e1, e2 = e1 / c1, e2 / c2
    return c1 * c2 * expm(np.block([[a, e1, e2, z], [z, a, z, e2], [z, z, a, e1], [z, z, z, a]]))[:n, 3 * n:]


def frechet_kron(name: str, a: np.ndarray, *directions: np.ndarray) -> np.ndarray:
    """K_f(A) (no direction) or K2_f(A, E): column j is vec of the derivative along the j-th unit matrix."""
    n = len(a)
    out = np.empty((n * n, n * n))
    for j in range(n * n):
        unit = np.zeros(n * n)
        unit[j] = 1.0
        unit = unit.reshape((n, n), order="F")
        d = _frechet2(name, a, directions[0], unit) if directions else _frechet(name, a, unit)
        out[:, j] = d.reshape(-1, order="F")
    return out


def _matrix_function(name: str, a: np.ndarray) -> np.ndarray:
    return expm(a) if name == "expm" else eigen_function(name, a)


def _frechet(name: str, a: np.ndarray, e: np.ndarray) -> np.ndarray:
    return expm_frechet(a, e) if name == "expm" else daleckii_krein(name, a, e)


def _frechet2(name: str, a: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    return expm_frechet2(a, e1, e2) if name == "expm" else daleckii_krein2(name, a, e1, e2)


def _svd_values(a: np.ndarray) -> np.ndarray:
    return np.linalg.svd(a, compute_uv=False)


RUNTIME_HELPERS.update({
    "_eigenvalue": _eigenvalue,
    "_eigenvector": _eigenvector,
    "_resolvent": _resolvent,
    "_spectral_norm": lambda a: _svd_values(a)[0],
    "_nuclear_norm": lambda a: np.sum(_svd_values(a)),
    "_singular_vector": _singular_vector,
    "_polar": _polar,
    "_matrix_function": _matrix_function,
    "_frechet": _frechet,
    "_frechet_kron": frechet_kron,
})

# logm and sqrtm need no eigenvalue on the closed negative real axis: points are drawn with
# their eigenvalues in the right half-plane; λ_max and λ_min are of symmetric matrices.
_RIGHT_HALF_PLANE = ("logm", "sqrtm")
sampling.INFERRED.update({
    t.EigenValue: lambda n: [(n.arg, "symmetric")],
    t.EigenVector: lambda n: [(n.arg, "symmetric")],
    t.Resolvent: lambda n: [(n.arg, "symmetric")],
    t.MatrixFunction: lambda n: [(n.arg, "positive det")] if n.name in _RIGHT_HALF_PLANE else [],
    t.Frechet: lambda n: [(n.arg, "positive det")] if n.name in _RIGHT_HALF_PLANE else [],
    t.FrechetKron: lambda n: [(n.arg, "positive det")] if n.name in _RIGHT_HALF_PLANE else [],
})
