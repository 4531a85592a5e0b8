"""The web page in a real headless Chromium (Debian's package, driven by Playwright): type
‖X − DR‖²_F, pick D, see the typeset 2(DR − X)Rᵀ, open the derivation, see the check pass; a
syntax error shows its caret as one types; a permalink answers without a click; the copy and
download buttons give the right text; a structure chosen for the variable gives sym(G) and
travels in the permalink; the code panel's module, copied or downloaded, is what /api/codegen
answers and checks its own gradient.  The server is ``python -m matcalc serve`` on a free
local port.  Each state is saved as a screenshot in docs/screenshots/ (README.md shows one).
"""

from __future__ import annotations

import json
import os
import re
import py_compile
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
expect = playwright.expect

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 120_000  # a busy machine may be slow; a working page answers in about a second


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``python -m matcalc serve`` on a free port, its workers warm; stopped afterwards."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "matcalc", "serve", "--port", str(port), "--workers", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUTF8": "1"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                ask = urllib.request.Request(f"{base}/api/grad", data=b'{"expr": "x\\u1d40x", "wrt": "x"}',
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(ask, timeout=60) as r:
                    assert r.status == 200
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"matcalc serve did not start: {process.stdout.read().decode()}") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium: install Debian's chromium (make test does so with apt-get where it can)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page whose every request is recorded (``page.requests``)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=server, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    p = context.new_page()
    p.requests = []
    p.errors = []
    p.on("request", lambda r: p.requests.append(r.url))
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" and "status of 400" not in m.text else None)
    yield p
    assert p.errors == []  # no script error, no CSP violation, no missing file (a 400 is an answer)
    assert all(u.startswith((server, "data:", "blob:")) for u in p.requests), p.requests  # nothing from elsewhere
    context.close()


