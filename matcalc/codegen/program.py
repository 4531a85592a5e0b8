"""A program: straight-line code for the values of one or more expressions, as a function.

``Program`` holds the source of a function whose parameters are the leaves (symbols and
differentials) of its expressions, in the form of their shape's kind (``emit.kind``), and whose
result is the tuple of the expressions' values.  Two flavours:
- ``internal``: ``def _program(_rt, _d, …)`` reads dimensions from the dict ``_d`` and calls
  the runtime ``_rt`` for opaque functions (matcalc's own evaluation, ``matcalc.numeric``);
- ``export``: ``def name(X, …)`` reads dimensions from the arguments' shapes, converts and
  checks them (``checked``), and calls only the backend: the code of ``compile``/``codegen``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy

from .. import expr as t
from ..errors import UnsupportedError
from .backends import Backend
from .emit import Emitter, kind, number_code
from .factors import DEPENDS as FACTOR_DEPENDS
from .helpers import DEPENDS, SPECTRAL
from .names import identifiers

# given by the caller's namespace (matcalc.numeric): the checked inverse and log det, the stable
# reductions, the spectral helpers
INTERNAL_HELPERS = (frozenset({"_inv", "_logdet", "_logdet_spd", "_adj", "_lse", "_log_softmax", "_softmax", "_mean", "_var", "_std"})
                    | SPECTRAL.keys())


@dataclass(frozen=True)
class Parameter:
    """One argument: the leaf (a Symbol or a Differential), its canonical name and identifier."""

    leaf: t.Expr
    name: str
    ident: str

    @property
    def key(self) -> tuple:
        return ("diff", self.leaf.var.name) if isinstance(self.leaf, t.Differential) else ("sym", self.leaf.name)


@dataclass
class Program:
    backend: Backend
    name: str
    params: tuple  # Parameter, in call order
    dim_params: tuple  # (dimension name, identifier) not read from any argument's shape
    roots: tuple
    body: list
    helpers: list
    nodes: tuple  # runtime nodes, _N[i]
    materialized: frozenset
    source: str = ""
    dims: dict = field(default_factory=dict)
    code: tuple = ()  # the function's body, line by line
    prelude: str = ""  # the helpers' source, before the function

    @property
    def args(self) -> tuple:
        return tuple(p.ident for p in self.params)


def _dims_of(n) -> tuple:
    dims = getattr(n, "dims", ())
    return tuple(dims) if isinstance(dims, tuple) else ()


def walk_leaves(root):
    """The nodes of ``root`` that a program reads, not descending into dX (whose X it does not read)."""
    seen, stack = set(), [root]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        yield n
        if not isinstance(n, t.Differential):
            stack.extend(n.children())


def leaves(roots) -> list:
    """The Symbols and Differentials of ``roots``, sorted by name (symbols first)."""
    found: dict = {}
    for r in roots:
        for n in walk_leaves(r):
            if isinstance(n, t.Symbol):
                found.setdefault(("sym", n.name), n)
            elif isinstance(n, t.Differential):
                found.setdefault(("diff", n.var.name), n)
    return [found[k] for k in sorted(found)]


def _dim_names(roots, params) -> list:
    names: dict = {}
    for r in roots:
        for n in t.walk(r):
            for d in n.shape + tuple(a for a in n.args() if isinstance(a, sympy.Expr)) + _dims_of(n):
                for s in d.free_symbols:
                    names.setdefault(s.name, None)
    for p in params:
        for d in p.leaf.shape:
            for s in d.free_symbols:
                names.setdefault(s.name, None)
    return sorted(names)


def make_parameters(order) -> tuple:
    """Parameters for the leaves in ``order`` (Symbols, Differentials)."""
    names = [(("d" + n.var.name) if isinstance(n, t.Differential) else n.name) for n in order]
    idents = identifiers(names)
    return tuple(Parameter(n, name, idents[name]) for n, name in zip(order, names))


def build(roots, backend: Backend, *, params=None, flavor: str = "internal", name: str = "_program",
          checked: bool = True, returns=None) -> Program:
    """The program of ``roots``.  ``params`` fixes the argument order (default: every leaf by
    name); ``returns(texts)`` shapes the return statement of an export function."""
    roots = tuple(roots)
    params = tuple(params) if params is not None else make_parameters(leaves(roots))
    taken = {p.ident for p in params}
    dim_ids = identifiers(_dim_names(roots, params), taken | {name})
    symbols = {p.key: p.ident for p in params}
    em = Emitter(backend, roots, symbols, dim_ids, runtime=flavor == "internal")
    missing = [k for r in roots for k in _leaf_keys(r) if k not in symbols]
    if missing:
        raise UnsupportedError(f"no argument for {', '.join(sorted({('d' if k[0] == 'diff' else '') + k[1] for k in missing}))}")
    outputs = [em.name(r) for r in roots]
    prog = Program(backend, name, params, (), roots, em.lines, em.helpers, tuple(em.nodes),
                   frozenset(em.materialized), dims=dim_ids)
    if flavor == "internal":
        prologue = [f"{ident} = _d[{dim!r}]" for dim, ident in dim_ids.items() if _used(ident, em.lines, outputs)]
        signature = f"def {name}(_rt, _d, {', '.join(p.ident for p in params)}):" if params else f"def {name}(_rt, _d):"
        ret = f"return ({', '.join(outputs)},)"
    else:
        prologue, dim_params = _export_prologue(backend, params, dim_ids, checked)
        prog.dim_params = dim_params
        extra = [ident for _, ident in dim_params]
        signature = f"def {name}({', '.join([p.ident for p in params] + extra)}):"
        outputs = [f"{o}.reshape(1, -1)" if kind(r.shape) == "r" else o for o, r in zip(outputs, roots)]  # a row is 2-D
        ret = "return " + (returns(outputs) if returns else ", ".join(outputs) if len(outputs) > 1 else outputs[0])
    helpers = [h for h in _with_dependencies(em.helpers, backend) if flavor != "internal" or h not in INTERNAL_HELPERS]
    if flavor != "internal" and checked and params:
        helpers += ["_shape_error"] + (["_flatten"] if any(kind(p.leaf.shape) != "m" for p in params) else [])
        helpers += list(backend.converts_helpers) if any(t.is_real(p.leaf) for p in params) else []
    parts = [backend.helper_source(h) for h in helpers]
    prog.code = tuple(prologue + em.lines + [ret])
    prog.prelude = "\n\n".join(parts)
    body = "\n".join("    " + line for line in prog.code)
    parts.append(f"{signature}\n{body}\n")
    prog.helpers = helpers
    prog.source = "\n\n".join(parts)
    return prog


def entry(prog: Program) -> Program:
    """An export program as matcalc's ``Compiled`` calls it: the same body in a function whose
    parameters are positional-only with the default ``_NONE``, whose call by keyword, or with
    an argument too many or too few, goes to ``_call_by_name(values, extra, named)``, and whose
    failure goes to ``_failure(exc, values)`` for the error to raise; those three names are given
    by the caller's namespace."""
    args = list(prog.args) + [ident for _, ident in prog.dim_params]
    values = "(" + ", ".join(args) + ("," if len(args) == 1 else "") + ")"
    missing = f" or {args[-1]} is _NONE" if args else ""
    signature = ", ".join([f"{a}=_NONE" for a in args] + (["/"] if args else []) + ["*_extra", "**_named"])
    lines = [f"def {prog.name}({signature}):",
             f"    if _named or _extra{missing}:",
             f"        return _call_by_name({values}, _extra, _named)",
             "    try:",
             *("        " + line for line in prog.code),
             "    except (ValueError, TypeError, IndexError, RuntimeError) as _exc:",
             f"        raise _failure(_exc, {values}) from None"]
    source = (prog.prelude + "\n\n" if prog.prelude else "") + "\n".join(lines) + "\n"
    return replace(prog, source=source)


