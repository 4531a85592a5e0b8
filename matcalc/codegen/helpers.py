"""The source of the helpers for the practitioner's and the spectral vocabulary ({xp} is the
module alias), each emitted once into a module that calls it.

Reductions run over the last axis of a value in its kind form (a vector over its entries, a
matrix row by row), the softmax family with the largest entry taken out first so that nothing
overflows.  The spectral helpers are NumPy's (eigh of the symmetric part, the SVD with the sign
of a singular or eigen vector fixed: its entry of largest magnitude positive; expm by Padé [6/6]
with scaling and squaring, logm and sqrtm in the eigenbasis, their Fréchet derivatives as in
``matcalc.numeric.spectral``); matcalc's own evaluation calls that module's instead.
"""

from __future__ import annotations

from math import factorial

PADE = [factorial(12 - k) * factorial(6) / (factorial(12) * factorial(k) * factorial(6 - k)) for k in range(7)]

REDUCTIONS = {
    "_lse": ("def _lse(x):\n    # log Σ exp over the last axis: m + log Σ exp(x − m), m the largest entry\n"
             "    top = {xp}.max(x, axis=-1, keepdims=True)\n"
             "    top = {xp}.where({xp}.isfinite(top), top, 0.0)\n"
             "    return (top + {xp}.log({xp}.sum({xp}.exp(x - top), axis=-1, keepdims=True)))[..., 0]\n"),
    "_log_softmax": "def _log_softmax(x):\n    return x - _lse(x)[..., None]\n",
    "_softmax": "def _softmax(x):\n    return {xp}.exp(_log_softmax(x))\n",
    "_mean": "def _mean(x):\n    return {xp}.mean(x, axis=-1)\n",
    "_var": "def _var(x):\n    return {xp}.mean((x - {xp}.mean(x, axis=-1, keepdims=True)) ** 2, axis=-1)\n",
    "_std": "def _std(x):\n    return {xp}.sqrt(_var(x))\n",
    "_softsign": "def _softsign(x):\n    return x / (1.0 + {xp}.abs(x))\n",
    "_erf": ("def _erf(x):\n    import math\n\n"
             "    return np.vectorize(math.erf, otypes=[float])(x)\n"),
    "_gelu": "def _gelu(x):\n    return 0.5 * x * (1.0 + _erf(x * 0.7071067811865476))\n",
}

# The helpers each one calls.
DEPENDS = {"_log_softmax": ("_lse",), "_softmax": ("_log_softmax",), "_std": ("_var",), "_gelu": ("_erf",),
           "_matrix_function": ("_expm", "_eigen_basis"), "_frechet": ("_expm", "_eigen_basis"),
           "_frechet2": ("_expm", "_eigen_basis"), "_frechet_kron": ("_frechet", "_frechet2")}

TORCH_REDUCTIONS = {
    "_lse": "def _lse(x):\n    return torch.logsumexp(x, dim=-1)\n",
    "_log_softmax": "def _log_softmax(x):\n    return torch.log_softmax(x, dim=-1)\n",
    "_softmax": "def _softmax(x):\n    return torch.softmax(x, dim=-1)\n",
    "_mean": "def _mean(x):\n    return torch.mean(x, dim=-1)\n",
    "_var": "def _var(x):\n    return torch.var(x, dim=-1, correction=0)\n",
    "_erf": "def _erf(x):\n    return torch.erf(x)\n",
    "_gelu": "def _gelu(x):\n    return torch.nn.functional.gelu(x)\n",
}

JAX_HELPERS = {
    "_erf": "def _erf(x):\n    return jax.scipy.special.erf(x)\n",
    "_gelu": "def _gelu(x):\n    return jax.nn.gelu(x, approximate=False)\n",
}

