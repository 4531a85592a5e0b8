"""Generated code of the practitioner's vocabulary and of the spectral nodes: every elementwise
function, the reductions of a vector and of a matrix's rows, tril/triu, and the spectral
nodes (on NumPy, JAX, and PyTorch where it is installed), each against matcalc's own evaluation."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import matcalc as mc
from matcalc.language.vocabulary import ELEMENTWISE
from matcalc.numeric.functions import NUMERIC

jax.config.update("jax_enable_x64", True)  # the checks compare at double precision

try:
    import torch
except ImportError:
    torch = None
BACKENDS = ["numpy", pytest.param("jax", marks=pytest.mark.slow)]  # JAX compiles each case: the slow tier
RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
x = np.array([-60.0, -3.0, -0.5, 0.25, 2.0, 40.0])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_function_has_code_that_matches_numpy(name, backend):
    point = np.abs(x) + 0.5 if name in ("log", "sqrt", "log1p") else x / 40 if name in ("exp", "cosh", "sinh", "expm1") else x
    f = mc.parse(f"𝟙ᵀ{name}(x)", shapes="x: 6")
    assert np.all(np.isfinite(NUMERIC[name](point)))
    value, grad = mc.compile(f, "x", backend=backend)(x=point)
    np.testing.assert_allclose(float(value), np.sum(NUMERIC[name](point)), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(grad), mc.grad(f, "x").evaluate({"x": point}), rtol=1e-9, atol=1e-300)


REDUCTIONS = ["𝟙ᵀsoftmax(X)b", "𝟙ᵀlogsoftmax(X)b", "𝟙ᵀlogsumexp(X)", "𝟙ᵀmean(X)", "𝟙ᵀvar(X)", "𝟙ᵀstd(X)",
              "aᵀsoftmax(Xb)", "logsumexp(Xb)", "var(Xb) + mean(Xb) + std(Xb)", "𝟙ᵀlogsoftmax(Xb)",
              "tr(tril(Xᵀ X)) + 𝟙ᵀtriu(X)b", "‖Xb‖_∞ + ‖Xᵀa‖_∞"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", REDUCTIONS)
def test_reductions_run_over_a_vector_or_each_row(text, backend):
    f = mc.parse(text, shapes="X: 3×4, a: 3, b: 4")
    values = {"X": X, "a": RNG.standard_normal(3), "b": RNG.standard_normal(4)}
    fn = mc.compile(f, "X", backend=backend)
    value, grad = fn(**{k: v for k, v in values.items() if k in fn.names})
    np.testing.assert_allclose(float(value), f.evaluate(values), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(grad), mc.grad(f, "X").evaluate(values), rtol=1e-10, atol=1e-14)


def test_the_softmax_family_does_not_overflow_in_generated_code():
    fn = mc.compile(mc.parse("logsumexp(x) + 𝟙ᵀlogsoftmax(x)", shapes="x: 3"), "x")
    value, grad = fn(x=np.array([1000.0, 999.0, -1000.0]))
    assert np.isfinite(value) and np.all(np.isfinite(grad))


SPECTRAL = ["λ_max(S)", "λ_min(S)", "σ_max(X)", "norm_nuc(X)", "tr(expm(S))", "tr(Gᵀlogm(P))", "tr(Gᵀsqrtm(P))",
            "tr(Gᵀpolar(X))", "aᵀeigvec_max(S)", "aᵀsvec_u(X)", "tr(Gᵀ L_expm(S, G))", "tr(Gᵀ L_logm(P, G))",
            "tr(Gᵀ L_sqrtm(P, G))", "aᵀpinv_max(S)a + aᵀpinv_min(S)a", "tr(K_expm(X)) + tr(K2_expm(X, G))",
            "tr(K_logm(P)) + tr(K2_logm(P, G))", "tr(K_sqrtm(P)) + tr(K2_sqrtm(P, G))"]


def _spectral_point():
    a = RNG.standard_normal((3, 3))
    return {"S": a + a.T, "P": a @ a.T + np.eye(3), "G": RNG.standard_normal((3, 3)), "X": RNG.standard_normal((3, 3)),
            "a": RNG.standard_normal(3)}


def _spectral(text):
    return mc.parse(text, shapes="S: 3×3, P: 3×3, G: 3×3, X: 3×3, a: 3", domains="S: symmetric, P: spd")


@pytest.mark.parametrize("backend", ["numpy", "jax"] + (["torch"] if torch is not None else []))
@pytest.mark.parametrize("text", SPECTRAL + ["tr(Gᵀlogm(X + 3I))", "tr(Gᵀ L_sqrtm(X + 3I, G))"])  # + a non-symmetric one
def test_spectral_nodes_have_code_on_every_backend(text, backend):
    f, values = _spectral(text), _spectral_point()
    fn = f.compile(backend=backend)
    args = {k: (torch.tensor(v) if backend == "torch" else v) for k, v in values.items() if k in fn.names}
    np.testing.assert_allclose(float(fn(**args)), f.evaluate(values), rtol=1e-9)


def _has_gradient(f, name) -> bool:
    try:
        mc.grad(f, name)
        return True
    except mc.UnsupportedError:  # the second derivative of an eigen- or singular vector
        return False


@pytest.mark.slow  # a JAX compilation per case
@pytest.mark.parametrize("text", [s for s in SPECTRAL if "K_" not in s])  # K_f, K2_f: a gradient would be a third derivative
def test_spectral_gradients_run_under_jax_jit(text):
    f, values = _spectral(text), _spectral_point()
    wrt = [s.name for s in sorted(f.free_symbols, key=lambda s: s.name) if _has_gradient(f, s.name)][0]
    numpy_fn, jax_fn = mc.compile(f, wrt), jax.jit(mc.compile(f, wrt, backend="jax"))
    args = [values[numpy_fn.names[a]] for a in numpy_fn.args]
    (value, grad), (jvalue, jgrad) = numpy_fn(*args), jax_fn(*args)
    np.testing.assert_allclose(float(jvalue), value, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(jgrad), grad, rtol=1e-8, atol=1e-10)


def test_generated_logm_outside_its_domain_is_nan_not_a_real_part():
    fn = mc.parse("tr(logm(X))", shapes="X: 2×2").compile()
    assert np.isnan(fn(X=np.array([[-1.0, 0.0], [0.0, 2.0]])))
    np.testing.assert_allclose(fn(X=np.array([[1.0, 0.5], [0.0, 2.0]])), np.log(2.0), rtol=1e-12)
