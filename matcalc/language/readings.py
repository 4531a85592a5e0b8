"""Which reading of the undeclared symbols: ``infer(root, text, decl, shape=None, scalar=False)``.

Shapes come from use.  The first reading gives each undeclared symbol the default of its name
(``matcalc.language.shapes``).  Where that reading fails, or broadcasts a vector only because
of a name, the symbols involved are *relaxed* — their shapes then come from use alone — and
the text is read again: first the lower-case Greek names (which often name vectors: β, μ, θ),
then, where only the shape the caller needs (a scalar to differentiate) is at stake, the
lower-case Latin ones.  Problems with one candidate each are fixed together; where several
symbols could be relaxed for one problem, each is tried alone, and if two different readings
work equally well that is a ShapeError that names both and asks for a declaration.  Every
step relaxes at least one more symbol and the readings tried are bounded (``MAX_READINGS``),
so the work stays linear in the text.
"""

from __future__ import annotations

from ..errors import ShapeError
from .declarations import Declarations
from .dims import shape_text
from .shapes import Failure, ShapeInference, is_greek_scalar
from .syntax import Node, postorder

MAX_READINGS = 32  # readings tried for one text
MAX_ALONE = 6  # candidates of one problem tried one at a time; more are relaxed together

GREEK, LATIN = 0, 1  # the order in which names give up their defaults


class Ambiguous(ShapeError):
    """Two readings of the undeclared symbols, equally good: a declaration must choose."""


class Reading:
    """One reading: the inference and what is wrong with it — a failure that stopped it,
    broadcasts of Greek names it refused, broadcasts of Latin vectors it allowed."""

    def __init__(self, inference: ShapeInference, failure: Failure | None):
        self.inference, self.failure = inference, failure

    @property
    def score(self) -> tuple:
        """Lower is better: working, then the fewest refusals, then the fewest broadcasts."""
        inf = self.inference
        return (self.failure is not None, len(inf.refused), len(inf.broadcasts))

    @property
    def works(self) -> bool:
        return self.failure is None and not self.inference.refused

    def problems(self, settled: set) -> list:
        """What to fix next, as Failures: the refusals, else the failure, else the broadcasts
        not yet found to be unavoidable (which need not be fixed)."""
        refused = self.inference.refused
        if refused or self.failure is not None:
            return refused or [self.failure]
        return [Failure(n, None) for n in self.inference.broadcasts if id(n) not in settled]

    def error(self) -> ShapeError:
        return self.failure.error if self.failure is not None else self.inference.refused[0].error

    def shapes(self, names) -> str:
        """The shapes of ``names`` in this reading, as declarations: "μ: m, ν: scalar"."""
        inf = self.inference
        return ", ".join(f"{n}: {shape_text(inf.final(inf.symbols[n]))}" for n in sorted(names) if n in inf.symbols)


class Search:
    """The readings of one text, tried in order of the defaults given up."""

    def __init__(self, root: Node, text: str, decl: Declarations, target, reserved=frozenset()):
        self.root, self.text, self.decl, self.target = root, text, decl, target
        self.reserved = reserved  # dimension names the text itself uses (I_n)
        self.count = 0
        self.tiers = {}  # undeclared symbol → GREEK or LATIN (upper-case names keep their default)
        for node in postorder(root):
            if node.op == "sym" and node.data not in decl.shapes:
                name = node.data
                if is_greek_scalar(name):
                    self.tiers[name] = GREEK
                elif name[:1].islower():
                    self.tiers[name] = LATIN

    def read(self, relaxed: frozenset) -> Reading:
        self.count += 1
        inference = ShapeInference(self.text, self.decl, relaxed, self.reserved)
        try:
            inference.run(self.root, self.target)
        except Failure as failure:
            return Reading(inference, failure)
        return Reading(inference, None)

    def candidates(self, problem: Failure, relaxed: frozenset) -> set:
        """The symbols to relax for a problem: the Greek names involved (below its node or
        owning the clash); for a whole expression of the wrong shape, the Latin ones after
        them."""
        whole = problem.whole
        involved = set(self.tiers) if whole else {n.data for n in postorder(problem.node) if n.op == "sym"}
        involved = {n for n in involved | problem.owners if n in self.tiers and n not in relaxed}
        for tier in (GREEK, LATIN) if whole else (GREEK,):
            chosen = {n for n in involved if self.tiers[n] == tier}
            if chosen:
                return chosen
        return set()

    def best(self) -> ShapeInference:
        relaxed = frozenset()
        first = current = self.read(relaxed)
        settled: set = set()  # broadcasts no relaxation removes
        while self.count < MAX_READINGS:
            problems = current.problems(settled)
            if not problems:
                break
            must = problems[0].error is not None  # a failure or a refusal, not a broadcast
            groups = [(p.node, self.candidates(p, relaxed)) for p in problems]
            alone = set().union(*(names for _, names in groups if len(names) == 1))
            if len(groups) > 1 and alone:  # every problem with one way out, all at once
                reading = self.read(relaxed | alone)
                if must or reading.score < current.score:
                    relaxed, current = relaxed | alone, reading
                    continue
            node, names = groups[0]
            if not names:
                if must:
                    break
                settled.add(id(node))
                continue
            more, reading = self.relax(relaxed, names, node)
            if must or reading.score < current.score:
                relaxed, current = more, reading
            else:
                settled.add(id(node))
        if not current.works:
            raise (first if not first.works else current).error()
        return current.inference

    def relax(self, relaxed: frozenset, names: set, node: Node) -> tuple:
        """(relaxed set, reading) relaxing one of ``names`` — the one whose reading is best, if
        no other reading is as good — or else all of them (at once when there are many)."""
        if 1 < len(names) <= MAX_ALONE:
            trials = [(relaxed | {n}, self.read(relaxed | {n})) for n in sorted(names)]
            top = min(r.score for _, r in trials)
            best = [(s, r) for s, r in trials if r.score == top]
            if best[0][1].works:
                self.unique(best, names, node)
                return best[0]
            if self.count >= MAX_READINGS:
                return best[0]
        together = relaxed | names
        return together, self.read(together)

    def unique(self, best: list, names: set, node: Node) -> None:
        """Raise Ambiguous when two readings, equally good, give the symbols different shapes."""
        shown = []
        for _, reading in best:
            text = reading.shapes(names)
            if text not in shown:
                shown.append(text)
        if len(shown) > 1:
            where = best[0][1].inference.src(*node.span)
            raise Ambiguous(
                f"the shapes of {', '.join(sorted(names))} cannot be told from their use in {where}: it reads "
                f"with {shown[0]}, or with {shown[1]}; declare them, e.g. shapes=\"{shown[0]}\""
            )


def infer(root: Node, text: str, decl: Declarations, shape=None, scalar: bool = False,
          reserved=frozenset()) -> ShapeInference:
    """The reading of ``text``: its shapes by unification, the undeclared symbols' defaults
    given up where they fail (see the module text).  ``shape`` is the shape the whole must have
    (ShapeError otherwise); with ``scalar``, a reading in which the whole is 1×1 is preferred,
    but if there is none the reading without that constraint is returned.  ``reserved``: the
    dimension names the text uses (I_n), which no inferred dimension takes."""
    if shape is not None or not scalar:
        return Search(root, text, decl, shape, reserved).best()
    try:
        return Search(root, text, decl, (1, 1), reserved).best()
    except Ambiguous:
        raise
    except ShapeError:
        return Search(root, text, decl, None, reserved).best()
