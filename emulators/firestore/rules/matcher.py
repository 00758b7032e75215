"""Which ``match`` blocks a request path reaches, and what their variables are bound to.

A request path is a list of segments. Two markers stand for what a query does not fix:
``ANY_DOCUMENT_ID`` (the documents a list returns) and ``ANY_PARENTS`` (the parents a
collection-group query spans). A single wildcard ``{id}`` matches a document id marker;
only a recursive wildcard ``{path=**}`` can cover ``ANY_PARENTS``. Variables bound to a
marker are ``Unknown``: reading them is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emulators.firestore.rules import nodes
from emulators.firestore.rules.values import RulesPath, Unknown


class Marker(str):
    """A request path segment standing for any value (never equal to literal text)."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


ANY_DOCUMENT_ID = Marker("{any document}")
ANY_PARENTS = Marker("{any parents}")


def is_marker(segment: str) -> bool:
    return isinstance(segment, Marker)


@dataclass(frozen=True)
class MatchedBlock:
    """A match block whose pattern consumed the whole request path."""

    chain: tuple[tuple[nodes.MatchBlock, dict[str, Any]], ...]  # outermost first

    @property
    def block(self) -> nodes.MatchBlock:
        return self.chain[-1][0]

    @property
    def pattern_text(self) -> str:
        return "".join(block.pattern_text for block, _ in self.chain)


def find_matches(
    blocks: list[nodes.MatchBlock], segments: list[str], version: str
) -> Iterator[MatchedBlock]:
    """Every (nested) match block whose full path equals ``segments``, in source order."""
    for block in blocks:
        yield from _walk(block, segments, 0, (), version)


def _walk(
    block: nodes.MatchBlock,
    segments: list[str],
    start: int,
    chain: tuple[tuple[nodes.MatchBlock, dict[str, Any]], ...],
    version: str,
) -> Iterator[MatchedBlock]:
    for end, bindings in match_pattern(block.pattern, segments, start, version):
        here = (*chain, (block, bindings))
        if end == len(segments):
            yield MatchedBlock(here)
        for child in block.matches:
            yield from _walk(child, segments, end, here, version)


def match_pattern(
    pattern: tuple[nodes.PatternSegment, ...], segments: list[str], start: int, version: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Ways ``pattern`` matches ``segments[start:end]``, as (end, variable bindings)."""
    yield from _match_from(pattern, 0, segments, start, {}, version)


def _match_from(
    pattern: tuple[nodes.PatternSegment, ...],
    index: int,
    segments: list[str],
    position: int,
    bindings: dict[str, Any],
    version: str,
) -> Iterator[tuple[int, dict[str, Any]]]:
    if index == len(pattern):
        yield position, bindings
        return
    segment = pattern[index]
    if segment.recursive:
        assert segment.variable is not None
        # rules_version '2': zero or more segments; '1': one or more, to the end.
        if version == "1":
            ends = [len(segments)] if position < len(segments) else []
        else:
            ends = list(range(position, len(segments) + 1))
        for end in ends:
            covered = segments[position:end]
            value: Any = (
                Unknown(f"path variable '{segment.variable}'")
                if any(is_marker(s) for s in covered)
                else RulesPath(tuple(covered))
            )
            yield from _match_from(
                pattern, index + 1, segments, end, {**bindings, segment.variable: value}, version
            )
        return
    if position >= len(segments):
        return
    current = segments[position]
    if segment.variable is not None:
        if current is ANY_PARENTS:
            return
        value = Unknown(f"path variable '{segment.variable}'") if is_marker(current) else current
        yield from _match_from(
            pattern,
            index + 1,
            segments,
            position + 1,
            {**bindings, segment.variable: value},
            version,
        )
    elif not is_marker(current) and current == segment.text:
        yield from _match_from(pattern, index + 1, segments, position + 1, bindings, version)
