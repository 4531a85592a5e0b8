"""A generated module: the value-and-gradient function of f as a file a user keeps.

``module_text`` writes a self-contained module that imports only its backend (NumPy for the
random point of the check, SciPy's LAPACK where installed for the Cholesky solves): a docstring with f, each gradient in Unicode and every argument's
shape; the helpers the code calls; the function; and ``check_gradient(seed)``, which compares
each gradient (and the Hessian) with central finite differences at a random point drawn to
respect the domains (spd, symmetric, positive, invertible; log and log det's arguments; complex
Gaussian, Hermitian, unitary), along complex directions for a complex variable.
"""

from __future__ import annotations

import ast
import keyword
import re

import sympy

from .. import expr as t
from ..language.grammars import PYTHON_SYNTAX
from ..codegen import number_code
from ..numeric.sampling import domains as _domains
from ..printing import to_unicode
from .arguments import ArgumentValueError
from .compiled import gradient_program

SIZES = (3, 4, 5, 6, 7, 2)

# Code that draws a value of shape ``{s}`` (a tuple) in a domain; the first that applies wins.
DRAWS = (
    ("unitary", "_unitary({s})"),
    ("hermitian", "_hermitian({s})"),
    ("complex", "_complex({s})"),
    ("spd", "_spd({s})"),
    ("positive det", "_spd({s})"),
    ("positive", "rng.uniform(0.5, 2.0, {s})"),
    ("invertible", "_invertible({s})"),
    ("symmetric", "_symmetric({s})"),
)

CHECK = '''

def _spd(shape):
    a = rng.standard_normal(shape)
    return a @ a.T / shape[0] + np.eye(shape[0])


def _invertible(shape):
    return rng.standard_normal(shape) + 3 * np.sqrt(shape[0]) * np.eye(shape[0])


def _symmetric(shape):
    a = rng.standard_normal(shape)
    return (a + a.T) / 2


def _complex(shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _hermitian(shape):
    a = _complex(shape)
    return a @ a.conj().T / shape[0] + np.eye(shape[0])


def _unitary(shape):
    q, r = np.linalg.qr(_complex(shape))
    return q * (np.diag(r) / np.abs(np.diag(r)))


def _numpy(v):
    return np.asarray(v.detach().cpu() if hasattr(v, "detach") else v)


def _direction(x, symmetric):
    d = rng.standard_normal(np.shape(x)) + (1j * rng.standard_normal(np.shape(x)) if np.iscomplexobj(x) else 0)
    return (d + d.conj().T) / 2 if symmetric else d


def _pairing(g, d):
    """⟨∇f, D⟩, or 2 Re⟨G, D⟩ for a complex variable (G = ∂f/∂X̄, the conjugate cogradient)."""
    g = _numpy(g)
    return float(2 * np.real(np.sum(np.conj(g) * d)) if np.iscomplexobj(d) else np.sum(g * d))


def _slope(fun, point, name, d, h=1e-5):
    """(fun(X + hD) − fun(X − hD)) / 2h for X = point[name]."""
    x = np.asarray(point[name])
    up = _numpy(fun(dict(point, **{{name: x + h * d}})))
    down = _numpy(fun(dict(point, **{{name: x - h * d}})))
    return (up - down) / (2 * h)


def _error(exact, numeric):
    return float(np.max(np.abs(exact - numeric)) / max(1.0, float(np.max(np.abs(exact)))))


def check_gradient(seed=0, rtol=1e-6, directions=3):
    """Compare {what} with central finite differences along random directions D at a random
    point (⟨∇f, D⟩ with (f(X + hD) − f(X − hD))/2h; symmetric D for a symmetric variable,
    Hermitian for a Hermitian one, complex for a complex one);
    returns the largest relative error and raises AssertionError if it exceeds rtol."""
    global rng
    rng = np.random.default_rng(seed){x64}
{draw}
    point = {{{point}}}
    symmetric = {symmetric}
    value = {name}(**point)
    worst = 0.0
    for k, name in enumerate({wrt}):
        for _ in range(directions):
            d = _direction(point[name], name in symmetric)
            exact = _pairing({pick}, d)
            worst = max(worst, _error(exact, np.real(_slope(lambda p: {name}(**p)[0], point, name, d))))
{hessian}    assert worst <= rtol, f"the derivatives differ from finite differences by {{worst:.3g}} (relative)"
    return worst
'''

HESSIAN = '''    for _ in range(directions):  # H vec(D) = vec of the gradient's slope along D
        d = _direction(point[{x!r}], {x!r} in symmetric)
        exact = _numpy(value[2]).reshape(np.size(d), -1) @ d.reshape(-1, order="F")
        numeric = _slope(lambda p: {name}(**p)[1], point, {x!r}, d).reshape(-1, order="F")
        worst = max(worst, _error(exact, numeric))
'''


def _shape_text(leaf: t.Expr) -> str:
    r, c = leaf.shape
    if r == t.ONE and c == t.ONE:
        return "a scalar (float)"
    if c == t.ONE:
        return f"a vector of length {r} (1-D)"
    if r == t.ONE:
        return f"a row vector of length {c} (1-D)"
    size = f"{r}×{c}"
    return f"{_article(size)} {size} matrix"


