"""The spectral helpers on JAX and PyTorch: the same functions as the NumPy ones of
``helpers.SPECTRAL`` (λ of the symmetric part by eigh, the SVD with the sign of a singular or
eigen vector fixed: its entry of largest magnitude positive; expm by the library; logm and
sqrtm in the eigenbasis, nan for an eigenvalue on the closed negative real axis; the Fréchet
derivative of expm as a block of exp([[A, E], [0, A]]), of logm and sqrtm by Daleckii–Krein).

The JAX ones run under ``jax.jit`` (no branch on a value: a symmetric matrix takes eigh by
``jax.lax.cond``); ``jnp.linalg.eig`` runs on the CPU only.
"""

from __future__ import annotations

JAX = {
    "_eigenvalue": ("def _eigenvalue(a, which):\n    w = jnp.linalg.eigvalsh((a + a.T) / 2)\n"
                    "    return w[-1] if which == 'max' else w[0]\n"),
    "_eigenvector": ("def _eigenvector(a, which):\n    _, v = jnp.linalg.eigh((a + a.T) / 2)\n"
                     "    v = v[:, -1] if which == 'max' else v[:, 0]\n"
                     "    return jnp.where(v[jnp.argmax(jnp.abs(v))] >= 0, v, -v)\n"),
    "_spectral_norm": "def _spectral_norm(a):\n    return jnp.linalg.svd(a, compute_uv=False)[0]\n",
    "_nuclear_norm": "def _nuclear_norm(a):\n    return jnp.sum(jnp.linalg.svd(a, compute_uv=False))\n",
    "_singular_vector": ("def _singular_vector(a, side):\n    u, _, vt = jnp.linalg.svd(a)\n"
                         "    sign = jnp.where(u[jnp.argmax(jnp.abs(u[:, 0])), 0] >= 0, 1.0, -1.0)\n"
                         "    return sign * (u[:, 0] if side == 'left' else vt[0, :])\n"),
    "_polar": "def _polar(a):\n    u, _, vt = jnp.linalg.svd(a, full_matrices=False)\n    return u @ vt\n",
    "_expm": "def _expm(a):\n    return jax.scipy.linalg.expm(a)\n",
    "_eigen_basis": ("def _eigen_basis(a):\n    # A = V diag(w) V⁻¹ (V orthogonal for a symmetric A); an eigenvalue on the closed\n"
                     "    # negative real axis (outside the domain of the principal logm and sqrtm) is nan\n"
                     "    def symmetric(a):\n        w, v = jnp.linalg.eigh((a + a.T) / 2)\n"
                     "        return w.astype(complex), v.astype(complex), v.T.astype(complex)\n\n"
                     "    def general(a):\n        w, v = jnp.linalg.eig(a)\n"
                     "        return w.astype(complex), v.astype(complex), jnp.linalg.inv(v).astype(complex)\n\n"
                     "    tol = 1e-13 * jnp.maximum(1.0, jnp.abs(a).max())\n"
                     "    w, v, vinv = jax.lax.cond(jnp.all(jnp.abs(a - a.T) <= tol), symmetric, general, a)\n"
                     "    outside = (jnp.abs(w.imag) <= 1e-12 * jnp.abs(w).max()) & (w.real <= 0)\n"
                     "    return jnp.where(outside, jnp.nan, w), v, vinv\n"),
    "_matrix_function": ("def _matrix_function(name, a):\n    if name == 'expm':\n        return _expm(a)\n"
                         "    w, v, vinv = _eigen_basis(a)\n"
                         "    f = jnp.log(w) if name == 'logm' else jnp.sqrt(w)\n"
                         "    return jnp.real((v * f) @ vinv)\n"),
    "_frechet": ("def _frechet(name, a, e):\n    # L_exp(A, E) is a block of exp([[A, E], [0, A]]); logm, sqrtm by Daleckii-Krein\n"
                 "    n = a.shape[0]\n    if name == 'expm':\n"
                 "        return _expm(jnp.block([[a, e], [0.0 * a, a]]))[:n, n:]\n"
                 "    w, v, vinv = _eigen_basis(a)\n"
                 "    f, df = (jnp.log, lambda z: 1 / z) if name == 'logm' else (jnp.sqrt, lambda z: 0.5 / jnp.sqrt(z))\n"
                 "    li, lj = w[:, None], w[None, :]\n"
                 "    close = jnp.abs(li - lj) <= 1e-8 * jnp.maximum(jnp.abs(li), jnp.abs(lj))\n"
                 "    divided = jnp.where(close, df((li + lj) / 2), (f(li) - f(lj)) / jnp.where(close, 1.0, li - lj))\n"
                 "    return jnp.real(v @ ((vinv @ e @ v) * divided) @ vinv)\n"),
}