SPECTRAL = {
    "_eigenvalue": ("def _eigenvalue(a, which):\n    w = np.linalg.eigvalsh((a + a.T) / 2)\n"
                    "    return w[-1] if which == 'max' else w[0]\n"),
    "_eigenvector": ("def _eigenvector(a, which):\n    _, v = np.linalg.eigh((a + a.T) / 2)\n"
                     "    v = v[:, -1] if which == 'max' else v[:, 0]\n"
                     "    return v if v[np.argmax(np.abs(v))] >= 0 else -v\n"),
    "_resolvent": ("def _resolvent(a, which):\n    # (lambda I - A)^+ over the other eigenpairs of the symmetric part of A\n"
                   "    w, v = np.linalg.eigh((a + a.T) / 2)\n    k = len(w) - 1 if which == 'max' else 0\n"
                   "    others = np.arange(len(w)) != k\n    return (v[:, others] / (w[k] - w[others])) @ v[:, others].T\n"),
    "_spectral_norm": "def _spectral_norm(a):\n    return np.linalg.svd(a, compute_uv=False)[0]\n",
    "_nuclear_norm": "def _nuclear_norm(a):\n    return np.sum(np.linalg.svd(a, compute_uv=False))\n",
    "_singular_vector": ("def _singular_vector(a, side):\n    u, _, vt = np.linalg.svd(a)\n"
                         "    sign = 1.0 if u[np.argmax(np.abs(u[:, 0])), 0] >= 0 else -1.0\n"
                         "    return sign * (u[:, 0] if side == 'left' else vt[0, :])\n"),
    "_polar": "def _polar(a):\n    u, _, vt = np.linalg.svd(a, full_matrices=False)\n    return u @ vt\n",
    "_expm": ("def _expm(a):\n    # Padé [6/6] with scaling and squaring\n"
              "    norm = np.linalg.norm(a, 1)\n"
              "    s = int(max(0, np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0\n"
              "    x, num, den, power = a / 2.0 ** s, 0.0 * a, 0.0 * a, np.eye(len(a))\n"
              "    for k, c in enumerate(" + repr(PADE) + "):\n"
              "        num, den, power = num + c * power, den + (-1) ** k * c * power, power @ x\n"
              "    r = np.linalg.solve(den, num)\n"
              "    for _ in range(s):\n        r = r @ r\n    return r\n"),
    "_eigen_basis": ("def _eigen_basis(a):\n    # A = V diag(w) V⁻¹ (V orthogonal for a symmetric A); an eigenvalue on the closed\n"
                     "    # negative real axis (outside the domain of the principal logm and sqrtm) is nan\n"
                     "    if np.allclose(a, a.T, rtol=0, atol=1e-13 * max(1.0, np.abs(a).max())):\n"
                     "        w, v = np.linalg.eigh((a + a.T) / 2)\n        w, vinv = w.astype(complex), v.T\n"
                     "    else:\n        w, v = np.linalg.eig(a)\n        vinv = np.linalg.inv(v)\n"
                     "    outside = (np.abs(w.imag) <= 1e-12 * np.abs(w).max()) & (w.real <= 0)\n"
                     "    return np.where(outside, np.nan, w), v, vinv\n"),
    "_matrix_function": ("def _matrix_function(name, a):\n    if name == 'expm':\n        return _expm(a)\n"
                         "    w, v, vinv = _eigen_basis(a)\n"
                         "    f = np.log(w) if name == 'logm' else np.sqrt(w)\n"
                         "    return np.real((v * f) @ vinv)\n"),
    "_frechet": ("def _frechet(name, a, e):\n    # L_exp(A, E) is a block of exp([[A, E], [0, A]]); logm, sqrtm by Daleckii-Krein\n"
                 "    n = len(a)\n    if name == 'expm':\n"
                 "        return _expm(np.block([[a, e], [0.0 * a, a]]))[:n, n:]\n"
                 "    w, v, vinv = _eigen_basis(a)\n"
                 "    f, df = (np.log, lambda z: 1 / z) if name == 'logm' else (np.sqrt, lambda z: 0.5 / np.sqrt(z))\n"
                 "    li, lj = w[:, None], w[None, :]\n"
                 "    close = np.abs(li - lj) <= 1e-8 * np.maximum(np.abs(li), np.abs(lj))\n"
                 "    divided = np.where(close, df((li + lj) / 2), (f(li) - f(lj)) / np.where(close, 1.0, li - lj))\n"
                 "    return np.real(v @ ((vinv @ e @ v) * divided) @ vinv)\n"),
    "_frechet2": ("def _frechet2(name, a, e1, e2):\n"
                  "    # L2_exp(A, E1, E2) is a block of exp of a 4n x 4n block matrix; logm, sqrtm by second divided differences\n"
                  "    n = len(a)\n    if name == 'expm':\n        z = 0.0 * a\n"
                  "        return _expm(np.block([[a, e1, e2, z], [z, a, z, e2], [z, z, a, e1], [z, z, z, a]]))[:n, 3 * n:]\n"
                  "    w, v, vinv = _eigen_basis(a)\n"
                  "    f, df, d2f = ((np.log, lambda z: 1 / z, lambda z: -1 / z ** 2) if name == 'logm' else\n"
                  "                  (np.sqrt, lambda z: 0.5 / np.sqrt(z), lambda z: -0.25 / z ** 1.5))\n"
                  "    li, lk, lj = w[:, None, None], w[None, :, None], w[None, None, :]\n"
                  "    close = lambda x, y: np.abs(x - y) <= 1e-8 * np.maximum(np.abs(x), np.abs(y))\n"
                  "    first = lambda x, y: np.where(close(x, y), df((x + y) / 2), (f(x) - f(y)) / np.where(close(x, y), 1.0, x - y))\n"
                  "    fik, fkj, ij, ik = first(li, lk), first(lk, lj), close(li, lj), close(li, lk)\n"
                  "    dd = np.where(~ij, (fik - fkj) / np.where(ij, 1.0, li - lj),\n"
                  "                  np.where(~ik, (df(li) - fik) / np.where(ik, 1.0, li - lk), d2f(li) / 2))\n"
                  "    x1, x2 = vinv @ e1 @ v, vinv @ e2 @ v\n"
                  "    m = np.einsum('ik,kj,ikj->ij', x1, x2, dd) + np.einsum('ik,kj,ikj->ij', x2, x1, dd)\n"
                  "    return np.real(v @ m @ vinv)\n"),
    "_frechet_kron": ("def _frechet_kron(name, a, *d):\n"
                      "    # K_f(A) or K2_f(A, E): column j is vec of the derivative along the j-th unit matrix\n"
                      "    n, cols = len(a), []\n    for j in range(n * n):\n"
                      "        u = np.zeros(n * n)\n        u[j] = 1.0\n        u = u.reshape((n, n), order='F')\n"
                      "        cols.append((_frechet2(name, a, d[0], u) if d else _frechet(name, a, u)).reshape(-1, order='F'))\n"
                      "    return np.stack(cols, axis=1)\n"),
}
