"""Parser for rule expressions (the JavaScript-like language of ``.read``/``.write``/
``.validate``) into a small syntax tree. Nothing is ever evaluated by Python's eval.

Grammar, loosest first: ``a ? b : c``, ``||``, ``&&``, ``== != === !==``,
``< <= > >=``, ``+ -``, ``* / %``, unary ``! -``, then member access ``a.b``, ``a[b]``,
calls ``f(x, y)``, and primary terms: numbers, strings, ``true``/``false``/``null``,
identifiers (``auth``, ``$uid``...), ``/regex/flags``, ``[array]`` and ``( ... )``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class RuleSyntaxError(ValueError):
    pass


# --- syntax tree ---------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Regex:
    pattern: str
    flags: str


@dataclass(frozen=True)
class Identifier:
    name: str


@dataclass(frozen=True)
class Member:
    target: Any
    name: Any  # a str for ``a.b``, an expression for ``a[b]``
    computed: bool


@dataclass(frozen=True)
class Call:
    callee: Any
    arguments: tuple


@dataclass(frozen=True)
class Array:
    elements: tuple


@dataclass(frozen=True)
class Unary:
    operator: str
    operand: Any


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Logical:
    operator: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Conditional:
    test: Any
    consequent: Any
    alternate: Any


# --- tokens --------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "string", "name", "regex", "op", "end"
    value: Any
    position: int


_PUNCTUATION = [
    "===",
    "!==",
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "?",
    ":",
    ".",
    ",",
    "(",
    ")",
    "[",
    "]",
]
_NUMBER = re.compile(r"(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        char = source[position]
        if char.isspace():
            position += 1
            continue
        if char.isdigit() or (char == "." and source[position + 1 : position + 2].isdigit()):
            match = _NUMBER.match(source, position)
            assert match is not None
            text = match.group()
            number = float(text)
            value = int(number) if number.is_integer() and re.fullmatch(r"\d+", text) else number
            tokens.append(Token("number", value, position))
            position = match.end()
            continue
        if char in "'\"":
            value, position = _read_string(source, position)
            tokens.append(Token("string", value, position))
            continue
        if char == "/" and _regex_allowed(tokens):
            pattern, flags, end = _read_regex(source, position)
            tokens.append(Token("regex", (pattern, flags), position))
            position = end
            continue
        match = _NAME.match(source, position)
        if match:
            tokens.append(Token("name", match.group(), position))
            position = match.end()
            continue
        for punctuation in _PUNCTUATION:
            if source.startswith(punctuation, position):
                tokens.append(Token("op", punctuation, position))
                position += len(punctuation)
                break
        else:
            raise RuleSyntaxError(f"Unexpected character {char!r} at {position}")
    tokens.append(Token("end", None, len(source)))
    return tokens


def _regex_allowed(tokens: list[Token]) -> bool:
    """A ``/`` starts a regex where an operand is expected, as in JavaScript."""
    if not tokens:
        return True
    last = tokens[-1]
    if last.kind in ("number", "string", "regex"):
        return False
    if last.kind == "name":
        return last.value in ("return", "typeof")
    return last.value not in (")", "]")


def _read_string(source: str, start: int) -> tuple[str, int]:
    quote = source[start]
    position = start + 1
    parts: list[str] = []
    while position < len(source):
        char = source[position]
        if char == quote:
            return "".join(parts), position + 1
        if char == "\\":
            position += 1
            if position >= len(source):
                break
            escaped = source[position]
            if escaped == "u":
                digits = source[position + 1 : position + 5]
                if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                    raise RuleSyntaxError(f"Bad \\u escape at {position}")
                parts.append(chr(int(digits, 16)))
                position += 5
                continue
            parts.append(_ESCAPES.get(escaped, escaped))
            position += 1
            continue
        parts.append(char)
        position += 1
    raise RuleSyntaxError(f"Unterminated string starting at {start}")


def _read_regex(source: str, start: int) -> tuple[str, str, int]:
    position = start + 1
    in_class = False
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            pattern = source[start + 1 : position]
            flags_match = re.compile(r"[a-z]*").match(source, position + 1)
            assert flags_match is not None
            return pattern, flags_match.group(), flags_match.end()
        position += 1
    raise RuleSyntaxError(f"Unterminated regular expression starting at {start}")


# --- parser --------------------------------------------------------------------------

_BINARY_LEVELS = [
    ("==", "!=", "===", "!=="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "/", "%"),
]


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, op: str) -> bool:
        if self.current.kind == "op" and self.current.value == op:
            self.index += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            raise self.error(f"expected {op!r}")

    def error(self, message: str) -> RuleSyntaxError:
        token = self.current
        found = "end of rule" if token.kind == "end" else repr(token.value)
        return RuleSyntaxError(f"{message} at position {token.position} (found {found})")

    def parse(self) -> Any:
        expression = self.conditional()
        if self.current.kind != "end":
            raise self.error("unexpected token")
        return expression

    def conditional(self) -> Any:
        test = self.logical_or()
        if self.accept("?"):
            consequent = self.conditional()
            self.expect(":")
            alternate = self.conditional()
            return Conditional(test, consequent, alternate)
        return test

    def logical_or(self) -> Any:
        left = self.logical_and()
        while self.accept("||"):
            left = Logical("||", left, self.logical_and())
        return left

    def logical_and(self) -> Any:
        left = self.binary(0)
        while self.accept("&&"):
            left = Logical("&&", left, self.binary(0))
        return left

    def binary(self, level: int) -> Any:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.current.kind == "op" and self.current.value in _BINARY_LEVELS[level]:
            operator = self.advance().value
            left = Binary(operator, left, self.binary(level + 1))
        return left

    def unary(self) -> Any:
        if self.current.kind == "op" and self.current.value in ("!", "-"):
            operator = self.advance().value
            return Unary(operator, self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        expression = self.primary()
        while True:
            if self.accept("."):
                token = self.advance()
                if token.kind != "name":
                    self.index -= 1
                    raise self.error("expected a property name")
                expression = Member(expression, token.value, False)
            elif self.accept("["):
                expression = Member(expression, self.conditional(), True)
                self.expect("]")
            elif self.accept("("):
                arguments = []
                if not self.accept(")"):
                    arguments.append(self.conditional())
                    while self.accept(","):
                        arguments.append(self.conditional())
                    self.expect(")")
                expression = Call(expression, tuple(arguments))
            else:
                return expression

    def primary(self) -> Any:
        token = self.current
        if token.kind in ("number", "string"):
            self.advance()
            return Literal(token.value)
        if token.kind == "regex":
            self.advance()
            return Regex(*token.value)
        if token.kind == "name":
            self.advance()
            keyword = {"true": True, "false": False, "null": None}
            if token.value in keyword:
                return Literal(keyword[token.value])
            return Identifier(token.value)
        if self.accept("("):
            expression = self.conditional()
            self.expect(")")
            return expression
        if self.accept("["):
            elements = []
            if not self.accept("]"):
                elements.append(self.conditional())
                while self.accept(","):
                    elements.append(self.conditional())
                self.expect("]")
            return Array(tuple(elements))
        raise self.error("expected an expression")


def parse(source: str) -> Any:
    """The syntax tree of one rule expression; raises RuleSyntaxError."""
    if not source.strip():
        raise RuleSyntaxError("empty rule")
    return _Parser(source).parse()


def identifiers(node: Any) -> set[str]:
    """Free variable names used by an expression (for checking them at load time)."""
    found: set[str] = set()

    def visit(item: Any) -> None:
        if isinstance(item, Identifier):
            found.add(item.name)
        elif isinstance(item, Member):
            visit(item.target)
            if item.computed:
                visit(item.name)
        elif isinstance(item, Call):
            visit(item.callee)
            for argument in item.arguments:
                visit(argument)
        elif isinstance(item, Array):
            for element in item.elements:
                visit(element)
        elif isinstance(item, Unary):
            visit(item.operand)
        elif isinstance(item, Binary | Logical):
            visit(item.left)
            visit(item.right)
        elif isinstance(item, Conditional):
            visit(item.test)
            visit(item.consequent)
            visit(item.alternate)

    visit(node)
    return found
