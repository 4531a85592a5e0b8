"""Answers as code: mc.compile, Expr.compile, mc.codegen and mc.minimize.

The compiled NumPy and JAX functions agree with the symbolic result (``evaluate``) and with
central finite differences of their own value on every gradient of the golden tables
(tests/golden.py, tests/test_cookbook.py) and every Jacobian and Hessian of
tests/test_jacobian.py and tests/test_hessian.py; random well-typed expressions compile to the
value an independent NumPy walk of the tree gives; generated modules compile, import no
matcalc and pass their own check in a fresh interpreter.
"""

from __future__ import annotations

import ast
import inspect
import py_compile
import subprocess
import sys

import jax
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from scipy import linalg as scipy_linalg
from scipy import optimize as scipy_optimize
from scipy import special as scipy_special

import matcalc as mc
from matcalc import expr as t
from matcalc.codegen import spell
from matcalc.numeric.sampling import domains, point
from matcalc.results.arguments import ArgumentTypeError

import golden
import test_cookbook
import test_hessian
import test_jacobian
from generated import load_module
from strategies import expressions

jax.config.update("jax_enable_x64", True)  # the checks compare at double precision

try:
    import torch
except ImportError:
    torch = None


BACKENDS = ["numpy", pytest.param("jax", marks=pytest.mark.slow)] + \
    ([pytest.param("torch", marks=pytest.mark.slow)] if torch is not None else [])  # the slow tier: JAX compiles each case
OPAQUE = (t.Call, t.Grad)


def _opaque(e: t.Expr) -> bool:
    return any(isinstance(n, OPAQUE) or (isinstance(n, t.Apply) and n.formula is None and n.name == "g")
               for n in t.walk(e))


def _arguments(fn, values: dict, dims: dict) -> dict:
    """The keyword arguments of ``fn`` at a point: the values by name, the sizes of its dimension arguments."""
    out = {}
    for ident in fn.args:
        name = fn.names[ident]
        out[ident] = values[name] if name in values else dims[name]
    return out


def _directional(fun, args: dict, ident: str, rng, symmetric=False, h=1e-5) -> tuple[float, np.ndarray]:
    """(the central difference of fun along a random direction D of args[ident], D; symmetric
    for a symmetric variable, whose log det may read one triangle)."""
    x = np.asarray(args[ident], dtype=float)
    d = rng.standard_normal(x.shape)
    d = (d + d.T) / 2 if symmetric else d
    up, down = dict(args, **{ident: x + h * d}), dict(args, **{ident: x - h * d})
    return (float(fun(up)) - float(fun(down))) / (2 * h), d


def _close(a, b, rtol=1e-7, atol=1e-8):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol, atol=atol)


GRADIENT_ROWS = [(f, wrt, decl) for f, wrt, decl, *_ in golden.ROWS] + \
                [(p.values[0], p.values[1], p.values[3]) for p in test_cookbook.ROWS]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text, wrt, decl", GRADIENT_ROWS)
def test_compiled_gradient_agrees_with_the_symbolic_one_and_finite_differences(text, wrt, decl, backend):
    f = mc.parse(text, scalar=True, **decl)
    g = mc.grad(f, wrt)
    if _opaque(f):
        with pytest.raises(mc.UnsupportedError, match="has no code"):
            mc.compile(f, wrt, backend=backend)
        return
    fn = mc.compile(f, wrt, backend=backend)
    symmetric = bool(domains([f]).get(fn.names[fn.args[0]], set()) & {"spd", "symmetric"})
    checked = 0
    for seed in range(8):
        values, dims = point([f, g], seed)
        args = _arguments(fn, values, dims)
        value, grad = fn(**args)
        _close(value, f.evaluate(values, dims=dims))
        _close(grad, g.evaluate(values, dims=dims))
        if not np.isfinite(float(value)):  # outside f's domain (log of a negative form): no slope
            continue
        slope, d = _directional(lambda a: fn(**a)[0], args, fn.args[0], np.random.default_rng(seed), symmetric)
        assert abs(slope - float(np.sum(np.asarray(grad) * d))) <= 1e-5 * max(1.0, abs(slope))
        checked += 1
        if checked == 2:
            break
    assert checked


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text, wrt", [(c[0], c[1]) for c in test_jacobian.CASES])
def test_compiled_jacobian_agrees_with_the_symbolic_one_and_finite_differences(text, wrt, backend):
    j = test_jacobian._case(text, wrt)
    if _opaque(j.matrix) or _opaque(j.F):
        with pytest.raises(mc.UnsupportedError):
            j.compile(backend)
        return
    fn = j.compile(backend)
    values, dims = j.sampler(0)
    got = np.asarray(fn(**_arguments(fn, values, dims)))
    _close(got, j.evaluate(values, dims=dims))
    numeric, error = j.finite_differences(values, dims=dims)
    _close(got, numeric, rtol=1e-5, atol=1e-6 + 10 * error)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text, wrt, decl", [c[:3] for c in test_hessian.CASES])
