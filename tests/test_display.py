"""What every result shows at a prompt: ``repr`` and IPython's plain-text display are the
textbook text (``str``); ``structure()`` is the call that builds the value."""

from __future__ import annotations

import numpy as np
import pytest
from IPython.core.formatters import PlainTextFormatter

import matcalc as mc
from conftest import pytest_assertrepr_compare
from matcalc import expr as t
from matcalc.expr.structure import TextRepr, structure
from matcalc.numeric.check import CheckReport, JacobianCheck
from matcalc.results.derivation import Step
from test_printing import CASES

PLAIN = PlainTextFormatter()


def shows_its_text(x) -> None:
    """repr, IPython's text/plain and str agree, and the structure names the class."""
    assert repr(x) == str(x)
    assert PLAIN(x) == str(x)
    assert x.structure().startswith(type(x).__name__ + "(")


def test_the_gradient_reads_as_a_textbook_writes_it():
    g = mc.grad("‖Ax − b‖²", "x")
    assert repr(g) == "2Aᵀ(Ax − b)"
    assert PLAIN(g) == "2Aᵀ(Ax − b)"
    assert repr([g, mc.grad("aᵀx", "x")]) == "[2Aᵀ(Ax − b), a]"


@pytest.mark.parametrize("e, text, latex", CASES, ids=[c[1] for c in CASES])
def test_every_printed_form_is_the_repr(e, text, latex):
    assert repr(e) == text
    assert PLAIN(e) == text


def _subclasses(cls) -> set:
    return {c for sub in cls.__subclasses__() for c in {sub} | _subclasses(sub)}


def test_no_node_class_shadows_the_text_repr():
    """The dataclass-generated __repr__ of a node would print its fields instead of its text."""
    classes = _subclasses(t.Expr)
    assert len(classes) >= 32
    shadowing = [c.__name__ for c in classes if "__repr__" in vars(c) or "_repr_pretty_" in vars(c)]
    assert not shadowing


def test_structure_is_the_dataclass_dump():
    x = t.Symbol("x", (t.dim("n"), t.ONE))
    a = t.Symbol("A", (t.dim("m"), t.dim("n")))
    e = t.MatMul((a, x))
    assert repr(e) == "Ax"
    assert e.structure() == (
        "MatMul(factors=(Symbol(name='A', dims=(m, n), assumptions=frozenset()), "
        "Symbol(name='x', dims=(n, 1), assumptions=frozenset())))"
    )
    assert t.Trace(t.MatMul((a, t.Transpose(a)))).structure().startswith("Trace(arg=MatMul(factors=(Symbol(name='A'")
    assert t.Number(t.ONE).structure() == "Number(value=1)"
    assert structure((1,)) == "(1,)" and structure({"a": [1, (2, 3)]}) == "{'a': [1, (2, 3)]}"


def test_structure_of_a_deep_tree():
    x = t.Symbol("x", (t.dim("n"), t.ONE))
    e = x
    for _ in range(3000):
        e = t.Transpose(e)
    text = e.structure()
    assert text.count("Transpose(arg=") == 3000 and text.endswith(")" * 3000)


def test_jacobian_and_hessian():
    j = mc.jacobian("AXB", "X")
    shows_its_text(j)
    assert repr(j) == "Bᵀ ⊗ A"
    assert "matrix=Kron(left=Transpose(arg=Symbol(name='B'" in j.structure()
    assert "layout='numerator'" in j.structure() and "sampler" not in j.structure()
    h = mc.hessian("‖Ax − b‖²", "x")
    shows_its_text(h)
    assert repr(h) == "2AᵀA"
    assert "hessian=True" in h.structure()


def test_differential():
    d = mc.differential("aᵀXb", "X")
    shows_its_text(d)
    assert repr(d) == "df = tr(baᵀdX)"
    assert d.structure().startswith("Differential(f=MatMul(")


def test_derivation_and_its_steps():
    d = mc.derive("aᵀXb", "X")
    shows_its_text(d)
    assert repr(d).splitlines()[-1].startswith("7. ∂f/∂X = abᵀ")
    assert "steps=(Step(kind='f', expr=MatMul(" in d.structure()
    step = d.steps[4]
    shows_its_text(step)
    assert repr(step) == "df = tr(baᵀdX)   [cyclic property tr(AB) = tr(BA)]"
    assert isinstance(step, Step) and isinstance(step, TextRepr)


def test_check_reports():
    ok = mc.check("‖X − DR‖²_F", "D")
    shows_its_text(ok)
    assert repr(ok).startswith("✓ agrees with central finite differences at 3 random points")
    assert ok.structure().startswith("CheckReport(ok=True, trials=[")
    wrong = mc.check("‖X − DR‖²_F", "D", expected="2(X − DR)Rᵀ")
    shows_its_text(wrong)
    assert repr(wrong).startswith("✗ differs") and "  D = [[" in repr(wrong)
    assert "point={'D': array(" in wrong.structure()
    unsure = CheckReport(ok=False, inconclusive=True)
    shows_its_text(unsure)
    assert repr(unsure).startswith("? inconclusive")
    jc = mc.jacobian("X⁻¹", "X").check()
    assert isinstance(jc, JacobianCheck)
    shows_its_text(jc)
    assert repr(jc).startswith("✓ agrees")
    failed = JacobianCheck(ok=False, trials=[1.0], expected=np.zeros((1, 1)), actual=np.ones((1, 1)))
    shows_its_text(failed)
    assert repr(failed).splitlines()[1].startswith("  finite differences: [[0.]]")


def test_vjp_and_solve_results():
    v = mc.vjp("AXB", "X")
    s = mc.solve("‖Xw − y‖² + λ‖w‖²", "w")
    for x, text in [(v, "AᵀGBᵀ"), (s, "(XᵀX + λI)⁻¹Xᵀy")]:
        shows_its_text(x)
        assert repr(x) == text


def test_a_failed_comparison_shows_text_and_structure():
    """Two trees that print alike but differ: the assertion message shows both structures."""
    n = t.dim("n")
    left = t.Symbol("x", (n, t.ONE))
    right = t.Symbol("x", (n, t.ONE), frozenset({"positive"}))
    lines = pytest_assertrepr_compare("==", left, right)
    assert lines[0] == "x == x"
    assert "assumptions=frozenset()" in lines[2] and "positive" in lines[3]
    assert pytest_assertrepr_compare("==", 1, 2) is None


def test_error_messages_name_expressions_by_their_text():
    with pytest.raises(mc.ShapeError, match=r"the function must be scalar \(1×1\) to have a gradient, but AX is"):
        mc.grad("AX", "X")
    with pytest.raises(mc.MatcalcError, match="must be the name of a symbol .*, not the expression Ax$"):
        mc.grad("aᵀx", mc.parse("Ax"))
