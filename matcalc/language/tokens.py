"""The token pass between Lark's lexer and its parser: ``TokenPass``.

It splits a run of letters that ends in a function word before its parenthesis into the
symbols and the function (W₂tanh(x) → W₂ tanh(x), Xexp(b) → X exp(b)), joins ``log det`` into one word and primes onto a declared elementwise function
(g'(x) → g′), moves a function's power behind its call (tanh²(Z) → tanh(Z).^2), marks the
prefix words (tr A, det X) and pairs the brackets and the bars ``|…|`` and ``‖…‖``; an
unbalanced one raises ParseError at its position.  It reads the declarations and the text of
the parse under way from ``DECLARED``.
"""

from __future__ import annotations

import contextvars

from lark import Token
from lark.lark import PostLex

from ..errors import ParseError
from .declarations import Declarations
from .limits import MAX_DEPTH
from .names import GREEK, atoms, canonical_name, is_greek_word, split_name
from .vocabulary import BUILTINS, ELEMENTWISE, ELEMENTWISE_ALIASES, PREFIX_WORDS, SIGMOID_NAMES


SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
ENDS_OPERAND = {"NAME", "NUMBER", "VULGAR", "RPAR", "RBRACE", "ACLOSE", "NCLOSE", "NSUB", "TRANSPOSE", "INVT", "SUPNUM", "ONES",
                "HERMITIAN", "INVH", "CONJ", "IMAGINARY",
                "DIMSUB", "RANGLE"}
OPENERS = {"LPAR": "(", "LBRACE": "{"}
CLOSERS = {"RPAR": "(", "RBRACE": "{"}
BARS = {"NBAR": ("‖", "NOPEN", "NCLOSE"), "ABAR": ("|", "AOPEN", "ACLOSE")}

# (declarations, text) of the parse under way, set by matcalc.language.syntax.syntax_tree.
DECLARED: contextvars.ContextVar = contextvars.ContextVar("matcalc_declarations")


def _tok_error(reason: str, tok: Token) -> ParseError:
    return ParseError(reason, DECLARED.get()[1], tok.line, tok.column)


class TokenPass(PostLex):
    """Joins log det, primes and function powers, marks prefix words, pairs bars and brackets.

    A bar closes when a bar of its kind is open (the innermost open bracket) and the previous
    token ends an operand; otherwise it opens.
    """

    always_accept = ("NBAR", "ABAR")

    def process(self, stream):
        decl, _ = DECLARED.get()
        tokens = _split_calls(list(stream), decl)
        tokens = _join_words(tokens, decl)
        tokens = _move_function_powers(tokens, decl)
        yield from _pair(tokens)


def _is(tok, type_, value=None) -> bool:
    return tok is not None and tok.type == type_ and (value is None or tok.value == value)


def _elementwise_name(word: str, decl: Declarations) -> bool:
    if word in ELEMENTWISE:
        return True
    if word in SIGMOID_NAMES or word in ELEMENTWISE_ALIASES:
        return "σ" not in decl.symbols
    base = canonical_name(word).rstrip("′")
    return decl.functions.get(base, ("",))[0] == "elementwise" or (base != canonical_name(word) and base in ELEMENTWISE)


def function_word(word: str, decl: Declarations) -> bool:
    """Whether ``word`` before "(" is a call: a built-in or elementwise function, σ or sigma
    (unless σ is a declared symbol), a declared function or the derivative g′ of a declared
    elementwise one."""
    if word in BUILTINS or word in ELEMENTWISE:
        return True
    if word in SIGMOID_NAMES or word in ELEMENTWISE_ALIASES:
        return "σ" not in decl.symbols
    name = canonical_name(word)
    if name in decl.functions:
        return True
    base, _, primes = split_name(name)
    return primes > 0 and (decl.functions.get(base, ("",))[0] == "elementwise" or name.rstrip("′") in ELEMENTWISE)