def test_compiled_hessian_agrees_with_the_symbolic_one_and_second_differences(text, wrt, decl, backend):
    h = mc.hessian(text, wrt, **decl)
    if _opaque(h.matrix):
        with pytest.raises(mc.UnsupportedError):
            mc.compile(text, wrt, backend=backend, hessian=True, **decl)
        return
    values, dims = h.sampler(0)
    numeric, error = h.finite_differences(values, dims=dims)
    for fn in (h.compile(backend), mc.compile(text, wrt, backend=backend, hessian=True, **decl)):
        got = fn(**_arguments(fn, values, dims))
        got = got[2] if isinstance(got, tuple) else got
        got = np.asarray(got, dtype=float).reshape(np.shape(numeric))
        _close(got, h.evaluate(values, dims=dims))
        _close(got, numeric, rtol=1e-5, atol=1e-6 + 10 * error)


# ---- an independent NumPy walk of the tree ----------------------------------------------------

ELEMENTWISE = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
               "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "softplus": lambda x: np.log1p(np.exp(x)),
               "relu": lambda x: np.maximum(x, 0), "abs": np.abs, "sign": np.sign, "log1p": np.log1p,
               "expm1": np.expm1, "erf": scipy_special.erf, "gelu": lambda x: x * (1 + scipy_special.erf(x / np.sqrt(2))) / 2,
               "softsign": lambda x: x / (1 + np.abs(x)), "cosh": np.cosh, "sinh": np.sinh, "arctan": np.arctan,
               "log_sigmoid": lambda x: -np.logaddexp(0, -x)}


def _axis(a: np.ndarray) -> int:
    """Over a vector's entries, a matrix's rows."""
    return 0 if a.shape[1] == 1 else 1


def _lse(a: np.ndarray) -> np.ndarray:
    return scipy_special.logsumexp(a, axis=_axis(a), keepdims=True)


def _stat(fn):
    return lambda a: fn(a, axis=_axis(a), keepdims=True).reshape(-1, 1)


def _size(d, dims):
    return int(d.subs({s: dims[s.name] for s in d.free_symbols})) if d.free_symbols else int(d)


def _number(v, dims):
    return float(v.subs({s: dims[s.name] for s in v.free_symbols}))


def _diag_vec(a):
    return np.diag(a).reshape(-1, 1)


