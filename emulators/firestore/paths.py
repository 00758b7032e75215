"""Resource names (projects/p/databases/d/documents/...) and field paths (a.b.`c.d`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulators.firestore.errors import invalid

_RESERVED_ID = re.compile(r"^__.*__$")
_NUMERIC_ID = re.compile(r"__id(-?[0-9]+)__")
_INT64_RANGE = range(-(2**63), 2**63)


def numeric_id(segment: str) -> int | None:
    """The integer of a Datastore-style numeric id (``__id42__``, within int64), else None."""
    match = _NUMERIC_ID.fullmatch(segment)
    if match is None:
        return None
    number = int(match.group(1))
    return number if number in _INT64_RANGE else None


def is_reserved_id(segment: str) -> bool:
    """``__.*__`` ids are reserved, except numeric ids, which production accepts (the JS
    SDK's "sort documents by DocumentId" test writes them)."""
    return bool(_RESERVED_ID.match(segment)) and numeric_id(segment) is None


_SIMPLE_FIELD = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")


@dataclass(frozen=True)
class DocumentName:
    """A document (even number of segments) or collection (odd) under one database."""

    database: str  # projects/p/databases/d
    segments: tuple[str, ...]

    @property
    def path(self) -> str:
        """The path relative to the database's documents root, e.g. ``rooms/r1``."""
        return "/".join(self.segments)

    @property
    def full(self) -> str:
        return f"{self.database}/documents/{self.path}" if self.segments else self.root

    @property
    def root(self) -> str:
        return f"{self.database}/documents"

    @property
    def project(self) -> str:
        return self.database.split("/")[1]

    @property
    def database_id(self) -> str:
        return self.database.split("/")[3]


def parse_database(name: str) -> str:
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "projects" or parts[2] != "databases" or not all(parts):
        raise invalid(f"Invalid database name: {name!r}")
    return name


def parse_resource(name: str, *, allow_root: bool = False) -> DocumentName:
    """Split ``projects/p/databases/d/documents[/seg...]``; segments are not checked for parity."""
    parts = name.split("/")
    if (
        len(parts) < 5
        or parts[0] != "projects"
        or parts[2] != "databases"
        or parts[4] != "documents"
    ):
        raise invalid(f"Invalid resource name: {name!r}")
    database = "/".join(parts[:4])
    parse_database(database)
    segments = tuple(parts[5:])
    if not segments and not allow_root:
        raise invalid(f"Invalid resource name: {name!r}; the path must not be the documents root")
    for segment in segments:
        if not segment:
            raise invalid(f"Invalid resource name: {name!r}; path segments must not be empty")
        if segment in (".", "..") or is_reserved_id(segment):
            raise invalid(f"Invalid resource name: {name!r}; {segment!r} is a reserved id")
        if len(segment.encode()) > 1500:
            raise invalid(f"Invalid resource name: {name!r}; a segment exceeds 1500 bytes")
    return DocumentName(database, segments)


def parse_document(name: str) -> DocumentName:
    doc = parse_resource(name)
    if len(doc.segments) % 2:
        raise invalid(f"Document name {name!r} has odd number of segments")
    return doc


def parse_parent(name: str) -> DocumentName:
    """A query or list parent: the documents root or a document."""
    parent = parse_resource(name, allow_root=True)
    if len(parent.segments) % 2:
        raise invalid(f"Invalid parent {name!r}: it must be a document or the documents root")
    return parent


FieldPath = tuple[str, ...]


def parse_field_path(text: str) -> FieldPath:
    """``a.b``, ``a.`b.c```, ``__name__``; backquoted segments may escape ` and \\ with \\."""
    if not text:
        raise invalid("Field path must not be empty")
    segments: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] == "`":
            i += 1
            chars: list[str] = []
            while True:
                if i >= n:
                    raise invalid(f"Invalid field path {text!r}: unterminated backquote")
                ch = text[i]
                if ch == "\\":
                    if i + 1 >= n:
                        raise invalid(f"Invalid field path {text!r}: dangling escape")
                    chars.append(text[i + 1])
                    i += 2
                    continue
                if ch == "`":
                    i += 1
                    break
                chars.append(ch)
                i += 1
            segment = "".join(chars)
        else:
            end = text.find(".", i)
            end = n if end == -1 else end
            segment = text[i:end]
            if not _SIMPLE_FIELD.match(segment):
                raise invalid(f"Invalid field path {text!r}: segment {segment!r} must be quoted")
            i = end
        if not segment:
            raise invalid(f"Invalid field path {text!r}: empty segment")
        segments.append(segment)
        if i < n:
            if text[i] != ".":
                raise invalid(f"Invalid field path {text!r}")
            i += 1
            if i == n:
                raise invalid(f"Invalid field path {text!r}: trailing dot")
    return tuple(segments)


def format_field_path(path: FieldPath) -> str:
    parts = []
    for segment in path:
        if _SIMPLE_FIELD.match(segment):
            parts.append(segment)
        else:
            escaped = segment.replace("\\", "\\\\").replace("`", "\\`")
            parts.append(f"`{escaped}`")
    return ".".join(parts)


def is_prefix(prefix: FieldPath, path: FieldPath) -> bool:
    return len(prefix) <= len(path) and path[: len(prefix)] == prefix