def _rows(png: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, the filtered scanlines) of a PNG as Chromium writes it (one image, not interlaced)."""
    i, data, size = 8, b"", (0, 0)
    while i < len(png):
        n, kind = struct.unpack(">I", png[i:i + 4])[0], png[i + 4:i + 8]
        if kind == b"IHDR":
            size = struct.unpack(">II", png[i + 8:i + 16])
        elif kind == b"IDAT":
            data += png[i + 8:i + 8 + n]
        i += 12 + n
    raw = zlib.decompress(data)
    step = len(raw) // size[1]
    return size[0], size[1], [raw[k:k + step] for k in range(0, len(raw), step)]


def shot(p, name: str, element=None) -> None:
    """Save a screenshot as docs/screenshots/NAME.png, unless the one there shows the same
    (the same size, at most 2% of its rows differing by a pixel of antialiasing)."""
    image = (element or p).screenshot()
    path = SCREENSHOTS / f"{name}.png"
    if path.exists():
        old, new = _rows(path.read_bytes()), _rows(image)
        if old[:2] == new[:2] and sum(a != b for a, b in zip(old[2], new[2])) <= 0.02 * new[1]:
            return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)


def done(p) -> None:
    p.wait_for_selector("body[data-state=done]", state="attached", timeout=WAIT_MS)


def answer_of(p):
    return p.locator("#panel-answer pre.unicode")


def test_type_pick_the_variable_see_the_answer_derivation_and_check(page):
    page.goto("/")
    page.locator("#expr").press_sequentially("‖X − DR‖²_F", delay=15)
    expect(page.locator("#wrt option")).to_have_count(3, timeout=WAIT_MS)
    assert page.locator("#wrt option").all_inner_texts() == ["X", "D", "R"]
    expect(page.locator("#shapes")).to_have_value("X: m×n, D: m×p, R: p×n")
    page.select_option("#wrt", "D")
    expect(answer_of(page)).to_have_text("2(DR − X)Rᵀ", timeout=WAIT_MS)
    done(page)
    math = page.locator("#panel-answer .math")
    assert math.get_attribute("data-latex") == r"\frac{\partial f}{\partial D} = 2\left(DR - X\right)R^{\top}"
    expect(math.locator("mjx-container svg")).to_have_count(1)  # typeset by MathJax, as SVG
    assert page.locator("#panel-answer .shapes").inner_text() == "shapes: X: m×n, D: m×p, R: p×n"
    check = page.locator("#panel-check")
    expect(check.locator(".matcalc-verdict")).to_contain_text("✓ agrees with central finite differences at 3 random points")
    expect(check.locator("table.matcalc-table tbody tr")).to_have_count(3)
    expect(check.locator("svg.matcalc-plot polyline")).to_have_count(1)
    shot(page, "page")
    shot(page, "check", check)

    derivation = page.locator("#panel-derivation")
    assert derivation.get_attribute("open") is None  # closed until asked for
    derivation.locator("summary").click()
    expect(derivation.locator("mjx-container svg")).to_have_count(1)
    steps = derivation.locator("pre.unicode").inner_text().splitlines()
    assert steps[0].strip().startswith("1. f = ‖X − DR‖²_F") and steps[0].endswith("[the function]")
    assert steps[-1].split("   [")[0].rstrip().endswith("∂f/∂D = 2(DR − X)Rᵀ")
    assert derivation.locator(".math").get_attribute("data-latex").startswith("\\begin{align*}")
    derivation.scroll_into_view_if_needed()
    shot(page, "derivation", derivation)


def test_a_syntax_error_shows_its_caret_as_one_types(page):
    page.goto("/")
    parses_before = len([u for u in page.requests if u.endswith("/api/parse")])
    page.locator("#expr").press_sequentially("‖X − DR‖²_F +", delay=10)
    error = page.locator("#error")
    expect(error).to_be_visible(timeout=WAIT_MS)
    expect(error).to_contain_text("ParseError: unexpected end of input: the expression is incomplete (line 1, column 14)")
    lines = error.inner_text().splitlines()
    assert lines[-2:] == ["  ‖X − DR‖²_F +", "               ^"]  # the caret under the column after the +
    assert lines[-1].index("^") == lines[-2].index("+") + 1
    expect(page.locator("#expr")).to_have_attribute("aria-invalid", "true")
    parses = len([u for u in page.requests if u.endswith("/api/parse")]) - parses_before
    assert 1 <= parses < len("‖X − DR‖²_F +")  # debounced: not one request a keystroke
    shot(page, "syntax-error", page.locator("#input"))
    page.locator("#expr").press("Backspace")
    page.locator("#expr").press("Backspace")
    expect(error).to_be_hidden(timeout=WAIT_MS)
    expect(page.locator("#expr")).not_to_have_attribute("aria-invalid", "true")


def test_a_permalink_answers_without_a_click(page):
    page.goto("/?expr=" + quote("‖X − DR‖²_F") + "&wrt=D&kind=grad")
    expect(answer_of(page)).to_have_text("2(DR − X)Rᵀ", timeout=WAIT_MS)
    link = page.locator("#permalink").get_attribute("href")
    assert parse_qs(urlsplit(link).query) == {"expr": ["‖X − DR‖²_F"], "wrt": ["D"], "kind": ["grad"]}

    url = "/?" + "&".join(f"{k}={quote(v)}" for k, v in [
        ("expr", "AXB"), ("wrt", "X"), ("kind", "jacobian"), ("layout", "denominator"),
        ("shapes", "A: 2×3, X: 3×4, B: 4×5")])
    page.goto(url)
    expect(answer_of(page)).to_have_text("B ⊗ Aᵀ", timeout=WAIT_MS)
    done(page)
    expect(page.locator("#shapes")).to_have_value("A: 2×3, X: 3×4, B: 4×5")
    expect(page.locator("#layout")).to_have_value("denominator")
    assert page.locator("#panel-answer .math").get_attribute("data-latex").endswith(r"= B \otimes A^{\top}")
    expect(page.locator("#panel-check .matcalc-verdict")).to_contain_text("✓ agrees")
    assert parse_qs(urlsplit(page.url).query)["shapes"] == ["A: 2×3, X: 3×4, B: 4×5"]
    shot(page, "permalink")


def test_copy_and_download_give_the_right_text(page):
    page.goto("/?expr=" + quote("aᵀexp(Xb)") + "&wrt=X")
    expect(answer_of(page)).to_have_text("(a ⊙ exp(Xb))bᵀ", timeout=WAIT_MS)
    latex = r"\left(a \odot \exp\left(Xb\right)\right)b^{\top}"
    panel = page.locator("#panel-answer")
    copy_text = panel.locator("button[data-label='copy text']")
    assert copy_text.get_attribute("data-text") == "(a ⊙ exp(Xb))bᵀ"
    copy_text.click()
    expect(copy_text).to_have_text("copied ✓")
    assert page.evaluate("() => navigator.clipboard.readText()") == "(a ⊙ exp(Xb))bᵀ"
    panel.get_by_role("button", name="copy LaTeX").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == latex
    with page.expect_download() as info:
        panel.get_by_role("button", name="download .tex").click()
    assert info.value.suggested_filename == "gradient.tex"
    assert Path(info.value.path()).read_text(encoding="utf-8") == latex


def test_the_buttons_insert_symbols_and_every_kind_answers(page):
    page.goto("/")
    page.locator("#expr").fill("A")
    for label in ("ᵀ", "⊙"):
        page.locator("#symbols button", has_text=label).first.click()
    page.locator("#expr").press("End")
    page.locator("#expr").press_sequentially("B")
    expect(page.locator("#expr")).to_have_value("Aᵀ ⊙ B")
    page.locator("#expr").fill("")
    page.locator("#symbols button", has_text="tr").click()
    page.locator("#expr").press_sequentially("XᵀAX")
    expect(page.locator("#expr")).to_have_value("tr(XᵀAX)")
    expect(page.locator("#wrt option")).to_have_count(2, timeout=WAIT_MS)
    page.select_option("#wrt", "X")
    page.select_option("#kind", "hessian")
    expect(answer_of(page)).to_have_text("I_n ⊗ (A + Aᵀ)", timeout=WAIT_MS)
    expect(page.locator("#panel-check .matcalc-verdict")).to_contain_text("✓ agrees", timeout=WAIT_MS)
    page.select_option("#kind", "solve")
    page.locator("#expr").fill("‖Xw − y‖² + λ‖w‖²")
    expect(page.locator("#wrt option")).to_have_count(4, timeout=WAIT_MS)
    page.select_option("#wrt", "w")
    expect(answer_of(page)).to_have_text("(XᵀX + λI)⁻¹Xᵀy", timeout=WAIT_MS)
    page.select_option("#kind", "vjp")
    page.locator("#expr").fill("AXB")
    page.locator("#upstream").fill("Δ")
    expect(page.locator("#wrt option")).to_have_count(3, timeout=WAIT_MS)
    page.select_option("#wrt", "X")
    expect(answer_of(page)).to_have_text("AᵀΔBᵀ", timeout=WAIT_MS)


def test_a_structure_for_the_chosen_variable(page):
    page.goto("/")
    page.locator("#expr").press_sequentially("tr(SA)", delay=15)
    expect(page.locator("#wrt option")).to_have_count(2, timeout=WAIT_MS)
    page.select_option("#wrt", "S")
    expect(page.locator("#structure-of")).to_have_text("S")
    expect(answer_of(page)).to_have_text("Aᵀ", timeout=WAIT_MS)  # the free gradient
    done(page)
    page.select_option("#structure", "symmetric")
    expect(answer_of(page)).to_have_text("½(A + Aᵀ)", timeout=WAIT_MS)  # sym(G)
    done(page)
    math = page.locator("#panel-answer .math")
    assert math.get_attribute("data-latex") == r"\operatorname{grad} f = \tfrac{1}{2}\left(A + A^{\top}\right)"
    expect(math.locator("mjx-container svg")).to_have_count(1)
    assert page.locator("#panel-answer .shapes").inner_text() == "shapes: S: m×m, A: m×m"
    expect(page.locator("#shapes")).to_have_value("S: m×m, A: m×m")  # a symmetric S is square
    expect(page.locator("#panel-check .matcalc-verdict")).to_contain_text(
        "✓ agrees with central finite differences along symmetric perturbations")
    assert parse_qs(urlsplit(page.url).query)["structure"] == ["symmetric"]
    derivation = page.locator("#panel-derivation")
    derivation.locator("summary").click()
    last = derivation.locator("pre.unicode").inner_text().splitlines()[-1]
    assert last.split("   [")[0].rstrip().endswith("grad f = ½(A + Aᵀ)") and "sym(G)" in last
    shot(page, "structure")

    page.select_option("#structure", "stiefel")  # a manifold: the Hessian is not taken on it
    page.select_option("#kind", "hessian")
    expect(page.locator("#panel-answer pre.error")).to_contain_text("the Riemannian Hessian (stiefel) is not built",
                                                                    timeout=WAIT_MS)
    page.select_option("#kind", "jacobian")
    expect(page.locator("#panel-answer pre.error")).to_contain_text("jacobian is not taken inside a structure",
                                                                    timeout=WAIT_MS)
    page.select_option("#structure", "")  # none: the free gradient again, and the permalink without a structure
    page.select_option("#kind", "grad")
    expect(answer_of(page)).to_have_text("Aᵀ", timeout=WAIT_MS)
    done(page)
    assert "structure" not in parse_qs(urlsplit(page.url).query)


def test_a_permalink_with_a_structure_answers_without_a_click(page):
    page.goto("/?expr=" + quote("‖XQ − Y‖²_F") + "&wrt=Q&structure=orthogonal")
    expect(answer_of(page)).to_have_text("QYᵀXQ − XᵀY", timeout=WAIT_MS)
    done(page)
    expect(page.locator("#structure")).to_have_value("orthogonal")
    expect(page.locator("#structure-of")).to_have_text("Q")
    expect(page.locator("#panel-check .matcalc-verdict")).to_contain_text("✓ agrees", timeout=WAIT_MS)
    link = page.locator("#permalink").get_attribute("href")
    assert parse_qs(urlsplit(link).query) == {"expr": ["‖XQ − Y‖²_F"], "wrt": ["Q"], "kind": ["grad"],
                                              "structure": ["orthogonal"]}
    page.goto("/?expr=" + quote("tr(SA)") + "&wrt=S&structure=symetric")  # misspelt: said, not dropped
    expect(page.locator("#panel-answer pre.error")).to_contain_text("not 'symetric'; did you mean symmetric?",
                                                                    timeout=WAIT_MS)


# ---- the generated code ------------------------------------------------------------------------------


def codegen(server, **body) -> dict:
    """What /api/codegen answers to ``body``."""
    ask = urllib.request.Request(f"{server}/api/codegen", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(ask, timeout=WAIT_MS / 1000) as r:
        return json.loads(r.read().decode("utf-8"))


def code_of(p):
    return p.locator("#panel-code pre.code")


def text_of(locator) -> str:
    """The element's text exactly as the page holds it (inner_text would reflow it)."""
    return locator.evaluate("e => e.textContent")


