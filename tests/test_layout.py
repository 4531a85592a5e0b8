"""The pipeline's layout: one package per stage, each importing only earlier stages.

The import graph is read from the source with ``ast``: every ``import`` of a matcalc module,
wherever it stands, is an edge from the importing module to the imported one.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matcalc"

# Stages in pipeline order (docs/architecture.md); a module may import its own stage and
# earlier ones.  The top-level modules: errors first, api, commands (the API by name, for the
# command line and the web page), web and cli last.
STAGES = ["errors", "language", "expr", "calculus", "simplify", "printing", "codegen", "numeric", "interop", "results", "api", "commands", "web", "cli"]
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, path: Path, node: ast.ImportFrom, modules: dict) -> list:
    """The modules a ``from … import …`` imports: each name that is a submodule, else the
    module the names come from."""
    if node.level == 0:
        base = node.module or ""
    else:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def _edges(module: str, path: Path, modules: dict) -> list:
    """(imported module, line, at top level?) for each import of a matcalc module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom):
            names = _resolve(module, path, node, modules)
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name in modules and name != module:
                out.append((name, node.lineno, id(node) in top))
    return out


def _stage(module: str) -> int:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else -1


def _graph() -> dict:
    modules = _modules()
    return {m: _edges(m, p, modules) for m, p in modules.items()}


def test_every_module_belongs_to_a_stage():
    lost = [m for m in _modules() if m not in ("matcalc", "matcalc.__main__") and _stage(m) < 0]
    assert not lost, f"modules outside the stages {STAGES}: {lost}"


def test_no_module_imports_a_later_stage():
    wrong = [(m, target, line) for m, edges in _graph().items() if _stage(m) >= 0
             for target, line, _ in edges if _stage(target) > _stage(m)]
    assert not wrong, "imports of a later stage (module, imported, line): " + repr(wrong)


def test_imports_stand_at_the_top_of_the_module():
    """No import inside a function or a try block, where it would dodge the layering."""
    hidden = [(m, target, line) for m, edges in _graph().items() for target, line, top in edges if not top]
    assert not hidden, "imports of matcalc modules below the top level (module, imported, line): " + repr(hidden)


def test_the_import_graph_has_no_cycle():
    graph = {m: {target for target, _, _ in edges if target != "matcalc"} for m, edges in _graph().items()}
    state: dict = {}

    def visit(m, path):
        state[m] = "open"
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                raise AssertionError("import cycle: " + " → ".join(path + [m, n]))
            if n not in state:
                visit(n, path + [m])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_short(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines (at most {MAX_LINES})"


def test_every_stage_package_says_what_it_takes_gives_and_may_import():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        if not init.exists():
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert doc.startswith(f"Stage: ") and "Takes" in doc and "gives" in doc and "May import" in doc, stage