TORCH = {
    "_eigenvalue": ("def _eigenvalue(a, which):\n    w = torch.linalg.eigvalsh((a + a.T) / 2)\n"
                    "    return w[-1] if which == 'max' else w[0]\n"),
    "_eigenvector": ("def _eigenvector(a, which):\n    _, v = torch.linalg.eigh((a + a.T) / 2)\n"
                     "    v = v[:, -1] if which == 'max' else v[:, 0]\n"
                     "    return torch.where(v[torch.argmax(torch.abs(v))] >= 0, v, -v)\n"),
    "_spectral_norm": "def _spectral_norm(a):\n    return torch.linalg.svdvals(a)[0]\n",
    "_nuclear_norm": "def _nuclear_norm(a):\n    return torch.sum(torch.linalg.svdvals(a))\n",
    "_singular_vector": ("def _singular_vector(a, side):\n    u, _, vt = torch.linalg.svd(a)\n"
                         "    sign = 1.0 if u[torch.argmax(torch.abs(u[:, 0])), 0] >= 0 else -1.0\n"
                         "    return sign * (u[:, 0] if side == 'left' else vt[0, :])\n"),
    "_polar": "def _polar(a):\n    u, _, vt = torch.linalg.svd(a, full_matrices=False)\n    return u @ vt\n",
    "_expm": "def _expm(a):\n    return torch.linalg.matrix_exp(a)\n",
    "_eigen_basis": ("def _eigen_basis(a):\n    # A = V diag(w) V⁻¹ (V orthogonal for a symmetric A); an eigenvalue on the closed\n"
                     "    # negative real axis (outside the domain of the principal logm and sqrtm) is nan\n"
                     "    complex_type = torch.promote_types(a.dtype, torch.complex64)\n"
                     "    if torch.allclose(a, a.T, rtol=0, atol=1e-13 * max(1.0, float(torch.abs(a).max()))):\n"
                     "        w, v = torch.linalg.eigh((a + a.T) / 2)\n"
                     "        w, v, vinv = w.to(complex_type), v.to(complex_type), v.T.to(complex_type)\n"
                     "    else:\n        w, v = torch.linalg.eig(a)\n        vinv = torch.linalg.inv(v)\n"
                     "    outside = (torch.abs(w.imag) <= 1e-12 * torch.abs(w).max()) & (w.real <= 0)\n"
                     "    return torch.where(outside, torch.full_like(w, float('nan')), w), v, vinv\n"),
    "_matrix_function": ("def _matrix_function(name, a):\n    if name == 'expm':\n        return _expm(a)\n"
                         "    w, v, vinv = _eigen_basis(a)\n"
                         "    f = torch.log(w) if name == 'logm' else torch.sqrt(w)\n"
                         "    return torch.real((v * f) @ vinv)\n"),
    "_frechet": ("def _frechet(name, a, e):\n    # L_exp(A, E) is a block of exp([[A, E], [0, A]]); logm, sqrtm by Daleckii-Krein\n"
                 "    n = a.shape[0]\n    if name == 'expm':\n"
                 "        block = torch.cat([torch.cat([a, e], 1), torch.cat([torch.zeros_like(a), a], 1)], 0)\n"
                 "        return _expm(block)[:n, n:]\n"
                 "    w, v, vinv = _eigen_basis(a)\n"
                 "    f, df = (torch.log, lambda z: 1 / z) if name == 'logm' else (torch.sqrt, lambda z: 0.5 / torch.sqrt(z))\n"
                 "    li, lj = w[:, None], w[None, :]\n"
                 "    close = torch.abs(li - lj) <= 1e-8 * torch.maximum(torch.abs(li), torch.abs(lj))\n"
                 "    gap = torch.where(close, torch.ones_like(li - lj), li - lj)\n"
                 "    divided = torch.where(close, df((li + lj) / 2), (f(li) - f(lj)) / gap)\n"
                 "    return torch.real(v @ ((vinv @ e.to(v.dtype) @ v) * divided) @ vinv)\n"),
}


