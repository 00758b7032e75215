"""Text for the message index, and what a person types turned into a PostgreSQL tsquery.

The index uses PostgreSQL's ``simple`` configuration: words split at spaces and punctuation,
lower-cased, no stemming and no stop words, so that it treats every language that separates
words with spaces alike. Chinese, Japanese and Thai do not separate words, and PostgreSQL's
parser would keep a whole sentence as one word; their runs are indexed as overlapping pairs
of characters instead ("東京都" → "東京 京都"), and a query run becomes the phrase of its
pairs, so any two or more characters of a sentence are found. Documents and queries are
split into words by the same expression here, so both sides agree on what a word is.

The tsquery text is built here from words that contain only letters and digits, each
quoted, so nothing a person types can reach tsquery's own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Scripts written without spaces between words: CJK ideographs (with extensions and
# compatibility forms), hiragana, katakana (with the half-width forms) and Thai.
_UNSPACED = (
    "\u0e00-\u0e7f"
    "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
_UNSPACED_RUN = re.compile(f"[{_UNSPACED}]+")
# Unspaced runs first (Thai vowel signs are not letters), then letters and digits.
_TOKEN = re.compile(f"([{_UNSPACED}]+)|[^\\W_]+")
# A query term: an optional minus, then a "quoted phrase" (closing quote optional while
# typing) or a run of anything but spaces and quotes.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')

MAX_QUERY_CHARS = 200
MAX_TERMS = 12


def pairs(run: str) -> list[str]:
    """Overlapping pairs of characters of an unspaced run; a single character stays one."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, unspaced) pieces of one term: words, and unspaced runs apart from them."""
    return [(m.group(), m.group(1) is not None) for m in _TOKEN.finditer(text)]


def indexable(text: str) -> str:
    """The text given to ``to_tsvector('simple', …)``: its words split exactly as queries
    split them (PostgreSQL's parser alone would keep "example.com" or "3.14" whole), and
    unspaced runs cut into pairs."""
    words: list[str] = []
    for token, unspaced in _tokens(text):
        words += pairs(token) if unspaced else [token]
    return " ".join(words)


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits; unspaced runs left out), at most
    MAX_TERMS of them."""
    return [token for token, unspaced in _tokens(text) if not unspaced][:MAX_TERMS]


def has_unspaced(text: str) -> bool:
    return _UNSPACED_RUN.search(text) is not None


def unspaced_runs(text: str) -> list[str]:
    return _UNSPACED_RUN.findall(text)


def _lexeme(word: str, prefix: bool = False) -> str:
    return f"'{word}'" + (":*" if prefix else "")


def _phrase(tokens: list[tuple[str, bool]], prefix_last: bool) -> str:
    """The tsquery of consecutive tokens; the last one matched as a prefix if asked."""
    lexemes: list[str] = []
    for index, (token, unspaced) in enumerate(tokens):
        last = prefix_last and index == len(tokens) - 1
        if unspaced:
            units = pairs(token)
            lexemes += [_lexeme(u, prefix=len(token) == 1) for u in units]
        else:
            lexemes.append(_lexeme(token, prefix=last))
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


@dataclass
class ParsedQuery:
    """A person's query: ``tsquery`` is None when there is nothing to look for."""

    tsquery: str | None
    # What to mark in snippets that PostgreSQL's headline cannot (unspaced runs).
    unspaced: list[str] = field(default_factory=list)


def parse(query: str) -> ParsedQuery:
    """Words (all must match), "exact phrases", -excluded words or phrases; the last word
    matches as a prefix while the person is still typing it (no space after it)."""
    text = query.replace("\x00", "")[:MAX_QUERY_CHARS]
    still_typing = bool(text) and not text[-1].isspace() and not text.endswith('"')
    matches = list(_TERM.finditer(text))[:MAX_TERMS]
    included: list[str] = []
    excluded: list[str] = []
    unspaced: list[str] = []
    for index, match in enumerate(matches):
        negative, quoted, bare = match.group(1) == "-", match.group(2), match.group(3)
        tokens = _tokens(quoted if quoted is not None else bare)
        if not tokens:
            continue
        prefix = still_typing and not negative and quoted is None and index == len(matches) - 1
        (excluded if negative else included).append(_phrase(tokens, prefix))
        if not negative:
            unspaced += [token for token, is_unspaced in tokens if is_unspaced]
    if not included:
        return ParsedQuery(None)
    return ParsedQuery(" & ".join(included + [f"!{term}" for term in excluded]), unspaced)
