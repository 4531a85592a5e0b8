"""Cases the oracle campaign (bench/fuzz.py) found wrong or refused, kept as explicit examples,
each reduced to its smallest form and checked against NumPy written out by hand."""

import re

import numpy as np

import matcalc as mc
from matcalc.numeric.functions import NUMERIC


def test_sigmoid_keeps_its_relative_precision_for_negative_arguments():
    """σ(x) = eˣ/(1 + eˣ) for x < 0: 1 + tanh(x/2) cancels to 0 below x ≈ −37."""
    x = np.array([-745.0, -300.0, -40.0, -20.0, -1.0, 0.0, 1.0, 40.0])
    exact = np.exp(x) / (1 + np.exp(x))
    assert np.allclose(NUMERIC["sigmoid"](x), exact, rtol=1e-15, atol=0)
    assert NUMERIC["sigmoid"](-40.0) > 0


def test_the_derivative_of_log_softplus_stays_near_one_far_left():
    """∂/∂x 𝟙ᵀlog(softplus(x)) = σ(x) ⊘ softplus(x) → 1 as x → −∞ (both factors ≈ eˣ); the
    Jacobian of log(softplus(Y D𝟙)) evaluated a row of zeros where YD𝟙 ≪ 0."""
    x = np.array([-60.0, -35.0, -20.0, 0.5])
    g = mc.grad("sum(log(softplus(x)))", "x").evaluate({"x": x})
    exact = np.exp(x) / (1 + np.exp(x)) / np.log1p(np.exp(x))
    assert np.allclose(g, exact, rtol=1e-12, atol=0)
    J = mc.jacobian("log(softplus(((-Y)*√μ) ⊙ (Y*β (D 𝟙))))", "D", shapes="D: 4×4, Y: 4×4, β: scalar, μ: 4",
                    domains="D: positive, β: positive, μ: positive")
    assert J.check(trials=5)


def test_hessians_through_a_kronecker_product_of_one_by_one_factors():
    """tr(E ⊗ E)²/(λ + β) = E⁴/(λ + β) for a 1×1 E: refused before ⟨C, · ⊗ B⟩ had a Jacobian."""
    H = mc.hessian("tr(kron(E, E))²/(λ + β)", "E", shapes="E: 1×1, β: scalar, λ: scalar",
                   domains="E: positive, β: positive, λ: positive")
    e, lam, beta = 1.3, 0.7, 0.4
    assert np.allclose(H.evaluate({"E": e, "λ": lam, "β": beta}), 12 * e**2 / (lam + beta), rtol=1e-12)


def test_zero_over_anything_is_zero():
    """‖(B − B) ⊘ C‖_F is 0 for every B: its gradient is 0, not 0/‖0‖ (NaN) through 0 ⊘ C."""
    decl = {"shapes": "B: 2×2, C: 2×2", "domains": "C: positive"}
    assert str(mc.grad("‖(B − B) ⊘ C‖_F", "B", **decl)) == "0_{2×2}"
    g = mc.grad("‖(B − B) ⊘ C‖_F + sum(B)", "B", **decl)
    value = g.evaluate({"B": np.ones((2, 2)), "C": np.ones((2, 2))})
    assert np.array_equal(value, np.ones((2, 2)))


def test_scalar_algebra_of_a_power_of_a_sum_with_a_sigmoid_is_bounded():
    """((τ + γ)(λ² + θ) + θ + β + σ(λ))⁻² under a square root: SymPy's simplify of its
    derivative expanded the cube of the sum for minutes; now it is left as it is."""
    decl = {"shapes": {"β": (), "γ": (), "θ": (), "λ": (), "τ": ()},
            "domains": {"β": "positive", "γ": "positive", "θ": "positive", "τ": "positive"}}
    f = "((((τ + γ)*(λ² + θ) + ((θ + β) + sigmoid(λ)))^-1)^2 + γ)^(1/2)"
    assert mc.check(f, "γ", **decl)


