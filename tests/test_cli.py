"""The command line: printed gradients, LaTeX, the check, and exit code 2 on bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import matcalc.api
from matcalc.cli import main
from matcalc.numeric.check import CheckReport

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
    assert (code, out, err) == (0, "2(DR − X)Rᵀ\nshapes: X: m×n, D: m×p, R: p×n\n", "")


def test_grad_prints_the_inferred_shapes_only_when_some_were_inferred(capsys):
    code, out, _ = run(capsys, "grad", "(x − μ)ᵀΣ⁻¹(x − μ)", "--wrt", "μ")
    assert (code, out) == (0, "(Σ⁻¹ + Σ⁻ᵀ)(μ − x)\nshapes: x: m, μ: m, Σ: m×m\n")
    code, out, _ = run(capsys, "grad", "(x − μ)ᵀΣ⁻¹(x − μ)", "--wrt", "μ", "--shapes", "x: n, μ: n, Σ: n×n")
    assert (code, out) == (0, "(Σ⁻¹ + Σ⁻ᵀ)(μ − x)\n")
    code, out, _ = run(capsys, "grad", "(x − μ)ᵀΣ⁻¹(x − μ)", "--wrt", "μ", "--latex")
    assert "shapes" not in out


def test_declarations_are_passed_on(capsys):
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--shapes", "X: m×n, D: m×k, R: k×n")
    assert (code, out) == (0, "2(DR − X)Rᵀ\n")
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--shapes", "X: m×n, D: m×k")
    assert (code, out) == (0, "2(DR − X)Rᵀ\nshapes: X: m×n, D: m×k, R: k×n\n")
    code, out, _ = run(capsys, "grad", "f(WX)", "--wrt", "W", "--functions", "f: scalar")
    assert (code, out) == (0, "∇f(WX)Xᵀ\nshapes: W: m×n, X: n×p\n")


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
    disagrees = CheckReport(ok=False, trials=[0.5], point={"D": np.zeros((2, 2))}, expected=np.zeros((2, 2)),
                            actual=np.ones((2, 2)), wrt="D")
    monkeypatch.setattr(matcalc.api, "check", lambda *a, **k: disagrees)
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--check")
    assert code == 1
    assert out.splitlines()[1:3] == ["shapes: X: m×n, D: m×p, R: p×n",
                                     "✗ differs from finite differences at a random point (relative error 0.5)"]
    code, out, _ = run(capsys, "grad", LOSS, "--wrt", "D", "--check", "--json")
    assert code == 1
    assert json.loads(out)["check"]["ok"] is False


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
    assert result.stdout.decode("utf-8") == "2(DR − X)Rᵀ\nshapes: X: m×n, D: m×p, R: p×n\n"


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
    *steps, result, shapes = out.splitlines()
    assert result == "AᵀBᵀ"
    assert shapes == "shapes: A: m×n, X: n×p, B: p×m"
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
    assert lines[-1].startswith(r"\checkmark\ \text{agrees with central finite differences")


def test_grad_steps_takes_the_declarations(capsys):
    code, out, _ = run(capsys, "grad", "tr(σ(WX)ᵀMσ(WX))", "--wrt", "X", "--steps", "--domains", "M: symmetric")
    assert code == 0
    lines = out.splitlines()
    assert any(line.split(". ", 1)[1].startswith("Y = σ(Z)") for line in lines[:-1])
    assert lines[-2:] == ["2Wᵀ((Mσ(WX)) ⊙ σ(WX) ⊙ (1 − σ(WX)))", "shapes: W: m×n, X: n×p, M: m×m"]


# ---- every command end to end: python -m matcalc, text, --latex and --json ------------------

VALUES = ["--value", "X=[[1,2],[3,4]]", "--value", "a=[1,2]", "--value", "b=[3,4]"]

# (argv, the printed text, the command's own JSON fields with their values)
COMMAND_CASES = {
    "grad": (["grad", "‖Ax − b‖²", "--wrt", "x"], "2Aᵀ(Ax − b)\nshapes: A: m×n, x: n, b: m",
             {"gradient": "2Aᵀ(Ax − b)", "shapes": "A: m×n, x: n, b: m"}),
    "differential": (["differential", "aᵀXb", "--wrt", "X"], "df = tr(baᵀdX)",
                     {"differential": "df = tr(baᵀdX)", "gradient": "abᵀ"}),
    "jacobian": (["jacobian", "AXB", "--wrt", "X", "--layout", "denominator"], "B ⊗ Aᵀ",
                 {"jacobian": "B ⊗ Aᵀ", "layout": "denominator", "shape": ["np", "mr"]}),
    "hessian": (["hessian", "xᵀAx", "--wrt", "x"], "A + Aᵀ", {"hessian": "A + Aᵀ", "shape": ["m", "m"]}),
    "vjp": (["vjp", "WX", "--wrt", "W", "--upstream", "Δ"], "ΔXᵀ", {"vjp": "ΔXᵀ", "upstream": "Δ"}),
    "solve": (["solve", "‖Xw − y‖² + λ‖w‖²", "--wrt", "w"], "(XᵀX + λI)⁻¹Xᵀy", {"solution": "(XᵀX + λI)⁻¹Xᵀy"}),
    "derive": (["derive", "aᵀXb", "--wrt", "X"], str(matcalc.api.derive("aᵀXb", "X")), {"gradient": "abᵀ"}),
    "check": (["check", LOSS, "--wrt", "D", "--trials", "2", "--seed", "4"],
              str(matcalc.api.check(LOSS, "D", trials=2, seed=4)), {"gradient": "2(DR − X)Rᵀ"}),
    "evaluate": (["evaluate", "aᵀXb", *VALUES], "61.0", {"value": 61.0, "shape": []}),
    "codegen": (["codegen", "aᵀXb", "--wrt", "X"], matcalc.api.codegen("aᵀXb", "X").rstrip("\n"),
                {"code": matcalc.api.codegen("aᵀXb", "X")}),
}


def test_every_command_has_a_case():
    from matcalc.cli import COMMANDS

    assert set(COMMAND_CASES) == set(COMMANDS)


def _out(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stderr == b""
    return result.stdout.decode("utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMAND_CASES)
def test_command_end_to_end(command, capsys):
    """--latex and --json through ``python -m matcalc``; the text (also in the JSON) in process."""
    argv, text, fields = COMMAND_CASES[command]
    assert run(capsys, *argv) == (0, text + "\n", "")
    latex, as_json = (run_module(*argv, *extra) for extra in (["--latex"], ["--json"]))
    latex = _out(latex).rstrip("\n")
    assert latex.isascii() and latex != text
    data = json.loads(_out(as_json))
    assert (data["command"], data["text"], data["latex"]) == (command, text, latex)
    assert data["expr"] == str(matcalc.api.parse(argv[1]))
    assert data.get("wrt") == (argv[3] if argv[2] == "--wrt" else None)
    assert {k: data[k] for k in fields} == fields


def test_json_fields_of_derive_and_check():
    steps = json.loads(_out(run_module("derive", "tr(AXB)", "--wrt", "X", "--json")))["steps"]
    d = matcalc.api.derive("tr(AXB)", "X")
    assert [(s["lhs"], s["expr"], s["rule"]) for s in steps] == [(s.lhs(), str(s.expr), s.rule) for s in d.steps]
    assert all(s["latex"].isascii() and s["rule_latex"].isascii() for s in steps)
    assert steps[4]["rule_latex"] == r"\text{cyclic property }\operatorname{tr}(AB) = \operatorname{tr}(BA)"
    report = json.loads(_out(run_module("check", LOSS, "--wrt", "D", "--json")))["report"]
    assert report["ok"] is True and report["inconclusive"] is False
    assert len(report["errors"]) == 3 and report["max_error"] == max(report["errors"]) < 1e-8
    assert set(report["point"]) == {"D", "R", "X"}
    fd, g = np.array(report["finite_differences"]), np.array(report["computed"])
    assert fd.shape == g.shape == np.array(report["point"]["D"]).shape
    np.testing.assert_allclose(g, fd, rtol=1e-6)


@pytest.mark.slow
def test_check_with_a_wrong_claim_exits_1():
    result = run_module("check", LOSS, "--wrt", "D", "--expected", "2(X − DR)Rᵀ", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout.decode("utf-8"))
    assert data["report"]["ok"] is False and data["gradient"] == "2(X − DR)Rᵀ"
    np.testing.assert_allclose(data["report"]["computed"], -np.array(data["report"]["finite_differences"]),
                               rtol=1e-6)
    result = run_module("check", LOSS, "--wrt", "D", "--expected", "2(X − DR)Rᵀ")
    assert result.returncode == 1
    assert result.stdout.decode("utf-8").startswith("✗ differs from finite differences")


def test_check_counts_its_trials(capsys):
    code, out, _ = run(capsys, "check", "aᵀXb", "--wrt", "X", "--trials", "5")
    assert (code, out) == (0, out)
    assert out.startswith("✓ agrees with central finite differences at 5 random points")
    code, out, _ = run(capsys, "check", "aᵀXb", "--wrt", "X", "--latex")
    assert out.startswith(r"\checkmark\ \text{agrees with central finite differences at 3 random points")
    code, _, err = run(capsys, "check", "aᵀXb", "--wrt", "X", "--expected", "abᵀ + X")
    assert code == 1
    code, _, err = run(capsys, "check", "aᵀXb", "--wrt", "X", "--expected", "a")
    assert code == 2 and "does not have the shape of X" in err


def test_grad_check_json_carries_the_report(capsys):
    code, out, _ = run(capsys, "jacobian", "X⁻¹", "--wrt", "X", "--check", "--json", "--trials", "2")
    data = json.loads(out)
    assert code == 0
    assert data["text"].splitlines() == ["−X⁻ᵀ ⊗ X⁻¹", data["check"]["verdict"]]
    assert data["check"]["ok"] is True and len(data["check"]["errors"]) == 2
    assert data["latex"].splitlines()[1].startswith(r"\checkmark")


def test_an_expression_may_start_with_a_hyphen_minus(capsys):
    assert run(capsys, "grad", "-xᵀAx", "--wrt", "x") == (0, "−(A + Aᵀ)x\nshapes: x: m, A: m×m\n", "")
    assert run(capsys, "evaluate", "-λ", "--value", "λ=-1.5") == (0, "1.5\n", "")


# ---- evaluate: values from files and inline JSON, never executed -----------------------------


def test_evaluate_prints_numpy_text_and_a_latex_matrix(capsys):
    assert run(capsys, "evaluate", "Xb", "--value", "X=[[1,2],[3,4]]", "--value", "b=[1,1]") == (0, "[3. 7.]\n", "")
    code, out, _ = run(capsys, "evaluate", "XᵀX", "--value", "X=[[1,2],[3,4]]", "--latex")
    assert out == "\\begin{bmatrix} 10 & 14 \\\\ 14 & 20 \\end{bmatrix}\n"
    code, out, _ = run(capsys, "evaluate", "XᵀX", "--value", "X=[[1,2],[3,4]]")
    assert out == str(np.array([[10.0, 14.0], [14.0, 20.0]])) + "\n"
    code, out, _ = run(capsys, "evaluate", "λ‖x‖²", "--value", "λ=0.5", "--value", "x=[3,4]", "--json")
    assert json.loads(out)["value"] == 12.5


def test_evaluate_reads_npz_npy_and_json_files(capsys, tmp_path):
    np.savez(tmp_path / "v.npz", X=np.array([[1.0, 2.0], [3.0, 4.0]]), a=np.array([1.0, 2.0]))
    np.save(tmp_path / "b.npy", np.array([3.0, 4.0]))
    (tmp_path / "w.json").write_text('{"X": [[1, 0], [0, 1]], "a": [1, 1], "b": [2, 5]}')
    npz, npy = str(tmp_path / "v.npz"), str(tmp_path / "b.npy")
    assert run(capsys, "evaluate", "aᵀXb", "--values", npz, "--values", f"b={npy}") == (0, "61.0\n", "")
    assert run(capsys, "evaluate", "aᵀXb", "--values", npz, "--value", f"b={npy}") == (0, "61.0\n", "")
    assert run(capsys, "evaluate", "aᵀXb", "--values", str(tmp_path / "w.json")) == (0, "7.0\n", "")
    assert run(capsys, "evaluate", "‖b‖²", "--values", npy) == (0, "25.0\n", "")  # one symbol: the .npy is b
    formula = ["sum(h(X))", "--functions", "h: x**2 + 1", "--values", npz]  # a file may hold more
    assert run(capsys, "evaluate", *formula) == (0, "34.0\n", "")
    code, _, err = run(capsys, "evaluate", "aᵀXc", "--values", npz)
    assert code == 2
    assert err.startswith("error: no value for c (the files give X, a): give --value c=…")


@pytest.mark.parametrize("argv, message", [
    (["Xb", "--value", "X=[[1,2],[3,4]]", "--value", "c=[3,4]"],
     "c is not a symbol of the expression; did you mean b? (its symbols: X, b)"),
    (["Xb", "--value", "X=[[1,2],[3,4]]"], "no value for b"),
    (["Xb", "--value", "X=[[1,2],[3,4]]", "--value", 'b=__import__("os")'], "is not JSON numbers"),
    (["Xb", "--value", "X=[[1,2],[3,4]]", "--value", "b=[1,true]"], "must be a number or a (nested) list of numbers"),
    (["Xb", "--value", "X=[[1,2],[3]]", "--value", "b=[1,2]"], "not a rectangular array"),
    (["Xb", "--value", "X=[[1,2],[3,4]]", "--value", "b=[1,NaN]"], "contains NaN"),
    (["Xb", "--value", "X=[[1,2],[3,4]]", "--value", "b=[1,2,3]"], "b is declared n×1 but its value has shape 3"),
    (["Xb", "--value", "X"], "--value takes NAME=VALUE"),
    (["Xb", "--values", "missing.npz"], "cannot read values from missing.npz"),
    (["Xb", "--values", "values.csv"], "give a .npz, .npy or .json file"),
    (["sum(g(X))", "--functions", "g: elementwise", "--value", "X=[[1]]"],
     'g is declared without a formula, so it has no values: declare it by a formula in x to evaluate, '
     'e.g. --functions "g: tanh(x)"'),
    (["f(x)", "--functions", "f: scalar", "--value", "x=[1]"], "f is an opaque scalar function (f: scalar)"),
])
def test_evaluate_errors_exit_2(capsys, argv, message):
    code, out, err = run(capsys, "evaluate", *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and message in err


def test_evaluate_never_unpickles(capsys, tmp_path):
    np.save(tmp_path / "x.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    code, out, err = run(capsys, "evaluate", "‖x‖²", "--values", str(tmp_path / "x.npy"))
    assert (code, out) == (2, "")
    assert "allow_pickle" in err


# ---- did you mean: commands, options, variables, functions, declarations --------------------


@pytest.mark.slow
def test_a_mistyped_command_or_option_gets_a_suggestion():
    result = run_module("gard", LOSS, "--wrt", "D")
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2 and result.stdout == b""
    assert err.startswith("error: unknown command 'gard'; did you mean grad? (choose from grad, differential,")
    assert "usage: matcalc" in err and "Traceback" not in err
    result = run_module("grad", LOSS, "--wrt", "D", "--shaeps", "X: m×n")
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2
    assert err.startswith("error: unknown option --shaeps; did you mean --shapes")
    assert "usage: matcalc grad" in err


@pytest.mark.parametrize("argv, message", [
    (["grad", "xᵀx", "--wrt", "y"], "error: wrt: y is not a symbol of the expression; did you mean x? (its symbols: x)"),
    (["grad", "‖Ax − b‖²", "--wrt", "X"], "error: wrt: X is not a symbol of the expression; did you mean x?"),
    (["grad", "𝟙ᵀtnah(x)", "--wrt", "x"], "error: unknown function 'tnah'; did you mean tanh?"),
    (["grad", "sum(g(X))", "--wrt", "X", "--functions", "g: elementwse"],
     "error: unknown function kind 'elementwse' for g; did you mean elementwise? (a function is elementwise, "
     "scalar or a formula in x)"),
    (["grad", "tr(M)", "--wrt", "M", "--domains", "M: symetric"],
     "error: unknown domain 'symetric' for M; did you mean symmetric? (the domains: symmetric, spd, invertible, positive, probability, onehot, complex, hermitian, unitary)"),
    (["jacobian", "AXB", "--wrt", "X", "--layout", "denominater"],
     "error: unknown choice 'denominater' for --layout; did you mean denominator?"),
    (["grad", "‖X", "−", "DR‖²_F", "--wrt", "D"], "error: unexpected argument '−': write the expression in quotes"),
])
def test_unknown_names_get_a_suggestion(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(message), err
    assert "Traceback" not in err


@pytest.mark.slow
def test_help_lists_every_command():
    out = _out(run_module("--help"))
    for name in COMMAND_CASES:
        assert re.search(rf"^    {name}\b", out, re.M), name
    out = _out(run_module("evaluate", "--help"))
    assert "--values FILE" in out and "--value NAME=VALUE" in out
