"""Which refresh tokens a revocation cuts, at millisecond precision, with the clock pinned
(the admin SDK test of the same thing depends on where the second boundary falls)."""

from __future__ import annotations

import pytest

from emulators.auth import service
from emulators.auth.accounts import UserAccount


def _revoked_at(monkeypatch: pytest.MonkeyPatch, *, valid_since: int, arrives_ms: int) -> int:
    account = UserAccount(uid="dave", created_at_ms=0)
    monkeypatch.setattr(service, "now_ms", lambda: arrives_ms)
    service.revoke(account, valid_since)
    return account.refresh_tokens_valid_after_ms


def test_a_revocation_stamped_this_second_cuts_tokens_issued_before_it_arrived(monkeypatch):
    cutoff = _revoked_at(monkeypatch, valid_since=10, arrives_ms=10_400)
    assert cutoff == 10_400  # a token issued at 10.399 s is cut, one at 10.400 s is not


def test_a_stamp_from_the_second_before_still_cuts_that_whole_second(monkeypatch):
    # Signed in at 10.998 s; the SDK stamped 10 and the request arrived at 11.003 s.
    cutoff = _revoked_at(monkeypatch, valid_since=10, arrives_ms=11_003)
    assert cutoff == 11_000


@pytest.mark.parametrize(
    ("valid_since", "expected"),
    [(5, 5_000), (60, 60_000)],
    ids=["an old stamp cuts what came before it", "a future stamp cuts until then"],
)
def test_other_stamps_cut_tokens_issued_before_them(monkeypatch, valid_since, expected):
    assert _revoked_at(monkeypatch, valid_since=valid_since, arrives_ms=11_003) == expected
