"""A long fuzz campaign: random problems checked against an independent NumPy oracle.

Run with ``python bench/fuzz.py --count 100000 --seed 1``.  Problem i is drawn from
``random.Random(f"{seed}:{i}")`` by ``tests/oracle.py`` (a random well-typed expression as
matcalc text with its declarations, and a NumPy function computing the same value) and judged
by ``tests/finite_differences.py``: matcalc's value against the oracle's, then its gradient,
Jacobian or Hessian against Richardson-refined central differences of the oracle.  Each problem
ends as

    ok            value and derivative agree
    wrong         matcalc disagrees with the oracle (value or derivative)
    crashed       matcalc raised an exception that is not a MatcalcError, or took longer
                  than --timeout seconds
    refused       matcalc raised a MatcalcError (ParseError, ShapeError, UnsupportedError, …)
    inconclusive  the oracle is not finite there, or finite differences cannot resolve

A progress line goes to stderr every 1 %; at the end the counts, the rate, the commonest
reasons for refusals and the shortest examples of every outcome but ok (text, variable,
declarations, error) are printed.  ``--index i`` judges problem i alone and prints it in full.
``--answers FILE`` writes every derivative as printed, one line per problem, so that two runs
(say with different PYTHONHASHSEED) can be compared byte for byte.  ``--read-back`` also parses
every printed derivative again (same declarations) and counts those that evaluate to the same
numbers, to different ones, or do not read.
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from finite_differences import CRASHED, INCONCLUSIVE, OK, REFUSED, WRONG, Outcome, judge  # noqa: E402
from oracle import problem  # noqa: E402

OUTCOMES = (OK, WRONG, CRASHED, REFUSED, INCONCLUSIVE)


class Timeout(BaseException):
    """A problem took longer than --timeout (a BaseException, so no handler inside swallows it)."""


def _alarm(signum, frame):
    raise Timeout


def draw(seed: int, index: int):
    return problem(random.Random(f"{seed}:{index}"))


def run_one(seed: int, index: int, timeout: float, read_back: bool = False):
    p = draw(seed, index)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        outcome = judge(p, read_back=read_back)
    except Timeout:
        outcome = Outcome(CRASHED, f"no answer within {timeout:g} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return p, outcome


def _reason(detail: str) -> str:
    """The kind of a refusal or an inconclusive point: the start of its message (figures
    dropped, so that alike reasons count together)."""
    head = detail.splitlines()[0] if detail else ""
    return re.sub(r"\(estimate [^)]*\)", "", head)[:90].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="problems to draw")
    parser.add_argument("--seed", type=int, default=1, help="seed of the campaign")
    parser.add_argument("--examples", type=int, default=5, help="examples shown per outcome")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per problem")
    parser.add_argument("--index", type=int, default=None, help="judge this problem only")
    parser.add_argument("--answers", type=Path, default=None, help="write every printed derivative to this file")
    parser.add_argument("--read-back", action="store_true", help="parse every printed derivative again")
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    signal.signal(signal.SIGALRM, _alarm)

    if args.index is not None:
        p, outcome = run_one(args.seed, args.index, args.timeout, read_back=True)
        print(p.describe())
        print(f"{outcome.status}: {outcome.detail}")
        print(f"answer: {outcome.answer}\nread back: {outcome.read_back}")
        return 0 if outcome.status in (OK, INCONCLUSIVE) else 1

    counts = collections.Counter()
    examples = collections.defaultdict(list)  # outcome → [(len, index, problem, detail)]
    reasons = collections.Counter()
    read_back = collections.Counter()
    read_back_examples = collections.defaultdict(list)
    start = time.perf_counter()
    step = max(1, args.count // 100)
    answers = args.answers.open("w", encoding="utf-8") if args.answers else None
    for i in range(args.count):
        p, outcome = run_one(args.seed, i, args.timeout, args.read_back)
        counts[outcome.status] += 1
        if outcome.read_back:
            kind = outcome.read_back.split(":")[0]
            read_back[kind] += 1
            if kind != "same":
                kept = read_back_examples[kind]
                kept.append((len(outcome.answer), i, p, f"{outcome.answer}  →  {outcome.read_back}"))
                kept.sort(key=lambda x: (x[0], x[1]))
                del kept[args.examples:]
        if answers:
            answers.write(f"{i}\t{outcome.status}\t{outcome.answer}\n")
        if outcome.status in (REFUSED, INCONCLUSIVE):
            reasons[outcome.status, _reason(outcome.detail)] += 1
        if outcome.status in (WRONG, CRASHED):  # at once, not only in the summary
            print(f"{outcome.status} [{i}] {p.describe()}\n    {outcome.detail}", file=sys.stderr, flush=True)
        if outcome.status != OK:
            kept = examples[outcome.status]
            kept.append((len(p.text), i, p, outcome.detail))
            kept.sort(key=lambda x: (x[0], x[1]))
            del kept[args.examples:]
        if (i + 1) % step == 0 or i + 1 == args.count:
            elapsed = time.perf_counter() - start
            left = elapsed / (i + 1) * (args.count - i - 1)
            tally = " ".join(f"{k} {counts[k]}" for k in OUTCOMES)
            print(f"[{100 * (i + 1) // args.count:3d}%] {i + 1}/{args.count}  {tally}  "
                  f"{elapsed:.0f} s, ~{left:.0f} s left", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    if answers:
        answers.close()

    print(f"fuzz: {args.count} problems, seed {args.seed}, {elapsed:.0f} s "
          f"({1000 * elapsed / max(args.count, 1):.1f} ms each)")
    for k in OUTCOMES:
        print(f"  {k:<13} {counts[k]}")
    for status in (REFUSED, INCONCLUSIVE):
        common = [(reason, n) for (s, reason), n in reasons.most_common() if s == status][:10]
        if common:
            print(f"\n{status} by reason:")
            for reason, n in common:
                print(f"  {n:6d}  {reason}")
    if read_back:
        print("\nprinted derivatives read back: " + ", ".join(f"{k} {n}" for k, n in read_back.most_common()))
        for kind, kept in read_back_examples.items():
            print(f"  shortest that read back {kind}:")
            for _, i, p, detail in kept:
                print(f"    [{i}] {p.describe()}\n        {detail}")
    for k in (WRONG, CRASHED, REFUSED, INCONCLUSIVE):
        if examples[k]:
            print(f"\nshortest {k} examples (problem index: rerun with --seed {args.seed} --index i):")
            for _, i, p, detail in examples[k]:
                print(f"  [{i}] {p.describe()}")
                print("      " + detail.replace("\n", "\n      "))
    return 1 if counts[WRONG] or counts[CRASHED] else 0


if __name__ == "__main__":
    sys.exit(main())
