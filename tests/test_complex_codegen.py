"""Complex variables through generated code (NumPy, JAX, PyTorch), and the words of the
language that refuse a complex argument, naming the word and the reason."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import matcalc as mc
from matcalc.numeric import point
from test_complex import CASES, SHAPES


def _at_random_point(f: str, wrt: str, seed: int = 0):
    e = mc.parse(f, shapes=SHAPES, scalar=True)
    g = mc.grad(e, wrt)
    values, dims = point([e, g], seed)
    return e, g, values, dims


@pytest.mark.parametrize("f, wrt, printed", CASES, ids=[f"{c[0]} by {c[1]}" for c in CASES])
def test_compiled_numpy_gradient_of_every_complex_case(f, wrt, printed):
    e, g, values, dims = _at_random_point(f, wrt)
    fn = mc.compile(e, wrt)
    value, grad = fn(**{p.name: values[p.name] for p in fn.program.params})
    assert isinstance(value, float) or np.isrealobj(value)  # a real-valued f is returned real
    assert np.isclose(value, np.real(e.evaluate(values, dims=dims)), rtol=1e-9, atol=1e-12)
    assert np.allclose(grad, g.evaluate(values, dims=dims), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("f, wrt", [("‖Az − b‖²", "z"), ("log det(I + HᴴPH)", "H"), ("abs(aᴴx)²", "x"),
                                    ("real(𝟙ᵀexp(z))", "z"), ("imag(cᴴz)", "z"), ("wᴴRw/(wᴴQw)", "w")])
def test_generated_module_checks_itself_at_a_complex_point(f, wrt):
    namespace: dict = {}
    exec(compile(mc.codegen(f, wrt, shapes=SHAPES), "<module>", "exec"), namespace)
    assert namespace["check_gradient"]() < 1e-6


def test_the_code_of_complex_operations():
    src = mc.codegen("‖Az − b‖² + real(i·cᴴz) + log det(I + AᴴA)", "z", shapes=SHAPES)
    assert "np.conj(A).T" in src and "np.real(" in src and "1j" in src and "_logdet_complex" in src
    assert "np.asarray(z, dtype=complex)" in src


@pytest.mark.slow
@pytest.mark.parametrize("f, wrt", [("‖Az − b‖²", "z"), ("log det(I + HᴴPH)", "H"), ("abs(aᴴx)² + real(cᴴz)", "x")])
def test_jax_code_of_complex_variables(f, wrt):
    jax.config.update("jax_enable_x64", True)
    e, g, values, dims = _at_random_point(f, wrt, seed=3)
    fn = mc.compile(e, wrt, backend="jax")
    value, grad = jax.jit(fn)(**{p.name: values[p.name] for p in fn.program.params})
    assert np.isclose(float(value), np.real(e.evaluate(values, dims=dims)), rtol=1e-9)
    assert np.allclose(np.asarray(grad), g.evaluate(values, dims=dims), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("f, wrt", [("‖Az − b‖² + real(i·cᴴz)", "z"), ("log det(I + HᴴPH)", "H"),
                                    ("abs(aᴴx)² + imag(x)ᵀimag(x)", "x")])
def test_torch_code_of_complex_variables_compiles(f, wrt):
    src = mc.codegen(f, wrt, shapes=SHAPES, backend="torch")
    compile(src, "<torch module>", "exec")
    assert "torch." in src and ".conj()" in src and "v.is_complex()" in src


def test_a_complex_value_for_a_real_variable_is_refused():
    fn = mc.compile("‖Xw − y‖²", "w")
    with pytest.raises(mc.DomainError, match="value of w is complex"):
        fn(w=np.ones(2) * 1j, X=np.eye(2), y=np.ones(2))
    with pytest.raises(mc.DomainError, match="value of x is complex"):
        mc.parse("xᵀx").evaluate({"x": np.array([1j, 2.0])})


SCORES = "makes probabilities of real scores"
SPECTRAL = "complex (Hermitian) form is not implemented"
# (f with W: n×n complex, z: n complex; the words the refusal names)
REFUSED = [
    ("𝟙ᵀsoftmax(z)", "softmax", SCORES), ("𝟙ᵀlogsoftmax(z)", "logsoftmax", SCORES),
    ("abs(logsumexp(z))", "logsumexp", SCORES),
    ("abs(var(z))", "var", "E|z − μ|²"), ("abs(std(z))", "std", "√(E|z − μ|²)"),
    ("‖max(z, 0)‖²", "max", "not ordered"), ("‖min(z, c)‖²", "min", "not ordered"),
    ("λ_max(W + Wᴴ)", "λ_max", SPECTRAL), ("λ_min(W)", "λ_max/λ_min", SPECTRAL),
    ("‖W‖₂", "‖·‖₂", SPECTRAL), ("‖W‖_*", "‖·‖_*", SPECTRAL),
    ("abs(tr(expm(W)))", "expm", "Fréchet"), ("abs(tr(logm(W)))", "logm", "Fréchet"),
    ("abs(tr(sqrtm(W)))", "sqrtm", "Fréchet"), ("abs(tr(e^W))", "expm", "Fréchet"),
    ("𝟙ᵀrelu(real(z)) + 𝟙ᵀrelu(z)", "relu", "complex entries: exp"), ("‖sign(z)‖²", "sign", "complex entries"),
    ("‖step(z)‖²", "step", "complex entries"), ("‖erf(z)‖²", "erf", "complex entries"),
]


@pytest.mark.parametrize("f, word, why", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_word_without_a_complex_meaning_refuses_a_complex_argument(f, word, why):
    for call in (lambda: mc.parse(f, shapes=SHAPES), lambda: mc.grad(f, "z" if "z" in f else "W", shapes=SHAPES)):
        with pytest.raises(mc.UnsupportedError) as raised:
            call()
        assert word in str(raised.value) and why in str(raised.value), str(raised.value)


def test_the_same_words_of_real_arguments_keep_working():
    assert str(mc.grad("𝟙ᵀrelu(real(z))", "z", shapes=SHAPES)) == "½step(real(z))"
    assert mc.check("logsumexp(real(z)) + λ_max(real(W) + real(W)ᵀ)", "z", shapes=SHAPES)


def test_a_user_formula_an_opaque_function_and_the_one_norm_refuse_a_complex_argument():
    for f in ("f(z)", "real(cᴴ∇f(z))"):
        with pytest.raises(mc.UnsupportedError, match="opaque function f of a complex argument"):
            mc.grad(f, "z", shapes=SHAPES, functions="f: scalar")
    with pytest.raises(mc.UnsupportedError, match="g of a complex argument"):
        mc.grad("‖g(z)‖²", "z", shapes=SHAPES, functions="g: x**3")
    with pytest.raises(mc.UnsupportedError, match="1-norm of a complex vector"):
        mc.grad("‖z‖₁", "z", shapes=SHAPES)


def test_linear_words_take_complex_entries():
    assert str(mc.grad("‖tril(W)‖²_F", "W", shapes=SHAPES)) == "tril(W)"
    assert mc.check("abs(mean(z))² + ‖diag(W)‖²", "z", shapes=SHAPES)
