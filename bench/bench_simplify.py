"""How short and how fast the simplifier is, over the golden table (tests/golden.py).

Run with ``make bench`` (or ``python bench/bench_simplify.py [--repeat N]``).  Prints the total
size of matcalc's answers against the textbook's answers — in printed characters and in nodes
(``matcalc.simplify.size``; a textbook answer is parsed, not simplified) — with their ratios,
the largest ratio of one answer's length to the textbook's, the rows where matcalc is longer in
characters, and the time of one simplification of the raw
gradient (median and maximum over the table, and the slowest rows).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matcalc as mc  # noqa: E402
from matcalc.calculus.adjoint import gradient  # noqa: E402
from matcalc.simplify import size  # noqa: E402
from matcalc.simplify import simplify  # noqa: E402
from bench_grad import timings  # noqa: E402  (bench/ is the script's folder, first on sys.path)


def _golden():
    spec = importlib.util.spec_from_file_location("golden", ROOT / "tests" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed simplifications per row")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    golden = _golden()

    chars = [0, 0]
    nodes = [0, 0]
    longer, rows, answers = [], [], []
    for f, wrt, decl, printed, textbook in golden.ROWS:
        d = mc.differential(f, wrt, **decl)
        raw = gradient(d.df, d.wrt)
        answer = simplify(raw)
        ours, book = str(answer), textbook
        chars[0] += len(ours)
        chars[1] += len(book)
        nodes[0] += size(answer)
        nodes[1] += size(golden.parse_answer(f, wrt, textbook, decl))
        answers.append((f, wrt, ours, book))
        if len(ours) > len(book):
            longer.append((f, wrt, ours, book))
        ms = timings(lambda: simplify(raw), args.repeat)  # each simplification from scratch
        rows.append((statistics.median(ms), max(ms), f, wrt, size(raw), size(answer)))

    n = len(golden.ROWS)
    print(f"golden table: {n} gradients\n")
    print(f"{'':<22} {'matcalc':>9} {'textbook':>9} {'ratio':>7}")
    print(f"{'printed characters':<22} {chars[0]:>9} {chars[1]:>9} {chars[0] / chars[1]:>7.3f}")
    print(f"{'nodes (size)':<22} {nodes[0]:>9} {nodes[1]:>9} {nodes[0] / nodes[1]:>7.3f}")
    ratio, f, wrt, ours, book = max((len(o) / len(b), f, wrt, o, b) for f, wrt, o, b in answers)
    print(f"{'largest length ratio':<22} {ratio:>27.3f}   ∂/∂{wrt} {f}: {ours}  (textbook {book})")
    if longer:
        print(f"\nlonger than the textbook in characters ({len(longer)} rows):")
        for f, wrt, ours, book in longer:
            print(f"  ∂/∂{wrt} {f}: {ours}  (textbook {book})")
    medians = [m for m, *_ in rows]
    print(
        f"\nsimplify, per gradient ({args.repeat} runs each): median {statistics.median(medians):.2f} ms, "
        f"max {max(mx for _, mx, *_ in rows):.2f} ms, total of medians {sum(medians):.1f} ms"
    )
    print("\nslowest rows (median ms, max ms, size raw → simplified):")
    for m, mx, f, wrt, before, after in sorted(rows, reverse=True)[:5]:
        print(f"  {m:7.2f} {mx:7.2f}   {before:>3} → {after:<3} ∂/∂{wrt} {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