def _with_dependencies(helpers, backend) -> list:
    out: list = []
    pending = list(helpers)
    while pending:  # the helpers called, then those they call (DEPENDS)
        h = pending.pop(0)
        if h not in out:
            out.append(h)
            pending += [d for d in DEPENDS.get(h, ()) + FACTOR_DEPENDS.get(h, ()) if d in backend.helpers]
    if backend.name == "torch" and "_tensor" not in out:
        out.insert(0, "_tensor")
    return out


def _leaf_keys(root):
    for n in walk_leaves(root):
        if isinstance(n, t.Symbol):
            yield ("sym", n.name)
        elif isinstance(n, t.Differential):
            yield ("diff", n.var.name)


def _used(ident: str, lines, outputs) -> bool:
    text = "\n".join(lines + outputs)
    return any(_token(ident, line) for line in text.split("\n"))


def _token(ident: str, line: str) -> bool:
    i = line.find(ident)
    while i >= 0:
        before = line[i - 1] if i else " "
        after = line[i + len(ident)] if i + len(ident) < len(line) else " "
        if not (before.isalnum() or before in "_.'") and not (after.isalnum() or after in "_'"):
            return True
        i = line.find(ident, i + 1)
    return False


def _export_prologue(backend: Backend, params, dim_ids: dict, checked: bool):
    """Lines that convert the arguments, read the dimensions from their shapes and check them;
    the dimensions no argument shows become parameters."""
    lines, bound = [], set()
    for p in params:
        k = kind(p.leaf.shape)
        if checked:
            lines += backend.convert(p.ident, not t.is_real(p.leaf))
            if k != "m":  # a vector as a 1-D array (an n×1 or 1×n one is flattened), a scalar as 0-D
                shown = "×".join(str(d) for d in p.leaf.shape)
                lines.append(f"if {p.ident}.ndim != {0 if k == 's' else 1}:")
                lines.append(f"    {p.ident} = _flatten({p.ident}, {p.ident!r}, {shown!r}, {0 if k == 's' else 1})")
    if backend.name == "torch" and params:
        lines.append(f"_dtype, _device = {params[0].ident}.dtype, {params[0].ident}.device")
    axes = {"m": (0, 1), "c": (0,), "r": (1,), "s": ()}
    full = []  # (parameter, positions its shape does not bind, whether its ndim is checked already)
    for p in sorted(params, key=lambda p: kind(p.leaf.shape) == "m"):  # vectors first: their ndim is known
        k = kind(p.leaf.shape)
        shown = "×".join(str(d) for d in p.leaf.shape)
        binds, unbound = [], []
        for pos, axis in enumerate(axes[k]):
            d = p.leaf.shape[axis]
            if d.is_Symbol and d.name not in bound:
                bound.add(d.name)
                binds.append(f"{dim_ids[d.name]} = {_axis(p.ident, pos)}")
            else:
                unbound.append(pos)
        if checked and binds and k == "m":
            lines.append(f"if {p.ident}.ndim != {len(axes[k])}:")
            lines.append(f"    _shape_error({p.ident!r}, {shown!r}, tuple({p.ident}.shape), {shown!r})")
        lines += binds
        if unbound:
            full.append((p, unbound, k != "m" or bool(binds)))
    dim_params = tuple((d, ident) for d, ident in dim_ids.items() if d not in bound)
    if checked:
        for p, unbound, ndim_known in full:
            want = [p.leaf.shape[a] for a in axes[kind(p.leaf.shape)]]
            code = "(" + ", ".join(_dim_code(d, dim_ids) for d in want) + ("," if len(want) == 1 else "") + ")"
            shown = "×".join(str(d) for d in p.leaf.shape)
            if ndim_known:  # the axes not read off compared one by one: no tuple built
                tests = [f"{_axis(p.ident, pos)} != {_dim_code(want[pos], dim_ids)}" for pos in unbound]
                lines.append(f"if {' or '.join(tests)}:")
            else:
                lines.append(f"if {p.ident}.shape != {code}:")
            lines.append(f"    _shape_error({p.ident!r}, {shown!r}, tuple({p.ident}.shape), {code})")
    return lines, dim_params


def _axis(ident: str, pos: int) -> str:
    """The length of an argument along one axis (len() for the first: no shape tuple is built)."""
    return f"len({ident})" if pos == 0 else f"{ident}.shape[{pos}]"


def _dim_code(d, dim_ids) -> str:
    return number_code(d, dim_ids)
