"""The same answer every time: byte-identical results across processes with different
PYTHONHASHSEED and across threads differentiating at once.

``answers()`` renders a fixed list of varied problems — gradients, differentials, Jacobians,
Hessians, derivations, vjp and solve — as Unicode and LaTeX.  Run as a script, this module
prints them (the subprocesses of the test do so).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import matcalc as mc

pytestmark = pytest.mark.slow  # subprocesses and threads: the CI tier

G = {"functions": {"g": "elementwise"}}
F = {"functions": {"f": "scalar"}}

PROBLEMS = [
    ("grad", "‖X − DR‖²_F", "D", {}),
    ("grad", "tr(AXBXᵀC)", "X", {}),
    ("grad", "aᵀexp(Xb)", "X", {}),
    ("grad", "tr(σ(WX)ᵀMσ(WX))", "W", {"domains": {"M": "symmetric"}}),
    ("grad", "log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "Σ", {"shapes": "x: n, μ: n, Σ: n×n", "domains": "Σ: spd"}),
    ("grad", "(xᵀAx)/(xᵀx)", "x", {}),
    ("grad", "tr(X ⊗ X)", "X", {"shapes": {"X": ("n", "n")}}),
    ("grad", "sum((AX) ⊙ (XB) ⊘ exp(C))", "X", {"shapes": {"X": ("n", "n")}}),
    ("grad", "‖g(XW) − Y‖²_F", "W", G),
    ("grad", "tr(adj(X))", "X", {}),
    ("grad", "det(XᵀAX)", "X", {"shapes": {"X": (5, 3)}}),
    ("grad", "f(WX) + ‖x‖₁ + sum(log(𝟙 + exp(Xb)))", "X", F),
    ("differential", "tr((XᵀCX)⁻¹(XᵀBX))", "X", {"domains": {"B": "symmetric", "C": "symmetric"}}),
    ("jacobian", "AXB", "X", {}),
    ("jacobian", "X⁻¹", "X", {}),
    ("jacobian", "XᵀX", "X", {}),
    ("jacobian", "σ(WX) ⊙ tanh(WX)", "W", {}),
    ("jacobian", "A ⊗ X", "X", {}),
    ("jacobian", "diag(x)Ax + exp(x)", "x", {}),
    ("hessian", "xᵀAx", "x", {}),
    ("hessian", "log det X", "X", {}),
    ("hessian", "𝟙ᵀsoftplus(Xw) − yᵀXw", "w", {}),
    ("hessian", "tr(AXBXᵀ)", "X", {}),
    ("hessian", "det(X)", "X", {}),
    ("hessian", "tr(exp(X ⊗ B))", "X", {"shapes": "X: 2×2, B: 2×2"}),
    ("derive", "‖g(XW) − Y‖²_F", "W", G),
    ("derive", "tr(AXB) + aᵀXb", "X", {}),
    ("derive", "log det(XᵀX)", "X", {"shapes": {"X": (5, 3)}}),
    ("vjp", "g(Wa + b)", "W", G),
    ("solve", "‖Xw − y‖² + λ‖w‖²", "w", {}),
]


def answer(problem) -> str:
    """One problem's result as Unicode and LaTeX."""
    kind, f, wrt, decl = problem
    result = getattr(mc, kind)(f, wrt, **decl)
    return f"## {kind} {f} wrt {wrt}\n{result}\n{result.latex()}\n"


def answers() -> list[str]:
    return [answer(p) for p in PROBLEMS]


def test_answers_do_not_depend_on_the_hash_seed():
    """Four processes with PYTHONHASHSEED 0, 1, 2, 12345 print the same bytes, which are this
    process's answers too."""
    here = Path(__file__).resolve()
    runs = {}
    for seed in ("0", "1", "2", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONUTF8="1")
        runs[seed] = subprocess.Popen([sys.executable, str(here)], cwd=here.parent.parent, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outputs = {}
    for seed, proc in runs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
        outputs[seed] = out
    mine = "".join(answers()).encode()
    assert len(mine) > 1000
    for seed, out in outputs.items():
        assert out == mine, f"PYTHONHASHSEED={seed}: {_first_difference(out.decode(), mine.decode())}"


def _first_difference(a: str, b: str) -> str:
    for x, y in zip(a.splitlines(), b.splitlines()):
        if x != y:
            return f"{x!r} != {y!r}"
    return "one output is longer"


def _clear_caches() -> None:
    """Empty every lru_cache of matcalc, so that the threads also race to fill them (the Lark
    parser is built by the first to ask)."""
    for name, module in list(sys.modules.items()):
        if name == "matcalc" or name.startswith("matcalc."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def test_answers_do_not_depend_on_threads():
    """Eight threads, released together and switching every microsecond, work through the list
    three times over in different orders; every answer is the sequential one, byte for byte."""
    expected = answers()
    _clear_caches()
    start = threading.Barrier(8)
    n = len(PROBLEMS)

    def worker(w):
        start.wait()
        order = [(3 * w + 7 * k) % n for k in range(3 * n // 8 + 1)]
        return [(i, answer(PROBLEMS[i])) for i in order]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = [r for batch in pool.map(worker, range(8)) for r in batch]
    finally:
        sys.setswitchinterval(interval)
    assert len(results) >= 3 * n
    assert {i for i, _ in results} == set(range(n))
    wrong = [(PROBLEMS[i][:3], got) for i, got in results if got != expected[i]]
    assert not wrong, wrong[:3]


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write("".join(answers()))
