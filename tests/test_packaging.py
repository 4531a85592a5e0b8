"""Packaging: the wheel ships the grammar and the command, and the dependencies are pinned."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = ("lark", "sympy", "numpy")


def requirements(section: list[str]) -> dict[str, Requirement]:
    return {Requirement(r).name.lower(): Requirement(r) for r in section}


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {name.strip().lower(): version.strip() for name, version in pairs}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if importlib.util.find_spec("pip") is None:
        pytest.skip("pip is not available to build a wheel")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("matcalc", "grammar"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(out)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("matcalc-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


@pytest.mark.slow
@pytest.mark.parametrize("name", ["matcalc.lark", "formula.lark"])
def test_wheel_ships_the_grammars_as_package_data(wheel, name):
    shipped = wheel.read(f"matcalc/grammar/{name}")
    assert shipped == (ROOT / "grammar" / name).read_bytes()


def test_wheel_ships_every_module_and_the_command(wheel):
    names = set(wheel.namelist())
    modules = {f"matcalc/{p.name}" for p in (ROOT / "matcalc").glob("*.py")}
    assert {"matcalc/__init__.py", "matcalc/cli.py", "matcalc/__main__.py"} <= modules
    assert modules <= names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "matcalc = matcalc.cli:main" in wheel.read(entry_points).decode()


def test_wheel_ships_the_web_page_and_mathjax(wheel):
    names = set(wheel.namelist())
    static = ROOT / "matcalc" / "web" / "static"
    files = [p for p in static.rglob("*") if p.is_file()]
    assert {"index.html", "app.js", "style.css", "mathjax-config.js", "tex-svg-full.js", "LICENSE"} <= {p.name for p in files}
    for p in files:
        name = f"matcalc/{p.relative_to(ROOT / 'matcalc').as_posix()}"
        assert name in names, name
        assert wheel.read(name) == p.read_bytes(), name
    assert {"matcalc/web/__init__.py", "matcalc/web/app.py", "matcalc/web/worker.py"} <= names


def test_the_web_page_is_an_extra_in_the_dev_tools():
    extras = PYPROJECT["project"]["optional-dependencies"]
    web, dev = requirements(extras["web"]), requirements(extras["dev"])
    assert set(web) == {"starlette", "uvicorn"} and set(web) <= set(dev)
    assert {"httpx", "playwright"} <= set(dev)
    assert not set(web) & set(requirements(PYPROJECT["project"]["dependencies"]))  # matcalc itself needs neither


def test_runtime_dependencies_have_tested_ranges():
    declared = requirements(PYPROJECT["project"]["dependencies"])
    assert set(RUNTIME) <= set(declared)
    for name in RUNTIME:
        operators = {spec.operator for spec in declared[name].specifier}
        assert operators == {">=", "<"}, f"{name} needs a lower and an upper bound"


def test_constraints_pin_every_dependency_inside_its_range():
    pinned = pins()
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    declared = requirements(project["dependencies"] + extras["dev"] + extras["web"])
    for name, requirement in declared.items():
        assert name in pinned, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned[name]), (name, pinned[name])
    for name in ("mpmath", "pluggy", "iniconfig", "anyio", "h11", "greenlet"):  # transitive ones are pinned too
        assert name in pinned
