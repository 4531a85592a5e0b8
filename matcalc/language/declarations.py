"""Declarations: the shapes, domains and functions a user gives.

``parse_declarations`` reads the text form the command line takes,
``"X: m×n, a: m, λ: scalar, M: n×n symmetric, Σ: spd, g: elementwise, f: scalar,
h: x**3 + sin(x)"``, and ``Declarations`` checks and normalises either form for the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import DomainError, did_you_mean
from .formula import Formula, parse_formula
from .names import _NAME, GREEK, canonical_name, spellings, split_name

# ---- declarations ---------------------------------------------------------------------------

DOMAINS = ("symmetric", "spd", "invertible", "positive", "probability", "onehot", "complex", "hermitian", "unitary")
IMPLIED = {"spd": {"spd", "symmetric", "invertible"}, "onehot": {"probability"}, "hermitian": {"hermitian", "complex"},
           "unitary": {"unitary", "complex", "invertible"}}
SQUARE_DOMAINS = {"symmetric", "spd", "invertible", "hermitian", "unitary"}
# Words that cannot go together: (word, word, why).
CONFLICTS = (
    ("complex", "positive", "positive is for real entries"),
    ("complex", "probability", "a probability vector has real entries"),
    ("complex", "onehot", "a one-hot vector has real entries"),
    ("hermitian", "symmetric", "a symmetric Hermitian matrix is real: declare it symmetric"),
    ("unitary", "spd", "the only positive definite unitary matrix is I"),
    ("unitary", "hermitian", "declare it unitary or hermitian"),
    ("unitary", "symmetric", "declare it unitary or symmetric"),
)
FUNCTION_KINDS = ("elementwise", "scalar")

_DIM = r"(?:[0-9]+|[A-Za-z](?:_?[0-9]+|_[A-Za-z])?)"
_SHAPE = re.compile(rf"\s*({_DIM})\s*(?:[×x]\s*({_DIM}))?(?=\s|$)(.*)", re.S)


def _bad(message: str) -> DomainError:
    return DomainError(message)


def check_dim(owner: str, d) -> str | int:
    """A dimension of a declaration: a positive int or a name such as m, n1, d_k."""
    if isinstance(d, bool):
        raise _bad(f"bad dimension {d!r} for {owner}: a dimension is a positive integer or a name")
    if isinstance(d, int):
        if d < 1:
            raise _bad(f"bad dimension {d} for {owner}: a dimension must be at least 1")
        return d
    if isinstance(d, str):
        s = d.strip()
        if s.isdigit():
            return check_dim(owner, int(s))
        if re.fullmatch(r"[A-Za-zα-ωΑ-Ω][A-Za-z0-9_]*", s):
            return s
    raise _bad(f"bad dimension {d!r} for {owner}: a dimension is a positive integer or a name")


def check_shape(owner: str, dims) -> tuple:
    """() for a scalar, (m,) for an m×1 vector, (m, n) for a matrix."""
    if isinstance(dims, str):
        text = dims.strip()
        if text.lower() == "scalar":
            return ()
        m = _SHAPE.fullmatch(text)
        if not m or m.group(3).strip():
            raise _bad(f"bad shape {dims!r} for {owner}: write m×n, m or scalar")
        dims = tuple(g for g in m.groups()[:2] if g)
    if not isinstance(dims, (tuple, list)):
        raise _bad(f"bad shape {dims!r} for {owner}: give a tuple of dimensions such as ('m', 'n')")
    if len(dims) > 2:
        raise _bad(f"bad shape {tuple(dims)!r} for {owner}: a shape has at most two dimensions")
    return tuple(check_dim(owner, d) for d in dims)


def _unknown_word(owner: str, w, kinds: bool) -> DomainError:
    """The error for a word that is not a domain (nor, with ``kinds``, a function kind)."""
    word = str(w).strip().lower()
    domains = ", ".join(DOMAINS)
    if kinds and did_you_mean(word, FUNCTION_KINDS) and not did_you_mean(word, DOMAINS):
        return _bad(f"unknown function kind {w!r} for {owner}{did_you_mean(word, FUNCTION_KINDS)} "
                    f"(a function is elementwise, scalar or a formula in x)")
    if kinds and not did_you_mean(word, DOMAINS):
        return _bad(f"unknown word {w!r} in the declaration of {owner}: not a domain ({domains}) "
                    f"nor a function kind (elementwise, scalar)")
    return _bad(f"unknown domain {w!r} for {owner}{did_you_mean(word, DOMAINS)} (the domains: {domains})")


def check_domains(owner: str, words, kinds: bool = False) -> frozenset:
    """The domain words with the ones they imply (spd ⇒ symmetric, invertible); ``kinds``: the
    words may also have meant a function kind (text declarations), which the error then says."""
    if isinstance(words, str):
        words = words.replace(",", " ").split()
    out: set = set()
    for w in words:
        if not isinstance(w, str) or w.strip().lower() not in DOMAINS:
            raise _unknown_word(owner, w, kinds)
        w = w.strip().lower()
        out |= IMPLIED.get(w, {w})
    written = {str(w).strip().lower() for w in words}
    for a, b, why in CONFLICTS:
        if {a, b} <= written | ({"complex"} if written & {"hermitian", "unitary"} else set()):
            raise _bad(f"{owner} cannot be both {a} and {b}: {why}")
    if "complex" in out and "spd" in out:  # complex positive definite: Hermitian, not symmetric
        out = (out - {"symmetric"}) | {"hermitian"}
    return frozenset(out)


def check_function(owner: str, kind, declaration: str | None = None) -> tuple[str, Formula | None]:
    """("elementwise", None), ("scalar", None) or ("elementwise", formula) for a formula in x
    (read by matcalc's own grammar, never run); ``declaration`` is the text one it stands in."""
    if isinstance(kind, Formula):
        return "elementwise", kind
    if not isinstance(kind, str) or not kind.strip():
        raise _bad(f"bad function declaration {kind!r} for {owner}: use 'elementwise', 'scalar' or a formula in x")
    k = kind.strip()
    if k.lower() in FUNCTION_KINDS:
        return k.lower(), None
    if k.isalpha() and did_you_mean(k.lower(), FUNCTION_KINDS):
        raise _bad(f"unknown function kind {k!r} for {owner}{did_you_mean(k.lower(), FUNCTION_KINDS)} "
                   f"(a function is elementwise, scalar or a formula in x)")
    return "elementwise", parse_formula(owner, k, declaration)


def _is_function_letter(name: str) -> bool:
    """Whether ``name: scalar`` in text declares a scalar function (f, g, h, ℓ, loss) rather
    than a scalar symbol (λ, c)."""
    base = split_name(name)[0]
    return base in ("f", "g", "h", "ℓ") or (re.fullmatch(r"[a-z]{3,}", base) is not None and base not in GREEK)


def _split_items(text: str) -> list[str]:
    items, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c in ",;\n" and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [s.strip() for s in items if s.strip()]


def parse_declarations(text: str) -> tuple[dict, dict, dict]:
    """(shapes, domains, functions) from ``"X: m×n, a: m, λ: scalar, M: n×n symmetric, …"``."""
    if not isinstance(text, str):
        raise _bad(f"declarations must be text, not {type(text).__name__}")
    shapes: dict = {}
    domains: dict = {}
    funcs: dict = {}
    for item in _split_items(text):
        name, colon, spec = item.partition(":")
        name, spec = name.strip(), spec.strip()
        if not colon or not name or not spec:
            raise _bad(f"cannot read the declaration {item!r}: write 'name: m×n' (or scalar, a domain, elementwise, a formula)")
        key = _key(name)
        words = spec.split()
        low = [w.lower() for w in words]
        if low == ["elementwise"] or low[:2] == ["elementwise", "function"]:
            funcs[key] = "elementwise"
        elif low in (["function"], ["scalar", "function"]):
            funcs[key] = "scalar"
        elif low and low[0] == "scalar" and all(w.isalpha() for w in low):
            if len(low) == 1 and _is_function_letter(key):
                funcs[key] = "scalar"
            else:
                shapes[key] = ()
                if low[1:]:
                    check_domains(key, low[1:])
                    domains[key] = tuple(low[1:])
        elif (m := _SHAPE.fullmatch(spec)) and all(w.isalpha() for w in m.group(3).split()):
            rest = m.group(3).split()
            if m.group(2) and rest and rest[0].lower() == "x":
                raise _bad(f"bad shape {spec!r} for {key}: a shape has at most two dimensions")
            shapes[key] = check_shape(key, tuple(g for g in m.groups()[:2] if g))
            if rest:
                check_domains(key, rest)
                domains[key] = tuple(w.lower() for w in rest)
        elif all(re.fullmatch(r"[A-Za-z]+", w) for w in words):
            check_domains(key, words, kinds=True)
            domains[key] = tuple(w.lower() for w in words)
        elif spec.count("×") >= 2:
            raise _bad(f"bad shape {spec!r} for {key}: a shape has at most two dimensions")
        elif "×" in spec:
            raise _bad(f"bad shape {spec!r} for {key}: write m×n, m or scalar with positive dimensions")
        else:
            check_function(key, spec, item)
            funcs[key] = spec
    return shapes, domains, funcs


@dataclass
class Declarations:
    """The checked declarations, keyed by canonical name."""

    shapes: dict = field(default_factory=dict)  # name → () | (d,) | (d, d)
    domains: dict = field(default_factory=dict)  # name → frozenset of domain words
    functions: dict = field(default_factory=dict)  # name → (kind, formula or None)
    spelled: list = field(default_factory=list)  # (spelling, name), longest spelling first

    @classmethod
    def build(cls, shapes=None, domains=None, functions=None) -> "Declarations":
        for label, value in (("shapes", shapes), ("domains", domains), ("functions", functions)):
            if value is not None and not isinstance(value, (dict, str)):
                raise _bad(f"{label} must be a dict or declaration text, not {type(value).__name__}")
        texts = [v for v in (shapes, domains, functions) if isinstance(v, str)]
        if texts:
            text_shapes, text_domains, text_functions = parse_declarations(", ".join(texts))
            shapes = {**text_shapes, **_dict_or_none(shapes)}
            domains = {**text_domains, **_dict_or_none(domains)}
            functions = {**text_functions, **_dict_or_none(functions)}
        d = cls()
        originals: dict = {}
        for name, dims in (shapes or {}).items():
            key = _key(name)
            d.shapes[key] = check_shape(key, dims)
            originals.setdefault(key, set()).add(str(name).strip())
        for name, words in (domains or {}).items():
            key = _key(name)
            d.domains[key] = check_domains(key, words)
            originals.setdefault(key, set()).add(str(name).strip())
        for name, kind in (functions or {}).items():
            key = _key(name)
            if key in d.shapes:
                raise _bad(f"{key} is declared both as a symbol and as a function")
            d.functions[key] = check_function(key, kind)
        for key, words in d.domains.items():
            dims = d.shapes.get(key)
            if words & SQUARE_DOMAINS and dims is not None and not _square(dims):
                shown = "×".join(str(x) for x in dims) if len(dims) == 2 else f"{dims[0]}×1"
                raise _bad(f"{key} is declared {'/'.join(sorted(words & SQUARE_DOMAINS))} but its shape {shown} is not square")
        pairs = {(s, key) for key in set(d.shapes) | set(d.domains) for s in spellings(key) | originals.get(key, set())}
        d.spelled = sorted(pairs, key=lambda p: (-len(p[0]), p[0]))
        return d

    @property
    def symbols(self) -> set:
        return set(self.shapes) | set(self.domains)

    def dim_names(self) -> set:
        return {x for dims in self.shapes.values() for x in dims if isinstance(x, str)}


def _dict_or_none(value):
    """A declaration given as a dict, or {} for None and for text already read."""
    return value if isinstance(value, dict) else {}


def _key(name) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name.strip()):
        raise _bad(f"bad name {name!r} in the declarations: a name is a letter with digits, primes or a subscript")
    return canonical_name(name)


def _square(dims: tuple) -> bool:
    if len(dims) == 0:
        return True
    if len(dims) == 1:
        return dims[0] == 1
    return dims[0] == dims[1]
