"""Time the compiled value-and-gradient functions against hand-written code and autodiff.

Run by hand: ``python bench/bench_codegen.py [--sizes 10 100 1000] [--hessian-sizes 100 500 1000]
[--budget SECONDS]``.  Side by side in one process, on one thread (BENCH_THREADS to change):

- for ‖Ax − b‖², the logistic loss 𝟙ᵀsoftplus(Xw) − yᵀXw, ‖X − DR‖²_F (w.r.t. D and R),
  tr(AXBXᵀC), the Gaussian negative log-likelihood log det Σ + (x − μ)ᵀΣ⁻¹(x − μ) (w.r.t. μ and
  Σ) and the two-layer network ‖W₂tanh(W₁x) − y‖² (w.r.t. W₁ and W₂), at each size n: the value
  and gradients by the compiled NumPy function, the compiled JAX function (jitted),
  ``jax.jit(jax.value_and_grad(f))`` of a hand-written f, torch autograd where torch is
  installed, and a hand-written NumPy closed form; the ratios compiled NumPy / hand-written (also
  of ``fn.unchecked``, the function without the checks of its arguments) and compiled JAX /
  jax.value_and_grad (< 1: the compiled one is faster);
- ``Expr.evaluate`` of the gradient of ‖Ax − b‖² and of the logistic loss at n = 10 against the
  hand-written NumPy line;
- the closed-form Hessians of xᵀAx, ‖Ax − b‖² and the logistic loss, compiled, against
  ``jax.jit(jax.hessian(f))`` (> 1: the closed form is faster).

Each time is the median of repeated calls, measured in three rounds in which the functions of a
row are timed one after the other (``--budget`` seconds per function in all), the median round
kept, so that a change of the load of a shared machine falls alike on each; the load average
is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)
os.environ.setdefault(
    "XLA_FLAGS", f"--xla_cpu_multi_thread_eigen={'false' if THREADS == '1' else 'true'} "
    f"intra_op_parallelism_threads={THREADS}")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)  # the same precision as NumPy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matcalc as mc  # noqa: E402

try:
    import torch  # noqa: E402

    torch.set_num_threads(int(THREADS))
except ImportError:
    torch = None


def median_seconds(call, budget: float) -> float:
    """The median time of call() over as many calls as fit in ``budget`` seconds (at least 5)."""
    call()
    times, start = [], time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < budget and len(times) < 2000):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def medians(calls, budget: float, rounds: int = 3) -> list:
    """The time of each call: in each of ``rounds`` rounds, the functions are timed one after
    the other (``median_seconds``, budget / rounds each), and each keeps the median of its rounds,
    so that a change of the load of a shared machine falls alike on all."""
    times = [[median_seconds(call, budget / rounds) for call in calls] for _ in range(rounds)]
    return [statistics.median(column) for column in zip(*times)]


def _block(out):
    return jax.tree_util.tree_map(lambda a: a.block_until_ready() if hasattr(a, "block_until_ready") else a, out)


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


# Each problem: (name, f, wrt, declarations, data(n, rng) → {name: array}, the hand-written
# NumPy value and gradients, the JAX f of the variables then the data, the torch f).
def _least_squares(n, rng):
    return {"x": rng.standard_normal(n), "A": rng.standard_normal((2 * n, n)), "b": rng.standard_normal(2 * n)}


def _logistic(n, rng):
    return {"w": 0.1 * rng.standard_normal(n), "X": rng.standard_normal((2 * n, n)),
            "y": (rng.random(2 * n) < 0.5).astype(float)}


def _factorisation(n, rng):
    k = max(2, n // 10)
    return {"D": rng.standard_normal((n, k)), "R": rng.standard_normal((k, n)), "X": rng.standard_normal((n, n))}


def _quartic(n, rng):
    return {name: rng.standard_normal((n, n)) / np.sqrt(n) for name in "XABC"}


def _gaussian(n, rng):
    a = rng.standard_normal((n, n))
    return {"μ": rng.standard_normal(n), "Σ": a @ a.T / n + np.eye(n), "x": rng.standard_normal(n)}


def _mlp(n, rng):
    return {"W_1": rng.standard_normal((n, n)) / np.sqrt(n), "W_2": rng.standard_normal((n // 2 or 1, n)) / np.sqrt(n),
            "x": rng.standard_normal(n), "y": rng.standard_normal(n // 2 or 1)}


def hand_least_squares(x, A, b):
    r = A @ x - b
    return r @ r, 2 * (A.T @ r)


def hand_logistic(w, X, y):
    z = X @ w
    return np.logaddexp(0, z).sum() - y @ z, X.T @ (sigmoid(z) - y)


def hand_factorisation(D, R, X):
    r = D @ R - X
    return (r * r).sum(), (2 * r @ R.T, 2 * D.T @ r)


def hand_quartic(X, A, B, C):
    xt = X.T
    value = np.trace(A @ X @ B @ xt @ C)
    return value, A.T @ C.T @ X @ B.T + C @ A @ X @ B


def hand_gaussian(mu, S, x):
    c = np.linalg.cholesky(S)
    r = x - mu
    s_inv_r = np.linalg.solve(S, r)
    s_inv = np.linalg.inv(S)
    return 2 * np.log(np.diag(c)).sum() + r @ s_inv_r, (-2 * s_inv_r, s_inv - np.outer(s_inv_r, s_inv_r))


def hand_mlp(W1, W2, x, y):
    h = np.tanh(W1 @ x)
    r = W2 @ h - y
    back = (W2.T @ r) * (1 - h * h)
    return r @ r, (2 * np.outer(back, x), 2 * np.outer(r, h))


def jax_least_squares(x, A, b):
    r = A @ x - b
    return r @ r


def jax_logistic(w, X, y):
    z = X @ w
    return jax.nn.softplus(z).sum() - y @ z


def jax_factorisation(D, R, X):
    return jnp.sum((X - D @ R) ** 2)


def jax_quartic(X, A, B, C):
    return jnp.trace(A @ X @ B @ X.T @ C)


def jax_gaussian(mu, S, x):
    r = x - mu
    return jnp.linalg.slogdet(S)[1] + r @ jnp.linalg.solve(S, r)


def jax_mlp(W1, W2, x, y):
    r = W2 @ jnp.tanh(W1 @ x) - y
    return r @ r


PROBLEMS = [
    ("‖Ax − b‖²", "‖Ax − b‖²", "x", {}, _least_squares, hand_least_squares, jax_least_squares, 1),
    ("logistic loss", "𝟙ᵀsoftplus(Xw) − yᵀXw", "w", {}, _logistic, hand_logistic, jax_logistic, 1),
    ("‖X − DR‖²_F", "‖X − DR‖²_F", ["D", "R"], {}, _factorisation, hand_factorisation, jax_factorisation, 2),
    ("tr(AXBXᵀC)", "tr(AXBXᵀC)", "X", {}, _quartic, hand_quartic, jax_quartic, 1),
    ("Gaussian NLL", "log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", ["μ", "Σ"], {"domains": {"Σ": "spd"}}, _gaussian,
     hand_gaussian, jax_gaussian, 2),
    ("MLP ‖W₂tanh(W₁x) − y‖²", "‖W₂tanh(W₁x) − y‖²", ["W₁", "W₂"], {}, _mlp, hand_mlp, jax_mlp, 2),
]


def gradients(sizes, budget) -> list:
    print(f"value and gradients, median µs per call ({THREADS} thread)\n")
    head = f"{'problem':<24} {'n':>5} {'compiled':>10} {'by hand':>10} {'ratio':>6} {'unchecked':>10} {'ratio':>6} " \
           f"{'cmp JAX':>10} {'jax v&g':>10} {'ratio':>6}" + (f" {'torch':>10}" if torch is not None else "")
    print(head)
    ratios = []
    for title, text, wrt, decl, data, hand, jf, nvar in PROBLEMS:
        fn = mc.compile(text, wrt, **decl)
        fj = jax.jit(mc.compile(text, wrt, backend="jax", **decl))
        for n in sizes:
            values = data(n, np.random.default_rng(n))
            args = [values[fn.names[a]] for a in fn.args]
            jargs = [jnp.asarray(a) for a in args]
            auto = jax.jit(jax.value_and_grad(jf, argnums=tuple(range(nvar)) if nvar > 1 else 0))
            ours, theirs = fn(*args), hand(*args)
            assert np.allclose(ours[0], theirs[0]), title
            calls = [lambda: fn(*args), lambda: hand(*args), lambda: _block(fj(*jargs)), lambda: _block(auto(*jargs)),
                     lambda: fn.unchecked(*args)]
            if torch is not None:
                targs = [torch.tensor(a, requires_grad=i < nvar) for i, a in enumerate(args)]
                calls.append(lambda: _torch_step(jf, targs, nvar))
            t_ours, t_hand, t_jax, t_auto, t_fast, *t_torch = medians(calls, budget)
            row = (f"{title:<24} {n:>5} {1e6 * t_ours:10.1f} {1e6 * t_hand:10.1f} {t_ours / t_hand:6.2f} "
                   f"{1e6 * t_fast:10.1f} {t_fast / t_hand:6.2f} "
                   f"{1e6 * t_jax:10.1f} {1e6 * t_auto:10.1f} {t_jax / t_auto:6.2f}")
            if t_torch:
                row += f" {1e6 * t_torch[0]:10.1f}"
            print(row, flush=True)
            ratios.append((title, n, t_ours / t_hand, t_jax / t_auto, t_fast / t_hand))
    return ratios


def _torch_step(jf, targs, nvar):  # pragma: no cover - where torch is installed
    value = TORCH_F[jf](*targs)
    return torch.autograd.grad(value, targs[:nvar])


TORCH_F = {} if torch is None else {
    jax_least_squares: lambda x, A, b: ((A @ x - b) ** 2).sum(),
    jax_logistic: lambda w, X, y: torch.nn.functional.softplus(X @ w).sum() - y @ (X @ w),
    jax_factorisation: lambda D, R, X: ((X - D @ R) ** 2).sum(),
    jax_quartic: lambda X, A, B, C: torch.trace(A @ X @ B @ X.T @ C),
    jax_gaussian: lambda mu, S, x: torch.linalg.slogdet(S)[1] + (x - mu) @ torch.linalg.solve(S, x - mu),
    jax_mlp: lambda W1, W2, x, y: ((W2 @ torch.tanh(W1 @ x) - y) ** 2).sum(),
}


def evaluate(budget) -> list:
    print("\nExpr.evaluate of the gradient at n = 10, median µs per call\n")
    print(f"{'gradient':<28} {'evaluate':>10} {'by hand':>10} {'ratio':>6}")
    out = []
    for title, text, wrt, data, hand in (("∇‖Ax − b‖²", "‖Ax − b‖²", "x", _least_squares, hand_least_squares),
                                         ("∇ logistic loss", "𝟙ᵀsoftplus(Xw) − yᵀXw", "w", _logistic, hand_logistic)):
        g = mc.grad(text, wrt)
        values = data(10, np.random.default_rng(0))
        args = list(values.values())
        assert np.allclose(g.evaluate(values), hand(*args)[1])
        t_eval, t_hand = medians([lambda: g.evaluate(values), lambda: hand(*args)[1]], budget)
        print(f"{title:<28} {1e6 * t_eval:10.1f} {1e6 * t_hand:10.1f} {t_eval / t_hand:6.2f}")
        out.append((title, t_eval / t_hand))
    return out


HESSIANS = [
    ("xᵀAx", "xᵀAx", "x", lambda n, rng: {"x": rng.standard_normal(n), "A": rng.standard_normal((n, n))},
     lambda x, A: x @ A @ x),
    ("‖Ax − b‖²", "‖Ax − b‖²", "x", _least_squares, jax_least_squares),
    ("logistic loss", "𝟙ᵀsoftplus(Xw) − yᵀXw", "w", _logistic, jax_logistic),
]


def hessians(sizes, budget) -> list:
    print("\nHessians, median ms per call: the compiled closed form against jax.jit(jax.hessian(f))\n")
    print(f"{'problem':<16} {'n':>5} {'closed form':>12} {'jax.hessian':>12} {'speed-up':>9} {'max diff':>9}")
    out = []
    for title, text, wrt, data, jf in HESSIANS:
        h = mc.hessian(text, wrt).compile()
        auto = jax.jit(jax.hessian(jf))
        for n in sizes:
            values = data(n, np.random.default_rng(n))
            kwargs = {a: values[h.names[a]] for a in h.args}
            ordered = [jnp.asarray(v) for v in values.values()]
            ours, theirs = h(**kwargs), np.asarray(auto(*ordered))
            t_ours, t_auto = medians([lambda: h(**kwargs), lambda: _block(auto(*ordered))], budget)
            diff = float(np.max(np.abs(ours - theirs)) / max(1.0, np.max(np.abs(theirs))))
            print(f"{title:<16} {n:>5} {1e3 * t_ours:12.3f} {1e3 * t_auto:12.3f} {t_auto / t_ours:9.2f} {diff:9.1e}",
                  flush=True)
            out.append((title, n, t_auto / t_ours))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--hessian-sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of calls per timing (default 0.5)")
    args = parser.parse_args()
    print("load average (1, 5, 15 min): %.2f %.2f %.2f\n" % os.getloadavg())
    ratios = gradients(args.sizes, args.budget)
    evaluated = evaluate(args.budget)
    speedups = hessians(args.hessian_sizes, args.budget)
    numpy_ratios = [r[2] for r in ratios]
    jax_ratios = [r[3] for r in ratios]
    print("\nsummary")
    print(f"  compiled NumPy / hand-written NumPy: median {statistics.median(numpy_ratios):.2f}, "
          f"max {max(numpy_ratios):.2f} (target ≤ 1.1); its unchecked function: median "
          f"{statistics.median(r[4] for r in ratios):.2f}, max {max(r[4] for r in ratios):.2f}")
    print(f"  compiled JAX / jax.jit(value_and_grad): median {statistics.median(jax_ratios):.2f} (target ≤ 1.0), "
          f"max at n ≥ 100 {max([r[3] for r in ratios if r[1] >= 100], default=float('nan')):.2f} (target ≤ 1.25)")
    print("  Expr.evaluate / hand-written at n = 10: " + ", ".join(f"{t} {r:.2f}" for t, r in evaluated)
          + " (target ≤ 2)")
    print(f"  closed-form Hessian speed-up over jax.hessian: min {min(s[2] for s in speedups):.2f} (target ≥ 1)")
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