def test_scalar_algebra_leaves_alone_what_would_expand_to_thousands_of_terms():
    """All 1×1: SymPy's simplify of (λ + (a + b − c)²(b + d − 2e)²/T⁴)⁻²·… took 8 s of the
    14 s of this gradient (and the Jacobian as long again); the answer is the same without it."""
    f = ("((((1/3) − F ⊙ Y).T·((1/3) − F ⊙ Y) + β*1)^-1)^-T ⊘ "
         "((((E − U) − x₁) ⊙ ((Ω + x₁) − D/½) ⊙ (-(T ⊙ T)^{-T}))^{∘2} + W_2)")
    decl = {"shapes": "D: 1×1, E: 1×1, F: 1×1, T: 1×1, U: 1×1, W_2: 1×1, Y: 1×1, x₁: 1, Ω: 1×1, β: scalar",
            "domains": "T: spd, U: positive, W_2: positive, β: positive"}
    assert mc.check(f, "D", **decl)
    assert mc.jacobian(f, "D", **decl).check()


def test_a_fractional_power_of_a_modulus_stays_a_modulus():
    """|a|^{3/2}·a² is not a^{7/2}sign(a)^{3/2}: |u| = u·sign(u) is read through integer powers
    only, else a negative a turns the value into NaN."""
    for a in (-2.0, -0.3, 0.7):
        g = mc.grad("abs(a)^(3/2)·a·a·b", "b", shapes="a: scalar, b: scalar")
        assert np.isclose(g.evaluate({"a": a, "b": 1.0}), abs(a) ** 1.5 * a * a, rtol=1e-14)


def test_a_product_of_ones_matrices_counts_its_inner_dimension():
    """(X ⊘ X)(X ⊘ X)ᵀ = 𝟙_{k×p}𝟙_{p×k} = p𝟙_{k×k}, not 𝟙_{k×k}: only 𝟙𝟙ᵀ (inner dimension 1) is all ones."""
    decl = {"shapes": "X: k×p, W: m×p, V: p×k", "domains": "X: positive, V: positive"}
    X, W, V = np.full((3, 2), 0.7), np.arange(8.0).reshape(4, 2) / 5, np.full((2, 3), 1.3)
    assert np.allclose(mc.parse("(X ⊘ X)(X ⊘ X)ᵀ", **decl).evaluate({"X": X}), 2 * np.ones((3, 3)))
    g = mc.grad("sum((sin(W) + W)(V ⊘ V))", "W", **decl)
    assert np.allclose(g.evaluate({"W": W, "V": V}), 3 * (np.cos(W) + 1), rtol=1e-14)


def test_a_common_denominator_that_is_the_sum_itself():
    """A ⊙ (B ⊘ (Y ⊙ S)^{∘2}) + Q ⊙ (B ⊘ (Y ⊙ S)^{∘2}) with S = A + Q is B ⊘ (S ⊙ Y^{∘2}): the
    factored sum meets its own power in the denominator."""
    decl = {"shapes": "Y: n×n, A: n×n, Q: n×n, B: n×n", "domains": "Y: positive, A: positive, Q: positive, B: positive"}
    g = mc.grad("sum(B ⊘ (Y ⊙ A + Q ⊙ Y))", "Y", **decl)
    rng = np.random.default_rng(0)
    Y, A, Q, B = (rng.uniform(0.5, 2.0, (3, 3)) for _ in range(4))
    assert np.allclose(g.evaluate({"Y": Y, "A": A, "Q": Q, "B": B}), -B / ((A + Q) * Y**2), rtol=1e-13)


def test_a_variable_the_builders_cancelled_has_a_zero_gradient():
    """(3 − 3)·sum(N) is built as 0, yet N is a symbol of the text: the derivative w.r.t. N is
    the zero of N's shape, not a refusal naming no symbols."""
    assert str(mc.grad("sum(N)*(3 − 3)", "N", shapes="N: 1×3")) == "0_{1×3}"
    assert str(mc.grad("(1.5 − 1.5)*(0.5*κ)", "κ")) == "0"
    J = mc.jacobian("σ((0.5 − ½)*L ⊘ F)", "L", shapes="F: 2×2, L: 2×2", domains="F: positive")
    assert np.array_equal(J.evaluate({"L": np.ones((2, 2)), "F": np.ones((2, 2))}), np.zeros((4, 4)))


