"""Bounded work on any input: an input up to the limits of docs/language.md ("Limits") is
answered, and one past a limit is refused with a MatcalcError that names it — each within a
generous wall-clock bound, never a RecursionError, a MemoryError or a traceback from inside."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import matcalc as mc
from matcalc.language import limits
from matcalc.language.limits import (MAX_DEPTH, MAX_DIGITS, MAX_ENTRIES, MAX_EXPONENT, MAX_LENGTH,
                                     MAX_MATRIX_POWER, MAX_WORK)

ROOT = Path(__file__).resolve().parents[1]

BOUND = 20.0  # CPU seconds (load on the machine does not count); the cases take well under one


def _timed(call):
    start = time.process_time()
    try:
        return call(), time.process_time() - start
    except mc.MatcalcError as error:
        return error, time.process_time() - start


def deep(opening: str, closing: str, n: int, inner: str = "x") -> str:
    return opening * n + inner + closing * n


REFUSED = [
    # (id, call, error class, fragments of the message)
    ("too long", lambda: mc.grad("x + " * 2500 + "x", "x"), mc.ParseError, ["too long", f"{MAX_LENGTH}"]),
    ("deep parentheses", lambda: mc.grad(deep("(", ")", MAX_DEPTH + 1, "xᵀx"), "x"), mc.ParseError,
     ["nested too deeply", f"{MAX_DEPTH}"]),
    ("deep calls", lambda: mc.grad("𝟙ᵀ" + deep("exp(", ")", MAX_DEPTH + 1), "x"), mc.ParseError, ["nested too deeply"]),
    ("deep traces", lambda: mc.grad(deep("tr(", ")", MAX_DEPTH + 1, "X"), "X"), mc.ParseError, ["nested too deeply"]),
    ("deep roots", lambda: mc.grad("√" * (MAX_DEPTH + 1) + "α", "α"), mc.ParseError, ["nested too deeply"]),
    ("deep bars", lambda: mc.grad(deep("|", "|", MAX_DEPTH + 1, "α"), "α"), mc.ParseError, ["nested too deeply"]),
    ("deep norms", lambda: mc.grad(deep("‖", "‖", MAX_DEPTH + 1), "x"), mc.ParseError, ["nested too deeply"]),
    ("deep braces", lambda: mc.grad("α^" + deep("{", "}", MAX_DEPTH + 1, "2"), "α"), mc.ParseError, ["unexpected '{'"]),
    ("deep transposes", lambda: mc.grad("xᵀ" + "ᵀ" * 300 + "x", "x"), mc.ParseError, ["nested too deeply"]),
    ("matrix power", lambda: mc.grad("tr(X^1000000)", "X"), mc.ParseError, ["exponent 1000000 is too large", f"±{MAX_EXPONENT}"]),
    ("matrix power of many terms", lambda: mc.grad(f"tr(X^{MAX_MATRIX_POWER + 1})", "X"), mc.ParseError,
     [f"matrix power {MAX_MATRIX_POWER + 1} is too large", f"±{MAX_MATRIX_POWER}"]),
    ("scalar power", lambda: mc.grad("x^(10^10)", "x", shapes="x: scalar"), mc.ParseError, ["exponent 10000000000 is too large"]),
    ("power of a number", lambda: mc.grad("2^(10^10) α", "α"), mc.ParseError, ["exponent 10000000000 is too large"]),
    ("power in an exponent", lambda: mc.grad("α^((10^10)^(10^10))", "α"), mc.ParseError, ["too large"]),
    ("elementwise power", lambda: mc.grad("sum(A^{∘(10^10)})", "A"), mc.ParseError, ["exponent 10000000000 is too large"]),
    ("superscript power", lambda: mc.grad("tr(X)" + "²" * 50, "X"), mc.ParseError, ["exponent of more than 20 digits"]),
    ("folded powers", lambda: mc.grad("α" + "^2" * 20, "α"), mc.UnsupportedError, ["exponent 1024 is too large"]),
    ("tiny root", lambda: mc.grad("α^(1/10000000)", "α"), mc.ParseError, ["exponent 1/10000000 is too large"]),
    ("long number", lambda: mc.grad("1" * 2000 + "α", "α"), mc.ParseError, [f"more than {MAX_DIGITS} digits"]),
    ("product of numbers", lambda: mc.grad("10^999·10^999 α", "α"), mc.UnsupportedError, [f"more than {MAX_DIGITS} digits"]),
    ("power of a large number", lambda: mc.grad("(10^999)^1000 α", "α"), mc.UnsupportedError, [f"more than {MAX_DIGITS} digits"]),
    ("long product", lambda: mc.grad("tr(" + "X" * 3000 + ")", "X"), mc.UnsupportedError, [f"{MAX_WORK:,} units of work"]),
    ("long product, Hessian", lambda: mc.hessian("tr(" + "X" * 200 + ")", "X"), mc.UnsupportedError, ["units of work"]),
    ("long Hadamard product", lambda: mc.grad("sum(" + " ⊙ ".join(["X"] * 1000) + ")", "X"), mc.UnsupportedError,
     ["units of work"]),
    ("absurd declaration, check", lambda: mc.check("tr(X)", "X", shapes="X: 1000000000×1000000000"),
     mc.UnsupportedError, ["1000000000×1000000000", f"{MAX_ENTRIES:,}"]),
    ("absurd declaration, Jacobian check", lambda: mc.jacobian("XX", "X", shapes="X: 1000000000×1000000000").check(),
     mc.UnsupportedError, [f"{MAX_ENTRIES:,}"]),
    ("absurd declaration, evaluate", lambda: mc.parse("XX", shapes="X: 1000000000×1000000000").evaluate({}),
     mc.UnsupportedError, [f"{MAX_ENTRIES:,}"]),
    ("declaration with superscripts", lambda: mc.check("tr(X)", "X", shapes="X: 10⁹×10⁹"), mc.DomainError,
     ["bad shape '10⁹×10⁹' for X"]),
    ("absurd size, evaluate", lambda: mc.parse("𝟙𝟙ᵀ + X", shapes="X: n×n").evaluate({}, dims={"n": 10**9}),
     mc.UnsupportedError, ["entries", f"{MAX_ENTRIES:,}"]),
    ("absurd product, evaluate", lambda: mc.parse("X ⊗ X ⊗ X").evaluate({"X": np.ones((100, 100))}),
     mc.UnsupportedError, ["X ⊗ X", f"{MAX_ENTRIES:,}"]),
    ("large check", lambda: mc.check("‖X − DR‖²_F", "D", shapes="X: 60×60, D: 60×60, R: 60×60"),
     mc.UnsupportedError, ["units of work"]),
    ("large Jacobian", lambda: mc.jacobian("X", "X", shapes="X: 100×100").evaluate({"X": np.ones((100, 100))}),
     mc.UnsupportedError, [f"{MAX_ENTRIES:,}"]),
    ("long sum, derivation", lambda: mc.derive(" + ".join(f"tr(A{i}XB{i}X)" for i in range(600)), "X"),
     mc.UnsupportedError, ["units of work"]),
    ("long sum, check", lambda: mc.check(" + ".join(f"xᵀA{i}x" for i in range(1000)), "x"), mc.UnsupportedError,
     ["units of work"]),
    ("large Hessian check", lambda: mc.hessian("‖X‖²_F", "X", shapes="X: 30×30").check(), mc.UnsupportedError,
     ["units of work"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("call, error, fragments", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_input_past_a_limit_is_refused_quickly_with_the_limit_named(call, error, fragments):
    result, seconds = _timed(call)
    assert isinstance(result, error), f"{type(result).__name__}: {result}"
    for fragment in fragments:
        assert fragment in str(result), str(result)
    assert seconds < BOUND


ANSWERED = [
    # (id, call): inputs at or under the limits, answered
    ("long sum", lambda: mc.grad(" + ".join(["xᵀx"] * 1000), "x"), "2000x"),
    ("long sum of symbols", lambda: mc.grad(" + ".join(f"α{i}²" for i in range(800)), "α7"), "2α₇"),
    ("deep parentheses", lambda: mc.grad(deep("(", ")", MAX_DEPTH - 1, "xᵀx"), "x"), "2x"),
    ("deep calls", lambda: mc.grad("𝟙ᵀ" + deep("exp(", ")", 100), "x"), None),
    ("deep traces", lambda: mc.grad(deep("tr(", ")", MAX_DEPTH - 1, "X"), "X"), "I_m"),
    ("largest exponent", lambda: mc.grad(f"α^{MAX_EXPONENT}", "α"), f"{MAX_EXPONENT}α⁹⁹⁹"),
    ("largest matrix power", lambda: mc.grad(f"tr(X^{MAX_MATRIX_POWER})", "X"), None),
    ("largest number", lambda: mc.grad("9" * MAX_DIGITS + "α", "α"), "9" * MAX_DIGITS),
]


@pytest.mark.parametrize("call, printed", [c[1:] for c in ANSWERED], ids=[c[0] for c in ANSWERED])
def test_input_within_the_limits_is_answered(call, printed):
    result, seconds = _timed(call)
    assert isinstance(result, mc.Expr), f"{type(result).__name__}: {result}"
    if printed is not None:
        assert str(result) == printed
    assert seconds < BOUND


NESTED = [("‖", "‖", "x", MAX_DEPTH), ("|", "|", "α", MAX_DEPTH), ("(", ")ᵀ", "x", MAX_DEPTH // 2),
          ("exp(", ")", "α", MAX_DEPTH), ("tr(", "ᵀ)", "X", MAX_DEPTH // 2), ("√", "", "α", 30), ("log det(", ")", "X", 30)]


@pytest.mark.parametrize("opening, closing, inner, n", NESTED, ids=[f"{b[0]}{b[1]} {b[3]} deep" for b in NESTED])
def test_deep_nesting_of_every_kind_is_answered_or_refused(opening, closing, inner, n):
    result, seconds = _timed(lambda: mc.grad(deep(opening, closing, n, inner), inner))
    assert isinstance(result, (mc.Expr, mc.MatcalcError)), f"{type(result).__name__}: {result}"
    assert seconds < BOUND


def test_a_refused_call_leaves_the_next_one_its_whole_budget():
    with pytest.raises(mc.UnsupportedError):
        mc.grad("tr(" + "X" * 3000 + ")", "X")
    assert str(mc.grad("tr(XX)", "X")) == "2Xᵀ"


def test_each_call_in_each_thread_has_its_own_budget():
    huge, small = "tr(" + "X" * 3000 + ")", "tr(XX)"
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(mc.grad, text, "X") for text in (huge, small, huge, small)]
    for text, future in zip((huge, small, huge, small), futures):
        if text is huge:
            assert isinstance(future.exception(), mc.UnsupportedError)
        else:
            assert str(future.result()) == "2Xᵀ"


def test_the_limits_are_documented():
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text[text.index("## Limits"):]
    for name in dir(limits):
        if name.startswith("MAX_") or name == "ENTRIES_PER_UNIT":
            value = getattr(limits, name)
            assert f"{value:,}".replace(",", " ") in section, name
