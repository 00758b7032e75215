"""identifier_key: the one form in which logins, emails and usernames are compared."""

from __future__ import annotations

import pytest

from accounts.validation import identifier_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Alice", "alice"),
        ("  ALICE\u3000", "alice"),  # ideographic space is trimmed after NFKC
        ("ａｌｉｃｅ", "alice"),  # fullwidth
        ("STRASSE", "strasse"),
        ("straße", "strasse"),  # case folding, not lower()
        ("al\u0130ce", "ali\u0307ce"),  # 'İ' folds to i + combining dot, not to 'i'
        ("ﬁle", "file"),  # the ligature decomposes
    ],
)
def test_identifier_key(typed, key):
    assert identifier_key(typed) == key
