"""Answers as code: the value and gradients of f as one generated function, on NumPy, JAX or
PyTorch.

``compile_gradient(f, [X, …])`` writes one straight-line function of f's symbols that returns
(value, grad) for one variable, (value, (grad₁, grad₂, …)) for several (``jax.value_and_grad``
with several argnums), and (value, grad, hessian) with ``hessian`` (the vec-layout matrix of
``mc.hessian``); every common subexpression of f and its derivatives is computed once
(``matcalc.codegen``).  ``compile_expression(e)`` does the same for the value of any result.
A ``Compiled`` is called with the symbols by keyword, as the expression writes them (W₁, Σ)
or as their identifiers (W_1, Sigma), or positionally in the order of ``args``.
"""

from __future__ import annotations

import inspect
import operator
from dataclasses import replace

import numpy as np

from .. import expr as t
from ..codegen import Program, backend as _backend, build, entry, leaves, load, make_parameters
from ..errors import DomainError, ShapeError, UnsupportedError
from ..language.names import canonical_name
from ..numeric.evaluate import NumericError
from ..printing import to_unicode
from .gradient import gradient

INSTALL = {"jax": "pip install 'matcalc[jax]'", "torch": "pip install torch (see README: Using the answer in your code)"}


class _Unset:
    """The default of every parameter of a compiled function as matcalc calls it: not given."""

    def __repr__(self) -> str:
        return "<not given>"


_NONE = _Unset()