def test_equal_constants_are_sized_each_where_it_stands():
    """2tr(B − I − I)I: the last I is not fixed by B, although it equals the I's that are; and a
    name before vec⁻¹ is kept apart (W₁vec⁻¹ would read as W₁·v·e·c⁻¹)."""
    for text, decl in [("tr(B − I − I)^2", "B: p×p"), ("tr(((B − I) − I) − diag(α z))^2", "B: p×p, z: p, α: scalar")]:
        g = mc.grad(text, "B", shapes=decl)
        assert str(g).endswith("I_p") and mc.parse(str(g), shapes=decl) == g
    decl = "W₁: 3×3, L: 2×3, F: 3×2, v: 4, λ: scalar"
    g = mc.grad("tr(W₁ vec⁻¹_{3×3}((Lᵀ ⊗ F)v))/λ", "λ", shapes=decl)
    assert "W₁·vec⁻¹_{3×3}" in str(g) and mc.parse(str(g), shapes=decl) == g


def test_a_user_function_at_a_negative_number():
    """h(−2) with h = √(1 + x²) is √5: the generated code writes (-2) ** 2, not -2 ** 2 = −4."""
    e = mc.parse("h(-2)", functions={"h": "sqrt(1 + x^2)"})
    assert np.isclose(e.evaluate({}), np.sqrt(5.0), rtol=1e-15)
    g = mc.grad("h(-2)·sum(x)", "x", shapes="x: 3", functions={"h": "sqrt(1 + x^2)"})
    assert np.allclose(g.evaluate({"x": np.ones(3)}), np.sqrt(5.0) * np.ones(3), rtol=1e-15)


def test_a_softmax_of_a_row_has_a_hessian_that_evaluates():
    """logsumexp(ρaᵀ) takes a 1×m row row by row: its Jacobian carries I_1 and 𝟙_1, which the
    generated code wrote as np.eye(1), np.ones(1) — a 2-D and a 1-D array for a 1×1 value that
    should be the number 1 — so that I_1·s of an m-vector s became a 1×m array and the Hessian
    aᵀ(…) did not evaluate.  ∂²/∂ρ² logsumexp(ρa) = Σ aᵢ²sᵢ − (Σ aᵢsᵢ)², s = softmax(ρa)."""
    a, rho = np.array([0.7, 1.2, 1.9]), 0.8
    s = np.exp(rho * a) / np.sum(np.exp(rho * a))
    h = mc.hessian("logsumexp(ρaᵀ)", "ρ", shapes="a: m, ρ: scalar")
    assert np.isclose(h.evaluate({"a": a, "ρ": rho}), s @ a**2 - (s @ a) ** 2, rtol=1e-13)
    b = np.array([0.3, -0.2, 0.5])
    h = mc.hessian("softmax(ρaᵀ)b", "ρ", shapes="a: m, b: m, ρ: scalar")
    first = s @ (a * b) - (s @ a) * (s @ b)  # ∂/∂ρ sᵀb = Σ sᵢaᵢbᵢ − (sᵀa)(sᵀb)
    second = s @ (a * a * b) - (s @ (a * a)) * (s @ b) - 2 * (s @ a) * first
    assert np.isclose(h.evaluate({"a": a, "b": b, "ρ": rho}), second, rtol=1e-12)


def test_the_variance_of_a_single_entry():
    """var(α) of a 1×1 argument is 0: its differential 2(α − mean(α))dα/1 was built with the
    Python int 2, which the simplifier read as a SymPy number (an internal AttributeError)."""
    for text, wrt, decl in [("var(α)", "α", "α: scalar"), ("relu(var(wᵀG))", "G", "G: 2×1, w: 2")]:
        g = mc.grad(text, wrt, shapes=decl)
        values = {"α": 0.7, "w": np.array([0.3, -1.2]), "G": np.array([[0.5], [2.0]])}
        assert np.allclose(g.evaluate(values), 0.0, atol=1e-15)
        assert np.allclose(mc.hessian(text, wrt, shapes=decl).evaluate(values), 0.0, atol=1e-15)


