"""plain_text.from_markdown: what previews (room list, bell, push, email) show of a message."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.plain_text import from_markdown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("**Bold** hello _there_", "Bold hello there"),
        ("~~gone~~ kept", "gone kept"),
        ("see [the docs](https://example.com/a) now", "see the docs now"),
        ("run `make dev` first", "run make dev first"),
        ("> quoted\n> more\n\nafter", "quoted more after"),
        ("- one\n- two", "one two"),
        ("```py\nprint(1)\n```", "print(1)"),
        ("  hello\n   team ", "hello team"),
        ("\\*not emphasis\\*", "*not emphasis*"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        # What the chat does not format stays as typed, as in the bubble.
        ("# not a heading", "# not a heading"),
        ("<b>raw html</b>", "<b>raw html</b>"),
        ("", ""),
    ],
)
def test_markers_go_and_words_stay(typed, shown):
    assert from_markdown(typed) == shown


@given(st.text())
def test_any_text_gives_one_line(text):
    shown = from_markdown(text)
    assert "\n" not in shown and shown == shown.strip()


@given(st.text(alphabet=string.ascii_letters + string.digits + " ", max_size=200))
def test_text_without_markers_is_kept_word_for_word(text):
    assert from_markdown(text) == " ".join(text.split())