def _call_follows(tokens: list, i: int):
    """What a function word ending the run ``tokens[i]`` must be for a call to follow: a test
    on the word, or None when no call can follow (tanh(…), tanh²(…), g'(…), log det)."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if _is(nxt, "LPAR"):
        return lambda word, decl: function_word(word, decl)
    if _is(nxt, "NAME", "det"):
        return lambda word, decl: word == "log"
    if _is(nxt, "SUPNUM") and i + 2 < len(tokens) and _is(tokens[i + 2], "LPAR"):
        return _elementwise_name
    j = i + 1
    while j < len(tokens) and _is(tokens[j], "TRANSPOSE") and tokens[j].value in "'’":
        j += 1
    if j > i + 1 and j < len(tokens) and _is(tokens[j], "LPAR"):
        return lambda word, decl: decl.functions.get(canonical_name(word), ("",))[0] == "elementwise"
    return None


def _split_calls(tokens: list, decl: Declarations) -> list:
    """W₂tanh(x) → W₂ tanh(x): a function word (the longest) that ends a run of letters at a
    symbol boundary starts a new factor, whatever precedes it.  A run that is itself a
    function, a declared symbol or an ASCII Greek name stays whole; a head of two or more
    lower-case letters that are not declared symbols reads as a misspelt function (arctan)."""
    out: list = []
    for i, tok in enumerate(tokens):
        accept = _call_follows(tokens, i) if tok.type == "NAME" else None
        run = tok.value
        if accept is None or accept(run, decl) or canonical_name(run) in decl.symbols or is_greek_word(run):
            out.append(tok)
            continue
        cut = next((a for a, _, _ in atoms(run, decl.spelled)[1:] if accept(run[a:], decl)), None)
        if cut is None:
            out.append(tok)
            continue
        head = run[:cut]
        if head.isascii() and head.isalpha() and head.islower() and len(head) > 1 and head not in GREEK:
            if not all(name in decl.symbols for _, _, name in atoms(head, decl.spelled)):
                raise _tok_error(f"unknown function {run!r}", tok)
        out.append(_piece(tok, 0, cut))
        out.append(_piece(tok, cut, len(run)))
    return out


def _piece(tok: Token, start: int, end: int) -> Token:
    """The part [start, end) of a NAME token, with its own position."""
    return Token("NAME", tok.value[start:end], tok.start_pos + start, tok.line, tok.column + start,
                 tok.end_line, tok.column + end, tok.start_pos + end)


def _join_words(tokens: list, decl: Declarations) -> list:
    out: list = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if _is(tok, "NAME", "log") and _is(nxt, "NAME", "det"):
            tok = Token.new_borrow_pos("NAME", "logdet", tok)
            i += 1
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.type == "NAME":
            j = i + 1
            while j < len(tokens) and _is(tokens[j], "TRANSPOSE") and tokens[j].value in "'’":
                j += 1
            if j > i + 1 and j < len(tokens) and _is(tokens[j], "LPAR"):
                base = canonical_name(tok.value)
                if decl.functions.get(base, ("",))[0] == "elementwise":
                    out.append(Token.new_borrow_pos("NAME", tok.value + "′" * (j - i - 1), tok))
                    i = j
                    continue
            if tok.value in PREFIX_WORDS and not _is(nxt, "LPAR") and tok.value not in decl.symbols:
                tok = Token.new_borrow_pos("PREFIX", tok.value, tok)
        out.append(tok)
        i += 1
    return out


def _move_function_powers(tokens: list, decl: Declarations) -> list:
    """tanh²(Z) → tanh(Z).^2, as matcalc prints the elementwise power of a function."""
    match, stack = {}, []
    for i, tok in enumerate(tokens):
        if tok.type == "LPAR":
            stack.append(i)
        elif tok.type == "RPAR" and stack:
            match[stack.pop()] = i
    after: dict = {}
    out: list = []
    skip = set()
    for i, tok in enumerate(tokens):
        if (
            tok.type == "NAME"
            and i + 2 < len(tokens)
            and tokens[i + 1].type == "SUPNUM"
            and tokens[i + 2].type == "LPAR"
            and i + 2 in match
            and _elementwise_name(tok.value, decl)
        ):
            sup = tokens[i + 1]
            digits = "".join(SUPERSCRIPTS[c] for c in sup.value)
            moved = [Token.new_borrow_pos("DOTCARET", ".^", sup)]
            if digits.startswith("-"):
                moved.append(Token.new_borrow_pos("PM", "-", sup))
            moved.append(Token.new_borrow_pos("NUMBER", digits.lstrip("-"), sup))
            after[match[i + 2]] = moved
            skip.add(i + 1)
        if i not in skip:
            out.append(tok)
        out.extend(after.get(i, ()))
    return out


def _pair(tokens: list):
    stack: list = []  # (kind, token) of the open brackets and bars
    prev = None
    for tok in tokens:
        if tok.type in OPENERS:
            stack.append((OPENERS[tok.type], tok))
        elif tok.type in CLOSERS:
            kind = CLOSERS[tok.type]
            if not stack:
                raise _tok_error(f"unbalanced {tok.value!r}: there is no {kind!r} to close", tok)
            if stack[-1][0] != kind:
                raise _unclosed(*stack[-1])
            stack.pop()
        elif tok.value == "||" and stack and stack[-1][0] == "|":  # |a||b| is two pairs of bars
            for half in (0, 1):
                bar = Token("ABAR", "|", tok.start_pos + half, tok.line, tok.column + half,
                            tok.end_line, tok.column + half + 1, tok.start_pos + half + 1)
                prev = _bar(bar, stack, prev)
                yield prev
            continue
        elif tok.type in BARS:
            tok = _bar(tok, stack, prev)
        if len(stack) > MAX_DEPTH:
            raise _tok_error(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", tok)
        prev = tok
        yield tok
    if stack:
        kind = stack[-1][0]
        if len(stack) > 1 and kind in ("‖", "|") and any(k == kind for k, _ in stack[:-1]):
            raise _unclosed(*stack[-2])  # what kept the last bar from closing an earlier one
        raise _unclosed(*stack[-1])


def _bar(tok: Token, stack: list, prev) -> Token:
    """The bar as an opener or a closer (see TokenPass)."""
    bar, opener, closer = BARS[tok.type]
    if prev is not None and prev.type in ENDS_OPERAND and stack and stack[-1][0] == bar:
        stack.pop()
        return Token.new_borrow_pos(closer, tok.value, tok)
    stack.append((bar, tok))
    return Token.new_borrow_pos(opener, tok.value, tok)


def _unclosed(kind: str, tok: Token) -> ParseError:
    if kind in ("‖", "|"):
        return _tok_error(f"unbalanced {kind!r}: this bar is never closed", tok)
    return _tok_error(f"unbalanced {kind!r}: it is never closed", tok)