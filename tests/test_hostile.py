"""Hostile input: no text a user gives is ever run as code, whatever the entry point.

Each payload tries to write a sentinel file (an absolute path in the test's tmp_path); it is
fed to every public function as the expression and through every declaration argument (text
and dict), and to the command line.  Nothing may write the file, every call raises a
MatcalcError, and the command line exits non-zero with ``error:`` and no traceback.  The
package source holds no call that evaluates text (checked with ast).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import matcalc as mc
from matcalc.codegen.load import validate
from matcalc.errors import UnsupportedError

ROOT = Path(__file__).resolve().parents[1]

# (id, payload); {p} is the sentinel's absolute path.
PAYLOADS = [
    ("import-system", "__import__('os').system('touch {p}')"),
    ("import-open", "__import__('builtins').open('{p}', 'w')"),
    ("open", "open('{p}', 'w')"),
    ("open-write", "open('{p}', 'w').write('x')"),
    ("exec", "exec(\"open('{p}', 'w')\")"),
    ("eval", "eval(\"open('{p}', 'w')\")"),
    ("compile", "exec(compile(\"open('{p}', 'w')\", 's', 'exec'))"),
    ("lambda", "(lambda: open('{p}', 'w'))()"),
    ("lambda-x", "lambda x: open('{p}', 'w')"),
    ("f-string", "f\"{{open('{p}', 'w')}}\""),
    ("dunder-chain", "().__class__.__bases__[0].__subclasses__()"),
    ("dunder-mro", "x.__class__.__mro__[-1].__subclasses__()"),
    ("dunder-attribute", "x.__class__"),
    ("globals", "globals()"),
    ("builtins", "__builtins__"),
    ("getattr", "getattr(__builtins__, 'open')('{p}', 'w')"),
    ("comprehension", "[open('{p}', 'w') for x in (1,)]"),
    ("walrus", "(y := open('{p}', 'w'))"),
    ("statement", "x; open('{p}', 'w')"),
    ("newline-statement", "x\nopen('{p}', 'w')"),
    ("import-statement", "import os; os.system('touch {p}')"),
    ("sympy-function", "Function('f')(x) + sympify(\"open('{p}', 'w')\")"),
    ("sympy-symbol", "Symbol('y') + x"),
    ("lambdify", "lambdify(x, x)"),
    ("nul", "x\x00open('{p}', 'w')"),
    ("long", "x + " * 6000 + "x"),
    ("long-formula", "x+" * 600 + "x"),  # a valid expression, but longer than a formula may be
    ("deep", "(" * 500 + "x" + ")" * 500),
    ("deep-calls", "exp(" * 300 + "x" + ")" * 300),
    ("deep-brackets", "[" * 300 + "x" + "]" * 300),
    ("deep-braces", "{" * 300 + "x" + "}" * 300),
    ("deep-bars", "|" * 400 + "x" + "|" * 400),
    ("deep-norms", "‖" * 400 + "x" + "‖" * 400),
]


def _expr_entry(fn, **kw):
    return lambda payload: fn(payload, **kw)


# (id, call of the payload): the payload as the expression, as a claim, as a name.
EXPRESSION_ENTRIES = [
    ("parse", lambda s: mc.parse(s)),
    ("grad", lambda s: mc.grad(s, "x")),
    ("differential", lambda s: mc.differential(s, "x")),
    ("check", lambda s: mc.check(s, "x")),
    ("check-expected", lambda s: mc.check("xᵀx", "x", expected=s)),
    ("jacobian", lambda s: mc.jacobian(s, "x")),
    ("hessian", lambda s: mc.hessian(s, "x")),
    ("vjp", lambda s: mc.vjp(s, "x")),
    ("vjp-upstream", lambda s: mc.vjp("Wx", "W", upstream=s)),
    ("derive", lambda s: mc.derive(s, "x")),
    ("solve", lambda s: mc.solve(s, "x")),
    ("grad-wrt", lambda s: mc.grad("xᵀx", s)),
]

# Every entry point with the declarations a payload goes into.
CALLS = {
    "parse": lambda **kw: mc.parse("sum(h(X))", **kw),
    "grad": lambda **kw: mc.grad("sum(h(X))", "X", **kw),
    "differential": lambda **kw: mc.differential("sum(h(X))", "X", **kw),
    "check": lambda **kw: mc.check("sum(h(X))", "X", **kw),
    "check-expected": lambda **kw: mc.check("sum(h(X))", "X", expected="h′(X)", **kw),
    "jacobian": lambda **kw: mc.jacobian("h(X)", "X", **kw),
    "hessian": lambda **kw: mc.hessian("sum(h(X))", "X", **kw),
    "vjp": lambda **kw: mc.vjp("h(X)", "X", **kw),
    "vjp-upstream": lambda **kw: mc.vjp("h(X)", "X", upstream="Δ", **kw),
    "derive": lambda **kw: mc.derive("sum(h(X))", "X", **kw),
    "solve": lambda **kw: mc.solve("sum(h(X))", "X", **kw),
}

# The ways a payload reaches a declaration.
DECLARATIONS = [
    ("functions-text", lambda s: {"functions": "h: " + s}),
    ("functions-dict", lambda s: {"functions": {"h": s}}),
    ("shapes-text", lambda s: {"shapes": "X: m×n, h: " + s}),
    ("domains-text", lambda s: {"domains": "h: " + s}),
    ("shapes-dict", lambda s: {"shapes": {"X": s}, "functions": {"h": "x^2"}}),
    ("domains-dict", lambda s: {"domains": {"X": s}, "functions": {"h": "x^2"}}),
]


@pytest.fixture
def sentinel(tmp_path):
    path = tmp_path / "SENTINEL"
    yield path
    assert not path.exists(), "a payload ran"


def _payload(template: str, sentinel: Path) -> str:
    return template.replace("{p}", str(sentinel.resolve()))


def _refused(call) -> mc.MatcalcError:
    with pytest.raises(mc.MatcalcError) as info:
        call()
    assert "Traceback" not in str(info.value)
    return info.value


EXPRESSION_PAYLOADS = [p for p in PAYLOADS if p[0] != "long-formula"]


@pytest.mark.parametrize("template", [p[1] for p in EXPRESSION_PAYLOADS], ids=[p[0] for p in EXPRESSION_PAYLOADS])
@pytest.mark.parametrize("call", [e[1] for e in EXPRESSION_ENTRIES], ids=[e[0] for e in EXPRESSION_ENTRIES])
def test_payload_as_the_expression_is_refused(call, template, sentinel):
    _refused(lambda: call(_payload(template, sentinel)))


@pytest.mark.parametrize("template", [p[1] for p in PAYLOADS], ids=[p[0] for p in PAYLOADS])
@pytest.mark.parametrize("declare", [d[1] for d in DECLARATIONS], ids=[d[0] for d in DECLARATIONS])
@pytest.mark.parametrize("entry", list(CALLS))
def test_payload_in_a_declaration_is_refused(entry, declare, template, sentinel):
    error = _refused(lambda: CALLS[entry](**declare(_payload(template, sentinel))))
    assert isinstance(error, (mc.ParseError, mc.DomainError)), f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("template", [p[1] for p in PAYLOADS], ids=[p[0] for p in PAYLOADS])
def test_a_formula_payload_names_the_declaration(template, sentinel):
    payload = _payload(template, sentinel)
    error = _refused(lambda: mc.grad("sum(h(X))", "X", functions={"h": payload}))
    assert str(error).startswith(f"the formula of h, {payload.strip()!r}, is not a formula in x")
    error = _refused(lambda: mc.grad("sum(h(X))", "X", functions="h: " + payload))
    assert str(error).startswith(("the declaration ", "cannot read the declaration ", "unknown domain ", "unknown word ")), str(error)


# ---- the command line -------------------------------------------------------------------------

CLI_PAYLOADS = [p for p in PAYLOADS if p[0] in (
    "import-system", "open", "exec", "lambda", "f-string", "dunder-chain", "getattr", "long", "deep-norms",
)]
CLI_FORMS = [
    ("EXPR", lambda s: ["grad", s, "--wrt", "X"]),
    ("--functions", lambda s: ["grad", "sum(h(X))", "--wrt", "X", "--check", "--functions", "h: " + s]),
    ("--shapes", lambda s: ["hessian", "sum(h(X))", "--wrt", "X", "--shapes", "X: m×n, h: " + s]),
    ("--domains", lambda s: ["jacobian", "h(X)", "--wrt", "X", "--domains", "h: " + s]),
]


@pytest.mark.slow
@pytest.mark.parametrize("template", [p[1] for p in CLI_PAYLOADS], ids=[p[0] for p in CLI_PAYLOADS])
@pytest.mark.parametrize("form", [f[1] for f in CLI_FORMS], ids=[f[0] for f in CLI_FORMS])
def test_payload_on_the_command_line_is_refused(form, template, sentinel):
    argv = form(_payload(template, sentinel))
    env = {**os.environ, "PYTHONUTF8": "1"}
    run = subprocess.run([sys.executable, "-m", "matcalc", *argv], capture_output=True, text=True, env=env,
                         cwd=sentinel.parent, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


# ---- the source holds no call that evaluates text ---------------------------------------------

EVALUATING = {"sympify", "parse_expr", "eval", "exec", "lambdify"}  # as a name or an attribute
BUILTINS = {"compile", "__import__"}  # as a name


def _calls_that_evaluate(path: Path) -> list:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in EVALUATING or (isinstance(f, ast.Name) and name in BUILTINS) or (
                    name == "S" and isinstance(f, ast.Attribute)):
                found.append((path.name, node.lineno, name))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sympy"):
            found += [(path.name, node.lineno, a.name) for a in node.names if a.name in EVALUATING | {"S"}]
        if isinstance(node, ast.ImportFrom) and node.module and "parsing" in node.module:
            found.append((path.name, node.lineno, node.module))
    return sorted(found)


# The one place that runs code: matcalc.codegen.load, of source the generator wrote itself and
# ``validate`` read back first (identifiers from the whitelist, imports of backends only).
RUNS_GENERATED_CODE = ("load.py", {"compile", "exec"})


def test_the_package_never_calls_a_function_that_evaluates_text():
    found = [hit for path in sorted((ROOT / "matcalc").rglob("*.py")) for hit in _calls_that_evaluate(path)
             if not (path.parent.name == "codegen" and path.name == RUNS_GENERATED_CODE[0]
                     and hit[2] in RUNS_GENERATED_CODE[1])]
    assert not found, f"calls that evaluate text (file, line, name): {found}"


def test_only_load_runs_code_and_only_source_it_validated():
    load = ROOT / "matcalc" / "codegen" / "load.py"
    tree = ast.parse(load.read_text(encoding="utf-8"))
    (function,) = [f for f in tree.body if isinstance(f, ast.FunctionDef)
                   and any(h[2] == "exec" for h in _calls_that_evaluate_in(f, load))]
    assert function.name == "load"
    first = function.body[1] if isinstance(function.body[0], ast.Expr) else function.body[0]
    assert ast.unparse(first) == "validate(program.source)"
    assert {h[2] for h in _calls_that_evaluate_in(tree, load)} == {"compile", "exec"}
    assert len(_calls_that_evaluate_in(tree, load)) == len(_calls_that_evaluate_in(function, load)) == 2


def test_generated_code_is_refused_unless_the_generator_could_have_written_it():
    for source in ("import os\n", "def f(x):\n    return eval(x)\n", "def f(x):\n    return x.__class__\n",
                   "def f(x):\n    return 'rm -rf /; echo $HOME'\n", "def f(x):\n    return open('p')\n"):
        with pytest.raises(UnsupportedError):
            validate(source)
    validate("import numpy as np\ndef f(x):\n    return np.sum(x) + 1.0\n")


def _calls_that_evaluate_in(node, path) -> list:
    found = []
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in EVALUATING | BUILTINS:
            found.append((path.name, n.lineno, n.func.id))
    return found


def test_the_scan_finds_such_calls(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import sympy\nsympy.sympify(s)\neval(s)\nsympy.S(s)\nfrom sympy import lambdify\n")
    assert [hit[2] for hit in _calls_that_evaluate(sample)] == ["sympify", "eval", "S", "lambdify"]