def oracle(e: t.Expr, values: dict, dims: dict) -> np.ndarray:
    """e's value as a 2-D array by plain NumPy, one case per node class the strategy draws."""
    def v(x):
        return oracle(x, values, dims)

    if isinstance(e, t.Symbol):
        a = np.asarray(values[e.name], dtype=float)
        return a.reshape(_size(e.rows, dims), _size(e.cols, dims))
    if isinstance(e, t.Number):
        return np.full((1, 1), _number(e.value, dims))
    if isinstance(e, t.Identity):
        return np.eye(_size(e.n, dims))
    if isinstance(e, t.Ones):
        return np.ones((_size(e.n, dims), 1))
    if isinstance(e, t.Zero):
        return np.zeros((_size(e.rows, dims), _size(e.cols, dims)))
    cases = {
        t.Add: lambda: sum(v(x) for x in e.terms),
        t.Scale: lambda: v(e.factor)[0, 0] * v(e.operand),
        t.MatMul: lambda: np.linalg.multi_dot([v(x) for x in e.factors]) if len(e.factors) > 2
        else v(e.factors[0]) @ v(e.factors[1]),
        t.Transpose: lambda: v(e.arg).T,
        t.Inverse: lambda: np.linalg.inv(v(e.arg)),
        t.MatPow: lambda: np.linalg.matrix_power(v(e.arg), e.exponent),
        t.Power: lambda: v(e.base) ** _number(e.exponent, dims),
        t.Trace: lambda: np.full((1, 1), np.trace(v(e.arg))),
        t.Det: lambda: np.full((1, 1), np.linalg.det(v(e.arg))),
        t.LogDet: lambda: np.full((1, 1), np.log(np.linalg.det(v(e.arg)))),
        t.Adj: lambda: np.linalg.det(v(e.arg)) * np.linalg.inv(v(e.arg)),
        t.Hadamard: lambda: np.prod([v(x) for x in e.factors], axis=0),
        t.HadamardDiv: lambda: v(e.num) / v(e.den),
        t.HadamardPow: lambda: v(e.base) ** _number(e.exponent, dims),
        t.Apply: lambda: ELEMENTWISE[e.name](v(e.arg)),
        t.Kron: lambda: np.kron(v(e.left), v(e.right)),
        t.Norm: lambda: np.full((1, 1), np.abs(v(e.arg)).sum() if e.p == 1 else np.abs(v(e.arg)).max() if e.p == t.INF
                                else np.linalg.norm(v(e.arg))),
        t.DiagMat: lambda: np.diag(v(e.arg)[:, 0]),
        t.DiagVec: lambda: _diag_vec(v(e.arg)),
        t.Vec: lambda: v(e.arg).reshape(-1, 1, order="F"),
        t.Broadcast: lambda: np.broadcast_to(v(e.arg), (_size(e.rows, dims), _size(e.cols, dims))),
        t.EigenValue: lambda: np.full((1, 1), (np.max if e.which == "max" else np.min)(np.linalg.eigvals(v(e.arg)).real)),
        t.Softmax: lambda: np.exp(v(e.arg) - _lse(v(e.arg))),
        t.LogSoftmax: lambda: v(e.arg) - _lse(v(e.arg)),
        t.LogSumExp: lambda: _lse(v(e.arg)).reshape(-1, 1),
        t.Mean: lambda: _stat(np.mean)(v(e.arg)),
        t.Var: lambda: _stat(np.var)(v(e.arg)),
        t.SpectralNorm: lambda: np.full((1, 1), np.linalg.norm(v(e.arg), 2)),
        t.NuclearNorm: lambda: np.full((1, 1), np.linalg.norm(v(e.arg), "nuc")),
        t.MatrixFunction: lambda: {"expm": scipy_linalg.expm, "logm": scipy_linalg.logm, "sqrtm": scipy_linalg.sqrtm}[e.name](v(e.arg)),
    }
    return np.asarray(cases[type(e)](), dtype=float)



@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions(max_depth=4))
def test_random_expressions_compile_to_their_value(drawn):
    f, _, _, _ = drawn
    assume(not _opaque(f) and all(type(n) is not t.Apply or n.name in ELEMENTWISE for n in t.walk(f)))
    values, dims = point([f], 0)
    expected = oracle(f, values, dims)
    assume(np.all(np.isfinite(expected)) and np.max(np.abs(expected)) < 1e8)
    fn = f.compile()
    got = fn(**_arguments(fn, values, dims))
    _close(got, expected[0, 0], rtol=1e-6, atol=1e-8)


# ---- names, calls, errors ---------------------------------------------------------------------


def test_identifiers_spell_subscripts_greek_letters_and_accents():
    assert [spell(n) for n in ("W_1", "Σ", "λ", "x̄", "ŷ", "x′", "lambda")] == \
        ["W_1", "Sigma", "lambda_", "x_bar", "y_hat", "x_prime", "lambda_"]


def test_the_callable_takes_the_names_as_written_or_as_identifiers_or_in_order():
    fn = mc.compile("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"], domains={"Σ": "spd"})
    assert fn.args == ("mu", "Sigma", "x")
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 3))
    sigma, mu, x = a @ a.T + np.eye(3), rng.standard_normal(3), rng.standard_normal(3)
    by_order = fn(mu, sigma, x)
    by_name = fn(**{"μ": mu, "Σ": sigma, "x": x})
    by_ident = fn(mu=mu, Sigma=sigma, x=x)
    inv = np.linalg.inv(sigma)
    expected = (np.linalg.slogdet(sigma)[1] + (x - mu) @ inv @ (x - mu),
                (2 * inv @ (mu - x), inv - inv @ np.outer(x - mu, x - mu) @ inv))
    for value, (g_mu, g_sigma) in (by_order, by_name, by_ident):
        _close(value, expected[0])
        _close(g_mu, expected[1][0])
        _close(g_sigma, expected[1][1])
    assert isinstance(by_order[0], float) and by_order[1][0].shape == (3,)


