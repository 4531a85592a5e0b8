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
    for argv in (["grad", LOSS], ["jacobian", "AXB", "--wrt", "X"], []):
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