# The reduced resolvent and the second Fréchet derivative with its Kronecker forms, for both
# libraries: masks instead of boolean indexing (jit-friendly), cat for NumPy's block, and E cast to
# the eigenbasis' complex dtype (PyTorch multiplies only equal dtypes).
_RESOLVENT = ("def _resolvent(a, which):\n    # (lambda I - A)^+ over the other eigenpairs of the symmetric part of A\n"
              "    w, v = {xp}.linalg.eigh((a + a.T) / 2)\n    k = w.shape[0] - 1 if which == 'max' else 0\n"
              "    others = {xp}.arange(w.shape[0]) != k\n    gap = {xp}.where(others, w[k] - w, 1.0)\n"
              "    return (v * {xp}.where(others, 1.0 / gap, 0.0)) @ v.T\n")
_FRECHET2 = ("def _frechet2(name, a, e1, e2):\n"
             "    # L2_exp(A, E1, E2) is a block of exp of a 4n x 4n block matrix; logm, sqrtm by second divided differences\n"
             "    n = a.shape[0]\n    if name == 'expm':\n        z = 0.0 * a\n"
             "        rows = [[a, e1, e2, z], [z, a, z, e2], [z, z, a, e1], [z, z, z, a]]\n"
             "        return _expm({cat}([{cat}(r, 1) for r in rows], 0))[:n, 3 * n:]\n"
             "    w, v, vinv = _eigen_basis(a)\n"
             "    f, df, d2f = (({xp}.log, lambda z: 1 / z, lambda z: -1 / z ** 2) if name == 'logm' else\n"
             "                  ({xp}.sqrt, lambda z: 0.5 / {xp}.sqrt(z), lambda z: -0.25 / z ** 1.5))\n"
             "    li, lk, lj = w[:, None, None], w[None, :, None], w[None, None, :]\n"
             "    close = lambda x, y: {xp}.abs(x - y) <= 1e-8 * {xp}.maximum({xp}.abs(x), {xp}.abs(y))\n"
             "    first = lambda x, y: {xp}.where(close(x, y), df((x + y) / 2), (f(x) - f(y)) / {xp}.where(close(x, y), 1.0, x - y))\n"
             "    fik, fkj, ij, ik = first(li, lk), first(lk, lj), close(li, lj), close(li, lk)\n"
             "    dd = {xp}.where(~ij, (fik - fkj) / {xp}.where(ij, 1.0, li - lj),\n"
             "                  {xp}.where(~ik, (df(li) - fik) / {xp}.where(ik, 1.0, li - lk), d2f(li) / 2))\n"
             "    x1, x2 = vinv @ {cast}(e1) @ v, vinv @ {cast}(e2) @ v\n"
             "    m = {xp}.einsum('ik,kj,ikj->ij', x1, x2, dd) + {xp}.einsum('ik,kj,ikj->ij', x2, x1, dd)\n"
             "    return {xp}.real(v @ m @ vinv)\n")
_FRECHET_KRON = ("def _frechet_kron(name, a, *d):\n"
                 "    # K_f(A) or K2_f(A, E): column j is vec of the derivative along the j-th unit matrix\n"
                 "    n = a.shape[0]\n    basis, cols = {xp}.eye(n * n, dtype=a.dtype), []\n"
                 "    for j in range(n * n):\n        u = basis[j].reshape((n, n)).T  # column-major: entry (j mod n, j div n)\n"
                 "        g = _frechet2(name, a, d[0], u) if d else _frechet(name, a, u)\n"
                 "        cols.append(g.T.reshape(-1))\n"
                 "    return {xp}.stack(cols, 1)\n")
def _for_library(xp: str, cat: str, cast: str) -> dict:
    """The three helpers above in one library's spelling (``cast`` the code of E in v's dtype)."""
    out = {}
    for helper in (_RESOLVENT, _FRECHET2, _FRECHET_KRON):
        text = helper.replace("{cast}(e1)", cast.format("e1")).replace("{cast}(e2)", cast.format("e2"))
        out[helper[4:helper.index("(")]] = text.replace("{xp}", xp).replace("{cat}", cat)
    return out


JAX.update(_for_library("jnp", "jnp.concatenate", "{}"))
TORCH.update(_for_library("torch", "torch.cat", "{}.to(v.dtype)"))