def _article(spoken: str) -> str:
    """"an" before a sound of a vowel as one reads it aloud (an m×n, an 8×3, an 11×2), else "a"."""
    vowel = spoken[:1].lower() in "aefhilmnorsx8" or spoken.startswith(("11", "18")) and not spoken[2:3].isdigit()
    return "an" if vowel else "a"


def module_text(f: t.Expr, wrt, *, backend="numpy", hessian=None, name: str = "f_and_grad") -> str:
    """The source of a module defining ``name`` (value and gradients of f, and ``hessian(f, X)``
    when given) and ``check_gradient``.  ArgumentValueError when ``name`` is not an identifier
    the module is free to define (a keyword, np, rng, an argument's name, …)."""
    if not (isinstance(name, str) and name.isidentifier() and name.isascii()) or keyword.iskeyword(name) \
            or name.startswith("_"):
        raise ArgumentValueError(f"name must be a Python identifier, not a keyword, not starting with _: not {name!r}")
    text = _module_text(f, wrt, backend, hessian, _PLACEHOLDER)
    with PYTHON_SYNTAX:
        tree = ast.parse(text)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)} | {"check_gradient", "hessian"}
    if name in taken:
        raise ArgumentValueError(f"name {name!r} is taken in the generated module (by an argument, the backend or "
                                 "its helpers): choose another")
    return re.sub(rf"\b{_PLACEHOLDER}\b", name, text)


_PLACEHOLDER = "_generated_function_"


def _module_text(f: t.Expr, wrt, backend, hessian, name: str) -> str:
    prog, xs, single, roots = gradient_program(f, wrt, backend=backend, hessian=hessian, name=name)
    b = prog.backend
    lines = [f"{name}: the value of f and its gradient{'s' if len(xs) > 1 else ''}, as matcalc derived them.", "",
             f"    f = {to_unicode(f)}"]
    for x, g in zip(xs, roots[1:]):
        lines.append(f"    ∂f/∂{x.name} = {to_unicode(g)}")
    if hessian:
        lines.append(f"    ∂²f/∂vec({xs[0].name})∂vec({xs[0].name})ᵀ = {to_unicode(roots[-1])}")
    lines += ["", "Arguments:"]
    lines += [f"    {p.ident}: {p.name}, {_shape_text(p.leaf)}" for p in prog.params]
    lines += [f"    {ident}: the size {d}" for d, ident in prog.dim_params]
    ret = "(value, grad)" if single else f"(value, ({', '.join('grad_' + p.ident for p in prog.params[:len(xs)])}))"
    lines += ["", (f"Returns {ret[:-1]}, hessian), the Hessian in vec (column-major) order." if hessian
                   else f"Returns {ret}.") + " Vectors are 1-D arrays, scalars 0-D."]
    imports = list(b.imports) + ([] if b.name == "numpy" else ["import numpy as np"])
    parts = ['"""' + "\n".join(lines) + '\n"""', "\n".join(imports), "", "", prog.source.rstrip("\n")]
    parts.append(_check(prog, xs, roots, hessian, name))
    return "\n".join(parts) + "\n"


def _check(prog, xs, roots, hessian, name: str) -> str:
    sizes = {}
    for p in prog.params:
        for d in p.leaf.shape:
            for s in sorted(d.free_symbols, key=lambda s: s.name):
                sizes.setdefault(s.name, SIZES[len(sizes) % len(SIZES)])
    for d, _ in prog.dim_params:
        sizes.setdefault(d, SIZES[len(sizes) % len(SIZES)])
    doms = _domains(roots)
    draw = [f"    {prog.dims[d]} = {k}" for d, k in sizes.items() if d in prog.dims]
    point = []
    for p in prog.params:
        shape = "(" + ", ".join(_dim(d, prog.dims) for d in p.leaf.shape) + ")"
        code = next((c for dom, c in DRAWS if dom in doms.get(p.leaf.name, ())), "rng.standard_normal({s})")
        value = code.format(s=shape)
        r, c = p.leaf.shape
        if c == t.ONE or r == t.ONE:
            value += ".reshape(-1)" if not (r == t.ONE and c == t.ONE) else "[0, 0]"
        draw.append(f"    {p.ident} = {value}")
        point.append(f"{p.ident!r}: {p.ident}")
    point += [f"{ident!r}: {ident}" for _, ident in prog.dim_params]
    wrt = "(" + ", ".join(repr(p.ident) for p in prog.params[:len(xs)]) + ",)"
    pick = "value[1]" if len(xs) == 1 else "value[1][k]"
    symmetric = {p.ident for p in prog.params if doms.get(p.leaf.name, set()) & {"spd", "symmetric", "hermitian"}}
    x64 = "\n    jax.config.update('jax_enable_x64', True)" if prog.backend.name == "jax" else ""
    text = CHECK.format(what="each gradient" + (" and the Hessian" if hessian else ""), x64=x64, draw="\n".join(draw),
                        point=", ".join(point), wrt=wrt, symmetric=repr(symmetric) if symmetric else "set()", pick=pick, name=name,
                        hessian=HESSIAN.format(name=name, x=prog.params[0].ident) if hessian else "")
    return text


def _dim(d: sympy.Expr, dims: dict) -> str:
    code = number_code(d, dims)
    return code if d.is_Integer or d.is_Symbol else f"round({code})"