def test_the_unchecked_function_is_the_same_without_the_argument_checks():
    rng = np.random.default_rng(14)
    d, r, x = rng.standard_normal((4, 2)), rng.standard_normal((2, 5)), rng.standard_normal((4, 5))
    fn = mc.compile("‖X − DR‖²_F", ["D", "R"])
    value, (g_d, g_r) = fn.unchecked(d, r, x)
    _close(value, fn(d, r, x)[0])
    _close(g_d, fn(d, r, x)[1][0])
    _close(g_r, fn(d, r, x)[1][1])
    h = mc.hessian("𝟙ᵀsoftplus(Xw) − yᵀXw", "w").compile()
    xs, w = rng.standard_normal((6, 3)), rng.standard_normal(3)
    _close(h.unchecked(xs, w), h(X=xs, w=w))
    with pytest.raises(mc.ShapeError):  # the checked one refuses what the unchecked one would broadcast
        fn(d, r, x[:, :1])


def test_bad_arguments_are_matcalc_errors_naming_the_symbol():
    fn = mc.compile("‖X − DR‖²_F", ["D", "R"])
    d, r, x = np.ones((4, 2)), np.ones((2, 5)), np.ones((4, 5))
    with pytest.raises(mc.ShapeError, match="R is declared p×n but its value has shape"):
        fn(d, r.T, x)
    with pytest.raises(mc.DomainError, match="no value for X"):
        fn(d, r)
    with pytest.raises(mc.DomainError, match="Q is not an argument"):
        fn(d, r, x, Q=1)
    with pytest.raises(mc.ShapeError, match="must be scalar"):
        mc.compile("AX", "X")
    with pytest.raises(mc.UnsupportedError, match="backend is one of"):
        mc.compile("‖x‖²", "x", backend="fortran")
    with pytest.raises(ArgumentTypeError):
        mc.compile("‖x‖²", 3)
    with pytest.raises(mc.UnsupportedError, match="has no code"):
        mc.compile("f(Wx)", "W", functions={"f": "scalar"})


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_a_compiled_function_is_called_as_python_calls_a_function(backend):
    fn = mc.compile("‖Ax − b‖² + log det Σ", "x", backend=backend, domains={"Σ": "spd"})
    assert fn.args == ("x", "A", "b", "Sigma") and str(inspect.signature(fn)) == "(x, A, b, Sigma)"
    a, x, b, s = np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0]), np.ones(3), np.diag([2.0, 3.0])
    expected = (a @ x - b) @ (a @ x - b) + np.log(6.0), 2 * a.T @ (a @ x - b)
    calls = [fn(x, a, b, s), fn(x=x, A=a, b=b, Σ=s), fn(x, a, Sigma=s, b=b), fn(**{"x": x, "A": a, "b": b, "Σ": s})]
    for value, grad in calls:
        _close(value, expected[0])
        _close(grad, expected[1])
    with pytest.raises(mc.DomainError, match=r"takes 4 arguments \(x, A, b, Sigma\), 5 were given"):
        fn(x, a, b, s, s)
    with pytest.raises(mc.DomainError, match="no value for b, Σ"):
        fn(x, a)
    with pytest.raises(mc.DomainError, match="A is given twice"):
        fn(x, a, A=a, b=b, Σ=s)
    for complex_call in (lambda: fn(x * 1j, a, b, s), lambda: fn(x, a, b=b * 1j, Σ=s)):
        with pytest.raises(mc.DomainError, match="is complex but it is real: declare it complex"):
            complex_call()
    if backend == "numpy":  # JAX's Cholesky factor of a matrix that is not positive definite is nan
        with pytest.raises(mc.DomainError, match="f_and_grad: Sigma is not positive definite"):
            fn(x, a, b, -s)


def test_arguments_not_of_float64_are_converted_and_complex_ones_refused_by_the_module_itself(tmp_path):
    fn = mc.compile("‖Ax − b‖²", "x")
    a, x, b = np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, -2.0]), np.array([0.5, 0.0, 1.0])
    expected = fn(x, a, b)
    for given in ([list(x), a.tolist(), list(b)], [x.astype(np.float32), a.astype(np.float32), b],
                  [np.array([1, -2]), a, b], [np.array([[1.0, 0.0], [-2.0, 0.0]])[:, 0], a, b], [x[:, None], a, b[None, :]]):
        value, grad = fn(*given)
        assert grad.dtype == np.float64 and grad.shape == (2,)
        _close(value, expected[0])
        _close(grad, expected[1])
    boolean = a > 0.5  # computed as numbers, not as logical products
    _close(fn(x, boolean, b)[1], 2 * boolean.T @ (boolean @ x - b))


