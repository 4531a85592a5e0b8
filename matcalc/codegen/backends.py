"""The array libraries generated code runs on: NumPy, JAX (jax.numpy) and PyTorch.

A backend is data: the module alias the code calls (``np``, ``jnp``, ``torch``), the import
lines of a generated module, the spelling of each elementwise function, of the constructors
and of the few operations the libraries name differently, and the source of the helpers the
code may call (each overflow-safe: σ as e^(−softplus(−x)), softplus and log Σ exp shifted by the
maximum, log det by slogdet or the Cholesky diagonal; the Cholesky solves of ``factors``, the
spectral helpers of ``helpers`` (NumPy) and ``spectral`` (JAX, PyTorch)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UnsupportedError
from . import factors, spectral
from .helpers import JAX_HELPERS, REDUCTIONS, SPECTRAL, TORCH_REDUCTIONS

# Helper functions, as source templates ({xp} is the module alias).  Each is emitted once into a
# module that calls it.
HELPERS = {
    "_sigmoid": ("def _sigmoid(x):\n    # e^(−softplus(−x)): never overflows; relative error about |x|·ε on both sides\n"
                 "    return {xp}.exp(-{xp}.logaddexp(0.0, -x))\n"),
    "_softplus": "def _softplus(x):\n    return {xp}.logaddexp(0.0, x)\n",
    "_log_sigmoid": "def _log_sigmoid(x):\n    return -{xp}.logaddexp(0.0, -x)\n",
    "_step": "def _step(x):\n    return {xp}.where(x > 0, 1.0, 0.0)\n",
    "_heaviside": "def _heaviside(x):\n    return {xp}.where(x > 0, 1.0, {xp}.where(x < 0, 0.0, 0.5))\n",
    "_logsumexp": ("def _logsumexp(x):\n    top = {xp}.max(x)\n"
                   "    return top + {xp}.log({xp}.sum({xp}.exp(x - top)))\n"),
    "_logdet": ("def _logdet(a):\n    sign, logabs = {xp}.linalg.slogdet(a)\n"
                "    return {xp}.where(sign > 0, logabs, {xp}.nan)\n"),
    "_logdet_complex": ("def _logdet_complex(a):\n    # the principal logarithm of a complex determinant\n"
                        "    sign, logabs = {xp}.linalg.slogdet(a)\n    return {xp}.log(sign) + logabs\n"),
    "_logdet_spd": ("def _logdet_spd(a):\n    return 2.0 * {xp}.sum({xp}.log({xp}.diag({xp}.linalg.cholesky(a))))\n"),
    "_inv": "def _inv(a):\n    return {xp}.linalg.inv(a)\n",
    "_adj": "def _adj(a):\n    return {xp}.linalg.det(a) * {xp}.linalg.inv(a)\n",
    "_commutation": ("def _commutation(m, n):\n"
                     "    # K vec(A) = vec(Aᵀ) for an m×n A: row i·n + j picks entry i + m·j of vec(A)\n"
                     "    return {xp}.eye(m * n)[({xp}.arange(m)[:, None] + m * {xp}.arange(n)[None, :]).reshape(-1)]\n"),
}

TORCH_HELPERS = {
    "_softplus": "def _softplus(x):\n    return torch.logaddexp(x, torch.zeros_like(x))\n",
    "_log_sigmoid": "def _log_sigmoid(x):\n    return torch.nn.functional.logsigmoid(x)\n",
    "_step": "def _step(x):\n    return (x > 0).to(x.dtype)\n",
    "_heaviside": "def _heaviside(x):\n    return torch.heaviside(x, torch.full_like(x, 0.5))\n",
    "_logdet": ("def _logdet(a):\n    sign, logabs = torch.linalg.slogdet(a)\n"
                "    return torch.where(sign > 0, logabs, torch.nan)\n"),
    **TORCH_REDUCTIONS,
    "_commutation": ("def _commutation(m, n, dtype, device):\n"
                     "    # K vec(A) = vec(Aᵀ) for an m×n A: row i·n + j picks entry i + m·j of vec(A)\n"
                     "    where = torch.arange(m, device=device)[:, None] + m * torch.arange(n, device=device)[None, :]\n"
                     "    return torch.eye(m * n, dtype=dtype, device=device)[where.reshape(-1)]\n"),
}


@dataclass(frozen=True)
class Backend:
    """How one array library spells what generated code does."""

    name: str
    xp: str  # the module alias
    imports: tuple
    functions: dict  # elementwise function name → callable's spelling or helper name
    helpers: dict = field(default_factory=lambda: dict(HELPERS))
    converts: str = "{v} = {xp}.asarray({v}, dtype=float)"  # lines that make an argument an array of reals
    converts_complex: str = "{v} = {xp}.asarray({v}, dtype=complex)"
    converts_helpers: tuple = ()  # the helpers those lines call

    def f(self, template: str, **kw) -> str:
        return template.format(xp=self.xp, **kw)

    def function(self, name: str) -> str:
        return self.functions[name].format(xp=self.xp)

    def helper_source(self, name: str) -> str:
        return self.helpers[name].format(xp=self.xp)

    # ---- constructors ------------------------------------------------------------------------
    def eye(self, n: str) -> str:
        return f"{self.xp}.eye({n})"

    def ones(self, n: str) -> str:
        return f"{self.xp}.ones({n})"

    def zeros(self, shape: str) -> str:
        return f"{self.xp}.zeros({shape})"

    def commutation(self, m: str, n: str) -> str:
        return f"_commutation({m}, {n})"

    def kron(self, a: str, b: str) -> str:
        return f"{self.xp}.kron({a}, {b})"

    def convert(self, v: str, complex_entries: bool = False) -> list:
        """The lines that make the argument ``v`` an array of the backend."""
        return (self.converts_complex if complex_entries else self.converts).format(xp=self.xp, v=v).split("\n")

    def permute(self, a: str, axes: str) -> str:
        return f"{self.xp}.transpose({a}, {axes})"


ELEMENTWISE = {
    "exp": "{xp}.exp", "log": "{xp}.log", "sin": "{xp}.sin", "cos": "{xp}.cos", "tan": "{xp}.tan",
    "tanh": "{xp}.tanh", "sqrt": "{xp}.sqrt", "abs": "{xp}.abs", "sign": "{xp}.sign",
    "sigmoid": "_sigmoid", "softplus": "_softplus", "relu": "_relu", "step": "_step",
    "log1p": "{xp}.log1p", "expm1": "{xp}.expm1", "cosh": "{xp}.cosh", "sinh": "{xp}.sinh", "arctan": "{xp}.arctan",
    "erf": "_erf", "gelu": "_gelu", "softsign": "_softsign", "log_sigmoid": "_log_sigmoid",
}
HELPERS["_shape_error"] = ("def _shape_error(name, declared, shape, expected):\n"
                          "    raise ValueError(f'{{name}} is declared {{declared}} but its value has shape {{shape}}, "
                          "expected {{expected}}')\n")
HELPERS["_flatten"] = ("def _flatten(v, name, declared, ndim):\n"
                      "    # a vector given as an n×1 or 1×n array, a scalar as an array of one entry\n"
                      "    if (ndim == 1 and v.ndim == 2 and 1 in v.shape) or (ndim == 0 and v.ndim <= 2 and v.size == 1):\n"
                      "        return v.reshape((-1,) if ndim else ())\n"
                      "    _shape_error(name, declared, tuple(v.shape), declared)\n")
# An argument that is already an array of float64 passes with two tests; anything else is
# converted, and complex entries are refused rather than silently dropped.
HELPERS["_float_array"] = ("_ndarray, _f64 = {xp}.ndarray, {xp}.dtype(float)\n\n\n"
                           "def _float_array(v, name):\n"
                           "    # a number, a list or an array of another kind as an array of floats\n"
                           "    v = {xp}.asarray(v)\n"
                           "    if v.dtype.kind == 'c':\n"
                           "        raise TypeError(f'{{name}} is real but its value is complex')\n"
                           "    return v.astype(float)\n")
HELPERS["_relu"] = "def _relu(x):\n    return {xp}.maximum(x, 0.0)\n"
HELPERS.update(REDUCTIONS)
HELPERS.update(SPECTRAL)

NUMPY = Backend("numpy", "np", ("import numpy as np",), dict(ELEMENTWISE), helpers={**HELPERS, **factors.NUMPY},
                converts="if type({v}) is not _ndarray or {v}.dtype is not _f64:\n    {v} = _float_array({v}, {v!r})",
                converts_helpers=("_float_array",))

JAX = Backend(
    "jax", "jnp", ("import jax", "import jax.numpy as jnp"),
    dict(ELEMENTWISE, sigmoid="jax.nn.sigmoid", softplus="jax.nn.softplus", relu="jax.nn.relu",
         log_sigmoid="jax.nn.log_sigmoid"),
    helpers={**HELPERS, **JAX_HELPERS, **factors.JAX, **spectral.JAX,
             "_real_array": "def _real_array(v, name):\n"
                            "    # an array of the argument; complex entries are refused\n"
                            "    v = jnp.asarray(v)\n"
                            "    if jnp.iscomplexobj(v):\n"
                            "        raise TypeError(f'{{name}} is real but its value is complex')\n"
                            "    return v\n"},
    converts="{v} = _real_array({v}, {v!r})",
    converts_complex="{v} = {xp}.asarray({v})",
    converts_helpers=("_real_array",),
)


@dataclass(frozen=True)
class TorchBackend(Backend):
    """PyTorch: constants made with the dtype and device of the arguments (``_dtype``, ``_device``)."""

    def eye(self, n):
        return f"torch.eye({n}, dtype=_dtype, device=_device)"

    def ones(self, n):
        return f"torch.ones({n}, dtype=_dtype, device=_device)"

    def zeros(self, shape):
        return f"torch.zeros({shape}, dtype=_dtype, device=_device)"

    def commutation(self, m, n):
        return f"_commutation({m}, {n}, _dtype, _device)"

    def kron(self, a, b):  # torch.kron of a transposed (non-contiguous) factor fails
        return f"torch.kron({a}.contiguous(), {b}.contiguous())"

    def permute(self, a, axes):
        return f"torch.permute({a}, {axes})"


TORCH = TorchBackend(
    "torch", "torch", ("import torch",),
    dict(ELEMENTWISE, sigmoid="torch.sigmoid", relu="torch.relu"),
    helpers={**HELPERS, **TORCH_HELPERS, **factors.TORCH, **spectral.TORCH},
    converts="{v} = _real_tensor({v}, {v!r})",
    converts_complex="{v} = _tensor({v})",
    converts_helpers=("_real_tensor",),
)
TORCH.helpers["_real_tensor"] = ("def _real_tensor(v, name):\n    # a tensor of the argument; complex entries are refused\n"
                                 "    v = _tensor(v)\n"
                                 "    if v.is_complex():\n"
                                 "        raise TypeError(f'{{name}} is real but its value is complex')\n"
                                 "    return v\n")
TORCH.helpers["_tensor"] = ("def _tensor(v):\n    # a Python number is a double (or a complex double), as in NumPy\n"
                            "    if isinstance(v, (int, float, complex)):\n"
                            "        v = torch.as_tensor(v, dtype=torch.complex128 if isinstance(v, complex) else torch.float64)\n"
                            "    v = torch.as_tensor(v)\n"
                            "    return v if v.is_floating_point() or v.is_complex() else v.to(torch.get_default_dtype())\n")

BACKENDS = {b.name: b for b in (NUMPY, JAX, TORCH)}


def backend(name) -> Backend:
    if isinstance(name, Backend):
        return name
    if name not in BACKENDS:
        raise UnsupportedError(f"the backend is one of {', '.join(BACKENDS)}, not {name!r}")
    return BACKENDS[name]
