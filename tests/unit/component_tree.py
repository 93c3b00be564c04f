"""Test helpers that walk Dash component trees through `.children`."""

from __future__ import annotations

from collections.abc import Iterator

from dash.development.base_component import Component


def walk(node) -> Iterator:
    """Every component and string in the tree, depth first (the node included)."""
    if node is None:
        return
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
        return
    yield node
    if isinstance(node, Component):
        yield from walk(getattr(node, "children", None))


def text_of(node) -> str:
    """All text in the tree, joined by single spaces (whitespace runs collapsed)."""
    parts = [str(n) for n in walk(node) if isinstance(n, str | int | float)]
    return " ".join(" ".join(parts).split())


def find_all(node, kind: type) -> list:
    return [n for n in walk(node) if isinstance(n, kind)]


def find_by_id(node, component_id):
    """The first component with this id, or None."""
    for n in walk(node):
        if isinstance(n, Component) and getattr(n, "id", None) == component_id:
            return n
    return None