@pytest.mark.parametrize("backend", ["numpy", "jax"] + (["torch"] if torch is not None else []))
def test_a_generated_module_refuses_a_complex_value_of_a_real_argument(tmp_path, backend):
    module = load_module(tmp_path, mc.codegen("‖Ax − b‖²", "x", backend=backend), f"least_squares_{backend}")
    a, x, b = np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 1.0]]), np.array([1.0, -2.0]), np.array([0.5, 0.0, 1.0])
    convert = {"numpy": np.asarray, "jax": jax.numpy.asarray, "torch": lambda v: torch.tensor(v)}[backend]
    _close(np.asarray(module.f_and_grad(convert(x), convert(a), convert(b))[1]), 2 * a.T @ (a @ x - b))
    with pytest.raises(TypeError, match="A is real but its value is complex"):
        module.f_and_grad(convert(x), convert(a + 1j), convert(b))


def test_a_singular_matrix_is_a_numeric_error():
    fn = mc.compile("tr(X⁻¹A)", "A")
    with pytest.raises(mc.DomainError, match="[Ss]ingular"):
        fn(np.eye(2), np.zeros((2, 2)))


def test_a_result_compiles_as_a_function_of_its_symbols():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal(5)
    solution = mc.solve("‖Ax − b‖²", "x").compile()
    _close(solution(A=a, b=b), np.linalg.lstsq(a, b, rcond=None)[0])
    back = mc.vjp("WX", "W").compile()
    g, x = rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    _close(back(G=g, X=x), g @ x.T)
    identity = mc.grad("tr(X)", "X").compile()  # the size comes from X, the symbol of the origin
    _close(identity(X=np.zeros((3, 3))), np.eye(3))


# ---- expert code --------------------------------------------------------------------------------


def _lines(source: str, name: str = "f_and_grad") -> list:
    body = source[source.index(f"def {name}("):]
    return [line.strip() for line in body.splitlines()[1:] if line.strip().startswith("_t") or "return" in line]


def test_common_subexpressions_are_computed_once_across_value_and_gradients():
    source = mc.compile("‖X − DR‖²_F", ["D", "R"]).source
    assert source.count("D @ R") == 1
    source = mc.compile("𝟙ᵀsoftplus(Xw) − yᵀXw", "w").source
    assert source.count("X @ w") == 1


def test_the_trace_of_a_product_is_a_sum_of_products_reusing_the_gradient():
    fn = mc.compile("tr(AXBXᵀC)", "X")
    body = _lines(fn.source)
    assert "trace(" not in fn.source and sum(line.count("@") for line in body) == 6  # CAXB once, AᵀCᵀXBᵀ
    rng = np.random.default_rng(13)
    a, x, b, c = (rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 4), (3, 2)))
    value, grad = fn(X=x, A=a, B=b, C=c)
    _close(value, np.trace(a @ x @ b @ x.T @ c))
    _close(grad, a.T @ c.T @ x @ b.T + c @ a @ x @ b)
    _close(mc.parse("tr(XᵀAX)").compile()(X=x, A=np.eye(3)), np.sum(x * x))


def test_an_inverse_that_is_only_multiplied_is_a_solve():
    source = mc.compile("tr(AX⁻¹B)", "A").source
    assert "solve" in source and "inv(" not in source
    source = mc.compile("(x − μ)ᵀΣ⁻¹(x − μ)", "x", domains={"Σ": "spd"}).source
    assert "solve" in source and "_inv(" not in source


def test_overflow_safe_functions():
    fn = mc.compile("𝟙ᵀsoftplus(Xw) − yᵀXw", "w")
    x, y = np.array([[1000.0], [-1000.0]]), np.array([1.0, 0.0])
    value, grad = fn(np.array([1.0]), x, y)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    _close(value, 0.0, atol=1e-9)
    value, grad = mc.compile("log(𝟙ᵀexp(x))", "x")(np.array([1000.0, 1000.0]))
    _close(value, 1000.0 + np.log(2.0))
    _close(grad, [0.5, 0.5])


def test_the_sigmoid_beside_a_softplus_is_read_from_it():
    f = mc.parse("𝟙ᵀsoftplus(Xw) − yᵀXw", shapes="X: 4×1, w: 1")
    fn = mc.compile(f, "w")
    body = "\n".join(_lines(fn.source))
    assert body.count("_softplus(") == 1 and "_sigmoid(" not in body and "np.exp(" in body
    x, y, w = np.array([[1.0], [-1.0], [30.0], [-700.0]]), np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.05])
    value, grad = fn(w=w, X=x, y=y)
    _close(value, f.evaluate({"w": w, "X": x, "y": y}), rtol=1e-14)
    _close(grad, mc.grad(f, "w").evaluate({"w": w, "X": x, "y": y}), rtol=1e-13)


