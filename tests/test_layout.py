"""The pipeline's layout: each module imports only modules of earlier stages."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "matcalc"

# Stages in pipeline order; the shared foundations (errors, the tree, the function table) first.
ORDER = [
    "errors", "nodes", "tree", "functions", "declarations", "tokens", "syntax", "shapes", "parser",
    "differential", "adjoint", "rewriting", "simplify_sums", "simplify_scalars", "simplify", "kronecker", "jacobian", "backprop", "printer", "printing", "evaluate", "check", "jacobian_check", "derive", "api", "cli",
]


def _imports(path: Path) -> set:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
    return out


def test_every_module_has_a_place_in_the_pipeline():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert modules == set(ORDER)


def test_no_module_imports_a_later_stage():
    for name in ORDER:
        later = set(ORDER[ORDER.index(name):])
        assert not (_imports(PACKAGE / f"{name}.py") & later), name
