"""Bad input: every failure is a MatcalcError subclass with a message that says what is wrong."""

from __future__ import annotations

import pytest

from matcalc.errors import DomainError, MatcalcError, ParseError, ShapeError, UnsupportedError
from matcalc.expr.parse import parse, parse_declarations

XMN = {"X": ("m", "n")}

CASES = [
    # (id, text, keyword arguments of parse, error class, fragments of the message)
    # -- syntax, with the position of the offending character --
    ("empty", "", {}, ParseError, ["empty expression"]),
    ("blank", "  \n\t ", {}, ParseError, ["empty expression"]),
    ("trailing plus", "A +", {}, ParseError, ["unexpected end of input", "column 4"]),
    ("trailing minus", "A + B −", {}, ParseError, ["unexpected end of input", "column 8"]),
    ("trailing hadamard", "xᵀ ⊙", {}, ParseError, ["unexpected end of input"]),
    ("two operators", "A + * B", {}, ParseError, ["unexpected '*'", "column 5"]),
    ("double star", "A ** B", {}, ParseError, ["unexpected '*'", "column 4"]),
    ("comma outside a call", "A, B", {}, ParseError, ["unexpected ','", "column 2"]),
    ("empty call", "exp()", {}, ParseError, ["unexpected ')'", "column 5"]),
    ("prefix word alone", "tr", {}, ParseError, ["unexpected end of input"]),
    ("caret without exponent", "A^", {}, ParseError, ["unexpected end of input"]),
    ("two dots", "2..3", {}, ParseError, ["unexpected character '.'", "column 2"]),
    ("unknown character", "A @ B", {}, ParseError, ["unexpected character '@'", "column 3"]),
    ("unknown operator symbol", "X ∑ Y", {}, ParseError, ["unexpected character '∑'", "column 3"]),
    ("garbage unicode", "日本語", {}, ParseError, ["unexpected character '日'", "column 1"]),
    ("control character", "A\x07B", {}, ParseError, ["unexpected character", "column 2"]),
    ("emoji", "A + 🙂", {}, ParseError, ["unexpected character '🙂'", "column 5"]),
    ("dangling underscore", "x_", {}, ParseError, ["unexpected character '_'", "column 2"]),
    ("bad norm subscript", "‖x‖_3", {}, ParseError, ["unexpected subscript '_3'", "a norm takes _F, _1, _2, _* or _∞", "column 4"]),
    ("second line", "AB +\n  * C", {}, ParseError, ["line 2", "column 3"]),
    # -- brackets and bars --
    ("unclosed parenthesis", "(A + B", {}, ParseError, ["unbalanced '('", "column 1"]),
    ("extra closing parenthesis", "A + B)", {}, ParseError, ["unbalanced ')'", "column 6"]),
    ("inner unclosed parenthesis", "((A)", {}, ParseError, ["unbalanced '('", "column 1"]),
    ("unclosed norm", "‖x + y", {}, ParseError, ["unbalanced '‖'", "column 1"]),
    ("norm bar at the end", "x‖", {}, ParseError, ["unbalanced '‖'", "column 2"]),
    ("unclosed abs", "|α + 1", {}, ParseError, ["unbalanced '|'", "column 1"]),
    ("crossed bars", "‖x| + 1‖", {}, ParseError, ["unbalanced '|'", "column 3"]),
    ("bar closed by a parenthesis", "(|α)", {}, ParseError, ["unbalanced '|'", "column 2"]),
    # -- names and functions --
    ("unknown function", "foo(x)", {}, ParseError, ["unknown function 'foo'", "column 1"]),
    ("unknown function inside", "aᵀ argmax(x)", {}, ParseError, ["unknown function 'argmax'", "column 4"]),
    ("kron with one argument", "kron(A)", {}, ParseError, ["kron takes 2 arguments, got 1", "column 1"]),
    ("trace with two arguments", "tr(A, B)", {}, ParseError, ["tr takes 1 argument, got 2"]),
    ("exp with two arguments", "x + exp(x, y)", {}, ParseError, ["exp takes 1 argument, got 2", "column 5"]),
    ("symbol called with two arguments", "A(x, y)", {}, ParseError, ["A is not a function"]),
    ("function without parentheses", "exp x", {}, ParseError, ["exp is a function", "exp(…)"]),
    ("gradient of an undeclared function", "∇f(X)", {}, ParseError, ["f declared as a scalar function", "column 2"]),
    ("derivative of an undeclared function", "g′(X)", {}, ParseError, ["g is not declared elementwise"]),
    ("derivative of a scalar function", "f′(X)", {"functions": {"f": "scalar"}}, ParseError, ["scalar function", "∇f"]),
    ("declared function used as a symbol", "f + 1", {"functions": {"f": "scalar"}}, ParseError, ["declared as a function"]),
    # -- exponents --
    ("symbolic exponent", "x^n", {}, ParseError, ["exponent must be a number", "column 3"]),
    ("matrix exponent", "A^(B)", {}, ParseError, ["exponent must be a number"]),
    ("lower-case t exponent", "A^t", {}, ParseError, ["^T"]),
    ("elementwise division in an exponent", "A^{⊘2}", {}, ParseError, ["unexpected '⊘'"]),
    ("fractional matrix power", "A^2.5", {}, ShapeError, ["integer exponent", ".^(5/2)"]),
    ("power of a vector", "x^2", {}, ShapeError, ["non-square", "x.^2"]),
    ("power of a non-square matrix", "X²", {"shapes": XMN}, ShapeError, ["non-square", "X (m×n)", "X.^2"]),
    # -- limits --
    ("nested too deep", "(" * 201 + "x" + ")" * 201, {}, ParseError, ["nested too deeply"]),
    ("deep roots", "√" * 300 + "x", {}, ParseError, ["nested too deeply"]),
    ("deep calls", "exp(" * 250 + "x" + ")" * 250, {}, ParseError, ["nested too deeply"]),
    ("too long", "x + " * 2600 + "x", {}, ParseError, ["too long", "10000"]),
    ("not text", 42, {}, ParseError, ["must be text"]),
    # -- shapes --
    ("vector times matrix", "xX", {}, ShapeError, ["cannot multiply x (m×1) by X (n×k)", "inner dimensions 1 and n differ"]),
    ("declared inner dimensions", "Xa", {"shapes": {"X": ("m", "n"), "a": ("k",)}}, ShapeError,
     ["cannot multiply X (m×n) by a (k×1)", "inner dimensions n and k differ"]),
    ("integer dimensions", "X + Y", {"shapes": "X: 3×4, Y: 4×3"}, ShapeError, ["cannot add X (3×4) and Y (4×3)"]),
    ("det of non-square", "det(X)", {"shapes": XMN}, ShapeError, ["det of a non-square matrix", "X (m×n)"]),
    ("trace of non-square", "tr(X)", {"shapes": XMN}, ShapeError, ["trace of a non-square matrix"]),
    ("prefix trace of non-square", "tr X", {"shapes": XMN}, ShapeError, ["trace of a non-square matrix"]),
    ("inverse of non-square", "inv(X)", {"shapes": XMN}, ShapeError, ["inverse of a non-square matrix"]),
    ("inverse power of non-square", "X⁻¹", {"shapes": XMN}, ShapeError, ["inverse of a non-square matrix"]),
    ("log det of a vector", "log det(x)", {}, ShapeError, ["log det of a non-square matrix", "x (m×1)"]),
    ("diag of non-square", "diag(X)", {"shapes": XMN}, ShapeError, ["diag of a non-square matrix"]),
    ("bars of non-square", "|X|", {"shapes": XMN}, ShapeError, ["non-square non-scalar", "X (m×n)"]),
    ("bars of a vector", "|x|", {}, ShapeError, ["non-square non-scalar", "‖x‖"]),
    ("row plus column", "x + yᵀ", {}, ShapeError, ["cannot add x (m×1) and yᵀ (1×n)", "only one side may be broadcast"]),
    ("transposed sum", "X + Xᵀ", {"shapes": XMN}, ShapeError, ["cannot add X (m×n) and Xᵀ (n×m)"]),
    ("hadamard of different shapes", "X ⊙ Y", {"shapes": {"X": ("m", "n"), "Y": ("n", "n")}}, ShapeError,
     ["elementwise product", "X (m×n)", "Y (n×n)"]),
    ("divide by a matrix", "A/B", {}, ShapeError, ["cannot divide A (m×n) by B (k×p)", "divisor must be a scalar"]),
    ("composite dimensions", "vec(A) + vec(B)", {}, ShapeError, ["m·n and k·p cannot be matched", "declare"]),
    ("vec against its matrix", "vec(X) + X", {}, ShapeError, ["cannot be matched"]),
    # -- unsupported --
    ("eigenvalue of non-square", "λ_max(X)", {"shapes": XMN}, ShapeError, ["an eigenvalue of a non-square", "X (m×n)"]),
    ("matrix function of non-square", "expm(X)", {"shapes": XMN}, ShapeError, ["matrix function of a non-square"]),
    ("Fréchet direction", "L_expm(A, X)", {"shapes": {"A": ("n", "n"), "X": ("m", "n")}}, ShapeError,
     ["the direction X (m×n)", "A (n×n)"]),
    ("matrix 1-norm", "‖A‖_1", {}, UnsupportedError, ["1-norm"]),
    # -- declarations --
    ("division by zero", "x/0", {}, DomainError, ["division by zero"]),
    ("unknown domain", "M", {"domains": {"M": "symetric"}}, DomainError, ["unknown domain 'symetric'"]),
    ("unknown domain in text", "M", {"shapes": "M: n×n symetric"}, DomainError, ["unknown domain 'symetric'"]),
    ("unknown domain word alone", "Σ", {"shapes": "Σ: spdd"}, DomainError, ["unknown domain 'spdd'"]),
    ("zero dimension", "X", {"shapes": {"X": ("m", 0)}}, DomainError, ["bad dimension 0"]),
    ("zero dimension in text", "X", {"shapes": "X: m×0"}, DomainError, ["bad dimension 0"]),
    ("bool dimension", "X", {"shapes": {"X": (True, 2)}}, DomainError, ["bad dimension True"]),
    ("three dimensions", "X", {"shapes": {"X": ("m", "n", "k")}}, DomainError, ["at most two dimensions"]),
    ("three dimensions in text", "X", {"shapes": "X: m×n×k"}, DomainError, ["at most two dimensions"]),
    ("three dimensions with x", "X", {"shapes": "X: m x n x k"}, DomainError, ["at most two dimensions"]),
    ("shape that is not a tuple", "X", {"shapes": {"X": 3.5}}, DomainError, ["bad shape"]),
    ("bad dimension name", "X", {"shapes": {"X": ("m", "n-1")}}, DomainError, ["bad dimension 'n-1'"]),
    ("declaration without colon", "X", {"shapes": "X m×n"}, DomainError, ["cannot read the declaration"]),
    ("bad name", "X", {"shapes": {"2X": ("m",)}}, DomainError, ["bad name '2X'"]),
    ("formula in another variable", "h(x)", {"functions": {"h": "y + 1"}}, ParseError,
     ["the formula of h, 'y + 1', is not a formula in x", "may use only x", "'y'", "column 1"]),
    ("formula that does not parse", "h(x)", {"functions": {"h": "x +"}}, ParseError,
     ["the formula of h, 'x +', is not a formula in x", "unexpected end of the formula", "column 4"]),
    ("formula that is a number", "h(x)", {"shapes": "h: 2.5"}, DomainError,
     ["the declaration 'h: 2.5' is neither a shape, a domain nor a formula in x", "does not use x"]),
    ("declaration that is nothing", "X", {"shapes": "X: 3 by 4"}, ParseError,
     ["the declaration 'X: 3 by 4' is neither a shape, a domain nor a formula in x", "column 3"]),
    ("function kind that is not text", "h(x)", {"functions": {"h": 3}}, DomainError, ["bad function declaration"]),
    ("symbol and function", "f(x)", {"shapes": {"f": ("n",)}, "functions": {"f": "scalar"}}, DomainError,
     ["both as a symbol and as a function"]),
    ("symmetric vector", "a", {"shapes": {"a": ("n",)}, "domains": {"a": "symmetric"}}, DomainError, ["not square"]),
    ("spd non-square matrix", "X", {"shapes": "X: m×n spd"}, DomainError, ["not square"]),
    ("shapes of the wrong type", "X", {"shapes": ["X", "m"]}, DomainError, ["must be a dict or declaration text"]),
]


@pytest.mark.parametrize("text, kwargs, error, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_the_right_error(text, kwargs, error, fragments):
    with pytest.raises(MatcalcError) as info:
        parse(text, **kwargs)
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    for fragment in fragments:
        assert fragment in str(info.value)


def test_there_are_many_bad_inputs():
    assert len(CASES) >= 45


def test_parse_error_shows_a_caret_under_the_offending_character():
    with pytest.raises(ParseError) as info:
        parse("A + B @ C")
    lines = str(info.value).splitlines()
    assert lines[-2].strip() == "A + B @ C"
    assert lines[-1].index("^") == lines[-2].index("@")
    assert (info.value.line, info.value.column) == (1, 7)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("X: m×n, Y", "cannot read the declaration"),
        ("M: n×n symetric", "unknown domain"),
        ("h: y**2", "may use only x"),
        ("X: 0×n", "bad dimension 0"),
    ],
)
def test_bad_text_declarations(text, fragment):
    with pytest.raises((DomainError, ParseError), match=fragment):
        parse_declarations(text)
