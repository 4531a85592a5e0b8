"""The API's operations by name, as the command line and the web page run them.

``COMMANDS`` lists each operation (grad, differential, jacobian, hessian, vjp, solve, derive,
check) with its help, an example and the options it takes; ``OPTIONS`` gives each option's
type and default.  ``answer(command, args)`` parses the expression with the declarations in
their text form, runs the operation and gives an ``Answer``: what it shows (Unicode ``text``,
``latex``) and one JSON object — "command", "expr", "wrt", "text", "latex", then the command's
own fields (README.md, "Command line" and "Web page").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import api
from .expr import show_dim
from .language.declarations import parse_declarations
from .printing.prose import prose_latex
from .results import backprop

# Each command: name → (help, description, example EXPR, its own options).
COMMANDS = {
    "grad": ("the gradient ∂f/∂X of a scalar expression",
             "Print the gradient G of the scalar EXPR with respect to X (df = tr(GᵀdX)), in closed form.",
             "‖X − DR‖²_F", ("wrt", "structure", "check", "steps")),
    "differential": ("the differential df = tr(GᵀdX) of a scalar expression",
                     "Print the differential of the scalar EXPR in the form df = tr(GᵀdX).", "aᵀXb",
                     ("wrt", "structure")),
    "jacobian": ("the Jacobian ∂vec(F)/∂vec(X)ᵀ of a vector- or matrix-valued expression",
                 "Print J with vec(dF) = J vec(dX) in closed form (⊗, the commutation matrix K, diag).",
                 "AXB", ("wrt", "check", "layout")),
    "hessian": ("the Hessian of a scalar expression",
                "Print H with d²f = vec(dX)ᵀ H vec(dX) in closed form.", "xᵀAx", ("wrt", "structure", "check")),
    "vjp": ("the backpropagation rule ∂L/∂X of a matrix-valued expression",
            "Print ∂L/∂X in closed form, given the upstream gradient G = ∂L/∂EXPR.", "WX", ("wrt", "check", "upstream")),
    "solve": ("the stationary point of a scalar expression",
              "Print the point where the gradient of EXPR vanishes, when it is affine in the variable.",
              "‖Xw − y‖²", ("wrt",)),
    "derive": ("the derivation of the gradient, step by step",
               "Print the numbered steps from f to ∂f/∂X, each naming the rule it applies.", "aᵀXb",
               ("wrt", "structure")),
    "check": ("compare a gradient with central finite differences",
              "Check the gradient of EXPR (or the claimed --expected one) against central finite differences "
              "at random points; exit code 1 when they disagree.", "‖X − DR‖²_F", ("wrt", "structure", "expected")),
}

# Each option: name → (type, default, the options it brings along).  "check" and "expected"
# bring the number of random points and their seed.
OPTIONS = {
    "wrt": (str, None, ()),
    "structure": (str, None, ()),
    "check": (bool, False, ("trials", "seed")),
    "expected": (str, None, ("trials", "seed")),
    "steps": (bool, False, ()),
    "layout": (str, "numerator", ()),
    "upstream": (str, "G", ()),
    "trials": (int, 3, ()),
    "seed": (int, 0, ()),
}
LAYOUTS = ("numerator", "denominator")
DECLARATIONS = ("shapes", "domains", "functions")


def options_of(command: str) -> tuple:
    """The names of the options ``command`` takes, those brought along included, in order."""
    own = COMMANDS[command][3]
    return tuple(dict.fromkeys(o for name in own for o in (name, *OPTIONS[name][2])))


# --------------------------------------------------------------------------------------------
# The commands: each gives what to print, its JSON fields and, with --check, the check to run.


@dataclass
class Output:
    """What a command shows, in order (each has ``str`` and ``latex()``), its own JSON fields,
    and a thunk giving the check report (the exit code is 1 when it is falsy)."""

    shown: list
    fields: dict = field(default_factory=dict)
    check: Callable | None = None


@dataclass(frozen=True)
class InferredShapes:
    """The line ``shapes: X: m×n, …`` under a gradient (text a ``--shapes`` option reads); not
    part of the LaTeX."""

    shapes: object

    def __str__(self) -> str:
        return f"shapes: {self.shapes}"

    def latex(self) -> None:
        return None


def declarations(args) -> dict:
    """The keyword arguments shapes/domains/functions from the declarations' text forms
    (``args.shapes``, ``args.domains``, ``args.functions``)."""
    text = ", ".join(t for t in (args.shapes.strip(), args.domains.strip(), args.functions.strip()) if t)
    if not text:
        return {}
    shapes, domains, functions = parse_declarations(text)
    return {"shapes": shapes or None, "domains": domains or None, "functions": functions or None}


def run_grad(args, f, decl) -> Output:
    """``grad``: G (after the derivation, with steps)."""
    if args.steps:
        derivation = api.derive(f, args.wrt, structure=args.structure)
        g, out = derivation.gradient, Output([derivation, derivation.gradient], {"steps": steps(derivation)})
    else:
        g = api.grad(f, args.wrt, structure=args.structure)
        out = Output([g])
    out.fields["gradient"] = str(g)
    if set(f.shapes) - set(decl.get("shapes") or {}):  # some shapes were inferred: say which
        out.shown.append(InferredShapes(f.shapes))
        out.fields["shapes"] = str(f.shapes)
    out.check = lambda: api.check(f, args.wrt, expected=g, trials=args.trials, seed=args.seed, structure=args.structure)
    return out


def run_differential(args, f, decl) -> Output:
    """``differential``: df = tr(Gᵀ dX)."""
    d = api.differential(f, args.wrt, structure=args.structure)
    return Output([d], {"differential": str(d), "gradient": str(d.gradient)})


def run_jacobian(args, f, decl) -> Output:
    """``jacobian``: J in the chosen layout."""
    j = api.jacobian(f, args.wrt, layout=args.layout)
    return Output([j], {"jacobian": str(j), "layout": args.layout, "shape": [show_dim(d) for d in j.shape]},
                  lambda: j.check(trials=args.trials, seed=args.seed))


def run_hessian(args, f, decl) -> Output:
    """``hessian``: H."""
    h = api.hessian(f, args.wrt, structure=args.structure)
    return Output([h], {"hessian": str(h), "shape": [show_dim(d) for d in h.shape]},
                  lambda: h.check(trials=args.trials, seed=args.seed))


def run_vjp(args, f, decl) -> Output:
    """``vjp``: ∂L/∂X, checked against finite differences of the loss ⟨G, F⟩."""
    result = api.vjp(f, args.wrt, args.upstream)

    def check():
        loss = backprop.pairing(f, backprop.upstream_symbol(f, args.upstream))
        return api.check(loss, args.wrt, expected=result, trials=args.trials, seed=args.seed)

    return Output([result], {"vjp": str(result), "upstream": args.upstream}, check)


def run_solve(args, f, decl) -> Output:
    """``solve``: the stationary point."""
    w = api.solve(f, args.wrt)
    return Output([w], {"solution": str(w)})


def run_derive(args, f, decl) -> Output:
    """``derive``: the numbered steps."""
    d = api.derive(f, args.wrt, structure=args.structure)
    return Output([d], {"steps": steps(d), "gradient": str(d.gradient)})


def run_check(args, f, decl) -> Output:
    """``check``: the report (exit code 1 when the gradient disagrees)."""
    claim = args.expected if args.expected is not None else api.grad(f, args.wrt, structure=args.structure)
    report = api.check(f, args.wrt, expected=claim, trials=args.trials, seed=args.seed, structure=args.structure, **decl)
    return Output([report], {"gradient": str(claim), "report": report_fields(report)}, lambda: report)


RUN = {"grad": run_grad, "differential": run_differential, "jacobian": run_jacobian, "hessian": run_hessian,
       "vjp": run_vjp, "solve": run_solve, "derive": run_derive, "check": run_check}
# The commands whose expression is a scalar function: its undeclared symbols are read so.
SCALAR_COMMANDS = {"grad", "differential", "hessian", "solve", "derive", "check", "codegen"}


def steps(d) -> list[dict]:
    """The steps of a derivation for JSON: lhs, expr, rule, and the LaTeX of the line and the rule."""
    return [{"lhs": s.lhs(), "expr": str(s.expr), "rule": s.rule,
             "latex": f"{s.lhs(True)} = {s.expr.latex()}", "rule_latex": prose_latex(s.rule)} for s in d.steps]


def report_fields(r) -> dict:
    """A check report for JSON: the verdict and, at the worst point, the values, the finite
    differences and the computed gradient (or Jacobian)."""
    return {"ok": bool(r), "inconclusive": r.inconclusive, "verdict": r.headline(), "errors": list(r.trials),
            "max_error": r.error, "rtol": r.rtol, "point": {k: json_values(v) for k, v in r.point.items()},
            "finite_differences": json_values(r.expected), "computed": json_values(r.actual)}


def json_values(v):
    """A number or array for JSON (nested lists); complex values as {"real": …, "imag": …}."""
    if v is not None and np.iscomplexobj(v):
        return {"real": json_values(np.real(v)), "imag": json_values(np.imag(v))}
    return None if v is None else json_number(np.asarray(v, dtype=float).tolist())


def json_number(v):
    """v with non-finite floats as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers)."""
    if isinstance(v, list):
        return [json_number(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return v


# --------------------------------------------------------------------------------------------
# Running a command


@dataclass
class Answer:
    """A command's result: ``shown`` (each with ``str`` and ``latex()``), the check ``report``
    when one was run, the JSON ``head`` (command, expr, wrt) and the command's own ``fields``."""

    shown: list
    report: object
    head: dict
    fields: dict

    @property
    def text(self) -> str:
        return "\n".join(str(x) for x in self.shown)

    @property
    def latex(self) -> str:
        return "\n".join(filter(None, (x.latex() for x in self.shown)))

    @property
    def json(self) -> dict:
        """The object ``--json`` prints: command, expr, wrt, text, latex, then the command's fields."""
        return {**self.head, "text": self.text, "latex": self.latex, **self.fields}

    @property
    def failed(self) -> bool:
        """Whether a check was run and did not pass (the command line's exit code 1)."""
        return self.report is not None and not self.report


def answer(command: str, args, run: dict = RUN) -> Answer:
    """Parse ``args.expr`` with the declarations of ``args`` and run ``command`` (by ``run``);
    with ``args.check`` (always for ``check``) the report follows the result."""
    decl = declarations(args)
    scalar = command in SCALAR_COMMANDS
    if getattr(args, "structure", None):
        f = api.read_square(args.expr, args.wrt, args.structure, **decl, scalar=scalar)
    else:
        f = api.parse(args.expr, **decl, scalar=scalar)
    result = run[command](args, f, decl)
    shown, report = list(result.shown), None
    if result.check is not None and (command == "check" or getattr(args, "check", False)):
        report = result.check()
        if command != "check":  # the report follows the result
            shown.append(report)
            result.fields["check"] = report_fields(report)
    head = {"command": command, "expr": str(f)}
    if getattr(args, "wrt", None) is not None:
        head["wrt"] = args.wrt
    return Answer(shown, report, head, result.fields)
