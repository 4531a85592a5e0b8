"""Time parse + gradient and parse + Hessian over the test suite's golden tables, side by side
with SymPy's own differentiation of the same expressions.

Run by hand: ``python bench/bench_grad.py [--repeat N] [--slowest K]``.  For every gradient of
tests/golden.py and every Hessian of tests/test_hessian.py it times ``matcalc.grad`` /
``matcalc.hessian`` from the text, cold (``matcalc.clear_caches()`` before each call, so
that nothing is remembered from the call before), the best of ``--repeat`` calls; and the
time SymPy's ``diff`` takes for the same gradient of the same expression as a SymPy matrix
expression (``Expr.to_sympy().doit()``, differentiated with respect to the MatrixSymbol),
with how many SymPy could differentiate at all and how many of those agree with matcalc at a
random point.  Prints the median, the 90th percentile and the worst of each, the ratios, and the
slowest expressions; then the time for sums of k distinct terms divided by k, which stays flat
when the cost grows linearly with the size of the expression.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
import sympy  # noqa: E402

import matcalc as mc  # noqa: E402
from golden import ROWS  # noqa: E402
from matcalc.numeric import point  # noqa: E402
from test_hessian import CASES as HESSIANS  # noqa: E402

SIZES = (1, 2, 4, 8, 16, 32)


def timings(call, repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``call()``, after one untimed warm-up call (the other
    benches time with it too)."""
    call()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        out.append(1000 * (time.perf_counter() - start))
    return out


def cold(call, repeat: int) -> float:
    """The best of ``repeat`` calls of ``call()`` in milliseconds of this process's CPU time
    (so that other processes on the machine do not count), each with empty caches."""
    best = float("inf")
    for _ in range(repeat):
        mc.clear_caches()
        start = time.process_time()
        call()
        best = min(best, 1000 * (time.process_time() - start))
    return best


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"median {statistics.median(ms):7.2f}   p90 {p90:7.2f}   worst {ms[-1]:8.2f}   ({len(ms)} expressions)"


def sympy_gradient(text: str, wrt: str, decl: dict):
    """(milliseconds, agrees?) of SymPy's diff of the expression w.r.t. its matrix symbol, or
    None where SymPy cannot differentiate it (an error, an unevaluated derivative, an array
    expression with no matrix form)."""
    f = mc.parse(text, **decl)
    m = f.to_sympy().doit()
    if isinstance(m, sympy.MatrixExpr):  # SymPy differentiates a 1×1 matrix expression as a trace
        m = sympy.Trace(m)
    variable = next((s for s in m.free_symbols if getattr(s, "name", None) == mc.parse(wrt).name
                     or getattr(s, "name", None) == wrt), None)
    if variable is None:
        return None
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = m.diff(variable)
    except Exception:  # SymPy fails in many ways on matrix calculus
        return None
    ms = 1000 * (time.perf_counter() - start)
    try:
        theirs = mc.from_sympy(d, domains=decl.get("domains"), functions=decl.get("functions"))
        values, dims = point([f], seed=5)
        ours = mc.grad(f, wrt).evaluate(values, dims=dims)
        agree = bool(np.allclose(theirs.evaluate(values, dims=dims), ours, rtol=1e-7, atol=1e-9))
    except Exception:  # SymPy's result has no matrix form, or does not evaluate
        return ms, None
    return ms, agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="calls per expression (the best is kept)")
    parser.add_argument("--slowest", type=int, default=6, help="how many of the slowest to list")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")

    grads = [(cold(lambda: mc.grad(f, x, **d), args.repeat), f, x) for f, x, d, *_ in ROWS]
    hessians = [(cold(lambda: mc.hessian(f, x, **d), args.repeat), f, x) for f, x, d, *_ in HESSIANS]
    theirs = [(sympy_gradient(f, x, d), f, x) for f, x, d, *_ in ROWS]
    done = [(r[0], f, x) for r, f, x in theirs if r is not None]
    agreed = sum(1 for r, _, _ in theirs if r is not None and r[1])
    unreadable = sum(1 for r, _, _ in theirs if r is not None and r[1] is None)

    print(f"cold parse + gradient and parse + Hessian, best of {args.repeat} (ms of CPU time), {os.cpu_count()} cores\n")
    print(f"matcalc gradient  {summary([t for t, _, _ in grads])}")
    print(f"matcalc Hessian   {summary([t for t, _, _ in hessians])}")
    print(f"SymPy diff        {summary([t for t, _, _ in done])}")
    print(f"\nSymPy differentiated {len(done)} of {len(ROWS)} golden gradients; {agreed} read back as matrix "
          f"expressions that agree with matcalc, {unreadable} gave array expressions or forms with no "
          f"matrix reading, {len(done) - agreed - unreadable} disagree.")
    mine = {(f, x): t for t, f, x in grads}
    pairs = [(mine[(f, x)], t) for t, f, x in done]
    ratio = statistics.median(s / m for m, s in pairs)
    print(f"on the expressions SymPy differentiates: matcalc median {statistics.median(m for m, _ in pairs):.2f} ms "
          f"(parse + diff + simplify), SymPy median {statistics.median(s for _, s in pairs):.2f} ms (diff only); "
          f"median ratio SymPy/matcalc {ratio:.2f}")

    for title, rows in (("gradients", grads), ("Hessians", hessians)):
        print(f"\nslowest {title}:")
        for t, f, x in sorted(rows, reverse=True)[: args.slowest]:
            print(f"  {t:8.2f} ms   {f}  wrt {x}")

    term = "tr(A_{{{i}}}XB_{{{i}}}Xᵀ) + a_{{{i}}}ᵀexp(Xb_{{{i}}})"
    print(f"\nscaling: grad wrt X of the sum over i = 1…k of {term.format(i='i')} (ms)\n")
    print(f"{'k':>4} {'cold':>9} {'cold/k':>9}")
    for k in SIZES:
        f = " + ".join(term.format(i=i) for i in range(1, k + 1))
        ms = cold(lambda: mc.grad(f, "X"), max(2, args.repeat // 2))
        print(f"{k:>4} {ms:9.2f} {ms / k:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
