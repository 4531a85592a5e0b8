"""Text with ``where`` clauses that name the factors of a decomposition, as ``matcalc`` prints
them (``matcalc.printing.factors``): ``u₁v₁ᵀ where X = UΣVᵀ (σ₁ simple)``, ``−DᵀUVᵀ where
X − DR = UΣVᵀ (full rank)``, ``vvᵀ where Sv = λ_max(S)v (λ_max simple)``.

``split`` separates the expression from its clauses; ``bind`` reads each clause's matrix, gives
the names the clause binds (u₁, v₁, U, V; v for λ_max, w for λ_min) their shapes, and after the
expression is read replaces them by the factor nodes: u₁ → svec_u(X), v₁ → svec_v(X),
UVᵀ → polar(X), v → eigvec_max(S), w → eigvec_min(S).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ParseError
from ..language.declarations import parse_declarations
from . import tree as t

WHERE = re.compile(r"\s+where\s+")
_ASSUMED = r"(?:\s*\((?P<a>[^()]*)\))?\s*$"
SVD = re.compile(r"(?P<m>.+?)\s*=\s*U\s*(?:Σ|Sigma)\s*V\s*(?:ᵀ|'|\^T)" + _ASSUMED)
EIGEN = re.compile(r"(?P<lhs>.+?)\s*=\s*(?:λ|lambda)_(?P<w>max|min)\s*\((?P<m>.+)\)\s*(?P<v>[A-Za-z])" + _ASSUMED)
ASSUMPTIONS = {"svd": {"σ₁ simple", "full rank"}, "max": {"λ_max simple"}, "min": {"λ_min simple"}}
EIGENVECTOR = {"max": "v", "min": "w"}


@dataclass
class Clause:
    kind: str  # svd, max, min
    text: str  # the matrix as written
    offset: int  # where the matrix starts in the whole text
    matrix: t.Expr | None = None


def split(text: str) -> tuple[str, list[Clause]]:
    """(the expression, its clauses); no clauses without the word ``where``."""
    m = WHERE.search(text)
    if m is None:
        return text, []
    clauses, start = [], m.end()
    for piece in text[start:].split(";"):
        clauses.append(_clause(piece, text, start))
        start += len(piece) + 1
    return text[: m.start()], clauses


def _clause(piece: str, text: str, start: int) -> Clause:
    lead = len(piece) - len(piece.lstrip())
    svd, eigen = SVD.match(piece.strip()), EIGEN.match(piece.strip())
    if svd:
        kind, m, assumed = "svd", svd["m"], svd["a"]
    elif eigen:
        kind, m, assumed = eigen["w"], eigen["m"], eigen["a"]
        lhs = eigen["lhs"].replace(" ", "")
        if eigen["v"] != EIGENVECTOR[kind] or lhs not in (m.replace(" ", "") + eigen["v"], f"({m.replace(' ', '')}){eigen['v']}"):
            raise ParseError.at(f"an eigenvector is named in the form Sv = λ_{kind}(S){EIGENVECTOR[kind]}", text,
                                start + lead)
    else:
        raise ParseError.at("a where clause names the factors of a decomposition: X = UΣVᵀ or Sv = λ_max(S)v",
                            text, start + lead)
    for word in (assumed or "").split(","):
        if word.strip() and word.strip() not in ASSUMPTIONS[kind]:
            raise ParseError.at(f"unknown assumption {word.strip()!r} in a where clause "
                                f"(known: {', '.join(sorted(ASSUMPTIONS[kind]))})", text, start + lead)
    return Clause(kind, m, start + lead + piece.strip().index(m))


def read_matrices(clauses: list[Clause], read) -> None:
    """Each clause's matrix, read by ``read(text)``; the matrix of an eigenvalue as the argument
    of λ_max(…), so that it is read square."""
    for c in clauses:
        c.matrix = read(c.text) if c.kind == "svd" else read(f"λ_{c.kind}({c.text})").arg


def names(clause: Clause) -> dict:
    """The names a clause binds and their shapes (dimension names or numbers)."""
    x = clause.matrix
    rows, cols = (_dim(d, clause) for d in x.shape)
    if clause.kind != "svd":
        return {EIGENVECTOR[clause.kind]: (rows, 1)}
    rank = next(r for r in ("r", "ρ", "k_r") if r not in {str(d) for s in x.free_symbols for d in s.shape})
    return {"u_1": (rows, 1), "v_1": (cols, 1), "U": (rows, rank), "V": (cols, rank)}


def _dim(d, clause: Clause):
    if d.is_Integer:
        return int(d)
    if d.is_Symbol:
        return str(d)
    raise ParseError(f"the factors of {clause.text} ({t.show_shape(clause.matrix.shape)}) cannot be named: "
                     "its size is a product of dimensions; write svec_u(…), svec_v(…), polar(…) or eigvec_max(…)")


def declarations(shapes, domains, functions, clauses: list[Clause]) -> tuple[dict, dict, dict]:
    """The declarations of the expression: the user's, the symbols of the clauses' matrices with
    the shapes they were read with, and the names the clauses bind."""
    texts = [v for v in (shapes, domains, functions) if isinstance(v, str)]
    given = parse_declarations(", ".join(texts)) if texts else ({}, {}, {})
    dicts = [{**g, **(v if isinstance(v, dict) else {})} for g, v in zip(given, (shapes, domains, functions))]
    bound: dict = {}
    for c in clauses:
        for s in c.matrix.free_symbols:
            if s.name not in dicts[0] and all(d.is_Symbol or d.is_Integer for d in s.shape):
                dicts[0][s.name] = tuple(str(d) if d.is_Symbol else int(d) for d in s.shape)
        for name, dims in names(c).items():
            if name in bound or name in dicts[0] or name in dicts[1]:
                raise ParseError(f"{name} is named twice (by a where clause and by another clause or a declaration)")
            bound[name] = dims
    return {**dicts[0], **bound}, dicts[1], dicts[2]


def bind(e: t.Expr, clauses: list[Clause]) -> t.Expr:
    """``e`` with the names of the clauses replaced by the factors they name."""
    for c in clauses:
        symbols = {s.name: s for s in e.free_symbols}
        if c.kind != "svd":
            name = EIGENVECTOR[c.kind]
            e = _replace(e, symbols, name, t.EigenVector(c.matrix, c.kind), c)
            continue
        for name, side in (("u_1", "left"), ("v_1", "right")):
            if name in symbols:
                e = t.substitute(e, symbols[name], t.SingularVector(c.matrix, side))
        if "U" in symbols or "V" in symbols:
            e = _polar(e, symbols.get("U"), symbols.get("V"), t.PolarFactor(c.matrix))
            if {"U", "V"} & {s.name for s in e.free_symbols}:
                raise ParseError(f"U and V of {c.text} = UΣVᵀ stand together, as UVᵀ (the polar factor)")
        elif not {"u_1", "v_1"} & set(symbols):
            raise ParseError(f"the where clause {c.text} = UΣVᵀ names factors the expression does not use")
    return e


def _replace(e, symbols, name, factor, c):
    if name not in symbols:
        raise ParseError(f"the where clause of λ_{c.kind}({c.text}) names {name}, which the expression does not use")
    return t.substitute(e, symbols[name], factor)


def _polar(e: t.Expr, u, v, polar: t.Expr) -> t.Expr:
    """UVᵀ → polar(X) and VUᵀ → polar(X)ᵀ in every product."""
    memo: dict = {}
    for n in t.postorder(e):
        if not isinstance(n, t.MatMul):
            memo[n] = t.rebuild(n, memo.__getitem__)
            continue
        fs, out, i = [memo[f] for f in n.factors], [], 0
        while i < len(fs):
            pair = tuple(fs[i:i + 2])
            if u is not None and v is not None and pair == (u, t.Transpose(v)):
                out.append(polar)
                i += 2
            elif u is not None and v is not None and pair == (v, t.Transpose(u)):
                out.append(t.transpose(polar))
                i += 2
            else:
                out.append(fs[i])
                i += 1
        memo[n] = t.matmul(*out) if len(out) > 1 else out[0]
    return memo[e]
