"""Random text never escapes as anything but a MatcalcError, and never hangs."""

from hypothesis import given, settings
from hypothesis import strategies as st

import matcalc as mc

ALPHABET = list("ABXYabxyσα0123456789()+-*/.'^_{}|,  ") + [
    "ᵀ", "⁻¹", "²", "⊙", "⊘", "⊗", "‖", "−", "√", "𝟙", "½", "∇", "tr", "det", "log", "exp", "inv",
    "diag", "vec", "sum", "kron", "norm2", "_F", "₂", "^T", ".^", ".*",
]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(ALPHABET), min_size=0, max_size=14).map("".join))
def test_random_text_parses_or_raises_a_matcalc_error(text):
    try:
        e = mc.parse(text)
    except mc.MatcalcError:
        return
    assert isinstance(e, mc.Expr)
    str(e)
    e.latex()


@settings(max_examples=150)
@given(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=10).map("".join))
def test_random_text_has_a_gradient_or_raises_a_matcalc_error(text):
    try:
        e = mc.parse(text)
        symbols = sorted(s.name for s in e.free_symbols)
        if symbols:
            mc.grad(e, symbols[0])
    except mc.MatcalcError:
        return
