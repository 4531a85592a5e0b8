"""The formula language of user functions (``functions={"h": "x**3 + sin(x)"}``): read by
matcalc's own grammar into a SymPy expression, evaluated by matcalc's own SymPy → NumPy walk."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import matcalc as mc
from matcalc.errors import DomainError, ParseError, UnsupportedError
from matcalc.language.formula import ALIASES, FUNCTIONS, X, Formula, parse_formula
from matcalc.language.limits import MAX_EXPONENT, MAX_FORMULA_DEPTH, MAX_FORMULA_LENGTH
from matcalc.language.vocabulary import ELEMENTWISE
from matcalc.numeric.functions import HEADS, NUMERIC, evaluate_formula

RNG = np.random.default_rng(11)


def read(text: str) -> sympy.Expr:
    return parse_formula("h", text).expr


# ---- reading ----------------------------------------------------------------------------------

SAME = [
    # (ASCII, Unicode or another spelling): the same formula
    ("x**3 + sin(x)", "x³ + sin(x)"),
    ("x^3", "x**3"),
    ("x^-1", "x⁻¹"),
    ("-x", "−x"),
    ("2*x", "2·x"),
    ("2*x", "2⋅x"),
    ("2*x", "2 × x"),
    ("2*x", "2x"),
    ("x/2", "x ÷ 2"),
    ("x/2", "½x"),
    ("x/2", "0.5x"),
    ("x/1000", "1e-3 * x"),
    ("x/1000", "1E−3x"),
    ("sqrt(x)", "√x"),
    ("sqrt(x + 1)", "√(x + 1)"),
    ("sqrt(x)", "x^0.5"),
    ("sigmoid(x)", "σ(x)"),
    ("sigmoid(x)", "sigma(x)"),
    ("sigmoid(x)", "1/(1 + exp(-x))"),
    ("softplus(x)", "log(1 + exp(x))"),
    ("log(x)", "ln(x)"),
    ("exp(x)", "e^x"),
    ("step(x)", "Heaviside(x)"),
    ("x*(x + 1)", "x(x + 1)"),
    ("(x + 1)*(x - 1)", "(x + 1)(x − 1)"),
    ("3*sin(x)", "3sin(x)"),
    ("-(x^2)", "-x^2"),
    ("x^(2^3)", "x^2^3"),
    ("pi*x", "π x"),
    ("x", "((x))"),
    ("2*x^2", " 2x²\t"),
]


@pytest.mark.parametrize("a, b", SAME, ids=[f"{a} = {b}" for a, b in SAME])
def test_ascii_and_unicode_forms_read_the_same(a, b):
    assert read(a) == read(b)


def test_numbers_are_exact():
    assert read("0.1x") == sympy.Rational(1, 10) * X
    assert read("x + 1/3") == X + sympy.Rational(1, 3)
    assert read("2.5e2 x") == 250 * X
    assert read("⅔x") == sympy.Rational(2, 3) * X
    assert read("x^(1/2)") == sympy.sqrt(X)
    assert read("x^1.5") == X ** sympy.Rational(3, 2)


def test_formula_is_built_from_sympy_constructors():
    e = read("x**3 + sin(x)")
    assert e == sympy.Add(sympy.Pow(X, sympy.Integer(3)), sympy.sin(X))
    assert e.free_symbols == {X} and X.is_real


def test_formulas_compare_by_their_expression():
    assert parse_formula("h", "x^2") == parse_formula("g", "x**2")
    assert str(parse_formula("h", " x^2 ")) == "x^2"
    assert parse_formula("h", "x^2") != parse_formula("h", "x^3")


def test_every_elementwise_function_of_the_language_is_in_the_table():
    assert set(ELEMENTWISE) <= set(FUNCTIONS)
    assert all(target in FUNCTIONS for target in ALIASES.values())


# ---- every function: NumPy evaluation, SymPy derivatives against finite differences ---------

POINTS = np.concatenate([RNG.uniform(0.2, 2.0, 6), -RNG.uniform(0.2, 2.0, 6)])


def _domain(name: str) -> np.ndarray:
    return np.abs(POINTS) if name in ("log", "sqrt", "log1p") else POINTS


@pytest.mark.parametrize("name", list(FUNCTIONS) + list(ALIASES))
def test_each_function_evaluates_as_the_engine_does(name):
    canonical = ALIASES.get(name, name)
    x = _domain(canonical)
    np.testing.assert_allclose(evaluate_formula(read(f"{name}(x)"), x), NUMERIC[canonical](x), rtol=1e-13)


FORMULAS = [f"{name}(x)" for name in FUNCTIONS] + [
    "x**3 + sin(x)", "x^4/12 - 2x", "exp(-x^2/2)", "log(1 + x^2)", "tanh(2x + 1)·x", "σ(x)(1 − σ(x))",
    "softplus(3x) - relu(x)", "x·abs(x)", "√(1 + x²)", "1/(1 + x²)", "cos(x)^2 + sin(2x)", "e^(x/3)",
    "tan(x/4)", "x^(3/2) + x^(-1/2)", "π·sin(πx/4)",
]


def _central(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("text", FORMULAS)
@pytest.mark.parametrize("order", [1, 2])
def test_sympy_derivatives_agree_with_finite_differences(text, order):
    expr = read(text)
    x = POINTS if not any(w in text for w in ("log(x)", "log1p", "sqrt", "√x", "x^(")) else np.abs(POINTS)
    lower = sympy.diff(expr, X, order - 1)
    derivative = evaluate_formula(sympy.diff(expr, X, order), x)
    differences = _central(lambda a: evaluate_formula(lower, a), x)
    np.testing.assert_allclose(derivative, differences, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("text", ["x**3 + sin(x)", "exp(-x^2/2)", "σ(x)(1 − σ(x))", "x·abs(x)", "log(1 + x^2)"])
def test_gradient_through_a_formula_checks_numerically(text):
    report = mc.check("‖h(XW) − Y‖²_F", "W", functions={"h": text})
    assert report, str(report)
    assert mc.hessian("sum(h(Xw))", "w", functions={"h": text}).check()


def test_the_evaluator_refuses_a_head_it_lacks():
    assert sympy.asinh not in HEADS
    with pytest.raises(UnsupportedError, match="asinh"):
        evaluate_formula(sympy.asinh(X), POINTS)


def test_the_evaluator_keeps_the_shape_of_a_constant_derivative():
    assert evaluate_formula(sympy.diff(read("3x"), X), np.ones((2, 3))).shape == (2, 3)


# ---- errors: ParseError with the position, naming the declaration ---------------------------

ERRORS = [
    # (formula, fragments of the message, column)
    ("x +* 2", ["unexpected '*'"], 4),
    ("x +", ["unexpected end of the formula"], 4),
    ("y + 1", ["may use only x", "'y'"], 1),
    ("x + foo(x)", ["unknown function 'foo'"], 5),
    ("exp + x", ["exp is a function: write exp(x)"], 1),
    ("x2", ["a number after a factor needs an operator"], 2),
    ("sin(x) 3", ["a number after a factor needs an operator"], 8),
    ("exp(x, 1)", ["unexpected character ','"], 6),
    ("x @ 2", ["unexpected character '@'"], 3),
    ("x_1", ["unexpected character '_'"], 2),
    ("|x|", ["unexpected character '|'"], 1),
    ("x/0", ["division by zero"], 1),
    ("0^-1 + x", ["division by zero"], 1),
    ("x^(10^10)", ["exponent 10000000000 is too large", f"±{MAX_EXPONENT}"], 1),
    ("2^(10^10) x", ["exponent 10000000000 is too large"], 1),
    ("x^1000 * x^1000", ["exponent 2000 is too large"], 1),
    ("x^(1/1001)", ["exponent 1/1001 is too large"], 1),
    ("1e100000 x", ["more than 1000 digits"], 1),
    ("10^999 · 10^9 · x", ["more than 1000 digits"], 1),
    ("9" * 500 + "^3 · x", ["more than 1000 digits"], 1),
    ("(" * (MAX_FORMULA_DEPTH + 1) + "x" + ")" * (MAX_FORMULA_DEPTH + 1), ["nested too deeply"], MAX_FORMULA_DEPTH + 1),
    ("exp(" * (MAX_FORMULA_DEPTH + 1) + "x" + ")" * (MAX_FORMULA_DEPTH + 1), ["nested too deeply"], 4 * (MAX_FORMULA_DEPTH + 1)),
    ("√" * (MAX_FORMULA_DEPTH + 1) + "x", ["nested too deeply"], MAX_FORMULA_DEPTH + 1),
    ("x+" * MAX_FORMULA_LENGTH + "x", ["too long", str(MAX_FORMULA_LENGTH)], 1),
    ("", ["the formula is empty"], None),
]


@pytest.mark.parametrize("text, fragments, column", ERRORS, ids=[e[0][:30] for e in ERRORS])
def test_bad_formulas_raise_parse_errors_with_the_position(text, fragments, column):
    with pytest.raises(ParseError) as info:
        parse_formula("h", text)
    message = str(info.value)
    assert message.startswith(f"the formula of h, {text!r}, is not a formula in x: ")
    for fragment in fragments:
        assert fragment in message
    if column is not None:
        assert info.value.column == column
        lines = message.splitlines()
        assert lines[-1].index("^") - 2 == column - 1 and lines[-2] == "  " + text


@pytest.mark.parametrize("text, fragment", [("2.5", "does not use x"), ("3 + π", "does not use x"),
                                             ("log(0*x)", "undefined")])
def test_formulas_that_are_not_functions_of_x_are_domain_errors(text, fragment):
    with pytest.raises(DomainError, match=fragment):
        parse_formula("h", text)


@pytest.mark.parametrize("where", ["functions", "shapes", "domains"])
def test_a_text_declaration_that_is_nothing_names_the_declaration(where):
    with pytest.raises(ParseError) as info:
        mc.parse("h(X)", **{where: "X: m×n, h: x +* 2"})
    message = str(info.value)
    assert message.startswith("the declaration 'h: x +* 2' is neither a shape, a domain nor a formula in x: unexpected '*'")
    assert info.value.column == 4


def test_a_dict_declaration_names_the_function():
    with pytest.raises(ParseError, match=r"^the formula of h, 'x \+\* 2', is not a formula in x"):
        mc.grad("sum(h(X))", "X", functions={"h": "x +* 2"})


def test_formula_identity_and_constant_derivatives():
    assert str(mc.grad("sum(h(X))", "X", functions={"h": "x^2/2"})) == "X"
    e = mc.parse("h(X)", functions={"h": "3x + 1"})
    assert e.formula == parse_formula("h", "3x + 1") and isinstance(e.formula, Formula)
