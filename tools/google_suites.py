"""``python -m tools.google_suites firestore|firebase-admin --suite DIR``: run Google's own
client test suites against our Firestore or Realtime Database emulator and count the
results.

The suite is python-firestore's ``tests/system`` (``test_system.py``,
``test_system_async.py``, ``test_pipeline_acceptance.py``), from a checkout of
github.com/googleapis/python-firestore (now packages/google-cloud-firestore of
google-cloud-python) at the tag of the installed google-cloud-firestore. This tool fetches
nothing: ``--suite`` names that checkout. The suite's own test dependencies
(google-cloud-testutils, mock, pytest-asyncio 0.21.2 as its noxfile pins) must not go into
our .venv; ``--python`` names an interpreter that has them, e.g. a throwaway venv that
also sees our .venv's packages:

    python3.11 -m venv /tmp/fvenv
    SITE=/tmp/fvenv/lib/python3.11/site-packages
    echo $PWD/.venv/lib/python3.11/site-packages > $SITE/flowchat.pth
    /tmp/fvenv/bin/pip install --no-deps google-cloud-testutils mock
    /tmp/fvenv/bin/pip install --no-deps pytest==8.3.5 pytest-asyncio==0.21.2

The emulator runs as ``python -m emulators start --only firestore`` on a free port with
index enforcement on (``--indexes suite``, the default: the composite and vector indexes
that the suite's production project deploys, ``google_suites.firestore.indexes.json``
beside this file), ``--indexes none`` (enforced, no index file: what production does
without them) or ``--indexes off`` (not enforced, as Google's emulator).

``--production-tests`` also runs what the suite skips only because
``FIRESTORE_EMULATOR_HOST`` is set (query profile/explain, partition queries, vector search,
two "Internal Issue" tests) and lets tests go on past their pipeline checks (which skip the
rest of a test on an emulator): the pytest plugin ``tools/google_suites_plugin.py``.
Pipelines (Enterprise edition only) stay skipped.

``firebase-admin`` runs firebase-admin-python's ``integration/test_db.py`` (the ``db``
module: reads, writes, transactions, queries with the rules' ``.indexOn``, listeners)
against our RTDB emulator and its ``integration/test_firestore*.py`` against our Firestore
emulator; ``--suite`` names a checkout of github.com/firebase/firebase-admin-python.

Prints the counts (passed, failed, errors, skipped) and one line per failing test; the
JUnit XML is kept with ``--junit PATH``; arguments after ``--`` go to pytest.

``firebase-js-sdk`` runs the Firebase JS SDK's own Node suites from their TypeScript
sources, as its ``scripts/emulator-testing`` runners and package scripts do (mocha with the
SDK's ``config/mocharc.node.js``, Babel with ``packages/firestore/babel.config.json``),
against our Firestore and RTDB emulators: ``packages/firestore``'s
``test/integration`` (minus ``browser/``; the ``test:node`` tests that reach a server) with
memory persistence (``test:node``; ``test:node:persistence``'s IndexedDB runs on
indexeddbshim, whose versions either pull a git dependency or cannot load sqlite3's addon
from their bundle, so it is not run here); its ``test/lite`` (``test:lite``, the REST
client); and ``packages/database``'s ``test/`` (``test:node``, after putting the SDK's public
``config/database.rules.json``, as its database runner does). ``--suite`` names an export
of github.com/firebase/firebase-js-sdk holding ``packages/firestore``,
``packages/database``, ``packages/firebase/package.json`` and ``config``, with the suites'
test packages installed at its root (none of them go into our trees), e.g.:

    git -C firebase-js-sdk archive HEAD packages/firestore packages/database \\
        packages/firebase/package.json config | tar -x -C /tmp/jssdk
    cd /tmp/jssdk && echo '{"private": true}' > package.json && npm install \\
        mocha@10 chai@4 chai-as-promised@7 chai-exclude sinon sinon-chai@3 lodash \\
        @babel/core @babel/register @babel/preset-env @babel/preset-typescript \\
        @firebase/app @firebase/auth @firebase/component @firebase/logger @firebase/util \\
        @firebase/webchannel-wrapper @firebase/app-types @firebase/firestore-types \\
        @firebase/auth-interop-types @firebase/app-check-interop-types protobufjs \\
        @grpc/grpc-js@~1.9.0 @grpc/proto-loader re2js tslib json-stable-stringify \\
        faye-websocket@0.11.4

(the ``@firebase/*`` versions as in the export's package.json files). The tool writes
the export's ``config/project.json`` if it has none (the SDK's tests read it; with an
emulator only its project id counts). ``api_internal/auth.test.ts`` is left out: its tests
call ``getFirestore()`` on that project config without the emulator settings, so they
reach firestore.googleapis.com (production only). ``--indexes``: ``off`` (default, as Google's
emulator, which the suites assume), ``suite`` (enforced, with
``tools/google_suites.js-sdk.indexes.json``: the composite indexes its production test
project must have, which the SDK's ``config/firestore.indexes.json`` does not list) or
``none`` (enforced, no index file).
``--production-tests`` also runs what the Firestore suites skip only on an emulator
(``it.skipEmulator``: missing-index errors with their console link, aggregations over
composite indexes; ``USE_EMULATOR ? it.skip : it``: the bloom-filter resumes), through
``tools/google_suites_js_register.cjs``; pipelines (Enterprise edition) stay skipped.
Arguments after ``--`` go to every mocha run (e.g. ``-- --timeout 20000``).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE_INDEXES = Path(__file__).with_name("google_suites.firestore.indexes.json")
PROJECT = "google-suite-test"
ADMIN_PROJECT = "fake-project-id"  # firebase-admin-python's test_db.py, with an emulator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulators(
    folder: Path,
    names: list[str],
    indexes: str = "suite",
    project: str = PROJECT,
    index_file: Path = SUITE_INDEXES,
) -> tuple[subprocess.Popen, dict[str, str]]:
    """Starts our emulators ``names`` (firestore, database) on free ports, with no rules
    file (the suites use admin credentials, which bypass rules); returns the process and
    each emulator's host:port."""
    config: dict = {"emulators": {}}
    hosts = {}
    for name in names:
        port = free_port()
        section: dict = {"host": "127.0.0.1", "port": port}
        config["emulators"][name] = section
        hosts[name] = f"127.0.0.1:{port}"
    if "firestore" in names and indexes == "off":
        config["emulators"]["firestore"]["enforceIndexes"] = False
    elif "firestore" in names and indexes == "suite":
        config["firestore"] = {"indexes": str(index_file)}
    (folder / "firebase.json").write_text(json.dumps(config))
    env = {k: v for k, v in os.environ.items() if k != "FIRESTORE_EMULATOR_ENFORCE_INDEXES"}
    command = [sys.executable, "-m", "emulators", "start", "--only", ",".join(names)]
    command += ["--config", str(folder / "firebase.json"), "--project", project]
    log = (folder / "emulator.log").open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            log.write(line)
            log.flush()
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if "All emulators ready" in line:
            return process, hosts
    stop(process)
    raise SystemExit(f"the emulators did not start; see {folder / 'emulator.log'}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def seed_vector_documents(hosts: dict[str, str]) -> None:
    """The documents python-firestore's tests/system/util/bootstrap_vector_index.py puts in
    the suite's production project, in both databases the suite uses."""
    os.environ["FIRESTORE_EMULATOR_HOST"] = hosts["firestore"]
    from google.cloud import firestore
    from google.cloud.firestore_v1.vector import Vector

    named = os.environ.get("SYSTEM_TESTS_DATABASE", "system-tests-named-db")
    for database in (None, named):
        client = firestore.Client(project=PROJECT, database=database)
        collection = client.collection("vector_search")
        collection.document("doc1").set({"embedding": Vector([1.0, 2.0, 3.0]), "color": "red"})
        collection.document("doc2").set({"embedding": Vector([2.0, 2.0, 3.0]), "color": "red"})
        collection.document("doc3").set({"embedding": Vector([3.0, 4.0, 5.0]), "color": "yellow"})
        client.close()


def summarize(junit: Path, full_class: bool = False) -> tuple[collections.Counter, list[str]]:
    """Counts a JUnit XML file's test cases (pytest's, or mocha's xunit reporter's with
    ``full_class``: its classname is the suite's title, not a dotted module path, and its
    failure message is the element's text)."""
    counts: collections.Counter = collections.Counter()
    failures = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        classname = case.get("classname", "")
        name = f"{classname if full_class else classname.rsplit('.', 1)[-1]}::{case.get('name')}"
        tags = {child.tag: child for child in case}
        if "failure" in tags or "error" in tags:
            kind = "failed" if "failure" in tags else "errors"
            element = tags["failure"] if "failure" in tags else tags["error"]
            message = element.get("message") or (element.text or "").strip().split("\n")[0]
            failures.append(f"{kind.rstrip('s')} {name}: {message[:200]}")
            counts[kind] += 1
        elif "skipped" in tags:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    return counts, failures


def run_suite(args, emulators: list[str], tests: list[str], env_extra, prepare=None, plugin=None):
    """Runs pytest on ``tests`` (paths inside the suite) against fresh emulators; returns
    (counts, failures, seconds). ``env_extra``: "env" (hosts -> environment), "project",
    "pytest_args" (folder -> extra pytest arguments)."""
    suite = args.suite.resolve()
    with tempfile.TemporaryDirectory(prefix="google-suite-") as tmp:
        folder = Path(tmp)
        junit = args.junit or folder / "junit.xml"
        project = env_extra.get("project", PROJECT)
        process, hosts = start_emulators(folder, emulators, args.indexes, project)
        try:
            env = dict(os.environ, **env_extra["env"](hosts))
            command = [args.python, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
            command += env_extra.get("pytest_args", lambda _: [])(folder)
            # hypothesis' pytest plugin (in our .venv) fails on this suite's tracebacks.
            command += ["-p", "no:hypothesispytest", "--tb=native", f"--junitxml={junit}"]
            if prepare is not None:
                prepare(hosts)
            if plugin is not None:
                env["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [str(ROOT / "tools"), env.get("PYTHONPATH")])
                )
                command += ["-p", plugin]
            command += args.pytest_args
            started = time.monotonic()
            with (folder / "pytest.log").open("w") as output:
                result = subprocess.run(command, cwd=suite, env=env, stdout=output, stderr=output)
            elapsed = time.monotonic() - started
            if not Path(junit).exists():
                print((folder / "pytest.log").read_text()[-5000:])
                raise SystemExit(result.returncode or 1)
        finally:
            stop(process)
        counts, failures = summarize(Path(junit))
    return counts, failures, elapsed


def run_firestore(args) -> tuple:
    if not (args.suite / "tests" / "system" / "test_system.py").exists():
        raise SystemExit(
            "tests/system/test_system.py not found: --suite names a python-firestore checkout"
        )
    production = args.production_tests
    counts, failures, elapsed = run_suite(
        args,
        ["firestore"],
        ["tests/system"],
        {
            "env": lambda hosts: {
                "FIRESTORE_EMULATOR_HOST": hosts["firestore"],
                "GCLOUD_PROJECT": PROJECT,
            }
        },
        prepare=seed_vector_documents if production else None,
        plugin="google_suites_plugin" if production else None,
    )
    mode = f"indexes {args.indexes}" + (", production tests" if production else "")
    return counts, failures, elapsed, mode


def service_account(folder: Path) -> list[str]:
    """``--cert`` for firebase-admin-python's integration conftest, which reads the project
    id from a service-account file even against emulators: one with a key made here (the
    emulators never check its signatures)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = folder / "service-account.json"
    account = {
        "type": "service_account",
        "project_id": ADMIN_PROJECT,
        "private_key_id": "local",
        "private_key": pem,
        "client_email": f"suite@{ADMIN_PROJECT}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(account))
    return ["--cert", str(path)]


def run_firebase_admin(args) -> tuple:
    """firebase-admin-python's ``integration/test_db.py`` (the ``db`` module against our
    RTDB emulator, with ``FIREBASE_DATABASE_EMULATOR_HOST`` set it uses project
    ``fake-project-id`` and no credentials) and ``integration/test_firestore.py`` /
    ``test_firestore_async.py`` (``firestore.client()`` against our Firestore emulator).
    They import the checkout's own ``firebase_admin`` (the suite's root comes first on
    sys.path), as that repository's CI does, and need pytest-asyncio >= 0.26 (our .venv's
    interpreter, the default ``--python``, has it)."""
    if not (args.suite / "integration" / "test_db.py").exists():
        raise SystemExit(
            "integration/test_db.py not found: --suite names a firebase-admin-python checkout"
        )
    tests = ["integration/test_db.py"]
    tests += ["integration/test_firestore.py", "integration/test_firestore_async.py"]
    counts, failures, elapsed = run_suite(
        args,
        ["database", "firestore"],
        tests,
        {
            "env": lambda hosts: {
                "FIREBASE_DATABASE_EMULATOR_HOST": hosts["database"],
                "FIRESTORE_EMULATOR_HOST": hosts["firestore"],
            },
            "project": ADMIN_PROJECT,
            "pytest_args": service_account,
        },
    )
    return counts, failures, elapsed, f"db and firestore, indexes {args.indexes}"


JS_PROJECT = "test-emulator"  # the project and RTDB namespace of the SDK's emulator runners
JS_REGISTER = Path(__file__).with_name("google_suites_js_register.cjs")
# The composite indexes of the SDK's test project (not in its repository), as our emulator's
# "requires an index" links named them in --indexes none --production-tests runs.
JS_INDEXES = Path(__file__).with_name("google_suites.js-sdk.indexes.json")
# Test files of the JS SDK that reach production whatever the emulator settings say.
JS_PRODUCTION_ONLY = ["test/integration/api_internal/auth.test.ts"]


def js_runs(suite: Path, hosts: dict[str, str], production: bool = False) -> list[dict]:
    """The mocha runs of the firebase-js-sdk target: name, package folder, environment and
    mocha arguments (before the reporter), as the SDK's package scripts set them."""
    firestore_port = hosts["firestore"].rsplit(":", 1)[1]
    database_port = hosts["database"].rsplit(":", 1)[1]
    config = ["--config", "../../config/mocharc.node.js", "--require", str(JS_REGISTER)]
    firestore_env = {
        "FIRESTORE_TARGET_BACKEND": "emulator",
        "FIRESTORE_EMULATOR_PORT": firestore_port,
        "FIRESTORE_EMULATOR_PROJECT_ID": JS_PROJECT,
        "NO_TS_NODE": "true",  # config/mocharc.node.js then leaves ts-node out
    }
    if production:  # read by google_suites_js_register.cjs
        firestore_env["GOOGLE_SUITES_PRODUCTION_TESTS"] = "1"
    integration = ["test/integration/{,!(browser)/**/}*.test.ts"]
    for path in JS_PRODUCTION_ONLY:
        integration += ["--ignore", path]
    runs = [
        {
            "name": "firestore",
            "cwd": suite / "packages" / "firestore",
            "env": dict(firestore_env, TEST_PLATFORM="node"),
            "args": [*config, "--require", "test/register.ts", *integration],
        }
    ]
    runs.append(
        {
            "name": "firestore-lite",
            "cwd": suite / "packages" / "firestore",
            "env": dict(firestore_env, TEST_PLATFORM="node_lite"),
            "args": [*config, "--require", "lite/index.ts", "test/lite/**/*.test.ts"],
        }
    )
    runs.append(
        {
            "name": "database",
            "cwd": suite / "packages" / "database",
            "env": {
                "RTDB_EMULATOR_PORT": database_port,
                "RTDB_EMULATOR_NAMESPACE": JS_PROJECT,
                "NO_TS_NODE": "true",
            },
            "args": [*config, "--file", "src/index.node.ts", "test/{,!(browser)/**/}*.test.ts"],
        }
    )
    return runs


