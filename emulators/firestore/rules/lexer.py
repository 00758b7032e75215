"""Turns rules source text into tokens.

The parser pulls tokens one at a time because path literals (``/rooms/$(id)``) and
match patterns (``/rooms/{roomId}``) are read character by character, not as tokens.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from emulators.firestore.rules.errors import RulesSyntaxError

# Longest first, so "<=" wins over "<".
OPERATORS = (
    "&&",
    "||",
    "==",
    "!=",
    "<=",
    ">=",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    ".",
    "?",
    "!",
    "-",
    "+",
    "*",
    "/",
    "%",
    "<",
    ">",
    "=",
)
SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "a": "\a",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "`": "`",
    "?": "?",
}
# Characters a literal path segment may hold besides letters and digits.
PATH_SEGMENT_PUNCTUATION = set("_-.~%@+:")


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "int", "float", "string", "bytes", "op", "eof"
    value: Any
    offset: int
    line: int
    column: int

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.value in ops

    def is_word(self, *words: str) -> bool:
        return self.kind == "ident" and self.value in words

    def describe(self) -> str:
        if self.kind == "eof":
            return "end of input"
        if self.kind in ("string", "bytes"):
            return f"{self.kind} literal"
        return f"'{self.value}'"


class Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def location(self, offset: int) -> tuple[int, int]:
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1

    def error(self, message: str, offset: int | None = None) -> RulesSyntaxError:
        line, column = self.location(self.pos if offset is None else offset)
        return RulesSyntaxError(message, line, column)

    def peek_char(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def skip_space(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n\f\v":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated comment")
                self.pos = end + 2
            else:
                return

    def next_token(self) -> Token:
        self.skip_space()
        start = self.pos
        line, column = self.location(start)
        if start >= len(self.text):
            return Token("eof", None, start, line, column)
        ch = self.text[start]
        if ch in "bBrR" and self.peek_char(1) in ("'", '"'):
            kind = "bytes" if ch in "bB" else "string"
            self.pos += 1
            value = self._read_quoted(raw=ch in "rR", as_bytes=kind == "bytes")
            return Token(kind, value, start, line, column)
        if ch.isalpha() or ch == "_":
            while self.pos < len(self.text) and (
                self.text[self.pos].isalnum() or self.text[self.pos] == "_"
            ):
                self.pos += 1
            return Token("ident", self.text[start : self.pos], start, line, column)
        if ch.isdigit() or (ch == "." and self.peek_char(1).isdigit()):
            return self._read_number(start, line, column)
        if ch in ("'", '"'):
            return Token("string", self._read_quoted(), start, line, column)
        for op in OPERATORS:
            if self.text.startswith(op, start):
                self.pos += len(op)
                return Token("op", op, start, line, column)
        raise self.error(f"unexpected character {ch!r}")

    def _read_number(self, start: int, line: int, column: int) -> Token:
        text = self.text
        if text.startswith(("0x", "0X"), start):
            self.pos = start + 2
            while self.pos < len(text) and text[self.pos] in "0123456789abcdefABCDEF":
                self.pos += 1
            digits = text[start + 2 : self.pos]
            if not digits:
                raise self.error("hex literal without digits", start)
            return Token("int", int(digits, 16), start, line, column)
        self.pos = start
        is_float = False
        while self.pos < len(text) and text[self.pos].isdigit():
            self.pos += 1
        if self.peek_char() == "." and self.peek_char(1).isdigit():
            is_float = True
            self.pos += 1
            while self.pos < len(text) and text[self.pos].isdigit():
                self.pos += 1
        if self.peek_char() in ("e", "E"):
            exponent_start = self.pos
            self.pos += 1
            if self.peek_char() in ("+", "-"):
                self.pos += 1
            if not self.peek_char().isdigit():
                self.pos = exponent_start
            else:
                is_float = True
                while self.pos < len(text) and text[self.pos].isdigit():
                    self.pos += 1
        literal = text[start : self.pos]
        if is_float:
            return Token("float", float(literal), start, line, column)
        value = int(literal)
        # 9223372036854775808 is only valid after unary minus; the parser checks range.
        return Token("int", value, start, line, column)

    def _read_quoted(self, *, raw: bool = False, as_bytes: bool = False) -> Any:
        quote_offset = self.pos
        quote = self.text[self.pos]
        self.pos += 1
        out = bytearray()
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise self.error("unterminated string literal", quote_offset)
            ch = self.text[self.pos]
            if ch == quote:
                self.pos += 1
                break
            if ch == "\\" and not raw:
                out += self._read_escape(as_bytes)
                continue
            out += ch.encode("utf-8")
            self.pos += 1
        if as_bytes:
            return bytes(out)
        try:
            return out.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("string literal is not valid UTF-8", quote_offset) from None

    def _read_escape(self, as_bytes: bool) -> bytes:
        escape_offset = self.pos
        self.pos += 1
        ch = self.peek_char()
        if ch in SIMPLE_ESCAPES:
            self.pos += 1
            return SIMPLE_ESCAPES[ch].encode()
        if ch in ("x", "X"):
            digits = self.text[self.pos + 1 : self.pos + 3]
            if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error("\\x needs two hex digits", escape_offset)
            self.pos += 3
            code = int(digits, 16)
            return bytes([code]) if as_bytes else chr(code).encode()
        if ch in ("u", "U"):
            width = 4 if ch == "u" else 8
            digits = self.text[self.pos + 1 : self.pos + 1 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise self.error(f"\\{ch} needs {width} hex digits", escape_offset)
            self.pos += 1 + width
            return chr(int(digits, 16)).encode()
        if ch in "01234567":
            digits = self.text[self.pos : self.pos + 3]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise self.error("octal escape needs three digits", escape_offset)
            self.pos += 3
            code = int(digits, 8)
            if code > 255:
                raise self.error("octal escape out of range", escape_offset)
            return bytes([code]) if as_bytes else chr(code).encode()
        raise self.error(f"unknown escape \\{ch}", escape_offset)

    # Character-level reading for paths -------------------------------------------------

    def read_path_segment_text(self) -> str:
        """Literal text of a path segment; ``(default)`` style parentheses are allowed."""
        start = self.pos
        depth = 0
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch.isalnum() or ch in PATH_SEGMENT_PUNCTUATION:
                self.pos += 1
            elif ch == "(" and self._closes_within_segment(self.pos):
                depth += 1
                self.pos += 1
            elif ch == ")" and depth > 0:
                depth -= 1
                self.pos += 1
            else:
                break
        if depth:
            raise self.error("unbalanced '(' in path segment", start)
        return text[start : self.pos]

    def _closes_within_segment(self, open_at: int) -> bool:
        """Whether the '(' at ``open_at`` is part of a segment such as ``(default)``."""
        index = open_at + 1
        while index < len(self.text):
            ch = self.text[index]
            if ch == ")":
                return True
            if not (ch.isalnum() or ch in PATH_SEGMENT_PUNCTUATION):
                return False
            index += 1
        return False

    def read_identifier(self) -> str:
        start = self.pos
        if not (self.peek_char().isalpha() or self.peek_char() == "_"):
            raise self.error("expected a name")
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        return self.text[start : self.pos]
