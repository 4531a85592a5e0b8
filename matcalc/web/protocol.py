"""The JSON API's requests and answers, without the web framework.

A request to ``POST /api/<command>`` is one JSON object: "expr", the declarations "shapes",
"domains" and "functions" in their text form, and the options of the command
(``matcalc.commands.OPTIONS``: wrt, structure, layout, upstream, check, steps, expected, trials,
seed); every command takes "structure" (those without one answer an UnsupportedError when it is
given, so that a page may send it with every request); ``/api/parse`` takes "kind", the command
the expression is meant for, and "wrt" with its "structure".  ``read_request`` checks it and
gives the arguments; ``run`` (in a worker process) answers ``(status, body)``: 200 with the
command's JSON fields (``matcalc.commands.Answer.json``), or 400 with ``error_body``: {"error",
"kind", "line", "column", "field"} — the message, the error's class, the position of a syntax
error (else null) and the input it is in ("expr", "shapes", …; null when no one input is to
blame).
"""

from __future__ import annotations

from types import SimpleNamespace

from .. import api, commands
from ..errors import DomainError, MatcalcError, ParseError, ShapeError, UnsupportedError, did_you_mean
from ..expr import show_shape
from ..language.declarations import parse_declarations

MAX_TRIALS = 100
MAX_SEED = 2**32 - 1
PARSE = "parse"
STRUCTURE = "structure"
ENDPOINTS = (*commands.RUN, PARSE)


