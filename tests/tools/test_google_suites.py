"""``python -m tools.google_suites``: the runner of Google's client suites, on small suites
written here in the shape of python-firestore's ``tests/system`` and
firebase-admin-python's ``integration/`` (the real suites are fetched by hand, outside the
repo; docs/emulators/firestore.md gives their last counts)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tools import google_suites

ROOT = Path(__file__).resolve().parents[2]

# The shapes of the suite's emulator skips and of its pipeline check.
SKIPPING_SUITE = """
import pytest

FIRESTORE_EMULATOR = True


def verify_pipeline(query):
    if FIRESTORE_EMULATOR:
        pytest.skip("skip pipeline verification on emulator")


@pytest.mark.skipif(FIRESTORE_EMULATOR, reason="Query profile not supported in emulator.")
def test_explain():
    pass


@pytest.mark.skipif(FIRESTORE_EMULATOR, reason="PartitionQuery not implemented in emulator")
def test_partition():
    pass


@pytest.mark.skipif(FIRESTORE_EMULATOR, reason="Query profile not supported in emulator.")
def test_pipeline_explain():
    pass


@pytest.mark.skip(reason="backend fix required")
def test_skipped_everywhere():
    pass


def test_goes_on_after_the_pipeline_check():
    verify_pipeline(None)
    assert False, "reached the end"
"""


def _run(folder: Path, *plugin: str):
    junit = folder / "junit.xml"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tools"))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin]
    command += [str(folder / "test_system.py"), f"--junitxml={junit}", "-o", "addopts="]
    subprocess.run(command, cwd=folder, env=env, capture_output=True, check=False)
    return google_suites.summarize(junit)


def test_plugin_runs_what_only_an_emulator_skips(tmp_path):
    (tmp_path / "test_system.py").write_text(SKIPPING_SUITE)
    counts, failures = _run(tmp_path)
    assert (counts["skipped"], counts["passed"]) == (5, 0)  # all five skip
    counts, failures = _run(tmp_path, "-p", "google_suites_plugin")
    # Explain and partition run; pipeline tests and unconditional skips stay skipped; the
    # test goes on past verify_pipeline to its end.
    assert (counts["passed"], counts["skipped"], counts["failed"]) == (2, 2, 1)
    assert len(failures) == 1
    assert "test_goes_on_after_the_pipeline_check" in failures[0]
    assert "reached the end" in failures[0]


FIRESTORE_SUITE = """
import os

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore


def _client():
    return firestore.Client(project=os.environ["GCLOUD_PROJECT"],
                            credentials=AnonymousCredentials())


def test_round_trip():
    assert os.environ["FIRESTORE_EMULATOR_HOST"].startswith("127.0.0.1:")
    doc = _client().collection("suite").document("a")
    doc.set({"n": 1})
    assert doc.get().to_dict() == {"n": 1}


def test_needs_a_composite_index():
    query = (
        _client().collection("users").where(filter=firestore.FieldFilter("first", "==", "Ada"))
        .order_by("last")
    )
    list(query.stream())
"""


def test_firestore_target_starts_the_emulator_and_counts(tmp_path, capsys):
    system = tmp_path / "tests" / "system"
    system.mkdir(parents=True)
    (system / "test_system.py").write_text(textwrap.dedent(FIRESTORE_SUITE))
    # With the suite's index file (users: first, last) both pass.
    assert google_suites.main(["firestore", "--suite", str(tmp_path)]) == 0
    assert "(indexes suite): 2 passed, 0 failed, 0 errors, 0 skipped" in capsys.readouterr().out
    # Without it, production's refusal.
    assert google_suites.main(["firestore", "--suite", str(tmp_path), "--indexes", "none"]) == 1
    out = capsys.readouterr().out
    assert "(indexes none): 1 passed, 1 failed" in out
    assert "test_needs_a_composite_index" in out and "requires an index" in out


# The shape of mocha's xunit reporter (what the firebase-js-sdk target reads): the classname
# is the suite's full title, the failure's message is the element's text.
MOCHA_XUNIT = """<testsuite name="Mocha Tests" tests="3" failures="1" errors="0" skipped="1">
<testcase classname="(Persistence=memory_lru_gc) Queries" name="can use IN filters" time="0.2"/>
<testcase classname="(Persistence=memory_lru_gc) Queries" name="uses a bloom filter" time="0">
<skipped/></testcase>
<testcase classname="(Persistence=memory_lru_gc) Queries" name="orders by a.b" time="0.1">
<failure>expected [ 'a' ] to deeply equal [ 'b' ]
+ expected - actual
    at Context.&lt;anonymous&gt; (test/integration/api/query.test.ts:1:1)</failure></testcase>