class Compiled:
    """A generated function.  ``source`` is its module text, ``args`` its argument names (Python
    identifiers) in positional order, ``names`` {identifier: the name as the expression writes it};
    ``unchecked`` is the same function without the conversion and the checks of its arguments,
    for a hot loop: called by position with arrays of the backend (NumPy: float64) of the declared
    shapes, vectors 1-D; what it does with anything else is the backend's business.

    A call goes straight to the generated function (``codegen.entry``), with no Python frame in
    between: it hands a call by keyword to ``_call_by_name`` and a failure to ``_failure``."""

    __call__ = property(operator.attrgetter("_entry"))

    def __init__(self, program: Program, function, namespace: dict, source: str, unchecked):
        self.program, self.source, self.unchecked = program, source, unchecked
        self.args = program.args + tuple(ident for _, ident in program.dim_params)
        self.names = {p.ident: p.name for p in program.params} | {ident: d for d, ident in program.dim_params}
        self._by_name = {name: ident for ident, name in self.names.items()}
        self._real = {p.ident for p in program.params if t.is_real(p.leaf)}
        self.backend = program.backend.name
        namespace.update(_call_by_name=self._call_by_name, _failure=self._failure)
        self._entry = function
        self.__signature__ = inspect.Signature([inspect.Parameter(a, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                                for a in self.args])

    def __repr__(self) -> str:
        return f"<compiled {self.program.name}({', '.join(self.args)}) on {self.backend}>"

    def bind(self, args, kwargs) -> dict:
        """{identifier: value} from a call's arguments."""
        if len(args) > len(self.args):
            raise DomainError(f"{self.program.name}() takes {len(self.args)} arguments ({', '.join(self.args)}), "
                              f"{len(args)} were given")
        bound = dict(zip(self.args, args))
        for key, value in kwargs.items():
            ident = key if key in self.names else self._by_name.get(canonical_name(key))
            if ident is None:
                raise DomainError(f"{key} is not an argument of {self.program.name} (its arguments: {', '.join(self.args)})")
            if ident in bound:
                raise DomainError(f"{key} is given twice")
            bound[ident] = value
        missing = [a for a in self.args if a not in bound]
        if missing:
            raise DomainError(f"no value for {', '.join(self.names[a] for a in missing)}")
        return bound

    def _call_by_name(self, values: tuple, extra: tuple, named: dict):
        """A call with keywords, or with too few or too many positional arguments."""
        given = values[:sum(v is not _NONE for v in values)]  # positional arguments fill from the left
        bound = self.bind(given + extra, named)
        return self._entry(*(bound[a] for a in self.args))

    def _failure(self, exc: Exception, values: tuple) -> Exception:
        """The error to raise for ``exc``, raised by the generated function called with ``values``."""
        name = self.program.name
        if isinstance(exc, np.linalg.LinAlgError) or type(exc).__name__.lstrip("_") == "LinAlgError":
            return NumericError(f"{name}: {exc}")  # torch.linalg.LinAlgError too: a matrix without a factor
        if not isinstance(exc, (ValueError, TypeError, IndexError)):
            return exc
        refused = _complex_refused(self, dict(zip(self.args, values)))
        return refused or ShapeError(f"{name}: {_named(str(exc), self.names)}")


def _complex_refused(fn: Compiled, values: dict) -> DomainError | None:
    """The DomainError for a complex value given for a real symbol, if one is."""
    for ident, value in values.items():
        ident = ident if ident in fn.names else fn._by_name.get(canonical_name(ident), ident)
        if ident in fn._real and _complex_value(value):
            return DomainError(f"the value of {fn.names.get(ident, ident)} is complex but it is real: declare it complex")
    return None


def _complex_value(v) -> bool:
    """Whether an argument (a number, a NumPy or JAX array, a torch tensor) has complex entries."""
    dtype = getattr(v, "dtype", None)
    if dtype is None:
        return isinstance(v, complex) or (isinstance(v, (list, tuple)) and bool(np.iscomplexobj(v)))
    kind = getattr(dtype, "kind", None)  # NumPy's and JAX's dtypes; a torch dtype says is_complex
    return kind == "c" if kind is not None else bool(getattr(dtype, "is_complex", False))


def _named(message: str, names: dict) -> str:
    """The message with the first identifier it names spelled as the expression writes it."""
    head, _, rest = message.partition(" ")
    return f"{names.get(head, head)} {rest}" if rest else message


def run(program: Program, unchecked: Program) -> Compiled:
    """The Compiled function of ``program`` (its module text is what ``source`` shows);
    ``unchecked``, the program without the checks of its arguments, is its ``unchecked``."""
    namespace = {"_NONE": _NONE}
    try:
        function = load(_with_imports(entry(program)), namespace)
        fast = load(_with_imports(unchecked), {})
    except ImportError:
        raise UnsupportedError(f"the {program.backend.name} backend needs {program.backend.name}: "
                               f"{INSTALL.get(program.backend.name, '')}") from None
    return Compiled(program, function, namespace, _with_imports(program).source, fast)


def _with_imports(program: Program) -> Program:
    return replace(program, source="\n".join(program.backend.imports) + "\n\n\n" + program.source)


def _wrt_list(e: t.Expr, wrt) -> tuple[list, bool]:
    """(the symbols named by wrt, whether wrt was one name)."""
    single = isinstance(wrt, (str, t.Symbol))
    names = [wrt] if single else list(wrt)
    if not names:
        raise DomainError("wrt names no variable")
    symbols = {s.name: s for s in e.free_symbols}
    out = []
    for w in names:
        name = w.name if isinstance(w, t.Symbol) else canonical_name(str(w).strip())
        if name not in symbols:
            raise DomainError(f"wrt: {name} is not a symbol of the expression (its symbols: {', '.join(sorted(symbols))})")
        out.append(symbols[name])
    if len({s.name for s in out}) != len(out):
        raise DomainError("wrt names a variable twice")
    return out, single


def gradient_program(f: t.Expr, wrt, *, backend="numpy", hessian=None,
                     name: str = "f_and_grad") -> tuple[Program, list, bool, list]:
    """(the program of f and its gradients, the variables, whether wrt was one name, the roots:
    f, each gradient, and ``hessian(f, X)`` when that function is given)."""
    roots, order, xs, single = _gradient_roots(f, wrt, hessian)
    prog = _gradient_build(roots, order, xs, single, backend, name, checked=True)
    return prog, xs, single, roots


def _gradient_roots(f: t.Expr, wrt, hessian) -> tuple[list, list, list, bool]:
    """(the roots: f, each gradient[, the Hessian]; the symbols in argument order, the variables
    first; the variables; whether wrt was one name)."""
    if not f.is_scalar:
        raise ShapeError(f"only a scalar function has a gradient, but {to_unicode(f)} is {t.show_shape(f.shape)}")
    xs, single = _wrt_list(f, wrt)
    if hessian and len(xs) != 1:
        raise UnsupportedError("hessian=True needs one variable")
    grads = [gradient(f, x) for x in xs]  # refuses an f that is not real-valued
    roots = [t.real_part(f)] + grads + ([hessian(f, xs[0])] if hessian else [])  # a real f computed with complex entries
    order = xs + [s for s in leaves(roots) if isinstance(s, t.Symbol) and s not in xs]
    others = [s for s in leaves(roots) if not isinstance(s, t.Symbol)]
    if others:
        raise UnsupportedError(f"cannot compile a differential {to_unicode(others[0])} as an argument")
    order += [s for s in sorted(f.free_symbols, key=lambda s: s.name) if s not in order]
    return roots, order, xs, single


def _gradient_build(roots, order, xs, single, backend, name, *, checked: bool) -> Program:
    """The program returning (value, grad) or (value, (grad₁, …)), then the Hessian if a root."""

    def returns(outputs):
        grads = outputs[1:1 + len(xs)]
        grad = grads[0] if single else "(" + ", ".join(grads) + ("," if len(grads) == 1 else "") + ")"
        return ", ".join([outputs[0], grad] + outputs[1 + len(xs):])

    return build(roots, _backend(backend), params=make_parameters(order), flavor="export", name=name,
                 returns=returns, checked=checked)


def compile_gradient(f: t.Expr, wrt, *, backend="numpy", hessian=None) -> Compiled:
    """The compiled (value, gradient[s][, hessian]) function of scalar f (``hessian``: the
    function (f, X) → H, when the Hessian is asked for)."""
    roots, order, xs, single = _gradient_roots(f, wrt, hessian)
    return run(_gradient_build(roots, order, xs, single, backend, "f_and_grad", checked=True),
               _gradient_build(roots, order, xs, single, backend, "f_and_grad", checked=False))


def compile_expression(e: t.Expr, *, backend="numpy", name: str = "value") -> Compiled:
    """The compiled value of e: a function of its symbols (and of the symbols of the expression it
    came from, ``origin``, that fix a size no symbol of e shows)."""
    b = _backend(backend)
    order = leaves([e])
    prog = build([e], b, params=make_parameters(order), flavor="export", name=name)
    unbound = {d for d, _ in prog.dim_params}
    extra = [s for s in sorted(e.origin, key=lambda s: s.name) if s not in order
             and any(d.is_Symbol and d.name in unbound for d in s.shape)]
    params = make_parameters(order + extra)
    if extra:
        prog = build([e], b, params=params, flavor="export", name=name)
    fast = build([e], b, params=params, flavor="export", name=name, checked=False)
    return run(prog, fast)
