"""Time symbolic Jacobians and Hessians, and evaluate closed-form Hessians against jax.hessian.

Run by hand: ``python bench/bench_jacobian.py [--repeat N] [--sizes 200 500 1000] [--no-jax]``.
Prints, per example, the median and maximum time of ``matcalc.api.jacobian`` and
``matcalc.api.hessian`` (which parse the text), the overall median and maximum; then, for
xᵀAx, the logistic loss 𝟙ᵀsoftplus(Xw) − yᵀXw (X 2n×n) and ‖Ax − b‖² (A 2n×n), the time to
evaluate the closed-form Hessian with NumPy at n = 200, 500, 1000 against ``jax.hessian``
(jit-compiled, timed after warm-up with ``block_until_ready``; and without jit), with ratios
(> 1: the closed form is faster) and the largest difference between the two results.
Both run on one thread unless BENCH_THREADS says otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

# One thread each for NumPy's BLAS and for XLA (BENCH_THREADS to change): on a small shared
# machine two thread pools oversubscribe the cores and the timings say nothing.
THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_cpu_multi_thread_eigen={'false' if THREADS == '1' else 'true'} "
    f"intra_op_parallelism_threads={THREADS}")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcalc import api  # noqa: E402
from bench_grad import timings  # noqa: E402  (bench/ is the script's folder, first on sys.path)

JACOBIANS = [
    ("AXB", "X"), ("WX", "W"), ("X⁻¹", "X"), ("Xᵀ", "X"), ("X ⊙ A", "X"), ("XX", "X"),
    ("Ax", "x"), ("exp(Ax)", "x"), ("XᵀX", "X"), ("σ(WX)", "W"), ("X³", "X"), ("tanh(Wx + b)", "W"),
    ("adj(X)", "X"), ("A ⊗ X", "X"),
]
HESSIANS = [
    ("xᵀAx", "x"), ("‖Ax − b‖²", "x"), ("𝟙ᵀsoftplus(Xw) − yᵀXw", "w"), ("tr(XᵀAX)", "X"),
    ("log det X", "X"), ("tr(AXBXᵀ)", "X"), ("aᵀexp(Xb)", "X"), ("det(X)", "X"),
    ("tr(XᵀX)²", "X"), ("xᵀAx + ‖x‖⁴", "x"),
]


def symbolic(repeat: int) -> None:
    for title, examples, make in (
        ("jacobian", JACOBIANS, lambda f, x: api.jacobian(f, x)),
        ("hessian", HESSIANS, lambda f, x: api.hessian(f, x)),
    ):
        print(f"\nparse + {title}, {repeat} calls each (ms)\n")
        print(f"{'expression':<26} {'wrt':<4} {'median':>8} {'max':>8}   result")
        everything = []
        for f, x in examples:
            ms = timings(lambda: make(f, x), repeat)
            everything += ms
            print(f"{f:<26} {x:<4} {statistics.median(ms):8.2f} {max(ms):8.2f}   {make(f, x)}")
        print(f"per {title}: median {statistics.median(everything):.2f} ms, max {max(everything):.2f} ms "
              f"over {len(everything)} calls")


# ---- numeric: closed form against jax.hessian ------------------------------------------------


def problems(n: int, rng):
    """(name, matcalc text, wrt, values, the variable's value, jax function of the variable)."""
    import jax.numpy as jnp

    a_sq = rng.standard_normal((n, n))
    a, b = rng.standard_normal((2 * n, n)), rng.standard_normal(2 * n)
    x_data, y = rng.standard_normal((2 * n, n)) / np.sqrt(n), rng.integers(0, 2, 2 * n).astype(float)
    x0, w0 = rng.standard_normal(n), rng.standard_normal(n) / np.sqrt(n)
    a_sq_j, a_j, b_j, x_j, y_j = (jnp.asarray(v) for v in (a_sq, a, b, x_data, y))
    return [
        ("xᵀAx", "xᵀAx", "x", {"A": a_sq, "x": x0}, x0, lambda x: x @ a_sq_j @ x),
        ("logistic loss", "𝟙ᵀsoftplus(Xw) − yᵀXw", "w", {"X": x_data, "w": w0, "y": y}, w0,
         lambda w: jnp.sum(jnp.logaddexp(0.0, x_j @ w)) - y_j @ (x_j @ w)),
        ("‖Ax − b‖²", "‖Ax − b‖²", "x", {"A": a, "x": x0, "b": b}, x0,
         lambda x: jnp.sum((a_j @ x - b_j) ** 2)),
    ]


def median_seconds(call, repeat: int) -> float:
    """Median seconds of ``repeat`` calls after a warm-up call."""
    return statistics.median(timings(call, repeat)) / 1000


def numeric(sizes, repeat: int, eager: bool) -> None:
    import jax

    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(0)
    print(f"\nevaluating the Hessian: closed form (NumPy) against jax.hessian (median seconds, "
          f"{THREADS} thread{'s' if THREADS != '1' else ''})\n")
    head = f"{'problem':<15} {'n':>5} {'closed form':>12} {'jax jit':>10} {'ratio':>7}"
    head += f" {'jax eager':>10} {'ratio':>7}" if eager else ""
    print(head + "   max |difference|   closed form")
    for n in sizes:
        for name, text, wrt, values, x0, fn in problems(n, rng):
            h = api.hessian(text, wrt)
            ours = median_seconds(lambda: h.evaluate(values), repeat)
            jitted = jax.jit(jax.hessian(fn))
            theirs = median_seconds(lambda: jitted(x0).block_until_ready(), repeat)
            diff = float(np.max(np.abs(h.evaluate(values) - np.asarray(jitted(x0)))))
            row = f"{name:<15} {n:>5} {ours:12.4f} {theirs:10.4f} {theirs / ours:7.2f}"
            if eager:
                plain = jax.hessian(fn)
                slow = median_seconds(lambda: plain(x0).block_until_ready(), max(1, repeat // 3))
                row += f" {slow:10.4f} {slow / ours:7.2f}"
            print(f"{row}   {diff:16.2e}   {h}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per symbolic example")
    parser.add_argument("--numeric-repeat", type=int, default=5, help="timed evaluations per size")
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 500, 1000])
    parser.add_argument("--no-jax", action="store_true", help="only the symbolic timings")
    parser.add_argument("--no-eager", action="store_true", help="skip jax without jit")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    symbolic(args.repeat)
    if not args.no_jax:
        try:
            import jax  # noqa: F401
        except ImportError:
            print("\njax is not installed: no numeric comparison (pip install jax)")
            return 0
        numeric(args.sizes, args.numeric_repeat, not args.no_eager)
    return 0


if __name__ == "__main__":
    sys.exit(main())