def test_diagonal_products_broadcast_and_ones_products_sum():
    source = mc.hessian("𝟙ᵀsoftplus(Xw) − yᵀXw", "w").compile().source
    assert "diag(" not in source and "[:, None] *" in source
    source = mc.compile("𝟙ᵀexp(Xw)", "w").source
    assert "ones(" not in source and ".sum(" in source


def test_kronecker_and_commutation_factors_are_applied_not_formed():
    hessian_vector = mc.parse("vᵀ(B ⊗ A)vec(X)", shapes={"A": (2, 3), "B": (4, 5), "X": (3, 5), "v": (8, 1)})
    source = hessian_vector.compile().source
    assert "kron" not in source and "reshape" in source
    rng = np.random.default_rng(3)
    a, b, x, v = rng.standard_normal((2, 3)), rng.standard_normal((4, 5)), rng.standard_normal((3, 5)), \
        rng.standard_normal(8)
    fn = hessian_vector.compile()
    _close(fn(**_arguments(fn, {"A": a, "B": b, "X": x, "v": v}, {})), v @ np.kron(b, a) @ x.reshape(-1, order="F"))


def test_log_det_of_an_spd_matrix_by_the_cholesky_diagonal():
    source = mc.compile("log det Σ", "Σ", domains={"Σ": "spd"}).source
    assert "_cho_logdet(" in source and "slogdet" not in source
    assert "slogdet" in mc.compile("log det X", "X").source


SPD_OBJECTIVES = [("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"]),  # solves, the inverse formed, log det
                  ("tr(AΣ⁻¹B) + aᵀΣ⁻¹a + log det Σ", ["Σ", "a"]),
                  ("(x − μ)ᵀΣ⁻¹(x − μ) + log det Σ", ["x", "μ"])]  # only solves and log det: never an inverse


def _spd_point(rng, m=4):
    a = rng.standard_normal((m, m))
    return {"Σ": a @ a.T / m + np.eye(m), "x": rng.standard_normal(m), "μ": rng.standard_normal(m),
            "a": rng.standard_normal(m), "A": rng.standard_normal((3, m)), "B": rng.standard_normal((m, 3))}


def _spd_backends():
    return ["numpy", "jax"] + (["torch"] if torch is not None else [])


def _as_numpy(v):
    return np.asarray(v.detach() if hasattr(v, "detach") else v, dtype=float)


@pytest.mark.parametrize("backend", _spd_backends())
@pytest.mark.parametrize("text, wrt", SPD_OBJECTIVES)
def test_an_spd_matrix_is_factored_once_for_every_solve_inverse_and_log_det(text, wrt, backend):
    f = mc.parse(text, scalar=True, domains={"Σ": "spd"})
    fn = mc.compile(f, wrt, backend=backend)
    body = "\n".join(_lines(fn.source))
    assert body.count("_cho_factor(") == 1 and "_inv(" not in body and "slogdet" not in body
    assert ("_cho_inverse(" in body) == (wrt != ["x", "μ"])
    rng = np.random.default_rng(11)
    point = _spd_point(rng)
    args = {k: (torch.tensor(v) if backend == "torch" else v) for k, v in point.items() if k in fn._by_name}
    value, grads = fn(**args)
    _close(_as_numpy(value), f.evaluate(point))
    for x, g in zip(wrt, grads):
        symmetric = x == "Σ"
        _close(_as_numpy(g), mc.grad(f, x).evaluate(point))
        slope, d = _directional(lambda p: f.evaluate(p), point, x, rng, symmetric)
        assert abs(slope - float(np.sum(_as_numpy(g) * d))) <= 1e-6 * max(1.0, abs(slope))


def test_a_point_outside_the_spd_domain_is_a_numeric_error_naming_the_matrix():
    fn = mc.compile("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"], domains={"Σ": "spd"})
    with pytest.raises(mc.DomainError, match="Sigma is not positive definite"):
        fn(np.zeros(2), np.diag([1.0, -1.0]), np.ones(2))
    jfn = mc.compile("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"], domains={"Σ": "spd"}, backend="jax")
    assert np.isnan(float(jfn(np.zeros(2), np.diag([1.0, -1.0]), np.ones(2))[0]))  # jax.jit cannot raise
    if torch is not None:
        tfn = mc.compile("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"], domains={"Σ": "spd"}, backend="torch")
        with pytest.raises(mc.DomainError, match="Sigma is not positive definite"):
            tfn(torch.zeros(2, dtype=torch.float64), torch.diag(torch.tensor([1.0, -1.0], dtype=torch.float64)),
                torch.ones(2, dtype=torch.float64))
    with pytest.raises(mc.DomainError):  # matcalc's own evaluation: the domain error of log det
        mc.parse("log det Σ", domains={"Σ": "spd"}).evaluate({"Σ": np.diag([1.0, -1.0])})


