"""Arguments checked at the door: a wrongly typed argument of a public function raises a
TypeError, a value it cannot take a ValueError — both MatcalcErrors (DomainError) — with a
message naming the argument, before any work is done."""

from __future__ import annotations

import numpy as np
import pytest

import matcalc as mc

J = mc.jacobian("AXB", "X")
E = mc.parse("aᵀXb")

CASES = [
    # (id, call, TypeError or ValueError, the argument named)
    ("parse text", lambda: mc.parse(42), TypeError, "text"),
    ("parse text None", lambda: mc.parse(None), TypeError, "text"),
    ("grad f", lambda: mc.grad(3.5, "X"), TypeError, "f"),
    ("grad f list", lambda: mc.grad(["X"], "X"), TypeError, "f"),
    ("grad wrt int", lambda: mc.grad("tr(X)", 3), TypeError, "wrt"),
    ("grad wrt empty", lambda: mc.grad("tr(X)", "  "), ValueError, "wrt"),
    ("grad wrt no symbol", lambda: mc.grad("tr(X)", "Y"), ValueError, "wrt: Y is not a symbol of the expression"),
    ("grad shapes int", lambda: mc.grad("tr(X)", "X", shapes=42), TypeError, "shapes"),
    ("grad shapes list", lambda: mc.grad("tr(X)", "X", shapes=["X", "m"]), TypeError, "shapes"),
    ("grad domains int", lambda: mc.grad("tr(X)", "X", domains=1), TypeError, "domains"),
    ("grad functions set", lambda: mc.grad("tr(X)", "X", functions={"g"}), TypeError, "functions"),
    ("grad shapes key", lambda: mc.grad("tr(X)", "X", shapes={1: ("m", "m")}), TypeError, "shapes"),
    ("grad unknown keyword", lambda: mc.grad("tr(X)", "X", shape="X: n×n"), TypeError, "grad()"),
    ("grad missing wrt", lambda: mc.grad("tr(X)"), TypeError, "grad()"),
    ("differential wrt", lambda: mc.differential("tr(X)", None), TypeError, "wrt"),
    ("check seed str", lambda: mc.check("tr(X)", "X", seed="s"), TypeError, "seed"),
    ("check seed float", lambda: mc.check("tr(X)", "X", seed=1.5), TypeError, "seed"),
    ("check seed bool", lambda: mc.check("tr(X)", "X", seed=True), TypeError, "seed"),
    ("check seed negative", lambda: mc.check("tr(X)", "X", seed=-1), ValueError, "seed"),
    ("check trials str", lambda: mc.check("tr(X)", "X", trials="3"), TypeError, "trials"),
    ("check trials zero", lambda: mc.check("tr(X)", "X", trials=0), ValueError, "trials"),
    ("check trials huge", lambda: mc.check("tr(X)", "X", trials=10**9), ValueError, "trials"),
    ("check expected int", lambda: mc.check("tr(X)", "X", expected=1), TypeError, "expected"),
    ("check expected array", lambda: mc.check("tr(X)", "X", expected=np.eye(2)), TypeError, "expected"),
    ("vjp upstream int", lambda: mc.vjp("WX", "W", upstream=3), TypeError, "upstream"),
    ("vjp F", lambda: mc.vjp(None, "W"), TypeError, "F"),
    ("solve wrt", lambda: mc.solve("‖Xw − y‖²", ["w"]), TypeError, "wrt"),
    ("jacobian layout", lambda: mc.jacobian("AXB", "X", layout="x"), ValueError, "layout"),
    ("jacobian layout int", lambda: mc.jacobian("AXB", "X", layout=1), TypeError, "layout"),
    ("jacobian as_tensor", lambda: mc.jacobian("AXB", "X", as_tensor="yes"), TypeError, "as_tensor"),
    ("hessian as_tensor", lambda: mc.hessian("xᵀAx", "x", as_tensor=1), TypeError, "as_tensor"),
    ("hessian functions", lambda: mc.hessian("xᵀAx", "x", functions=3), TypeError, "functions"),
    ("derive wrt", lambda: mc.derive("aᵀXb", 1.0), TypeError, "wrt"),
    ("evaluate values list", lambda: E.evaluate([1, 2]), TypeError, "values"),
    ("evaluate values key", lambda: E.evaluate({1: 2.0}), TypeError, "values"),
    ("evaluate dims", lambda: E.evaluate({}, dims={"n": "3"}), TypeError, "dims"),
    ("evaluate dims zero", lambda: E.evaluate({}, dims={"n": 0}), ValueError, "dims"),
    ("evaluate functions", lambda: E.evaluate({}, functions={"g": "x^2"}), TypeError, "functions"),
    ("Jacobian evaluate values", lambda: J.evaluate("X"), TypeError, "values"),
    ("Jacobian check trials", lambda: J.check(trials=0), ValueError, "trials"),
    ("Jacobian check seed", lambda: J.check(seed="0"), TypeError, "seed"),
    ("Jacobian check rtol", lambda: J.check(rtol=-1.0), ValueError, "rtol"),
    ("Jacobian check points", lambda: J.check(points=5), TypeError, "points"),
]


@pytest.mark.parametrize("call, error, name", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_arguments_are_refused_at_the_door(call, error, name):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, mc.MatcalcError)
    assert name in str(info.value)


def test_the_message_says_what_the_argument_must_be():
    with pytest.raises(TypeError, match=r"^seed must be an int, not str$"):
        mc.check("tr(X)", "X", seed="s")
    with pytest.raises(ValueError, match=r"^trials must be between 1 and \d+, not 0$"):
        mc.check("tr(X)", "X", trials=0)
    with pytest.raises(TypeError, match=r"^shapes must be a dict or declaration text"):
        mc.parse("X", shapes=42)


def test_good_arguments_of_every_kind_pass():
    assert mc.check("tr(X)", "X", trials=1, seed=np.int64(4))
    assert mc.jacobian("AXB", "X", layout="denominator", as_tensor=np.bool_(False)).check(trials=1, rtol=1e-5)
    x = mc.parse("x")
    assert str(mc.grad("xᵀx", x.free_symbols and next(iter(x.free_symbols)))) == "2x"
    assert E.evaluate({"a": [1.0, 2.0], "X": np.eye(2), "b": [3.0, 4.0]}, dims={"m": 2}) == 11.0