def test_the_frechet_derivative_of_expm_in_a_large_direction():
    """∇ tr expm(expm(H)) = L_expm(Hᵀ, expm(expm(H))ᵀ), a direction of norm 10¹⁸: the block
    exp([[A, E], [0, A]]) scaled by 2⁻⁶³ sank A below rounding (49% off); L is linear in E,
    so E is scaled to A's size first.  Checked against the Taylor series of L_exp(A, E) =
    Σₖ Σⱼ AʲEAᵏ⁻¹⁻ʲ/k! on a small A."""
    h = np.array([[0.80, 1.88, 1.79], [1.94, 0.53, 0.78], [1.04, 1.92, 0.67]])
    g = mc.grad("tr(expm(expm(H)))", "H", shapes="H: 3×3").evaluate({"H": h})
    f = mc.parse("tr(expm(expm(H)))", shapes="H: 3×3")
    u, step = np.array([[0.3, -0.5, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.7, 0.5]]), 1e-6
    slope = (f.evaluate({"H": h + step * u}) - f.evaluate({"H": h - step * u})) / (2 * step)
    assert np.isclose(np.sum(g * u), slope, rtol=1e-5)
    a = np.array([[0.1, -0.2], [0.3, 0.05]])
    e = np.array([[2.0, 1.0], [-1.0, 0.5]]) * 1e15
    series, power_terms = np.zeros((2, 2)), [e]  # power_terms[j] = Σ_{i} AⁱEA^{k−1−i} at order k
    for k in range(1, 30):
        series += power_terms[-1] / np.prod(np.arange(1.0, k + 1))
        power_terms.append(a @ power_terms[-1] + e @ np.linalg.matrix_power(a, k))
    value = mc.parse("L_expm(A, E)", shapes="A: 2×2, E: 2×2").evaluate({"A": a, "E": e})
    assert np.allclose(value, series, rtol=1e-12, atol=0)


def test_the_matrix_of_an_eigenvalue_clause_prints_alike_on_both_sides():
    """The Hessian of λ_max(VVᵀ + I) printed `where (VVᵀ + I_2)v = λ_max(VVᵀ + I)v`: the left
    copy was sized within the whole answer, the right one alone, and the two texts differ, so
    the clause did not read back.  Both sides now print the same text."""
    for text, decl in [("λ_max(VVᵀ + I)", "V: 2×4"), ("λ_min(Z ⊙ (VVᵀ + I))", "V: 2×4, Z: 2×2")]:
        h = mc.hessian(text, "V", shapes=decl).matrix
        clause = re.fullmatch(r"\((.+)\)([vw]) = λ_m(?:ax|in)\((.+)\)\2 \(λ_m(?:ax|in) simple\)", str(h).split(" where ")[1])
        assert clause and clause[1] == clause[3]
        assert mc.parse(str(h), shapes=decl) == h


def test_a_factor_clause_does_not_name_a_symbol_of_the_expression():
    """The gradient of tr(VP) − α‖F‖₂ in F does not contain V, but reading it back with the same
    declarations does: the clause F = UΣVᵀ would name V twice, so the factors print by function."""
    shapes = "V: 3×3, P: 3×3, F: 2×2, α: scalar"
    g = mc.grad("tr(VP) − ‖F‖₂α", "F", shapes=shapes)
    text = str(g)
    assert "where" not in text and mc.parse(text, shapes=shapes) == g
    assert "where F = UΣVᵀ" in str(mc.grad("‖F‖₂α", "F", shapes="F: 2×2, α: scalar"))
    f = np.array([[2.0, 1.0], [0.5, -1.0]])
    u, _, vt = np.linalg.svd(f)
    assert np.allclose(g.evaluate({"F": f, "α": 1.5}), -1.5 * np.outer(u[:, 0], vt[0]))
