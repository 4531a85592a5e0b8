"""Walking trees without recursion, so that deep input cannot exhaust the stack: the one
postorder walk of the syntax tree and of the expression tree.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")


def postorder(root: T, children: Callable[[T], Iterable[T]], skip=frozenset()) -> Iterator[T]:
    """Distinct nodes below ``root`` that are not in ``skip``, each after all of its children
    (iterative); ``children(node)`` says what is descended into."""
    seen: set = set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        if node in skip or node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(tuple(children(node))))