def test_without_scipy_the_spd_solves_are_plain_solves(monkeypatch):
    fn = mc.compile("tr(AΣ⁻¹B) + aᵀΣ⁻¹a + log det Σ", ["Σ", "a"], domains={"Σ": "spd"})
    point = _spd_point(np.random.default_rng(12))
    args = {k: v for k, v in point.items() if k in fn._by_name}
    with_lapack = fn(**args)
    monkeypatch.setitem(fn._entry.__globals__, "_lapack", None)
    without = fn(**args)
    _close(without[0], with_lapack[0])
    for a, b in zip(without[1], with_lapack[1]):
        _close(a, b)
    with pytest.raises(mc.DomainError, match="Sigma is not positive definite"):
        fn(**dict(args, Σ=-point["Σ"]))


# ---- backends -----------------------------------------------------------------------------------


def test_the_jax_function_runs_under_jit_and_vmap():
    fn = mc.compile("‖W₂tanh(W₁x) − y‖²", ["W₁", "W₂"], backend="jax")
    rng = np.random.default_rng(4)
    w1, w2, xs, y = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((5, 3)), \
        rng.standard_normal(2)
    numpy_fn = mc.compile("‖W₂tanh(W₁x) − y‖²", ["W₁", "W₂"])
    jitted = jax.jit(fn)
    batched = jax.vmap(fn, in_axes=(None, None, 0, None))(w1, w2, xs, y)
    for i, x in enumerate(xs):
        value, (g1, g2) = numpy_fn(w1, w2, x, y)
        jvalue, (jg1, jg2) = jitted(w1, w2, x, y)
        _close(jvalue, value)
        _close(jg1, g1)
        _close(batched[0][i], value)
        _close(batched[1][1][i], g2)
    auto = jax.grad(lambda a, b: jax.numpy.sum((b @ jax.numpy.tanh(a @ xs[0]) - y) ** 2), argnums=(0, 1))(w1, w2)
    _close(auto[0], numpy_fn(w1, w2, xs[0], y)[1][0])


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install torch==2.13.0; see README)")
def test_the_torch_function_keeps_the_device_and_dtype():
    fn = mc.compile("‖Ax − b‖²", "x", backend="torch")
    rng = np.random.default_rng(5)
    a, b, x = (torch.tensor(rng.standard_normal(s)) for s in ((5, 3), (5,), (3,)))
    value, grad = fn(x, a, b)
    assert grad.dtype == torch.float64 and grad.device == x.device
    _close(grad.numpy(), 2 * a.numpy().T @ (a.numpy() @ x.numpy() - b.numpy()))


# ---- generated modules --------------------------------------------------------------------------

MODULES = [
    ("‖Ax − b‖²", "x", {}, False),
    ("𝟙ᵀsoftplus(Xw) − yᵀXw", "w", {}, True),
    ("‖X − DR‖²_F", ["D", "R"], {}, False),
    ("tr(AXBXᵀC)", "X", {}, False),
    ("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"], {"domains": {"Σ": "spd"}}, False),
    ("‖W₂tanh(W₁x) − y‖²", ["W₁", "W₂"], {}, False),
    ("xᵀAx", "x", {}, True),
    ("λ‖x‖² + log(𝟙ᵀexp(Ax))", ["x", "λ"], {}, False),
]


def _backends():
    return ["numpy", "jax"] + (["torch"] if torch is not None else [])


