"""The command line: printed gradients, LaTeX, the check, and exit code 2 on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import matcalc.api
from matcalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
LOSS = "‖X − DR‖²_F"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_module(*argv: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m matcalc …`` in a child process, output captured as bytes (not a terminal)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    environ.pop("PYTHONUTF8", None)
    return subprocess.run(
        [sys.executable, "-m", "matcalc", *argv],
        capture_output=True,
        cwd=ROOT,
        env=environ,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_grad_prints_the_textbook_answer(capsys):
    code, out, err = run(capsys, "grad", LOSS, "--wrt", "D")
    assert (code, out, err) == (0, "2(DR − X)Rᵀ\n", "")


def test_declarations_are_passed_on(capsys):
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--shapes", "X: m×n, D: m×k")
    assert (code, out) == (0, "2(DR − X)Rᵀ\n")
    code, out, _ = run(capsys, "grad", "f(WX)", "--wrt", "W", "--functions", "f: scalar")
    assert (code, out) == (0, "∇f(WX)Xᵀ\n")


def test_latex(capsys):
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--latex")
    assert code == 0
    assert r"\top" in out
    assert "ᵀ" not in out


def test_check_prints_the_report(capsys):
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--check", "--seed", "3")
    assert code == 0
    first, *report = out.splitlines()
    assert first == "2(DR − X)Rᵀ"
    assert "✓" in "\n".join(report)


def test_a_failed_check_exits_1(capsys, monkeypatch):
    class Disagrees:
        def __bool__(self):
            return False

        def __str__(self):
            return "✗ differs"

    monkeypatch.setattr(matcalc.api, "check", lambda *a, **k: Disagrees())
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--check")
    assert code == 1
    assert out.splitlines()[-1] == "✗ differs"


def test_syntax_error_exits_2_with_the_caret(capsys):
    code, out, err = run(capsys, "grad", "X + )", "--wrt", "X")
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    lines = err.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1].index(")") == lines[caret].index("^")
    assert "Traceback" not in err


def test_unknown_variable_exits_2(capsys):
    code, out, err = run(capsys, "grad", LOSS, "--wrt", "Q")
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and "Q" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    for argv in (["grad", LOSS], ["jacobian", "AXB"], ["frobnicate", "AXB", "--wrt", "X"], []):
        with pytest.raises(SystemExit) as raised:
            main(argv)
        assert raised.value.code == 2
    assert "usage: matcalc" in capsys.readouterr().err


def test_python_dash_m_writes_utf8_to_a_pipe():
    result = run_module("grad", LOSS, "--wrt", "D", PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stdout.decode("utf-8") == "2(DR − X)Rᵀ\n"


def test_python_dash_m_reports_errors_without_traceback():
    result = run_module("grad", "X + )", "--wrt", "X")
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert err.startswith("error: ") and "^" in err
    assert "Traceback" not in err


def test_vjp_prints_the_backprop_rule(capsys):
    assert run(capsys, "vjp", "WX", "--wrt", "W") == (0, "GXᵀ\n", "")
    assert run(capsys, "vjp", "WX", "--wrt", "X", "--upstream", "Δ") == (0, "WᵀΔ\n", "")
    code, out, _ = run(capsys, "vjp", "g(Z)", "--wrt", "Z", "--functions", "g: elementwise", "--latex")
    assert (code, out) == (0, "G \\odot g'\\left(Z\\right)\n")


def test_vjp_check(capsys):
    code, out, _ = run(capsys, "vjp", "AXB", "--wrt", "X", "--check")
    assert code == 0
    assert out.startswith("AᵀGBᵀ\n✓")


def test_vjp_bad_upstream_exits_2(capsys):
    code, out, err = run(capsys, "vjp", "WX", "--wrt", "W", "--upstream", "X")
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "already a symbol" in err


def test_solve_prints_the_normal_equation(capsys):
    assert run(capsys, "solve", "‖Xw − y‖²", "--wrt", "w") == (0, "(XᵀX)⁻¹Xᵀy\n", "")
    code, out, _ = run(capsys, "solve", "½xᵀAx − bᵀx", "--wrt", "x", "--domains", "A: symmetric")
    assert (code, out) == (0, "A⁻¹b\n")


def test_solve_unsupported_exits_2(capsys):
    code, out, err = run(capsys, "solve", "‖w‖⁴", "--wrt", "w")
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "not affine in w" in err
    code, _, err = run(capsys, "solve", "‖Xw − y", "--wrt", "w")
    assert code == 2 and "^" in err


def test_jacobian_prints_the_kronecker_form(capsys):
    assert run(capsys, "jacobian", "AXB", "--wrt", "X") == (0, "Bᵀ ⊗ A\n", "")
    assert run(capsys, "jacobian", "AXB", "--wrt", "X", "--layout", "denominator") == (0, "B ⊗ Aᵀ\n", "")
    assert run(capsys, "jacobian", "Xᵀ", "--wrt", "X", "--latex") == (0, "K_{m,n}\n", "")
    code, out, _ = run(capsys, "jacobian", "g(Wx)", "--wrt", "x", "--functions", "g: elementwise")
    assert (code, out) == (0, "diag(g′(Wx))W\n")


def test_hessian_prints_the_symmetric_matrix(capsys):
    assert run(capsys, "hessian", "xᵀAx", "--wrt", "x") == (0, "A + Aᵀ\n", "")
    assert run(capsys, "hessian", "log det X", "--wrt", "X") == (0, "−K_{m,m}(X⁻ᵀ ⊗ X⁻¹)\n", "")
    code, out, _ = run(capsys, "hessian", "xᵀSx", "--wrt", "x", "--shapes", "S: n×n", "--domains", "S: symmetric")
    assert (code, out) == (0, "2S\n")


def test_jacobian_and_hessian_check(capsys):
    code, out, _ = run(capsys, "jacobian", "X⁻¹", "--wrt", "X", "--check", "--seed", "2")
    assert code == 0
    first, report = out.splitlines()
    assert first == "−X⁻ᵀ ⊗ X⁻¹"
    assert report.startswith("✓ agrees with central finite differences at 3 random points")
    code, out, _ = run(capsys, "hessian", "‖Ax − b‖²", "--wrt", "x", "--check")
    assert code == 0
    first, report = out.splitlines()
    assert first == "2AᵀA" and report.startswith("✓")


def test_a_failed_jacobian_check_exits_1(capsys, monkeypatch):
    from matcalc.numeric.check import JacobianCheck
    from matcalc.results.jacobian import Jacobian

    monkeypatch.setattr(Jacobian, "check", lambda self, **k: JacobianCheck(ok=False, trials=[1.0], expected=0, actual=1))
    code, out, _ = run(capsys, "jacobian", "AXB", "--wrt", "X", "--check")
    assert code == 1
    assert out.splitlines()[1].startswith("✗ differs")


def test_jacobian_and_hessian_errors_exit_2(capsys):
    code, out, err = run(capsys, "hessian", "AX", "--wrt", "X")
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "only a scalar function has a Hessian" in err
    code, out, err = run(capsys, "jacobian", "A(X", "--wrt", "X")
    assert (code, out) == (2, "") and "^" in err
    code, out, err = run(capsys, "jacobian", "AXB", "--wrt", "Q")
    assert (code, out) == (2, "") and "Q" in err
    with pytest.raises(SystemExit) as raised:
        main(["jacobian", "AXB", "--wrt", "X", "--layout", "sideways"])
    assert raised.value.code == 2
    capsys.readouterr()


# ---- grad --steps: the derivation, then the result ------------------------------------------


def test_grad_steps_prints_the_numbered_derivation_then_the_result(capsys):
    code, out, err = run(capsys, "grad", "tr(AXB)", "--wrt", "X", "--steps")
    assert (code, err) == (0, "")
    *steps, result = out.splitlines()
    assert result == "AᵀBᵀ"
    assert [line.split(".")[0] for line in steps] == [str(i) for i in range(1, len(steps) + 1)]
    assert steps[0].startswith("1. f = tr(AXB)")
    assert any("[cyclic property tr(AB) = tr(BA)]" in line for line in steps)
    assert steps[-1].startswith(f"{len(steps)}. ∂f/∂X = AᵀBᵀ ")
    assert steps[-1].endswith("[identification: df = tr(GᵀdX) ⇒ ∂f/∂X = G]")


def test_grad_steps_with_latex_and_check(capsys):
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--steps", "--latex", "--check")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == r"\begin{align*}"
    end = lines.index(r"\end{align*}")
    assert all("&=" in row for row in lines[1:end])
    assert lines[end + 1:-1] == [matcalc.api.grad(LOSS, "D").latex()]
    assert lines[-1].startswith("✓")


def test_grad_steps_takes_the_declarations(capsys):
    code, out, _ = run(capsys, "grad", "tr(σ(WX)ᵀMσ(WX))", "--wrt", "X", "--steps", "--domains", "M: symmetric")
    assert code == 0
    lines = out.splitlines()
    assert any(line.split(". ", 1)[1].startswith("Y = σ(Z)") for line in lines[:-1])
    assert lines[-1] == "2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))"
