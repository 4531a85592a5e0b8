"""The web page and its JSON API on Starlette, served by uvicorn (the extra ``matcalc[web]``).

``create_app(time_limit=…, workers=…, max_body=…)`` is the ASGI application:

- ``GET /`` the page (``static/index.html``; its script reads ``?expr=…&wrt=…&kind=…`` and
  answers at once), ``/static/…`` its script, style and MathJax (served here: no CDN);
- ``POST /api/<command>`` for each command of ``matcalc.commands.RUN``, ``/api/codegen`` and
  ``/api/parse`` (``matcalc.web.protocol``), computed in worker processes within ``time_limit`` seconds
  (``matcalc.web.workers``); bodies over ``max_body`` bytes are refused.

Every error is JSON under /api/ ({"error", "kind", "line", "column", "field"}), never a
traceback.  ``serve(host, port)`` runs it; without the extra it says how to install it.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

from ..errors import did_you_mean
from .protocol import ENDPOINTS, RequestError, error_body, read_request
from .workers import LOST, TIME_LIMIT, Pool, default_size

try:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
except ImportError as missing:  # the extra is not installed: matcalc works without the page
    Starlette = None
    MISSING = str(missing)

STATIC = Path(__file__).resolve().parent / "static"
TIME_LIMIT_SECONDS = 20.0
MAX_BODY = 64 * 1024
INSTALL = "the web page needs the extra matcalc[web] (Starlette and uvicorn): pip install 'matcalc[web]'"
# The page loads only what matcalc serves; MathJax writes inline styles into its SVG.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class MissingExtra(ImportError):
    """The extra ``matcalc[web]`` is not installed; the message says how to install it."""


def available() -> bool:
    """Whether Starlette and uvicorn are installed."""
    return Starlette is not None


def _json_error(message: str, status: int, field: str | None = None) -> "JSONResponse":
    return JSONResponse(error_body(RequestError(message, status, field)), status_code=status, headers=HEADERS)


async def _body(request, max_body: int):
    """The request's JSON, read up to ``max_body`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise RequestError(f"the request is too large ({declared} bytes; the limit is {max_body})", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise RequestError(f"the request is too large (over {max_body} bytes; the limit is {max_body})", status=413)
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError("the request is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise RequestError(f"the request is not JSON: {e.msg} (line {e.lineno}, column {e.colno} of the body)") from None


def create_app(time_limit: float = TIME_LIMIT_SECONDS, workers: int | None = None, max_body: int = MAX_BODY):
    """The ASGI application: the page, its static files and the JSON API."""
    if not available():
        raise MissingExtra(f"{INSTALL} ({MISSING})")
    pool = Pool(workers or default_size(), time_limit)

    async def api(request):
        command = request.path_params["command"]
        if command not in ENDPOINTS:
            return _json_error(f"no endpoint /api/{command}{did_you_mean(command, ENDPOINTS)} (the endpoints: "
                               f"{', '.join('/api/' + e for e in ENDPOINTS)})", 404)
        try:
            args = read_request(command, await _body(request, max_body))
        except RequestError as error:
            return JSONResponse(error_body(error), status_code=error.status, headers=HEADERS)
        result = await pool.run((command, args))
        if result == TIME_LIMIT:
            return _json_error(f"the computation took longer than the time limit of {time_limit:g} s and was "
                               "stopped: try a smaller expression", 400, "expr")
        if result == LOST:
            return _json_error("the worker computing this request stopped unexpectedly", 500)
        status, body = result
        return JSONResponse(body, status_code=status, headers=HEADERS)

    async def page(request):
        return FileResponse(STATIC / "index.html", headers={**HEADERS, "Cache-Control": "no-cache"})

    async def http_error(request, exc):
        if request.url.path.startswith("/api/"):
            return _json_error(f"{exc.detail}: the API takes POST /api/<command> with a JSON object",
                               exc.status_code)
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=HEADERS)

    async def server_error(request, exc):
        return JSONResponse({"error": f"internal error ({type(exc).__name__})", "kind": type(exc).__name__,
                             "line": None, "column": None, "field": None}, status_code=500, headers=HEADERS)

    @asynccontextmanager
    async def lifespan(app):
        pool.start()
        yield
        pool.close()

    app = Starlette(
        routes=[Route("/", page), Route("/api/{command}", api, methods=["POST"]),
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.pool = pool
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, *, time_limit: float = TIME_LIMIT_SECONDS,
          workers: int | None = None) -> None:
    """Serve the page at http://host:port/ until interrupted (Ctrl-C)."""
    app = create_app(time_limit=time_limit, workers=workers)
    print(f"matcalc: the page is at http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
