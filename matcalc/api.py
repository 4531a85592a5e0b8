"""The public API: parse, grad, differential, check, vjp, solve, jacobian, hessian, derive;
compile, codegen and minimize (the answer as code).

Each call reads its input one way (``_read``: f as text or ``Expr`` with the declarations, the
variable wrt among f's symbols) and runs the pipeline of the differential method: text → tree
(parser) → df (differential) → G with df = tr(Gᵀ dX) (adjoint) → closed form (simplify).
"""

from __future__ import annotations

from . import expr as t
from .errors import MatcalcError, ShapeError, did_you_mean
from .expr import complexes as _complexes
from .expr import parse as _parse
from .language.names import canonical_name
from .interop import from_sympy  # noqa: F401  (public)
from .numeric import CheckReport, check_gradient
from .numeric import point as _point
from .printing import to_unicode
from .results import backprop as _backprop
from .results.compiled import Compiled, compile_gradient
from .results.module import module_text
from .results.optimize import Minimum
from .results.optimize import minimize as _minimize
from .results.arguments import CHECKS, ArgumentValueError, public
from .simplify import rewriting as _rewriting
from .results.derivation import Derivation
from .results.derivation import derive as _derive
from .results.gradient import Differential, gradient
from .results.gradient import differential as _differential
from .results.jacobian import Jacobian, hessian_matrix, jacobian_matrix
from .numeric.structures import SPACES
from .results.structure import STRUCTURES, project, project_hessian, structure_of

VERSION = "0.1.0"


@public
def parse(text: str, shapes=None, domains=None, functions=None, *, scalar: bool = False) -> t.Expr:
    """The expression tree of ``text``, with shapes inferred (see docs/language.md); with
    ``scalar``, the undeclared symbols are read so that the whole expression is 1×1 where that
    is possible (as ``grad`` reads its function)."""
    return _parse(text, shapes=shapes, domains=domains, functions=functions, scalar=scalar)


def _read(f, wrt, shapes, domains, functions, *, scalar: bool = False, prefer_scalar: bool = False) -> tuple[t.Expr, t.Symbol]:
    """(f, X): f parsed with the declarations (an ``Expr`` as it is), X the symbol of f named by
    wrt; with ``scalar``, f must be 1×1; with either flag, the undeclared symbols are read so
    that f is 1×1 where that is possible."""
    e = f if isinstance(f, t.Expr) else _parse(f, shapes=shapes, domains=domains, functions=functions,
                                                 scalar=scalar or prefer_scalar)
    x = _variable(e, wrt)
    if scalar:
        _scalar(e)
    return e, x


def _read_in(f, wrt, structure, shapes, domains, functions, **flags) -> tuple[t.Expr, t.Symbol]:
    """``_read`` for a variable inside a ``structure``: X's shape must fit it (see ``read_square``)."""
    if isinstance(f, str):
        f = read_square(f, wrt, structure, shapes=shapes, domains=domains, functions=functions, **flags)
    e, x = _read(f, wrt, shapes, domains, functions, **flags)
    if structure is not None:
        structure_of(structure, x)
    return e, x


def read_square(text: str, wrt, structure, *, shapes=None, domains=None, functions=None, scalar=False,
                prefer_scalar=False) -> t.Expr:
    """The tree of ``text`` for a gradient inside ``structure``: a square structure reads an
    undeclared X as square (tr(SA) with S symmetric is n×n), where that is possible."""
    e = _parse(text, shapes=shapes, domains=domains, functions=functions, scalar=scalar or prefer_scalar)
    if structure not in STRUCTURES or not STRUCTURES[structure].square:  # an unknown one: said by structure_of
        return e
    x = _variable(e, wrt)
    if t.same_dim(x.rows, x.cols):
        return e
    try:
        return _parse(text, shapes=shapes, domains=_square_domain(domains, x.name), functions=functions,
                      scalar=scalar or prefer_scalar)
    except MatcalcError:  # X is declared with a shape that is not square: said by structure_of
        return e


def _square_domain(domains, name: str):
    """The domains with X declared invertible, which makes it square."""
    if isinstance(domains, str):
        return f"{domains}, {name}: invertible" if domains.strip() else f"{name}: invertible"
    out = dict(domains or {})
    words = out.get(name, ())
    out[name] = [words, "invertible"] if isinstance(words, str) else [*words, "invertible"]
    return out


def _variable(e: t.Expr, wrt) -> t.Symbol:
    """The symbol wrt names: one of e's, or one of the text's that the builders cancelled
    (0·sum(N) is 0, whose gradient w.r.t. N is the zero of N's shape)."""
    symbols = {s.name: s for s in (*e.origin, *e.free_symbols)}
    name = wrt.name if isinstance(wrt, t.Symbol) else canonical_name(wrt.strip())
    if name not in symbols:
        known = ", ".join(sorted(symbols)) or "none"
        raise ArgumentValueError(f"wrt: {name} is not a symbol of the expression{did_you_mean(name, symbols)} "
                                 f"(its symbols: {known})")
    return symbols[name]


