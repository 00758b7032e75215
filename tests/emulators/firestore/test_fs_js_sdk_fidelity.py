"""Requests the Firebase JS SDK sends (Node build, over gRPC) that production answers, from
the SDK's own integration tests, which run against production (issue 14: differences 1, 2,
10, 11 and 12). tests/node/firestore_fidelity_driver.mjs runs the cases once and prints what
happened; each test here judges one difference."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.emulators.firestore.support import PROJECT
from tests.emulators.firestore_browser.drivers import run_driver

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def results(emulator_host: str) -> dict:
    host, port = emulator_host.split(":")
    env = {
        **os.environ,
        "PROJECT_ID": PROJECT,
        "FIRESTORE_HOST": host,
        "FIRESTORE_PORT": port,
        "PREFIX": f"js{uuid.uuid4().hex[:10]}",
    }
    output, _stderr = run_driver("firestore_fidelity_driver.mjs", env, timeout=120)
    return output["results"]


def test_transaction_verify_writes_pass_and_retry_when_a_read_document_changed(results):
    """transactions.test.ts "retry when a document that was read without being written
    changes": the verify of the changed document fails the first commit, the retry wins."""
    outcome = results["verifyWrites"]
    assert outcome["committed"] == {"ok": True, "value": None}, outcome
    assert outcome["tries"] == 2
    assert outcome["read"] == {"count": 1234}
    assert outcome["written"] == {"count": 1235}


def test_fields_both_in_the_mask_and_transformed(results):
    """database.test.ts "can set server timestamps using mergeFields"; and updateDoc with a
    map holding sentinels (the map in the mask, its fields transformed)."""
    outcome = results["transformsInMask"]
    assert outcome["mergeFields"]["ok"], outcome
    after = outcome["afterMergeFields"]
    assert after["untouched"] is True and after["nested"]["untouched"] is True
    for stamped in (after["foo"], after["inner"]["foo"], after["nested"]["foo"]):
        assert stamped["timestampMillis"] > 0
    assert outcome["update"]["ok"], outcome
    updated = outcome["afterUpdate"]["m"]
    assert updated["at"]["timestampMillis"] > 0 and updated["n"] == 3


def test_in_and_array_contains_any_never_match_null_or_nan(results):
    """query.test.ts "can use IN filters" and "can use array-contains-any filters"."""
    lists = results["nullAndNanInLists"]
    assert lists["inNull"] == {"ok": True, "value": []}
    assert lists["inValueAndNull"] == {"ok": True, "value": ["a"]}
    assert lists["inNan"] == {"ok": True, "value": []}
    assert lists["inValueAndNan"] == {"ok": True, "value": ["a"]}
    assert lists["anyNull"] == {"ok": True, "value": []}
    assert lists["anyValueAndNull"] == {"ok": True, "value": ["b"]}
    assert lists["anyNan"] == {"ok": True, "value": []}


def test_document_key_with_another_inequality(results):
    """composite_index_query.test.ts: the key must be the last ordering, and an equality on
    the key is refused next to another inequality unless the key has one too."""
    outcome = results["keyOrderingWithInequality"]
    assert outcome["keyNotLast"]["code"] == "invalid-argument", outcome
    assert "order by clause cannot contain more fields after the key" in (
        outcome["keyNotLast"]["message"].lower()
    )
    assert outcome["keyEquality"]["code"] == "invalid-argument", outcome
    assert outcome["keyEquality"]["message"] == (
        "Equality on key is not allowed if there are other inequality fields and key does "
        "not appear in inequalities."
    )
    assert outcome["keyInequality"] == {"ok": True, "value": ["doc1"]}


def test_delete_then_update_in_one_transaction_is_invalid(results):
    """transactions.test.ts "runs transactions on existing document" and "... on
    nonexistent document": delete1, update2 is INVALID_ARGUMENT; update1, update2 of a
    missing document stays NOT_FOUND."""
    outcome = results["deleteThenUpdate"]
    assert outcome["existing"]["code"] == "invalid-argument", outcome
    assert outcome["existingAfter"] == {"foo": "bar0"}
    assert outcome["nonexistent"]["code"] == "invalid-argument", outcome
    assert outcome["updateUpdateNonexistent"]["code"] == "not-found", outcome


def test_resume_after_watch_forgot_the_query_sends_a_bloom_filter_the_sdk_applies(results):
    """api_internal/query.test.ts "bloom filter should avert a full re-query when documents
    were added, deleted, removed, updated, and unchanged since the resume token" (skipped on
    an emulator there): of 40 matching documents another client deletes 10, updates 10 so
    they no longer match, updates 10 that still match and adds 5; the query resumes 6 s
    later. Production's Watch then sends the changes and an ExistenceFilter (the count, and
    a bloom filter of the names still matching) instead of deletes and removes; the SDK
    finds the mismatch, drops what the filter does not hold, and is done."""
    outcome = results["existenceFilterOnResume"]
    assert outcome["first"] == 40
    assert outcome["second"] == outcome["expected"] and len(outcome["second"]) == 25
    assert len(outcome["mismatches"]) == 1, outcome["mismatches"]
    mismatch = outcome["mismatches"][0]
    assert (mismatch["localCacheCount"], mismatch["existenceFilterCount"]) == (45, 25)
    assert mismatch["hashCount"] > 0 and 0 < mismatch["padding"] < 8
    # No false negatives; at a 1% false positive rate few, if any, of the 20 gone. A gone
    # name that the filter holds (a false positive) stays in the cache, the counts still
    # differ, and the SDK re-runs the query in full (as the SDK's test allows on retry).
    assert mismatch["keptInFilter"] == 25
    assert mismatch["goneInFilter"] <= 3
    assert mismatch["applied"] is (mismatch["goneInFilter"] == 0)