</testsuite>
"""


def test_summarize_reads_mocha_xunit(tmp_path):
    junit = tmp_path / "firestore.xml"
    junit.write_text(MOCHA_XUNIT)
    counts, failures = google_suites.summarize(junit, full_class=True)
    assert (counts["passed"], counts["failed"], counts["skipped"]) == (1, 1, 1)
    assert failures == [
        "failed (Persistence=memory_lru_gc) Queries::orders by a.b: "
        "expected [ 'a' ] to deeply equal [ 'b' ]"
    ]


def test_js_sdk_runs_follow_the_sdk_scripts(tmp_path):
    hosts = {"firestore": "127.0.0.1:24080", "database": "127.0.0.1:24001"}
    runs = {run["name"]: run for run in google_suites.js_runs(tmp_path, hosts)}
    assert list(runs) == ["firestore", "firestore-lite", "database"]
    firestore = runs["firestore"]
    assert firestore["cwd"] == tmp_path / "packages" / "firestore"
    # settings.ts: the emulator's port and project; test/register.ts as --main.
    assert firestore["env"]["FIRESTORE_EMULATOR_PORT"] == "24080"
    assert firestore["env"]["FIRESTORE_EMULATOR_PROJECT_ID"] == "test-emulator"
    assert firestore["env"]["TEST_PLATFORM"] == "node"
    args = firestore["args"]
    assert args[args.index("--config") + 1] == "../../config/mocharc.node.js"
    assert args[args.index("--ignore") + 1] == "test/integration/api_internal/auth.test.ts"
    assert "test/register.ts" in args and "test/integration/{,!(browser)/**/}*.test.ts" in args
    lite = runs["firestore-lite"]
    assert lite["env"]["TEST_PLATFORM"] == "node_lite" and "lite/index.ts" in lite["args"]
    database = runs["database"]
    assert database["env"]["RTDB_EMULATOR_PORT"] == "24001"
    assert database["env"]["RTDB_EMULATOR_NAMESPACE"] == "test-emulator"
    assert database["args"][database["args"].index("--file") + 1] == "src/index.node.ts"


def test_js_sdk_public_database_rules_open_the_namespace(tmp_path):
    import json
    import urllib.error
    import urllib.request

    (tmp_path / "config").mkdir()
    rules = {"rules": {".read": True, ".write": True, "testing": {".indexOn": "testIndex"}}}
    (tmp_path / "config" / "database.rules.json").write_text(json.dumps(rules))
    process, hosts = google_suites.start_emulators(
        tmp_path, ["database"], project=google_suites.JS_PROJECT
    )
    try:
        url = f"http://{hosts['database']}/open.json?ns=test-emulator"
        write = urllib.request.Request(url, data=b'{"n": 1}', method="PUT")
        # An unauthenticated client is refused before (the emulator's default rules) ...
        try:
            urllib.request.urlopen(write, timeout=10).read()
            refused = False
        except urllib.error.HTTPError as error:
            refused = error.code in (401, 403)
        assert refused
        google_suites.put_public_database_rules(tmp_path, hosts["database"])
        # ... and allowed after, as the SDK's tests expect.
        urllib.request.urlopen(write, timeout=10).read()
        assert json.loads(urllib.request.urlopen(url, timeout=10).read()) == {"n": 1}
    finally:
        google_suites.stop(process)


def test_js_sdk_index_file_loads_in_the_emulator():
    """The composite indexes of the SDK's test project, as our emulator reads them."""
    import json

    from emulators.firestore.indexes import IndexConfig

    config = IndexConfig.parse(json.loads(google_suites.JS_INDEXES.read_text()))
    assert len(config.composites) == 23
    assert {index.collection_group for index in config.composites} == {
        "composite-index-test-collection"
    }
