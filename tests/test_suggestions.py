"""A mistyped name gets "did you mean …" with the nearest names of the right vocabulary: the
variable among the expression's symbols, a function among the functions, a domain among the
domains, a function kind among the kinds."""

from __future__ import annotations

import pytest

import matcalc as mc
from matcalc.errors import did_you_mean


def test_did_you_mean_by_edit_distance():
    assert did_you_mean("tnah", ["tanh", "tan", "exp", "sigmoid"]) == "; did you mean tanh?"
    assert did_you_mean("sigmod", ["sigmoid", "sigma", "sign"]) == "; did you mean sigmoid?"
    assert did_you_mean("--shaeps", ["--shapes", "--steps", "--seed"]) == "; did you mean --shapes or --steps?"
    assert did_you_mean("X", ["x", "A"]) == "; did you mean x?"  # another case first
    assert did_you_mean("y", ["A", "x"]) == "; did you mean x?"  # the one lower-case letter
    assert did_you_mean("y", ["A", "b", "x"]) == ""  # two of them: no guess
    assert did_you_mean("zzz", ["grad", "check"]) == "" and did_you_mean("x", []) == ""
    assert did_you_mean("x", ["x"]) == ""


@pytest.mark.parametrize("call, message", [
    (lambda: mc.grad("xᵀx", "y"), "wrt: y is not a symbol of the expression; did you mean x? (its symbols: x)"),
    (lambda: mc.grad("‖Ax − b‖²", "y"), "wrt: y is not a symbol of the expression (its symbols: A, b, x)"),
    (lambda: mc.jacobian("W_1 X", "W_2"), "wrt: W_2 is not a symbol of the expression; did you mean W_1?"),
    (lambda: mc.parse("𝟙ᵀtnah(x)"), "unknown function 'tnah'; did you mean tanh? (line 1, column 3)"),
    (lambda: mc.parse("𝟙ᵀsoftplsu(x)"), "unknown function 'softplsu'; did you mean softplus?"),
    (lambda: mc.parse("lsos(x)", functions="loss: scalar"), "unknown function 'lsos'; did you mean loss?"),
    (lambda: mc.parse("sum(foo(X))"),
     "unknown function 'foo' (declare it, e.g. \"foo: elementwise\" or \"foo: scalar\")"),
    (lambda: mc.parse("sum(g(X))", functions="g: elementwse"),
     "unknown function kind 'elementwse' for g; did you mean elementwise? (a function is elementwise, scalar "
     "or a formula in x)"),
    (lambda: mc.parse("sum(g(X))", functions={"g": "elementwse"}), "unknown function kind 'elementwse' for g"),
    (lambda: mc.parse("f(x)", functions="f: scalr"), "unknown function kind 'scalr' for f; did you mean scalar?"),
    (lambda: mc.parse("tr(M)", domains="M: symetric"),
     "unknown domain 'symetric' for M; did you mean symmetric? (the domains: symmetric, spd, invertible, positive, probability, onehot, "
     "complex, hermitian, unitary)"),
    (lambda: mc.parse("tr(M)", domains={"M": "positve"}), "unknown domain 'positve' for M; did you mean positive?"),
    (lambda: mc.parse("tr(M)", shapes="M: n×n sdp"), "unknown domain 'sdp' for M; did you mean spd?"),
    (lambda: mc.parse("tr(M)", domains="M: round"),
     "unknown word 'round' in the declaration of M: not a domain (symmetric, spd, invertible, positive, probability, "
     "onehot, complex, hermitian, unitary) nor a "
     "function kind (elementwise, scalar)"),
])
def test_messages_name_the_nearest_names(call, message):
    with pytest.raises(mc.MatcalcError) as raised:
        call()
    assert str(raised.value).startswith(message), str(raised.value)