def _scalar(e: t.Expr) -> None:
    if not e.is_scalar:
        raise ShapeError(
            f"the function must be scalar (1×1) to have a gradient, but {to_unicode(e)} is "
            f"{t.show_shape(e.shape)}"
        )


@public
def grad(f, wrt, *, structure=None, shapes=None, domains=None, functions=None) -> t.Expr:
    """∂f/∂X: the G of X's shape with df = tr(Gᵀ dX), simplified.  With ``structure``
    ("symmetric", "skew", "diagonal", "lower", "upper", "stiefel", "orthogonal", "sphere",
    "spd"), the gradient inside it: the projection of G, or the Riemannian gradient
    (``matcalc.results.structure``; docs/structure.md)."""
    return differential(f, wrt, structure=structure, shapes=shapes, domains=domains,
                        functions=functions).real_gradient()


@public
def differential(f, wrt, *, structure=None, shapes=None, domains=None, functions=None) -> Differential:
    """The differential of f, printed df = tr(Gᵀ dX), with its gradient G; with ``structure``
    (see ``grad``), G is the gradient inside it and dX is taken inside it."""
    return _differential(*_read_in(f, wrt, structure, shapes, domains, functions, scalar=True), structure)


def _declarations_of(e: t.Expr) -> tuple[dict, dict]:
    shapes = {s.name: tuple(_dim_text(d) for d in s.dims) for s in e.free_symbols}
    domains = {s.name: sorted(s.assumptions) for s in e.free_symbols if s.assumptions}
    return shapes, domains


def _dim_text(d):
    return int(d) if d.is_Integer else str(d)


@public
def check(f, wrt, expected=None, trials: int = 3, seed: int = 0, *, structure=None, shapes=None, domains=None,
          functions=None) -> CheckReport:
    """Compare the gradient — or the claimed ``expected`` one — with central finite differences;
    with ``structure`` (see ``grad``), the gradient inside it, at random points inside it, with
    finite differences along its tangent vectors (paired in its metric)."""
    e, x = _read_in(f, wrt, structure, shapes, domains, functions, scalar=True)
    if expected is None:
        g = grad(e, x, structure=structure)
    elif isinstance(expected, t.Expr):
        g = expected
    else:
        known_shapes, known_domains = _declarations_of(e)
        try:
            g = _parse(expected, shapes=known_shapes, domains=known_domains or None, functions=functions,
                       shape=tuple(_dim_text(d) for d in x.shape))
        except ShapeError as exc:
            raise ShapeError(f"the claimed gradient does not have the shape of {x.name}: {exc}") from None
    return check_gradient(e, x, g, trials=trials, seed=seed, space=SPACES[structure] if structure else None)


@public
def vjp(F, wrt, upstream="G", *, shapes=None, domains=None, functions=None) -> t.Expr:
    """∂L/∂X for the upstream symbol G = ∂L/∂F of F's shape (backprop): the gradient of ⟨G, F⟩;
    for a complex F, G = ∂L/∂F̄ and the answer ∂L/∂X̄ (PyTorch's convention; docs/structure.md)."""
    e, x = _read(F, wrt, shapes, domains, functions)
    return _backprop.vjp(e, x, upstream)


@public
def solve(f, wrt, *, shapes=None, domains=None, functions=None) -> t.Expr:
    """The stationary point of scalar f in closed form, where ∇f is affine in wrt (normal equations)."""
    return _backprop.stationary_point(*_read(f, wrt, shapes, domains, functions, scalar=True))


def _result(e: t.Expr, x: t.Symbol, matrix: t.Expr, layout: str, as_tensor, hessian: bool,
            structure: str | None = None, conjugate: bool = False) -> Jacobian:
    """The ``Jacobian`` of e with its random points: seed → (values, dims) respecting the domains
    (and the structure of x)."""
    space = SPACES[structure] if structure else None
    return Jacobian(e, x, matrix, layout, bool(as_tensor), hessian, bool(conjugate),
                    sampler=lambda seed: _point([e, matrix, x], seed, structures={x.name: space} if space else None),
                    space=space)


@public
def jacobian(F, wrt, layout="numerator", as_tensor=False, *, conjugate=None, shapes=None, domains=None,
             functions=None) -> Jacobian:
    """∂vec(F)/∂vec(X)ᵀ in closed form: J with vec(dF) = J vec(dX) (``layout="denominator"``:
    Jᵀ).  A scalar F gives the gradient as a row, vec(G)ᵀ.  Returns a ``Jacobian``: ``str``
    and ``latex()`` print J, ``.matrix`` is the expression, ``.evaluate(values)`` the 2-D array
    (with ``as_tensor=True`` the array with F's axes then X's, X's first in the denominator
    layout), ``.check()`` compares with finite differences.  For a complex X, F must be
    holomorphic, or ``conjugate`` says which part of vec(dF) = J vec(dX) + J̄ vec(dX̄) to give:
    False J = ∂vec(F)/∂vec(X)ᵀ, True J̄ = ∂vec(F)/∂vec(X̄)ᵀ."""
    e, x = _read(F, wrt, shapes, domains, functions)
    return _result(e, x, jacobian_matrix(e, x, layout, conjugate), layout, as_tensor, hessian=False,
                   conjugate=conjugate)