@pytest.mark.slow  # a subprocess per module
@pytest.mark.parametrize("backend", _backends())
@pytest.mark.parametrize("text, wrt, decl, hessian", MODULES)
def test_generated_modules_compile_import_no_matcalc_and_pass_their_check(tmp_path, text, wrt, decl, hessian, backend):
    source = mc.codegen(text, wrt, backend=backend, hessian=hessian, name="objective", **decl)
    path = tmp_path / "generated.py"
    path.write_text(source, encoding="utf-8")
    py_compile.compile(str(path), doraise=True)
    imported = {a.name.split(".")[0] for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names}
    assert not any(isinstance(n, ast.ImportFrom) for n in ast.walk(ast.parse(source)))
    assert imported <= {"numpy", "jax", "torch", "scipy"} and "matcalc" not in source.split('"""')[2]
    if "scipy" in imported:  # SciPy's LAPACK for the Cholesky solves, optional
        assert "except ImportError:\n    _lapack = None" in source
    assert f"f = {mc.parse(text, scalar=True, **decl)}" in source
    run = subprocess.run([sys.executable, "-c", "import sys, generated; assert 'matcalc' not in sys.modules; "
                          "print(generated.check_gradient())"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) <= 1e-6


@pytest.mark.parametrize("name", ["not a name", "class", "_private", "f-and-grad"])
def test_a_module_name_must_be_an_identifier(name):
    with pytest.raises(mc.DomainError, match="identifier"):
        mc.codegen("‖x‖²", "x", name=name)


@pytest.mark.parametrize("name", ["np", "rng", "value", "check_gradient", "D", "R"])
def test_a_module_name_taken_in_the_module_is_refused(name):
    with pytest.raises(mc.DomainError, match=f"name '{name}' is taken"):
        mc.codegen("‖X − DR‖²_F", "D", name=name)


def test_a_free_module_name_names_the_function_everywhere():
    source = mc.codegen("‖X − DR‖²_F", "D", name="loss_and_grad")
    namespace: dict = {}
    exec(compile(source, "loss.py", "exec"), namespace)  # the module matcalc wrote, not user text
    assert "loss_and_grad" in namespace and "f_and_grad" not in source
    assert namespace["check_gradient"]() <= 1e-6


# ---- minimize -----------------------------------------------------------------------------------


def test_minimize_recovers_least_squares():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((20, 4)), rng.standard_normal(20)
    result = mc.minimize("‖Ax − b‖²", "x", np.zeros(4), values={"A": a, "b": b})
    assert result.success and result.iterations > 0 and isinstance(result.message, str)
    _close(result["x"], np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-5, atol=1e-6)
    _close(result.value, np.sum((a @ result["x"] - b) ** 2))


def test_minimize_recovers_the_logistic_regression_optimum():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((50, 3))
    y = (x @ np.array([1.0, -2.0, 0.5]) + 0.5 * rng.standard_normal(50) > 0).astype(float)
    result = mc.minimize("𝟙ᵀsoftplus(Xw) − yᵀXw + ½λ‖w‖²", "w", np.zeros(3), values={"X": x, "y": y, "λ": 0.1})

    def by_hand(w):
        z = x @ w
        return np.sum(np.logaddexp(0, z)) - y @ z + 0.05 * w @ w, x.T @ (1 / (1 + np.exp(-z)) - y) + 0.1 * w

    reference = scipy_optimize.minimize(by_hand, np.zeros(3), jac=True, method="L-BFGS-B", options={"gtol": 1e-10})
    _close(result["w"], reference.x, rtol=1e-4, atol=1e-5)
    _close(result.value, reference.fun, rtol=1e-8)


def test_minimize_finds_a_matrix_factorisation_with_decreasing_loss(capsys):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((6, 2)) @ rng.standard_normal((2, 5))
    start = {"D": rng.standard_normal((6, 2)), "R": rng.standard_normal((2, 5))}
    result = mc.minimize("‖X − DR‖²_F", ["D", "R"], start, values={"X": x}, progress=True)
    assert result.history == sorted(result.history, reverse=True) and result.history[-1] < 1e-8
    grads = mc.compile("‖X − DR‖²_F", ["D", "R"])(result["D"], result["R"], x)[1]
    assert max(np.max(np.abs(g)) for g in grads) < 1e-4  # a stationary point
    _close(result["D"] @ result["R"], x, atol=1e-4)


def test_minimize_respects_bounds_and_names_missing_starts():
    result = mc.minimize("‖x − a‖²", "x", np.zeros(3), values={"a": np.array([-1.0, 0.5, 2.0])}, bounds=(0, 1))
    _close(result["x"], [0.0, 0.5, 1.0], atol=1e-8)
    with pytest.raises(mc.DomainError, match="no starting value for R"):
        mc.minimize("‖X − DR‖²_F", ["D", "R"], {"D": np.ones((2, 1))}, values={"X": np.ones((2, 2))})


def test_sympy_numbers_print_as_literals():
    fn = mc.parse("⅓xᵀx").compile()
    assert "0.333" in fn.source
    _close(fn(x=np.array([1.0, 2.0])), 5 / 3)