def put_public_database_rules(suite: Path, host: str) -> None:
    """The SDK's database runner's ``setPublicRules``: ``config/database.rules.json`` into
    the namespace, as the owner."""
    import urllib.request

    request = urllib.request.Request(
        f"http://{host}/.settings/rules.json?ns={JS_PROJECT}",
        data=(suite / "config" / "database.rules.json").read_bytes(),
        method="PUT",
        headers={"Authorization": "Bearer owner", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def run_js_sdk(args) -> tuple:
    suite = args.suite
    mocha = suite / "node_modules" / ".bin" / "mocha"
    if not (suite / "packages" / "firestore" / "test" / "integration").is_dir():
        raise SystemExit(
            "packages/firestore/test/integration not found: --suite names an export of "
            "firebase-js-sdk (see --help)"
        )
    if not mocha.exists():
        raise SystemExit(f"{mocha} not found: install the suites' test packages (see --help)")
    project_file = suite / "config" / "project.json"
    if not project_file.exists():
        project_file.write_text(json.dumps({"projectId": JS_PROJECT, "apiKey": "fake-api-key"}))
    counts: collections.Counter = collections.Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="google-suite-") as tmp:
        folder = Path(tmp)
        process, hosts = start_emulators(
            folder, ["firestore", "database"], args.indexes, JS_PROJECT, JS_INDEXES
        )
        started = time.monotonic()
        try:
            put_public_database_rules(suite, hosts["database"])
            for run in js_runs(suite, hosts, args.production_tests):
                junit = folder / f"{run['name']}.xml"
                command = [str(mocha), *run["args"], "--reporter", "xunit"]
                command += ["--reporter-option", f"output={junit}", *args.pytest_args]
                log = folder / f"{run['name']}.log"
                with log.open("w") as output:
                    subprocess.run(
                        command,
                        cwd=run["cwd"],
                        env=dict(os.environ, **run["env"]),
                        stdout=output,
                        stderr=output,
                    )
                if not junit.exists():
                    print(log.read_text()[-5000:])
                    raise SystemExit(f"mocha wrote no results for {run['name']}")
                run_counts, run_failures = summarize(junit, full_class=True)
                counts.update(run_counts)
                failures += [f"{run['name']}: {line}" for line in run_failures]
                print(
                    f"  {run['name']}: {run_counts['passed']} passed, {run_counts['failed']} "
                    f"failed, {run_counts['skipped']} skipped"
                )
        finally:
            stop(process)
        if args.junit:
            for xml in folder.glob("*.xml"):
                shutil.copy(xml, args.junit.parent / f"{args.junit.stem}-{xml.name}")
    elapsed = time.monotonic() - started
    mode = f"node, memory persistence, indexes {args.indexes}"
    mode += ", production tests" if args.production_tests else ""
    return counts, failures, elapsed, mode


def report(target: str, result: tuple) -> int:
    counts, failures, elapsed, mode = result
    for line in failures:
        print(line)
    print(
        f"google suite {target} ({mode}): {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped in {elapsed:.0f} s"
    )
    return 0 if not counts["failed"] and not counts["errors"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.google_suites",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", choices=["firestore", "firebase-admin", "firebase-js-sdk"])
    parser.add_argument(
        "--suite",
        type=Path,
        required=True,
        help="python-firestore checkout (firestore), firebase-admin-python (firebase-admin), "
        "an export of firebase-js-sdk with its test packages (firebase-js-sdk)",
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter with the suite's test packages"
    )
    parser.add_argument(
        "--indexes",
        choices=["suite", "none", "off"],
        default=None,
        help="firestore: default suite; firebase-js-sdk: default off (its tests assume "
        "Google's emulator, which enforces none)",
    )
    parser.add_argument("--production-tests", action="store_true")
    parser.add_argument("--junit", type=Path)
    parser.add_argument(
        "pytest_args", nargs="*", help="after --: passed to pytest (mocha for firebase-js-sdk)"
    )
    argv = sys.argv[1:] if argv is None else list(argv)
    # What follows "--" goes to the runner whatever comes before it (argparse would have
    # filled the positional list already when the options follow the target).
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    args.pytest_args = [*args.pytest_args, *extra]
    args.suite = args.suite.resolve()
    if args.indexes is None:
        args.indexes = "off" if args.target == "firebase-js-sdk" else "suite"
    run = {
        "firestore": run_firestore,
        "firebase-admin": run_firebase_admin,
        "firebase-js-sdk": run_js_sdk,
    }[args.target]
    return report(args.target, run(args))


if __name__ == "__main__":
    raise SystemExit(main())
