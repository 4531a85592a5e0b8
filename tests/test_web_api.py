"""The JSON API of the web page through Starlette's test client: every endpoint answers what the
command line answers, bad input gets a 400 with the error's class and position, and the limits
hold — body size, the library's length and depth, the per-request time limit — while 50
concurrent requests are all answered right; /api/codegen answers the module ``mc.codegen`` writes
for each backend (torch's without torch), whose check_gradient passes."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import matcalc as mc
from matcalc import cli
from matcalc.expr.parse import MAX_LENGTH
from matcalc.language.tokens import MAX_DEPTH

pytest.importorskip("starlette")
pytest.importorskip("httpx")
with warnings.catch_warnings():  # Starlette 1.x suggests httpx's successor; httpx is the one pinned
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from matcalc.web import create_app  # noqa: E402
from matcalc.web.protocol import read_request  # noqa: E402
from matcalc.web.workers import LOST, Pool  # noqa: E402
from matcalc.web.app import STATIC  # noqa: E402
from generated import load_module  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 60.0  # generous: the machine may be busy; the slow test has its own small limit


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(time_limit=TIME_LIMIT, workers=2)) as c:
        yield c


def cli_json(capsys, *argv) -> dict:
    """What ``matcalc … --json`` prints, in process."""
    cli.main([*argv, "--json"])
    return json.loads(capsys.readouterr().out)


# ---- every endpoint ------------------------------------------------------------------------------

ENDPOINTS = [
    # endpoint, request, the command line's arguments, the field that holds the answer, the answer
    ("grad", {"expr": "‖X − DR‖²_F", "wrt": "D"}, ["grad", "‖X − DR‖²_F", "--wrt", "D"], "gradient", "2(DR − X)Rᵀ"),
    ("differential", {"expr": "aᵀXb", "wrt": "X"}, ["differential", "aᵀXb", "--wrt", "X"], "differential",
     "df = tr(baᵀdX)"),
    ("jacobian", {"expr": "AXB", "wrt": "X", "layout": "denominator"},
     ["jacobian", "AXB", "--wrt", "X", "--layout", "denominator"], "jacobian", "B ⊗ Aᵀ"),
    ("hessian", {"expr": "xᵀAx", "wrt": "x"}, ["hessian", "xᵀAx", "--wrt", "x"], "hessian", "A + Aᵀ"),
    ("vjp", {"expr": "AXB", "wrt": "X", "upstream": "Δ"}, ["vjp", "AXB", "--wrt", "X", "--upstream", "Δ"], "vjp",
     "AᵀΔBᵀ"),
    ("solve", {"expr": "‖Xw − y‖² + λ‖w‖²", "wrt": "w"}, ["solve", "‖Xw − y‖² + λ‖w‖²", "--wrt", "w"], "solution",
     "(XᵀX + λI)⁻¹Xᵀy"),
    ("derive", {"expr": "aᵀXb", "wrt": "X"}, ["derive", "aᵀXb", "--wrt", "X"], "gradient", "abᵀ"),
    ("check", {"expr": "‖X − DR‖²_F", "wrt": "D", "trials": 2, "seed": 5},
     ["check", "‖X − DR‖²_F", "--wrt", "D", "--trials", "2", "--seed", "5"], "gradient", "2(DR − X)Rᵀ"),
    ("grad", {"expr": "g(Wx)", "wrt": "W", "functions": "g: scalar", "shapes": "W: m×n"},
     ["grad", "g(Wx)", "--wrt", "W", "--functions", "g: scalar", "--shapes", "W: m×n"], "gradient", "∇g(Wx)xᵀ"),
    ("grad", {"expr": "tr(MX)", "wrt": "X", "domains": "M: symmetric", "steps": True},
     ["grad", "tr(MX)", "--wrt", "X", "--domains", "M: symmetric", "--steps"], "gradient", "M"),
    ("grad", {"expr": "‖XQ − Y‖²_F", "wrt": "Q", "structure": "orthogonal", "check": True},
     ["grad", "‖XQ − Y‖²_F", "--wrt", "Q", "--structure", "orthogonal", "--check"], "gradient", "QYᵀXQ − XᵀY"),
]


@pytest.mark.parametrize("endpoint, request_body, argv, field, expected", ENDPOINTS,
                         ids=[f"{e[0]}:{e[1]['expr']}" for e in ENDPOINTS])
@pytest.mark.slow
def test_every_endpoint_answers_what_the_command_line_answers(client, capsys, endpoint, request_body, argv,
                                                               field, expected):
    r = client.post(f"/api/{endpoint}", json=request_body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data[field] == expected
    assert data["text"] and data["latex"] and data["latex"].isascii()
    shared = {k: v for k, v in data.items() if k != "html"}
    assert shared == cli_json(capsys, *argv)


def test_the_answers_are_right_numerically(client):
    g = client.post("/api/grad", json={"expr": "log det X + aᵀX⁻¹b", "wrt": "X"}).json()["gradient"]
    assert mc.check("log det X + aᵀX⁻¹b", "X", expected=g)
    j = client.post("/api/jacobian", json={"expr": "X⁻¹", "wrt": "X", "check": True}).json()
    assert j["jacobian"] == "−X⁻ᵀ ⊗ X⁻¹" and j["check"]["ok"] is True
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in j["html"] and "matcalc-check ok" in j["html"]


def test_check_and_a_wrong_claim(client):
    good = client.post("/api/check", json={"expr": "‖X − DR‖²_F", "wrt": "D"}).json()
    assert good["report"]["ok"] is True and good["text"].startswith("✓ agrees")
    assert "<table" in good["html"] and good["html"].count("<tr>") == 4
    wrong = client.post("/api/check", json={"expr": "‖X − DR‖²_F", "wrt": "D", "expected": "2(X − DR)Rᵀ"})
    assert wrong.status_code == 200
    assert wrong.json()["report"]["ok"] is False and "matcalc-check failed" in wrong.json()["html"]


def test_parse_gives_the_symbols_and_the_inferred_shapes(client):
    data = client.post("/api/parse", json={"expr": "(x − μ)ᵀΣ⁻¹(x − μ)"}).json()
    assert [s["text"] for s in data["symbols"]] == ["x", "μ", "Σ"]
    assert [s["latex"] for s in data["symbols"]] == ["x", r"\mu", r"\Sigma"]
    assert data["shapes"] == str(mc.parse("(x − μ)ᵀΣ⁻¹(x − μ)", scalar=True).shapes) == "x: m, μ: m, Σ: m×m"
    assert data["scalar"] is True and data["text"] == "(x − μ)ᵀΣ⁻¹(x − μ)"
    assert mc.parse(data["text"], shapes=data["shapes"]) == mc.parse("(x − μ)ᵀΣ⁻¹(x − μ)", scalar=True)
    w = client.post("/api/parse", json={"expr": "W₁x", "kind": "jacobian"}).json()
    assert w["symbols"] == [{"name": "W_1", "text": "W₁", "latex": "W_{1}"}, {"name": "x", "text": "x", "latex": "x"}]
    assert w["scalar"] is False and w["shape"] == "m×1"
    square = {"expr": "tr(SA)", "wrt": "S", "structure": "symmetric"}  # a symmetric S is read square
    assert client.post("/api/parse", json=square).json()["shapes"] == "S: m×m, A: m×m"
    assert client.post("/api/parse", json={**square, "structure": "stiefel"}).json()["shapes"] == "S: m×n, A: n×m"
    assert client.post("/api/parse", json={**square, "wrt": "Q"}).json()["shapes"] == "S: m×n, A: n×m"  # not yet picked


# ---- bad input ------------------------------------------------------------------------------------


def error_of(r, status=400) -> dict:
    assert r.status_code == status, r.text
    data = r.json()
    assert set(data) == {"error", "kind", "line", "column", "field"}
    return data


def test_a_syntax_error_has_its_line_and_column(client):
    data = error_of(client.post("/api/grad", json={"expr": "‖X − DR‖²_F +", "wrt": "D"}))
    assert data["kind"] == "ParseError" and (data["line"], data["column"]) == (1, 14) and data["field"] == "expr"
    assert data["error"].endswith("‖X − DR‖²_F +\n               ^")
    data = error_of(client.post("/api/parse", json={"expr": "a +* b"}))
    assert (data["kind"], data["column"]) == ("ParseError", 4)


@pytest.mark.parametrize("body, kind, words, field", [
    ({"expr": "X + y", "wrt": "X", "shapes": "X: m×n, y: n"}, "ShapeError", "cannot add", "expr"),
    ({"expr": "aᵀXb", "wrt": "Y"}, "DomainError", "Y is not a symbol of the expression", None),
    ({"expr": "aᵀXb", "wrt": "X", "shapes": "X: m×"}, "DomainError", "bad shape 'm×' for X", "shapes"),
    ({"expr": "aᵀXb", "wrt": "X", "domains": "X: symetric"}, "DomainError", "did you mean symmetric?", "domains"),
    ({"expr": "aᵀg(X)b", "wrt": "X", "functions": "g: elementwis"}, "DomainError", "did you mean elementwise?",
     "functions"),
    ({"expr": "‖X − DR‖²_F", "wrt": "D", "expected": "2(X − DR"}, "ParseError", "", "expected"),
])
def test_errors_of_the_library_are_answered_with_their_class(client, body, kind, words, field):
    data = error_of(client.post("/api/grad" if "expected" not in body else "/api/check", json=body))
    assert data["kind"] == kind and words in data["error"] and data["field"] == field
    if kind != "ParseError":
        assert data["line"] is None and data["column"] is None


def test_solve_says_why_it_cannot(client):
    data = error_of(client.post("/api/solve", json={"expr": "‖exp(Xw) − y‖²", "wrt": "w"}))
    assert data["kind"] == "UnsupportedError" and "not affine" in data["error"]


@pytest.mark.parametrize("endpoint, body, kind, words", [
    ("jacobian", {"expr": "AXB", "wrt": "X", "structure": "symmetric"}, "UnsupportedError",
     "jacobian is not taken inside a structure (symmetric); the commands that take one: grad, differential, hessian"),
    ("vjp", {"expr": "AXB", "wrt": "X", "structure": "lower"}, "UnsupportedError", "vjp is not taken inside a structure"),
    ("solve", {"expr": "‖Xw − y‖²", "wrt": "w", "structure": "sphere"}, "UnsupportedError",
     "solve is not taken inside a structure"),
    ("hessian", {"expr": "tr(XᵀAX)", "wrt": "X", "structure": "stiefel"}, "UnsupportedError",
     "the Riemannian Hessian (stiefel) is not built"),
    ("grad", {"expr": "tr(SA)", "wrt": "S", "structure": "symetric"}, "DomainError", "did you mean symmetric?"),
])
def test_a_structure_a_command_does_not_take_is_said(client, endpoint, body, kind, words):
    data = error_of(client.post(f"/api/{endpoint}", json=body))
    assert data["kind"] == kind and words in data["error"]
    assert data["field"] == ("structure" if "not taken" in words else None)


def test_a_structure_is_taken_by_every_kind_that_has_one(client):
    """The page sends "structure" with every request: "" is no structure, for every kind."""
    free = client.post("/api/jacobian", json={"expr": "AXB", "wrt": "X", "structure": ""}).json()
    assert free["jacobian"] == "Bᵀ ⊗ A"
    body = {"expr": "tr(SA)", "wrt": "S", "structure": "symmetric"}
    g = client.post("/api/grad", json=body).json()
    assert g["gradient"] == "½(A + Aᵀ)" and g["shapes"] == "S: m×m, A: m×m"
    report = client.post("/api/check", json=body).json()
    assert report["report"]["ok"] is True and "along symmetric perturbations" in report["text"]
    steps = client.post("/api/derive", json=body).json()["text"].splitlines()
    assert steps[-1].split("[")[0].strip() == "8. grad f = ½(A + Aᵀ)"
    h = client.post("/api/hessian", json={**body, "expr": "tr(SAS)", "check": True}).json()
    assert h["check"]["ok"] is True


@pytest.mark.parametrize("content, words", [
    (b"{", "the request is not JSON: Expecting property name enclosed in double quotes (line 1, column 2"),
    (b"", "the request is not JSON: Expecting value"),
    (b"[1, 2]", "the request must be a JSON object"),
    (b"\xff\xfe", "not UTF-8"),
    (json.dumps({"wrt": "D"}).encode(), 'the field "expr" is missing'),
    (json.dumps({"expr": "aᵀXb"}).encode(), 'the field "wrt" is missing'),
    (json.dumps({"expr": "aᵀXb", "wtr": "X"}).encode(), "unknown field 'wtr'; did you mean wrt?"),
    (json.dumps({"expr": 3, "wrt": "X"}).encode(), "expr must be a string, not a number"),
    (json.dumps({"expr": "aᵀXb", "wrt": "X", "check": "yes"}).encode(), "check must be true or false"),
    (json.dumps({"expr": "aᵀXb", "wrt": "X", "check": True, "trials": 10**6}).encode(), "trials must be between 1"),
    (json.dumps({"expr": "aᵀXb", "wrt": "X", "check": True, "seed": -1}).encode(), "seed must be between 0"),
    (json.dumps({"expr": "AXB", "wrt": "X", "layout": "row"}).encode(), "the layout is 'numerator' or"),
])
def test_malformed_requests_are_told_what_is_wrong(client, content, words):
    endpoint = "jacobian" if b"layout" in content or b"check" in content else "grad"
    data = error_of(client.post(f"/api/{endpoint}", content=content, headers={"content-type": "application/json"}))
    assert data["kind"] == "RequestError" and words in data["error"]


def test_unknown_endpoints_and_methods_answer_json(client):
    data = error_of(client.post("/api/grd", json={"expr": "x"}), 404)
    assert "did you mean /api/grad" not in data["error"] and "did you mean grad?" in data["error"]
    data = error_of(client.get("/api/grad"), 405)
    assert "POST /api/<command>" in data["error"]


def test_oversized_input(client):
    data = error_of(client.post("/api/grad", json={"expr": "x + " * (MAX_LENGTH // 4 + 1) + "x", "wrt": "x"}))
    assert data["kind"] == "ParseError" and "too long" in data["error"]
    data = error_of(client.post("/api/grad", content=b'{"expr": "' + b"x" * 100_000 + b'"}'), 413)
    assert "too large" in data["error"]


@pytest.mark.parametrize("text", [
    "(" * (4 * MAX_DEPTH) + "x" + ")" * (4 * MAX_DEPTH),
    "exp(" * (2 * MAX_DEPTH) + "x" + ")" * (2 * MAX_DEPTH),
    "‖" * (2 * MAX_DEPTH) + "x" + "‖" * (2 * MAX_DEPTH),
])
def test_a_deeply_nested_expression_is_refused_quickly(client, text):
    start = time.monotonic()
    data = error_of(client.post("/api/grad", json={"expr": text, "wrt": "x"}))
    assert time.monotonic() - start < TIME_LIMIT
    assert data["kind"] == "ParseError" and data["field"] == "expr"


@pytest.mark.slow
def test_a_slow_request_hits_the_time_limit_and_the_server_goes_on():
    limit = 0.5  # the check below runs about 2 s before it reaches the limit of work of a call
    with TestClient(create_app(time_limit=limit, workers=2)) as c:
        assert c.post("/api/grad", json={"expr": "aᵀXb", "wrt": "X"}).json()["gradient"] == "abᵀ"  # warm
        start = time.monotonic()
        slow = c.post("/api/hessian", json={"expr": "tr(XXXX)", "wrt": "X", "check": True, "trials": 100})
        elapsed = time.monotonic() - start
        data = error_of(slow)
        assert "time limit of 0.5 s" in data["error"] and data["kind"] == "RequestError"
        assert elapsed < limit + 15
        for _ in range(3):  # the worker was replaced: the next requests are answered
            assert c.post("/api/grad", json={"expr": "‖X − DR‖²_F", "wrt": "D"}).json()["gradient"] == "2(DR − X)Rᵀ"


@pytest.mark.slow
def test_a_worker_that_dies_is_replaced():
    pool = Pool(1, TIME_LIMIT)
    job = ("grad", read_request("grad", {"expr": "aᵀXb", "wrt": "X"}))

    async def scenario():
        first = await pool.run(job)
        pool.workers[0].process.kill()  # as if the operating system had ended it
        lost = await pool.run(job)
        return first, lost, await pool.run(job)

    try:
        first, lost, after = asyncio.run(scenario())
    finally:
        pool.close()
    assert first[0] == after[0] == 200 and first[1]["gradient"] == after[1]["gradient"] == "abᵀ"
    assert lost == LOST


def test_fifty_concurrent_requests_are_all_answered_right(client):
    cases = ["‖X − DR‖²_F", "aᵀexp(Xb)", "tr(AXBXᵀC)", "log det X", "xᵀAx", "‖Ax − b‖²",
             "(x − μ)ᵀΣ⁻¹(x − μ)", "tr(XᵀX)", "aᵀXb", "𝟙ᵀsoftplus(Xw) − yᵀXw"]
    wrts = ["D", "X", "X", "X", "x", "x", "μ", "X", "X", "w"]
    jobs = [(cases[i % 10], wrts[i % 10]) for i in range(50)]
    expected = {(f, w): str(mc.grad(f, w)) for f, w in set(jobs)}

    def ask(job):
        r = client.post("/api/grad", json={"expr": job[0], "wrt": job[1]})
        return r.status_code, r.json().get("gradient")

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(ask, jobs))
    assert time.monotonic() - start < 10 * TIME_LIMIT
    assert answers == [(200, expected[job]) for job in jobs]


def _curl_examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^\$ curl -s localhost:8000/api/(\w+) -d '(.*)'\n(.*)$", text, flags=re.M)
    assert len(found) >= 2
    return found


@pytest.mark.parametrize("endpoint, body, shown", _curl_examples())
def test_the_readme_shows_what_the_api_answers(client, endpoint, body, shown):
    r = client.post(f"/api/{endpoint}", content=body.encode())
    assert r.json() == json.loads(shown)
    assert r.text == shown  # byte for byte: the JSON as the server writes it


# ---- generated code --------------------------------------------------------------------------------

CODE = {"expr": "‖X − DR‖²_F", "wrt": "D"}


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_codegen_answers_the_module_of_each_backend(client, capsys, backend):
    r = client.post("/api/codegen", json={**CODE, "backend": backend})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["text"] == mc.codegen("‖X − DR‖²_F", "D", backend=backend)
    assert data["text"] == cli_json(capsys, "codegen", "‖X − DR‖²_F", "--wrt", "D", "--backend", backend)["code"]
    assert {k: v for k, v in data.items() if k != "text"} == {
        "command": "codegen", "expr": "‖X − DR‖²_F", "wrt": "D", "backend": backend, "hessian": False,
        "name": "f_and_grad", "filename": "f_and_grad.py"}
    assert "∂f/∂D = 2(DR − X)Rᵀ" in data["text"]
    assert {"numpy": "import numpy as np", "jax": "import jax.numpy as jnp", "torch": "import torch"}[backend] in data["text"]
    compile(data["text"], data["filename"], "exec")  # valid Python, whether or not the backend is installed


def test_codegen_of_torch_needs_no_torch():
    script = ("import sys\nsys.modules['torch'] = None\nfrom matcalc.web.protocol import read_request, run\n"
              "status, body = run('codegen', read_request('codegen', {'expr': 'aᵀexp(Xb)', 'wrt': 'X', 'backend': 'torch'}))\n"
              "assert status == 200 and 'import torch' in body['text'], body\nprint('ok')\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                       cwd=ROOT, env={"PYTHONUTF8": "1", "PATH": ""}, timeout=300)
    assert r.stdout.strip() == "ok", r.stderr


def test_the_numpy_module_checks_its_gradient_and_hessian(client, tmp_path):
    body = {"expr": "log det Σ + (x − μ)ᵀΣ⁻¹(x − μ)", "wrt": "μ", "domains": "Σ: spd", "hessian": True, "name": "nll"}
    data = client.post("/api/codegen", json=body).json()
    assert data["filename"] == "nll.py" and data["hessian"] is True
    assert data["text"] == mc.codegen(body["expr"], "μ", domains="Σ: spd", hessian=True, name="nll")
    module = load_module(tmp_path, data["text"], "nll")
    assert module.check_gradient() <= 1e-6 and module.check_gradient(seed=3) <= 1e-6
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 3))
    sigma, x, mu = a @ a.T + 3 * np.eye(3), rng.standard_normal(3), rng.standard_normal(3)
    value, grad, hessian = module.nll(x=x, mu=mu, Sigma=sigma)
    inverse = np.linalg.inv(sigma)
    assert np.isclose(value, np.linalg.slogdet(sigma)[1] + (x - mu) @ inverse @ (x - mu))
    assert np.allclose(grad, -2 * inverse @ (x - mu)) and np.allclose(hessian, 2 * inverse)


def test_codegen_follows_the_declarations_and_several_variables(client, tmp_path):
    data = client.post("/api/codegen", json={"expr": "aᵀg(Xb)", "wrt": "X", "functions": "g: tanh(x)**2",
                                             "shapes": "X: 3×4"}).json()
    assert data["text"] == mc.codegen("aᵀg(Xb)", "X", functions="g: tanh(x)**2", shapes="X: 3×4")
    assert "a 3×4 matrix" in data["text"]
    assert load_module(tmp_path, data["text"]).check_gradient() <= 1e-6
    both = client.post("/api/codegen", json={**CODE, "wrt": "D, R"}).json()
    assert both["text"] == mc.codegen("‖X − DR‖²_F", ["D", "R"]) and "∂f/∂R = 2Dᵀ(DR − X)" in both["text"]


@pytest.mark.parametrize("body, status, kind, words, field", [
    ({**CODE, "backend": "tf"}, 400, "RequestError", "the backend is one of numpy, jax, torch, not 'tf'", "backend"),
    ({**CODE, "backend": "NumPy"}, 400, "RequestError", "did you mean numpy?", "backend"),
    ({**CODE, "backend": 1}, 400, "RequestError", "backend must be a string, not a number", "backend"),
    ({**CODE, "hessian": "yes"}, 400, "RequestError", "hessian must be true or false", "hessian"),
    ({**CODE, "name": "class"}, 400, "RequestError", "name must be a Python identifier", "name"),
    ({**CODE, "name": "f-and-grad"}, 400, "RequestError", "name must be a Python identifier", "name"),
    ({**CODE, "name": "_f"}, 400, "RequestError", "not starting with _", "name"),
    ({**CODE, "name": "f" * 65}, 400, "RequestError", "at most 64", "name"),
    ({**CODE, "name": "rng"}, 400, "DomainError", "the name 'rng' is already used in the generated module", "name"),
    ({**CODE, "name": "np"}, 400, "DomainError", "the name 'np' is already used", "name"),
    ({**CODE, "check": True}, 400, "RequestError", "unknown field 'check'", "check"),
    ({"expr": "‖X − DR‖²_F"}, 400, "RequestError", 'the field "wrt" is missing', "wrt"),
    ({"expr": "AXB", "wrt": "X"}, 400, "ShapeError", "the function must be scalar (1×1) to have a gradient", None),
    ({**CODE, "wrt": "Q"}, 400, "DomainError", "Q is not a symbol of the expression", None),
    ({**CODE, "wrt": "D,R", "hessian": True}, 400, "UnsupportedError", "needs one variable", None),
    ({"expr": "tr(SA)", "wrt": "S", "structure": "symmetric"}, 400, "UnsupportedError",
     "codegen is not taken inside a structure (symmetric); the commands that take one: grad, differential, hessian, "
     "derive, check", "structure"),
    ({**CODE, "shapes": "D: m×"}, 400, "DomainError", "bad shape 'm×' for D", "shapes"),
])
def test_codegen_says_what_it_refuses(client, body, status, kind, words, field):
    data = error_of(client.post("/api/codegen", json=body), status)
    assert data["kind"] == kind and words in data["error"] and data["field"] == field


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_codegen_of_a_spectral_word_on_every_backend(client, backend):
    r = client.post("/api/codegen", json={"expr": "λ_max(S)", "wrt": "S", "backend": backend})
    assert r.status_code == 200, r.text
    assert "_eigenvalue" in r.json()["text"] and "∂f/∂S = vvᵀ" in r.json()["text"]
    compile(r.json()["text"], "f_and_grad.py", "exec")


def test_codegen_of_a_syntax_error_has_its_caret(client):
    data = error_of(client.post("/api/codegen", json={"expr": "‖X − DR‖²_F +", "wrt": "D"}))
    assert (data["kind"], data["line"], data["column"], data["field"]) == ("ParseError", 1, 14, "expr")
    assert data["error"].endswith("‖X − DR‖²_F +\n               ^")


def test_codegen_has_the_same_bounds(client):
    data = error_of(client.post("/api/codegen", json={"expr": "x + " * (MAX_LENGTH // 4 + 1) + "x", "wrt": "x"}))
    assert data["kind"] == "ParseError" and "too long" in data["error"]
    data = error_of(client.post("/api/codegen", content=b'{"expr": "' + b"x" * 100_000 + b'"}'), 413)
    assert "too large" in data["error"]
    for text in ("(" * (4 * MAX_DEPTH) + "x" + ")" * (4 * MAX_DEPTH), "exp(" * (2 * MAX_DEPTH) + "x" + ")" * (2 * MAX_DEPTH)):
        start = time.monotonic()
        data = error_of(client.post("/api/codegen", json={"expr": text, "wrt": "x"}))
        assert time.monotonic() - start < TIME_LIMIT and data["kind"] == "ParseError"


@pytest.mark.slow
def test_codegen_over_the_time_limit_is_stopped_and_the_server_goes_on():
    limit = 0.4
    heavy = "tr(" + "".join(f"A_{i}X" for i in range(20)) + ")"  # its Hessian's code takes about a second
    with TestClient(create_app(time_limit=limit, workers=2)) as c:
        start = time.monotonic()
        data = error_of(c.post("/api/codegen", json={"expr": heavy, "wrt": "X", "hessian": True}))
        assert "time limit of 0.4 s" in data["error"] and data["kind"] == "RequestError"
        assert time.monotonic() - start < limit + 15
        answered = c.post("/api/codegen", json={"expr": "aᵀXb", "wrt": "X"})
        assert answered.status_code == 200 and answered.json()["text"] == mc.codegen("aᵀXb", "X")


def test_concurrent_codegen_requests_are_all_answered_right(client):
    cases = [(f, w, b) for f, w in [("‖X − DR‖²_F", "D"), ("aᵀexp(Xb)", "X"), ("log det X", "X"), ("xᵀAx", "x")]
             for b in ("numpy", "jax", "torch")]
    expected = {case: mc.codegen(case[0], case[1], backend=case[2]) for case in cases}

    def ask(case):
        r = client.post("/api/codegen", json={"expr": case[0], "wrt": case[1], "backend": case[2]})
        return r.status_code, r.json().get("text")

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        answers = list(pool.map(ask, cases))
    assert answers == [(200, expected[case]) for case in cases]


# ---- the page and its files -------------------------------------------------------------------


def test_the_page_loads_only_what_matcalc_serves(client):
    r = client.get("/?expr=aᵀXb&wrt=X")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "/static/mathjax/tex-svg-full.js" in r.text and "http" not in r.text.replace("http://www.w3.org", "")
    for name in ("app.js", "style.css", "mathjax-config.js", "mathjax/tex-svg-full.js", "mathjax/LICENSE"):
        assert client.get(f"/static/{name}").status_code == 200, name


def test_the_vendored_mathjax_is_the_pinned_package():
    lock = json.loads((ROOT / "tests" / "mathjax" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/mathjax-full"]["version"] == "3.2.2"
    assert "Apache License" in (STATIC / "mathjax" / "LICENSE").read_text(encoding="utf-8")
    npm = ROOT / "tests" / "mathjax" / "node_modules" / "mathjax-full" / "es5" / "tex-svg-full.js"
    if not npm.exists():
        pytest.skip("tests/mathjax/node_modules is not installed (make test installs it)")
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(STATIC / "mathjax" / "tex-svg-full.js") == digest(npm)


def test_the_serve_command_line(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["serve", "--prot", "8000"])
    assert exit.value.code == 2 and "error: unexpected argument '--prot'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "serve" in capsys.readouterr().out
    assert "serve" in mc.__all__ and mc.serve is mc.web.serve


@pytest.mark.slow
def test_matcalc_works_without_the_extra_and_serve_says_how_to_install_it():
    script = (
        "import sys\n"
        "sys.modules['starlette'] = sys.modules['uvicorn'] = None\n"
        "import matcalc as mc\n"
        "assert str(mc.grad('‖X − DR‖²_F', 'D')) == '2(DR − X)Rᵀ'\n"
        "try:\n"
        "    mc.serve()\n"
        "except mc.web.MissingExtra as e:\n"
        "    print('serve:', e)\n"
        "from matcalc import cli\n"
        "sys.exit(cli.main(['serve', '--port', '8123']))\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8",
                       env={"PYTHONUTF8": "1", "PATH": ""}, timeout=300)
    assert r.returncode == 2, r.stderr
    assert "serve: the web page needs the extra matcalc[web]" in r.stdout and "pip install 'matcalc[web]'" in r.stdout
    assert r.stderr.startswith("error: the web page needs the extra matcalc[web]")


def test_the_derivation_panel_takes_a_complex_variable(client):
    body = {"expr": "‖Az − b‖²", "wrt": "z", "shapes": "z: n complex, A: m×n complex, b: m complex"}
    answer = client.post("/api/derive", json=body).json()
    assert answer["gradient"] == "Aᴴ(Az − b)"
    assert answer["text"].splitlines()[-1].split("[")[0].strip() == "9. ∂f/∂z̄ = Aᴴ(Az − b)"
    assert answer["steps"][-1]["latex"] == r"\frac{\partial f}{\partial \bar{z}} = A^{\mathsf{H}}\left(Az - b\right)"
    with_steps = client.post("/api/grad", json={**body, "steps": True}).json()
    assert with_steps["gradient"] == "Aᴴ(Az − b)" and len(with_steps["steps"]) == 9
