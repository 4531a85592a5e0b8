"""Numeric evaluation: every node class against a direct NumPy computation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy

import matcalc.expr as t
from matcalc.language.formula import X as FORMULA_X
from matcalc.language.formula import Formula, parse_formula
from matcalc.numeric import functions as fn
from matcalc.errors import DomainError, MatcalcError, ShapeError, UnsupportedError
from matcalc.codegen import EMIT
from matcalc.numeric.evaluate import Evaluator, compiled, evaluate

RNG = np.random.default_rng(7)
A_ = RNG.standard_normal((3, 4))
B_ = RNG.standard_normal((3, 4))
S_ = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
P_ = RNG.uniform(0.5, 2.0, (3, 4))
x_ = RNG.standard_normal(3)
y_ = RNG.standard_normal(4)
C_ = RNG.standard_normal((3 * 2, 4 * 5))
K_ = RNG.standard_normal((2, 5))
Z_ = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))

A = t.symbol("A", "m", "n")
B = t.symbol("B", "m", "n")
S = t.symbol("S", "m", "m")
P = t.symbol("P", "m", "n")
x = t.symbol("x", "m")
y = t.symbol("y", "n")
C = t.symbol("C", "r", "c")
K = t.symbol("K", "p", "q")
alpha = t.symbol("α")
Z = t.symbol("Z", "m", "n", {"complex"})
VALUES = {"A": A_, "B": B_, "S": S_, "P": P_, "x": x_, "y": y_, "C": C_, "K": K_, "α": 0.7, "Z": Z_}

m, n = t.dim("m"), t.dim("n")
half = sympy.Rational(1, 2)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _adjugate(M):
    return np.linalg.det(M) * np.linalg.inv(M)


def _kron_factor_left(Cv, Bv):
    p, q = Bv.shape
    r, c = Cv.shape[0] // p, Cv.shape[1] // q
    return np.array([[np.sum(Cv[i * p:(i + 1) * p, j * q:(j + 1) * q] * Bv) for j in range(c)] for i in range(r)])


CASES = [
    ("Symbol", A, A_),
    ("Number", t.Number(sympy.Rational(3, 4)), 0.75),
    ("Number of a dimension", t.Scale(t.Number(1 / m), x), x_ / 3),
    ("Identity", t.Identity(m), np.eye(3)),
    ("Ones", t.Ones(n), np.ones(4)),
    ("Zero", t.Zero((m, n)), np.zeros((3, 4))),
    ("Add", t.Add((A, B, A)), 2 * A_ + B_),
    ("Scale", t.Scale(alpha, A), 0.7 * A_),
    ("MatMul", t.MatMul((t.Transpose(x), A, y)), x_ @ A_ @ y_),
    ("MatMul of matrices", t.MatMul((A, t.Transpose(B), S)), A_ @ B_.T @ S_),
    ("Transpose", t.Transpose(A), A_.T),
    ("Inverse", t.Inverse(S), np.linalg.inv(S_)),
    ("MatPow", t.MatPow(S, 3), S_ @ S_ @ S_),
    ("Power", t.Power(alpha, sympy.Integer(-2)), 0.7**-2),
    ("Power fractional", t.Power(alpha, half), np.sqrt(0.7)),
    ("Trace", t.Trace(S), np.trace(S_)),
    ("Det", t.Det(S), np.linalg.det(S_)),
    ("LogDet", t.LogDet(t.MatMul((S, t.Transpose(S)))), np.log(np.linalg.det(S_ @ S_.T))),
    ("Adj", t.Adj(S), _adjugate(S_)),
    ("Hadamard", t.Hadamard((A, B, P)), A_ * B_ * P_),
    ("HadamardDiv", t.HadamardDiv(A, P), A_ / P_),
    ("HadamardPow", t.HadamardPow(A, sympy.Integer(3)), A_**3),
    ("HadamardPow fractional", t.HadamardPow(P, half), np.sqrt(P_)),
    ("Apply exp", t.Apply("exp", A), np.exp(A_)),
    ("Apply sigmoid", t.Apply("sigmoid", A), _sigmoid(A_)),
    ("Apply relu", t.Apply("relu", A), np.maximum(A_, 0)),
    ("Apply formula", t.Apply("h", A, 0, parse_formula("h", "x**3 + sin(x)")), A_**3 + np.sin(A_)),
    ("Apply formula derivative", t.Apply("h", A, 2, parse_formula("h", "x**3 + sin(x)")), 6 * A_ - np.sin(A_)),
    ("Apply stand-in", t.Apply("g", A), A_**3 / 6 + A_ / 3 + np.log1p(A_**2)),
    ("Apply stand-in derivative", t.Apply("g", A, 1), A_**2 / 2 + 1 / 3 + 2 * A_ / (1 + A_**2)),
    ("Kron", t.Kron(A, S), np.kron(A_, S_)),
    ("Norm 2 of a matrix", t.Norm(A), np.sqrt(np.sum(A_**2))),
    ("Norm 2 of a vector", t.Norm(x), np.linalg.norm(x_)),
    ("Norm 1", t.Norm(x, 1), np.sum(np.abs(x_))),
    ("Call stand-in", t.Call("f", A), np.sum(np.log1p(A_**2)) + np.sum(A_**2) / 2),
    ("Grad stand-in", t.Grad("f", A), 2 * A_ / (1 + A_**2) + A_),
    ("DiagMat", t.DiagMat(x), np.diag(x_)),
    ("DiagVec", t.DiagVec(S), np.diag(S_)),
    ("Vec", t.Vec(A), A_.flatten(order="F")),
    ("TriangularPart lower", t.TriangularPart(A, "lower"), np.tril(A_)),
    ("TriangularPart upper", t.TriangularPart(A, "upper"), np.triu(A_)),
    ("Unvec", t.Unvec(t.Vec(A), (m, n)), A_),
    ("Unvec to other shape", t.Unvec(t.Vec(A), (n, m)), A_.reshape((4, 3), order="F")),
    ("KronFactor left", t.KronFactor(C, K, "left"), _kron_factor_left(C_, K_)),
    ("Broadcast row", t.Broadcast(t.Transpose(y), (m, n)), np.tile(y_, (3, 1))),
    ("Broadcast column", t.Broadcast(x, (m, n)), np.tile(x_[:, None], (1, 4))),
    ("Broadcast scalar", t.Broadcast(alpha, (m, n)), np.full((3, 4), 0.7)),
    ("Commutation", t.Commutation(m, n), np.eye(12)[[r // 4 + 3 * (r % 4) for r in range(12)]]),
    ("Conj", t.Conj(Z), Z_.conj()),
    ("Real", t.Real(Z), Z_.real),
    ("Imag", t.Imag(Z), Z_.imag),
    ("Hermitian transpose times", t.MatMul((t.Transpose(t.Conj(Z)), A)), Z_.conj().T @ A_),
    ("Softmax of a vector", t.Softmax(x), np.exp(x_) / np.exp(x_).sum()),
    ("LogSoftmax of a matrix, row by row", t.LogSoftmax(A), A_ - np.log(np.exp(A_).sum(axis=1, keepdims=True))),
    ("LogSumExp of a matrix, row by row", t.LogSumExp(A), np.log(np.exp(A_).sum(axis=1))),
    ("Mean of a matrix, row by row", t.Mean(A), A_.mean(axis=1)),
    ("Var of a vector", t.Var(x), np.var(x_)),
    ("Std of a matrix, row by row", t.Std(A), A_.std(axis=1)),
]


def _signed(v):
    return v if v[np.argmax(np.abs(v))] >= 0 else -v


def _expm_series(a, terms=60):
    out, term = np.eye(len(a)), np.eye(len(a))
    for k in range(1, terms):
        term = term @ a / k
        out = out + term
    return out


def _expm_frechet_series(a, e, terms=60):
    """Σₖ (1/k!) Σⱼ AʲEAᵏ⁻¹⁻ʲ."""
    powers = [np.eye(len(a))]
    for _ in range(terms):
        powers.append(powers[-1] @ a)
    out, fact = np.zeros_like(a), 1.0
    for k in range(1, terms):
        fact *= k
        out = out + sum(powers[j] @ e @ powers[k - 1 - j] for j in range(k)) / fact
    return out


def _logm_frechet_quadrature(a, e, nodes=60):
    """∫₀¹ (t(A − I) + I)⁻¹ E (t(A − I) + I)⁻¹ dt by Gauss–Legendre."""
    ts, ws = np.polynomial.legendre.leggauss(nodes)
    out = np.zeros_like(a)
    for tk, wk in zip((ts + 1) / 2, ws / 2):
        r = np.linalg.inv(tk * (a - np.eye(len(a))) + np.eye(len(a)))
        out = out + wk * r @ e @ r
    return out


def _expm_frechet2_series(a, e1, e2, terms=40):
    """Σₖ (1/k!) Σ_{i+j+l=k−2} (AⁱE₁AʲE₂Aˡ + AⁱE₂AʲE₁Aˡ)."""
    powers = [np.eye(len(a))]
    for _ in range(terms):
        powers.append(powers[-1] @ a)
    out, fact = np.zeros_like(a), 1.0
    for k in range(1, terms):
        fact *= k
        for i in range(k - 1):
            for j in range(k - 1 - i):
                rest = powers[k - 2 - i - j]
                out = out + (powers[i] @ e1 @ powers[j] @ e2 @ rest + powers[i] @ e2 @ powers[j] @ e1 @ rest) / fact
    return out


def _kronecker_form(linear, n):
    """The matrix K with vec(linear(E)) = K vec(E), column by column."""
    columns = []
    for j in range(n * n):
        unit = np.zeros(n * n)
        unit[j] = 1.0
        columns.append(linear(unit.reshape((n, n), order="F")).reshape(-1, order="F"))
    return np.stack(columns, axis=1)


SYM_ = (S_ + S_.T) / 2
_W, _V = np.linalg.eigh(SYM_)
_U, _SV, _VT = np.linalg.svd(A_, full_matrices=False)
_SIGN = 1.0 if _U[np.argmax(np.abs(_U[:, 0])), 0] >= 0 else -1.0
SMALL = t.Scale(t.Number(sympy.Rational(1, 4)), S)
SPD = t.MatMul((S, t.Transpose(S)))
SPD_ = S_ @ S_.T
_WS, _VS = np.linalg.eigh(SPD_)
CASES += [
    ("EigenValue max", t.EigenValue(S, "max"), _W[-1]),
    ("EigenValue min", t.EigenValue(S, "min"), _W[0]),
    ("EigenVector max", t.EigenVector(S, "max"), _signed(_V[:, -1])),
    ("SpectralNorm", t.SpectralNorm(A), np.linalg.norm(A_, 2)),
    ("NuclearNorm", t.NuclearNorm(A), np.linalg.norm(A_, "nuc")),
    ("SingularVector left", t.SingularVector(A, "left"), _SIGN * _U[:, 0]),
    ("SingularVector right", t.SingularVector(A, "right"), _SIGN * _VT[0]),
    ("PolarFactor", t.PolarFactor(A), _U @ _VT),
    ("MatrixFunction expm", t.MatrixFunction("expm", SMALL), _expm_series(S_ / 4)),
    ("MatrixFunction logm", t.MatrixFunction("logm", SPD), _VS @ np.diag(np.log(_WS)) @ _VS.T),
    ("MatrixFunction sqrtm", t.MatrixFunction("sqrtm", SPD), _VS @ np.diag(np.sqrt(_WS)) @ _VS.T),
    ("Frechet expm", t.Frechet("expm", SMALL, t.Transpose(S)), _expm_frechet_series(S_ / 4, S_.T)),
    ("Frechet logm", t.Frechet("logm", S, t.Transpose(S)), _logm_frechet_quadrature(S_, S_.T)),
    ("Resolvent max", t.Resolvent(S, "max"), sum(np.outer(_V[:, j], _V[:, j]) / (_W[-1] - _W[j]) for j in range(2))),
    ("FrechetKron expm", t.FrechetKron("expm", SMALL), _kronecker_form(lambda e: _expm_frechet_series(S_ / 4, e), 3)),
    ("FrechetKron logm", t.FrechetKron("logm", S), _kronecker_form(lambda e: _logm_frechet_quadrature(S_, e), 3)),
    ("FrechetKron2 expm", t.FrechetKron("expm", SMALL, (t.Transpose(S),)),
     _kronecker_form(lambda e: _expm_frechet2_series(S_ / 4, S_.T, e), 3)),
]


@pytest.mark.parametrize("label, expr, expected", CASES, ids=[c[0] for c in CASES])
def test_node_matches_numpy(label, expr, expected):
    got = evaluate(expr, VALUES, dims={"m": 3, "n": 4})
    if np.ndim(expected) == 0:
        assert isinstance(got, float)
    else:
        assert isinstance(got, np.ndarray) and got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_every_node_class_has_a_rule():
    classes = {c for c in vars(t).values() if isinstance(c, type) and issubclass(c, t.Expr) and c is not t.Expr}
    assert classes <= set(EMIT)
    assert {c[1].__class__ for c in CASES} | {t.Differential} == classes


def test_differential_by_name_and_by_node():
    dA = t.Differential(A)
    e = t.MatMul((t.Transpose(x), dA, y))
    dA_ = RNG.standard_normal((3, 4))
    expected = x_ @ dA_ @ y_
    assert evaluate(e, {"x": x_, "y": y_, "dA": dA_}) == pytest.approx(expected)
    assert evaluate(e, {x: x_, y: y_, dA: dA_}) == pytest.approx(expected)
    with pytest.raises(DomainError, match="no value for dA"):
        evaluate(e, {"x": x_, "y": y_, "A": A_})


def test_kron_factor_is_the_adjoint_of_the_kronecker_product():
    m_, n_, p_, q_ = 2, 3, 4, 5
    Cv = RNG.standard_normal((m_ * p_, n_ * q_))
    Av, Bv = RNG.standard_normal((m_, n_)), RNG.standard_normal((p_, q_))
    dA, dB = RNG.standard_normal((m_, n_)), RNG.standard_normal((p_, q_))
    c_, a_, b_ = t.symbol("C", m_ * p_, n_ * q_), t.symbol("A", m_, n_), t.symbol("B", p_, q_)
    left = evaluate(t.KronFactor(c_, b_, "left"), {"C": Cv, "B": Bv})
    right = evaluate(t.KronFactor(c_, a_, "right"), {"C": Cv, "A": Av})
    assert left.shape == (m_, n_) and right.shape == (p_, q_)
    assert np.sum(Cv * np.kron(dA, Bv)) == pytest.approx(np.sum(left * dA))
    assert np.sum(Cv * np.kron(Av, dB)) == pytest.approx(np.sum(right * dB))


# ---- forms of values and results -----------------------------------------------------------


def test_result_forms():
    assert isinstance(evaluate(t.MatMul((t.Transpose(x), x)), VALUES), float)
    col = evaluate(t.MatMul((A, y)), VALUES)
    assert col.shape == (3,)
    np.testing.assert_allclose(col, A_ @ y_)
    row = evaluate(t.Transpose(x), VALUES)
    assert row.shape == (1, 3)
    assert evaluate(S, VALUES).shape == (3, 3)


def test_vectors_as_columns_rows_and_scalars_as_arrays():
    r = t.symbol("r", 1, "n")
    got = evaluate(t.MatMul((r, t.Transpose(A), x)), {"r": y_, "A": A_, "x": x_.reshape(3, 1)})
    assert got == pytest.approx(y_ @ A_.T @ x_)
    assert evaluate(t.Scale(alpha, x), {"α": np.array([[2.0]]), "x": x_}) == pytest.approx(2 * x_)


def test_result_is_a_copy():
    out = evaluate(A, {"A": A_})
    out[0, 0] = 99.0
    assert A_[0, 0] != 99.0


def test_dimensions_inferred_from_values_and_pinned_by_dims():
    e = t.Add((t.MatMul((A, t.Transpose(B))), t.Identity(m)))
    np.testing.assert_allclose(evaluate(e, {"A": A_, "B": B_}), A_ @ B_.T + np.eye(3))
    k = t.dim("k")
    assert evaluate(t.Trace(t.Identity(k)), {}, dims={"k": 5}) == 5.0
    assert evaluate(t.Number(k * k), dims={"k": 3}) == 9.0
    with pytest.raises(DomainError, match="dimension k"):
        evaluate(t.Trace(t.Identity(k)), {})


def test_symbol_keys_and_subscripted_names():
    w = t.symbol("W_1", "m", "n")
    assert np.allclose(evaluate(w, {"W_1": A_}), A_)
    assert np.allclose(evaluate(w, {w: A_}), A_)


def test_ascii_spellings_of_names():
    pytest.importorskip("matcalc.expr.parse")
    w = t.symbol("W_1", "m", "n")
    assert np.allclose(evaluate(w, {"W1": A_}), A_)
    assert evaluate(alpha, {"alpha": 0.25}) == 0.25


def test_user_callables():
    g0 = t.Apply("g", A)
    g1 = t.Apply("g", A, 1)
    cube = {"g": lambda z: z**3, "g′": lambda z: 3 * z**2}
    np.testing.assert_allclose(evaluate(g0, VALUES, functions=cube), A_**3)
    np.testing.assert_allclose(evaluate(g1, VALUES, functions=cube), 3 * A_**2)
    np.testing.assert_allclose(evaluate(g1, VALUES, functions={("g", 1): np.cos}), np.cos(A_))
    f = {"f": lambda v: float(v @ v), "∇f": lambda v: 2 * v}
    assert evaluate(t.Call("f", x), VALUES, functions=f) == pytest.approx(x_ @ x_)
    np.testing.assert_allclose(evaluate(t.Grad("f", x), VALUES, functions=f), 2 * x_)


def test_builtin_derivative_order():
    np.testing.assert_allclose(evaluate(t.Apply("tanh", A, 1), VALUES), 1 - np.tanh(A_) ** 2)


# ---- sharing -------------------------------------------------------------------------------


def test_shared_subtrees_evaluated_once():
    e = t.Scale(alpha, x)
    for _ in range(80):  # 2⁸⁰ paths, 80 distinct sums
        e = t.Add((e, e))
    got = evaluate(e, VALUES)
    np.testing.assert_allclose(got, 2.0**80 * 0.7 * x_)


def test_deep_chain_needs_no_recursion():
    e = A
    for _ in range(5000):
        e = t.Apply("sin", e)
    expected = A_
    for _ in range(5000):
        expected = np.sin(expected)
    np.testing.assert_allclose(evaluate(e, VALUES), expected)


def test_evaluator_at_moves_one_value_and_reuses_the_program():
    e = t.Add((t.MatMul((t.Inverse(S), A)), B))
    ev = Evaluator([e], VALUES)
    base = ev.matrix(e)
    before = compiled.cache_info().hits
    moved = ev.at("B", np.zeros((3, 4)))
    np.testing.assert_allclose(moved.matrix(e), base - B_)
    assert compiled.cache_info().hits == before + 1
    np.testing.assert_allclose(ev.matrix(e), base)


# ---- errors --------------------------------------------------------------------------------


def test_missing_value():
    with pytest.raises(DomainError, match="no value for B"):
        evaluate(t.Add((A, B)), {"A": A_})


def test_conflicting_shapes_name_symbol_and_shapes():
    with pytest.raises(ShapeError) as err:
        evaluate(t.Add((A, B)), {"A": A_, "B": np.ones((3, 5))})
    assert "B" in str(err.value) and "m×n" in str(err.value) and "3×5" in str(err.value)
    with pytest.raises(ShapeError, match="x is declared m×1"):
        evaluate(t.MatMul((t.Transpose(x), A)), {"A": A_, "x": np.ones(4)})
    with pytest.raises(ShapeError):
        evaluate(t.Add((S, t.Identity(m))), {"S": S_}, dims={"m": 4})
    with pytest.raises(ShapeError, match="2×2"):
        evaluate(t.symbol("Z", 3, 3), {"Z": np.eye(2)})


def test_bad_values():
    with pytest.raises(ShapeError, match="3 axes"):
        evaluate(A, {"A": np.zeros((3, 4, 1))})
    with pytest.raises(DomainError, match="not a real number"):
        evaluate(A, {"A": "abc"})


def test_singular_matrix():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    Z = t.symbol("Z", "k", "k")
    with pytest.raises(DomainError, match="singular"):
        evaluate(t.Inverse(Z), {"Z": singular})
    with pytest.raises(DomainError, match="positive determinant"):
        evaluate(t.LogDet(Z), {"Z": -np.eye(3)})
    with pytest.raises(DomainError):
        evaluate(t.LogDet(Z), {"Z": singular})
    np.testing.assert_allclose(evaluate(t.Adj(Z), {"Z": singular}), [[4.0, -2.0], [-2.0, 1.0]])
    assert evaluate(t.Det(Z), {"Z": singular}) == pytest.approx(0.0)


def test_invalid_values_give_nan_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = evaluate(t.Apply("log", x), {"x": np.array([1.0, -1.0, 0.0])})
        zero_div = evaluate(t.HadamardDiv(x, x), {"x": np.array([1.0, 0.0, 2.0])})
    assert got[0] == 0.0 and np.isnan(got[1]) and got[2] == -np.inf
    assert np.isnan(zero_div[1]) and zero_div[0] == 1.0


def test_errors_are_matcalc_errors():
    for bad in [lambda: evaluate(A, {}), lambda: evaluate(A, {"A": np.ones(2)}, dims={"n": 3})]:
        with pytest.raises(MatcalcError):
            bad()


def test_expr_method_installed():
    import matcalc  # noqa: F401  (wires Expr.evaluate)

    assert A.evaluate({"A": A_}).shape == (3, 4)


def test_stand_in_matches_functions_table():
    assert fn.STAND_IN_ELEMENTWISE == FORMULA_X**3 / 6 + FORMULA_X / 3 + sympy.log(1 + FORMULA_X**2)
    expected = A_ + (2 - 2 * A_**2) / (1 + A_**2) ** 2  # (x³/6 + x/3 + log(1 + x²))″
    np.testing.assert_allclose(evaluate(t.Apply("g", A, 2), VALUES), expected)


def test_formula_with_a_function_numpy_lacks():
    formula = Formula(sympy.asinh(FORMULA_X), "asinh(x)")  # not a formula a user can write
    with pytest.raises(UnsupportedError, match="cannot evaluate the function h: .*asinh"):
        evaluate(t.Apply("h", A, 0, formula), VALUES)


def test_fractional_power_of_negative_is_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(evaluate(t.Power(alpha, half), {"α": -1.0}))


def test_products_with_diag_factors_scale_instead_of_building_the_diagonal():
    s, z = t.symbol("s", "m"), t.symbol("z", "n")
    ds, dz = t.DiagMat(s), t.DiagMat(z)
    s_, z_ = RNG.uniform(0.1, 1.0, 3), RNG.standard_normal(4)
    values = VALUES | {"s": s_, "z": z_}
    dense = {ds: np.diag(s_), dz: np.diag(z_)}
    cases = [
        t.MatMul((t.transpose(A), ds, A)),  # Xᵀdiag(σ ⊙ (1 − σ))X of the logistic Hessian
        t.MatMul((ds, A)),
        t.MatMul((A, dz)),
        t.MatMul((ds, A, dz)),
        t.MatMul((ds, ds, S, S)),
        t.MatMul((S, ds, ds)),
        t.MatMul((ds, ds)),
        t.MatMul((t.transpose(x), ds, x)),
    ]
    for e in cases:
        factors = Evaluator(e.factors, values)
        expected = np.linalg.multi_dot([dense[f] if f in dense else factors.matrix(f) for f in e.factors])
        ev = Evaluator([e], values)
        np.testing.assert_allclose(ev.matrix(e), expected, rtol=1e-12, atol=1e-12)
        if not all(isinstance(f, t.DiagMat) for f in e.factors):  # a product of diagonals is one
            assert "np.diag(" not in compiled(e)[0].source  # the dense diagonal is never built