def test_the_code_panel_copies_and_downloads_the_module(page, server, tmp_path):
    page.goto("/")
    page.locator("#expr").press_sequentially("‖X − DR‖²_F", delay=15)
    expect(page.locator("#wrt option")).to_have_count(3, timeout=WAIT_MS)
    page.select_option("#wrt", "D")
    panel = page.locator("#panel-code")
    expect(code_of(page)).to_contain_text("∂f/∂D = 2(DR − X)Rᵀ", timeout=WAIT_MS)
    done(page)
    expected = codegen(server, expr="‖X − DR‖²_F", wrt="D")
    assert expected["filename"] == "f_and_grad.py" and "import numpy as np" in expected["text"]
    assert text_of(code_of(page)) == expected["text"]
    expect(page.locator("#backend")).to_have_value("numpy")

    copy = panel.locator("button[data-label='copy code']")
    copy.click()
    expect(copy).to_have_text("copied ✓")
    assert page.evaluate("() => navigator.clipboard.readText()") == expected["text"]
    expect(copy).to_have_text("copy code", timeout=WAIT_MS)  # the confirmation goes away

    with page.expect_download() as info:
        panel.get_by_role("button", name="download f_and_grad.py").click()
    assert info.value.suggested_filename == "f_and_grad.py"
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.read_text(encoding="utf-8") == expected["text"]
    py_compile.compile(str(path), doraise=True)
    run = subprocess.run([sys.executable, "-c", "import f_and_grad; print(f_and_grad.check_gradient())"], cwd=tmp_path,
                         capture_output=True, text=True, encoding="utf-8", env={**os.environ, "PYTHONUTF8": "1"},
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert 0 <= float(run.stdout) <= 1e-6
    panel.scroll_into_view_if_needed()
    shot(page, "code", panel)

    page.select_option("#backend", "torch")  # only the code panel changes
    torch = codegen(server, expr="‖X − DR‖²_F", wrt="D", backend="torch")
    expect(code_of(page)).to_contain_text("import torch", timeout=WAIT_MS)
    done(page)
    assert text_of(code_of(page)) == torch["text"]
    assert parse_qs(urlsplit(page.url).query)["backend"] == ["torch"]
    with page.expect_download() as info:
        panel.get_by_role("button", name="download f_and_grad.py").click()
    assert Path(info.value.path()).read_text(encoding="utf-8") == torch["text"]


def test_the_copy_button_without_the_clipboard_api(page, server):
    page.add_init_script("""
        const clipboard = navigator.clipboard;          // kept for the test to read back
        window.realClipboard = clipboard;
        Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
    """)
    page.goto("/?expr=" + quote("aᵀexp(Xb)") + "&wrt=X&backend=jax")
    expect(code_of(page)).to_contain_text("import jax.numpy as jnp", timeout=WAIT_MS)
    done(page)
    expected = codegen(server, expr="aᵀexp(Xb)", wrt="X", backend="jax")["text"]
    expect(page.locator("#backend")).to_have_value("jax")
    assert page.evaluate("() => navigator.clipboard") is None
    copy = page.locator("#panel-code button[data-label='copy code']")
    copy.click()  # the fallback: a selected textarea, copied by the browser
    expect(copy).to_have_text("copied ✓")
    assert page.evaluate("() => window.realClipboard.readText()") == expected

    page.evaluate("() => { document.execCommand = () => false; }")  # a browser that copies nothing
    copy.click()
    expect(copy).to_have_text("selected: press Ctrl+C")
    assert page.evaluate("() => window.getSelection().toString()").rstrip("\n") == expected.rstrip("\n")


def test_the_code_panel_follows_the_form_and_says_what_it_refuses(page, server):
    page.goto("/?expr=" + quote("tr(SA)") + "&wrt=S&structure=symmetric")
    expect(answer_of(page)).to_have_text("½(A + Aᵀ)", timeout=WAIT_MS)  # the page works on
    expect(page.locator("#panel-code pre.error")).to_have_text(
        "codegen is not taken inside a structure (symmetric); the commands that take one: grad, differential, "
        "hessian, derive, check", timeout=WAIT_MS)
    page.select_option("#structure", "")
    expect(code_of(page)).to_contain_text("∂f/∂S = Aᵀ", timeout=WAIT_MS)
    done(page)

    page.goto("/?expr=" + quote("λ_max(S) + tr(SA)") + "&wrt=S&backend=jax")
    expect(code_of(page)).to_contain_text("w = jnp.linalg.eigvalsh(", timeout=WAIT_MS)
    expect(answer_of(page)).to_contain_text("A", timeout=WAIT_MS)
    page.select_option("#backend", "numpy")
    expect(code_of(page)).to_contain_text("def f_and_grad(S, A):", timeout=WAIT_MS)
    done(page)
    assert "backend" not in parse_qs(urlsplit(page.url).query)

    page.goto("/?expr=" + quote("log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)") + "&wrt=μ&kind=hessian&domains=" + quote("Σ: spd"))
    expect(code_of(page)).to_contain_text("Returns (value, grad, hessian)", timeout=WAIT_MS)
    done(page)
    assert text_of(code_of(page)) == codegen(server, expr="log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", wrt="μ",
                                             domains="Σ: spd", hessian=True)["text"]
    page.locator("#shapes").fill("x: 3, μ: 3, Σ: 3×3")  # the declarations typed follow too
    expect(code_of(page)).to_contain_text("Sigma: Σ, a 3×3 matrix", timeout=WAIT_MS)
    page.select_option("#kind", "jacobian")
    expect(page.locator("#panel-code .panel-body")).to_have_text(
        "The generated code is of a scalar function's value and gradient: choose gradient, differential, "
        "Hessian or solve.", timeout=WAIT_MS)
    page.goto("/?expr=" + quote("aᵀXb") + "&wrt=X&backend=tf")  # misspelt: said, not dropped
    expect(page.locator("#panel-code pre.error")).to_contain_text("the backend is one of numpy, jax, torch, not 'tf'",
                                                                  timeout=WAIT_MS)


def test_a_backend_chosen_while_the_panels_compute(page, server):
    held = []  # the panels' requests wait here until the backend is chosen

    def hold(route):
        if held is None:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/api/(derive|check|codegen)$"), hold)
    page.goto("/?expr=" + quote("‖X − DR‖²_F") + "&wrt=D")
    page.wait_for_selector("body[data-state=computing]", state="attached", timeout=WAIT_MS)
    page.select_option("#backend", "jax")  # before the first answers: every panel still answers
    waiting, held = held, None
    for route in waiting:
        route.continue_()
    done(page)
    expect(page.locator(".panel-body.busy")).to_have_count(0)
    assert text_of(code_of(page)) == codegen(server, expr="‖X − DR‖²_F", wrt="D", backend="jax")["text"]
    expect(answer_of(page)).to_have_text("2(DR − X)Rᵀ")
    expect(page.locator("#panel-check .matcalc-verdict")).to_contain_text("✓ agrees")
    assert parse_qs(urlsplit(page.url).query)["backend"] == ["jax"]
