"""Time parse + grad over the textbook examples, and the growth with the size of the input.

Run with ``make bench`` (or ``python bench/bench_grad.py [--repeat N]``).  Prints, per example,
the median and the maximum time of ``matcalc.api.grad`` (which parses the text), the overall
median and maximum per gradient, and the time for sums of k distinct terms divided by k, which
stays flat when the cost grows linearly with the size of the expression.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcalc import api  # noqa: E402

# (expression, variable, declarations)
EXAMPLES = [
    ("‖X − DR‖²_F", "D", {}),
    ("‖X − DR‖²_F", "R", {}),
    ("‖g(XW) − Y‖²_F", "W", {"functions": {"g": "elementwise"}}),
    ("‖tanh(XW) − Y‖²_F", "W", {}),
    ("aᵀXb", "X", {}),
    ("aᵀexp(Xb)", "X", {}),
    ("tr(AXB)", "X", {}),
    ("tr(σ(WX)ᵀMσ(WX))", "X", {"domains": {"M": "symmetric"}}),
    ("tr(σ(WX)ᵀMσ(WX))", "W", {"domains": {"M": "symmetric"}}),
    ("‖Xw − y‖²", "w", {}),
    ("f(WX)", "W", {"functions": {"f": "scalar"}}),
    ("f(WX)", "X", {"functions": {"f": "scalar"}}),
    ("log det(X)", "X", {}),
    ("tr(AXBXᵀC)", "X", {}),
]

SIZES = (1, 2, 4, 8, 16, 32)


def term(i) -> str:
    """The i-th summand of the scaling sums: its own symbols, so that nothing collects."""
    return f"tr(A_{{{i}}}XB_{{{i}}}Xᵀ) + a_{{{i}}}ᵀexp(Xb_{{{i}}})"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per example")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")

    print(f"parse + grad, {args.repeat} calls each (ms)\n")
    print(f"{'expression':<24} {'wrt':<4} {'median':>8} {'max':>8}   gradient")
    everything = []
    for f, wrt, decl in EXAMPLES:
        ms = timings(lambda: api.grad(f, wrt, **decl), args.repeat)
        everything += ms
        gradient = api.grad(f, wrt, **decl)
        print(f"{f:<24} {wrt:<4} {statistics.median(ms):8.2f} {max(ms):8.2f}   {gradient}")
    print(
        f"\nper gradient: median {statistics.median(everything):.2f} ms, "
        f"max {max(everything):.2f} ms over {len(everything)} calls"
    )

    print(f"\nscaling: grad wrt X of the sum over i = 1…k of {term('i')} (ms)\n")
    print(f"{'k':>4} {'median':>9} {'median/k':>9}")
    for k in SIZES:
        f = " + ".join(term(i) for i in range(1, k + 1))
        median = statistics.median(timings(lambda: api.grad(f, "X"), max(3, args.repeat // 4)))
        print(f"{k:>4} {median:9.2f} {median / k:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
