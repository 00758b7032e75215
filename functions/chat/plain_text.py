"""The words of a message written in the chat's Markdown, without its markers, for the
places that show no formatting: room-list rows, the bell, pushes and emails.

The parser is set up as the web client's (``web/src/features/chat/rich-text/markdown.ts``):
raw HTML stays text, and what the chat does not format (headings, rules, tables, images,
indented code) stays as typed, so a preview says what the bubble shows.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_UNFORMATTED = [
    "heading",
    "lheading",
    "hr",
    "table",
    "image",
    "code",
    "reference",
    "html_block",
    "html_inline",
]


@functools.cache
def _parser() -> MarkdownIt:
    """Made on first use: importing markdown-it-py costs ~40 ms, which every function's cold
    start would pay (main.py imports the message trigger's module)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("js-default", {"html": False, "breaks": True}).disable(_UNFORMATTED)


def from_markdown(text: str) -> str:
    """``text`` as a reader sees it, on one line: emphasis, code spans and links keep their
    words, a code block its code, quotes and list items their lines."""
    parts: list[str] = []
    for token in _parser().parse(text):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
        elif token.type in ("fence", "code_block"):
            parts.append(f" {token.content} ")
        elif token.nesting == -1:  # the end of a paragraph, quote or list item
            parts.append(" ")
    return " ".join("".join(parts).split())