class RequestError(Exception):
    """A request that is not of the API's form (not JSON, a missing or unknown field, a value
    of the wrong type, too large): answered with ``status`` and an ``error_body``."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


PUBLIC_ERRORS = (ParseError, ShapeError, DomainError, UnsupportedError, MatcalcError)


def error_kind(error: Exception) -> str:
    """The name of the public error class ``error`` is one of (an ArgumentValueError is a
    DomainError), or RequestError."""
    if isinstance(error, RequestError):
        return "RequestError"
    return next((cls.__name__ for cls in PUBLIC_ERRORS if isinstance(error, cls)), type(error).__name__)


def error_body(error: Exception, field: str | None = None) -> dict:
    """{"error": message, "kind": public class name, "line", "column" (a ParseError's, else null), "field"}."""
    parse = isinstance(error, ParseError) and bool(error.text)
    return {"error": str(error), "kind": error_kind(error),
            "line": error.line if parse else None, "column": error.column if parse else None,
            "field": getattr(error, "field", None) or field}


def _options(command: str) -> tuple:
    """The options of /api/<command> (``matcalc.commands.OPTIONS``): /api/parse takes the
    variable and its structure, to read the variable square when the structure needs it."""
    own = ("wrt",) if command == PARSE else commands.options_of(command)
    return tuple(dict.fromkeys((*own, STRUCTURE)))


def fields_of(command: str) -> tuple:
    """The fields a request to /api/<command> may hold."""
    return ("expr", *commands.DECLARATIONS, *(("kind",) if command == PARSE else ()), *_options(command))


def _typed(name: str, value, kind: type):
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        words = {str: "a string", bool: "true or false", int: "a whole number"}[kind]
        raise RequestError(f"{name} must be {words}, not {_json_type(value)}", field=name)
    return value


def _json_type(value) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string", list: "a list",
             dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def read_request(command: str, data) -> SimpleNamespace:
    """The arguments of ``command`` from the request object ``data``: every field checked for
    its type and bounds, the options absent filled with their defaults."""
    if not isinstance(data, dict):
        raise RequestError(f'the request must be a JSON object, {{"expr": …, "wrt": …}}, not {_json_type(data)}')
    allowed = fields_of(command)
    for key in data:
        if key not in allowed:
            raise RequestError(f"unknown field {key!r}{did_you_mean(key, allowed)} (the fields of /api/{command}: "
                               f"{', '.join(allowed)})", field=key)
    if "expr" not in data:
        raise RequestError('the field "expr" is missing: the expression, e.g. {"expr": "‖X − DR‖²_F", "wrt": "D"}',
                           field="expr")
    args = SimpleNamespace(expr=_typed("expr", data["expr"], str))
    for name in commands.DECLARATIONS:
        value = data.get(name)
        setattr(args, name, "" if value is None else _typed(name, value, str))
    for name in _options(command):
        kind, default, _ = commands.OPTIONS[name]
        value = data.get(name)
        setattr(args, name, default if value is None else _typed(name, value, kind))
    args.structure = args.structure or None  # "" is no structure, as the page's "none"
    if command == PARSE:
        kind = data.get("kind") or "grad"
        if kind not in commands.RUN:
            raise RequestError(f"unknown kind {kind!r}{did_you_mean(kind, commands.RUN)} (the kinds: "
                               f"{', '.join(commands.RUN)})", field="kind")
        args.kind = kind
        return args
    if "wrt" in commands.options_of(command) and not (args.wrt or "").strip():
        raise RequestError('the field "wrt" is missing: the variable, e.g. "D"', field="wrt")
    _bounded(args)
    return args


def _bounded(args) -> None:
    if getattr(args, "layout", "numerator") not in commands.LAYOUTS:
        raise RequestError(f"the layout is 'numerator' or 'denominator', not {args.layout!r}", field="layout")
    if hasattr(args, "trials") and not 1 <= args.trials <= MAX_TRIALS:
        raise RequestError(f"trials must be between 1 and {MAX_TRIALS}, not {args.trials}", field="trials")
    if hasattr(args, "seed") and not 0 <= args.seed <= MAX_SEED:
        raise RequestError(f"seed must be between 0 and {MAX_SEED}, not {args.seed}", field="seed")


# --------------------------------------------------------------------------------------------
# Answering (in a worker process)


def _declarations(args) -> None:
    """Read each declaration field on its own, so that an error names the field it is in."""
    for name in commands.DECLARATIONS:
        try:
            parse_declarations(getattr(args, name))
        except MatcalcError as error:
            error.field = name
            raise


def _parsed(args):
    """The expression read as ``args.kind`` reads it (scalar for a gradient; with the variable
    square when its structure needs it), or its error tagged "expr"."""
    decl, scalar = commands.declarations(args), args.kind in commands.SCALAR_COMMANDS
    try:
        e = api.parse(args.expr, **decl, scalar=scalar)
        if args.structure and args.wrt in e.shapes:
            e = api.read_square(args.expr, args.wrt, args.structure, **decl, scalar=scalar)
        return e
    except MatcalcError as error:
        error.field = "expr"
        raise


def _takes_structure(command: str, args) -> None:
    """An UnsupportedError (its field "structure") when ``command`` takes no structure but one is given."""
    if args.structure and STRUCTURE not in commands.options_of(command):
        takes = ", ".join(c for c in commands.RUN if STRUCTURE in commands.options_of(c))
        error = UnsupportedError(f"{command} is not taken inside a structure ({args.structure}); the commands that "
                                 f"take one: {takes}")
        error.field = STRUCTURE
        raise error


def parse_fields(args) -> dict:
    """/api/parse: the expression as matcalc reads it, its shape, its symbols in the order they
    appear (the variables to pick from: name, Unicode, LaTeX) and their shapes as declaration text."""
    e = _parsed(args)
    symbols = {s.name: s for s in e.free_symbols}
    return {"command": PARSE, "expr": str(e), "text": str(e), "latex": e.latex(), "shape": show_shape(e.shape),
            "scalar": e.is_scalar, "symbols": [{"name": n, "text": str(symbols[n]), "latex": symbols[n].latex()} for n in e.shapes],
            "shapes": str(e.shapes)}


def answer(command: str, args) -> dict:
    """The JSON fields of ``command`` run on ``args`` (``matcalc.commands.answer``), with the
    check report's HTML (``html``) when a check was run."""
    _declarations(args)
    if command == PARSE:
        return parse_fields(args)
    args.kind = command
    _takes_structure(command, args)
    _parsed(args)
    result = commands.answer(command, args)
    body = result.json
    if result.report is not None:
        body["html"] = result.report._repr_html_()
    return body


def run(command: str, args) -> tuple[int, dict]:
    """(status, body): 200 and the answer, 400 and the error of bad input, 500 and the error
    of a failure inside matcalc (its class and message, never a traceback)."""
    try:
        return 200, answer(command, args)
    except MatcalcError as error:
        return 400, error_body(error, "expected" if isinstance(error, ParseError) and not hasattr(error, "field")
                               and getattr(args, "expected", None) else None)
    except Exception as error:  # noqa: BLE001 — an engine failure is reported, not raised into the server
        return 500, {"error": f"matcalc failed on this input ({type(error).__name__}: {error})",
                     "kind": type(error).__name__, "line": None, "column": None, "field": None}
