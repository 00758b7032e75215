"""The syntax tree of a ruleset: declarations and expressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Expressions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    line: int
    column: int


@dataclass(frozen=True)
class Literal(Expr):
    value: Any


@dataclass(frozen=True)
class Name(Expr):
    name: str


@dataclass(frozen=True)
class Member(Expr):
    target: Expr
    name: str


@dataclass(frozen=True)
class Index(Expr):
    target: Expr
    index: Expr


@dataclass(frozen=True)
class Slice(Expr):
    target: Expr
    start: Expr | None
    end: Expr | None


@dataclass(frozen=True)
class Call(Expr):
    """``name(args)`` for a global or user function."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class MethodCall(Expr):
    """``target.name(args)``: a method of a value or a namespace function (``math.abs``)."""

    target: Expr
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Unary(Expr):
    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Conditional(Expr):
    condition: Expr
    if_true: Expr
    if_false: Expr


@dataclass(frozen=True)
class IsType(Expr):
    operand: Expr
    type_name: str


@dataclass(frozen=True)
class ListLiteral(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class MapLiteral(Expr):
    entries: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class PathLiteral(Expr):
    """``/databases/$(database)/documents/users/$(uid)``: each segment is a list of
    literal text pieces and interpolated expressions, concatenated."""

    segments: tuple[tuple[str | Expr, ...], ...]


# Declarations --------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternSegment:
    """One segment of a match pattern: literal text, ``{name}``, or ``{name=**}``."""

    text: str | None = None
    variable: str | None = None
    recursive: bool = False

    def __str__(self) -> str:
        if self.variable is None:
            return self.text or ""
        return "{" + self.variable + ("=**}" if self.recursive else "}")


@dataclass(frozen=True)
class FunctionDecl:
    name: str
    params: tuple[str, ...]
    lets: tuple[tuple[str, Expr], ...]
    body: Expr
    line: int
    column: int


@dataclass(frozen=True)
class Allow:
    methods: tuple[str, ...]  # as written: read, write, get, list, create, update, delete
    condition: Expr | None
    condition_text: str
    line: int
    column: int


@dataclass
class MatchBlock:
    pattern: tuple[PatternSegment, ...]
    line: int
    column: int
    functions: dict[str, FunctionDecl] = field(default_factory=dict)
    matches: list[MatchBlock] = field(default_factory=list)
    allows: list[Allow] = field(default_factory=list)

    @property
    def pattern_text(self) -> str:
        return "/" + "/".join(str(segment) for segment in self.pattern)


@dataclass
class Service:
    name: str
    line: int
    column: int
    functions: dict[str, FunctionDecl] = field(default_factory=dict)
    matches: list[MatchBlock] = field(default_factory=list)


@dataclass
class RulesFile:
    version: str
    functions: dict[str, FunctionDecl] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