@public
def hessian(f, wrt, *, structure=None, as_tensor=False, conjugate=None, shapes=None, domains=None,
            functions=None) -> Jacobian:
    """∂²f/∂vec(X)∂vec(X)ᵀ in closed form: the symmetric H with d²f = vec(dX)ᵀ H vec(dX), the
    Jacobian of vec of the gradient.  Returns a ``Jacobian`` (see ``jacobian``) of f.  With a
    linear ``structure`` (symmetric, skew, diagonal, lower, upper), PHP for the projection P
    of vec(X) onto it; on a manifold, an ``UnsupportedError``.  For a complex Z, the Jacobian of
    G = ∂f/∂Z̄: H = ∂vec(G)/∂vec(Z)ᵀ when G does not depend on Z̄, else ``conjugate`` False (H)
    or True (H̃ = ∂vec(G)/∂vec(Z̄)ᵀ); d²f = 2 vec(dZ)ᴴ H vec(dZ) + 2 Re(vec(dZ)ᴴ H̃ vec(dZ̄))."""
    e, x = _read_in(f, wrt, structure, shapes, domains, functions, prefer_scalar=True)
    h = hessian_matrix(e, x, conjugate)
    if structure is not None:
        h = t.with_origin(project_hessian(h, x, structure), e)
    return _result(e, x, h, "numerator", as_tensor, True, structure, conjugate)


@public
def derive(f, wrt, *, structure=None, shapes=None, domains=None, functions=None) -> Derivation:
    """The derivation of ∂f/∂X a student can follow: numbered steps, each naming its rule,
    from f through df = tr(Gᵀ dX) to G, which is ``grad(f, wrt)`` (see ``matcalc.results.derivation``;
    for a complex X, through df = 2 Re tr(Gᵀ dX̄) to G = ∂f/∂X̄);
    with ``structure``, a last step projects G and names the projection."""
    e, x = _read_in(f, wrt, structure, shapes, domains, functions, scalar=True)
    g = grad(e, x)
    d = _derive(e, x, g)
    if structure is None:
        return d
    return d.projected(project(g, x, structure), STRUCTURES[structure].step)


def _variables(name: str, value) -> None:
    """wrt of compile, codegen and minimize: one name or a list or tuple of names."""
    for w in ([value] if isinstance(value, (str, t.Symbol)) else value if isinstance(value, (list, tuple)) else [value]):
        CHECKS["wrt"](name, w)


def _scalar_function(f, wrt, shapes, domains, functions) -> t.Expr:
    names = [wrt] if isinstance(wrt, (str, t.Symbol)) else list(wrt)
    e, _ = _read(f, names[0] if names else "", shapes, domains, functions, scalar=True)
    return e


@public(wrt=_variables)
def compile(f, wrt, *, backend="numpy", hessian=False, shapes=None, domains=None, functions=None) -> Compiled:
    """f's value and gradient as one generated function (NumPy, JAX or PyTorch): called with f's
    symbols by keyword or in the order of ``fn.args``, it returns (value, grad) for one variable,
    (value, (grad₁, grad₂, …)) for a list, (value, grad, hessian) with ``hessian``; ``fn.source``
    is its code."""
    return compile_gradient(_scalar_function(f, wrt, shapes, domains, functions), wrt, backend=backend,
                            hessian=hessian_matrix if hessian else None)


@public(wrt=_variables)
def codegen(f, wrt, *, backend="numpy", hessian=False, name="f_and_grad", shapes=None, domains=None,
            functions=None) -> str:
    """The source of a self-contained module (it imports only the backend) that defines ``name``,
    f's value and gradient as ``compile`` makes them, and ``check_gradient()``, which compares
    them with central finite differences at a random point."""
    return module_text(_scalar_function(f, wrt, shapes, domains, functions), wrt, backend=backend,
                       hessian=hessian_matrix if hessian else None, name=name)


@public(wrt=_variables)
def minimize(f, wrt, x0, *, values=None, bounds=None, method="L-BFGS-B", progress=False, options=None,
             shapes=None, domains=None, functions=None) -> Minimum:
    """f minimised over wrt (one name or several) from x0 ({name: start}, or the start of the one
    variable) by SciPy's ``method``, fed by the compiled value and gradient; the other symbols
    are fixed at ``values``.  Returns the ``Minimum``: ``x`` per variable, ``value``,
    ``iterations``, ``message``."""
    return _minimize(_scalar_function(f, wrt, shapes, domains, functions), wrt, x0, values=values, bounds=bounds,
                     method=method, progress=progress, options=options)


def clear_caches() -> None:
    """Forget every result remembered across calls (the keys and forms the simplifier and the
    printer remember), so that the next call starts cold: for benchmarks and tests of speed.
    The grammar, compiled once, is kept."""
    for cached in (_rewriting.structure_key, _rewriting.order_key, _rewriting.size):
        cached.cache_clear()
    _complexes.forget()
