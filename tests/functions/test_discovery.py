"""firebase-tools' own deploy discovery of functions/ (tests/node/functions_discovery.mjs):
the manifest `firebase deploy` would act on, and the param values a non-interactive deploy
would resolve from functions/.env. Needs functions/venv (make test builds it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tools.deploy import FUNCTIONS, REQUIRED_APIS, ROOT, secret_names

pytestmark = pytest.mark.node

DRIVER = ROOT / "tests" / "node" / "functions_discovery.mjs"
PROJECT = "flowchat-prod"

HTTP_SECRETS = {"DATABASE_URL", "JWT_SECRET"}
CALLABLE_SECRETS = {"DATABASE_URL"}
MEDIA_SECRETS = {"DATABASE_URL", "CLOUDINARY_URL"}
MAILING_SECRETS = HTTP_SECRETS | {"SMTP_URL"}
HTTP = {"login", "refresh", "logout", "me", "updateProfile", "getProfile"}
HTTP |= {"checkPermission", "listSessions", "revokeSession", "revokeOtherSessions"}
HTTP |= {"downloadDataExport", "unsubscribe"}
# HTTP functions that queue mail and try to send it at once.
MAILING = {"register", "requestPasswordReset", "resetPassword", "changePassword"}
MAILING |= {"requestEmailVerification", "requestEmailChange", "verifyEmail", "requestDataExport"}
CALLABLES = {
    "createRoom",
    "inviteMember",
    "acceptInvite",
    "declineInvite",
    "joinRoom",
    "restoreRoom",
    "leaveRoom",
    "removeMember",
    "setRole",
    "updateRoom",
    "archiveRoom",
    "muteRoom",
    "listMyRooms",
    "listMembers",
    "blockUser",
    "unblockUser",
    "registerDeviceToken",
    "unregisterDeviceToken",
    "searchMessages",
    "searchPeople",
    "pinMessage",
    "unpinMessage",
    "getNotificationSettings",
    "updateNotificationSettings",
}
PARAMS = {
    "DB_POOL_SIZE": ("int", 4),
    "ACCESS_TOKEN_TTL_SECONDS": ("int", 900),
    "SESSION_TTL_DAYS": ("int", 30),
    "REFRESH_RETRY_SECONDS": ("int", 60),
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": ("int", 5),
    "LOGIN_MAX_FAILURES_PER_ADDRESS": ("int", 30),
    "LOGIN_FAILURE_WINDOW_SECONDS": ("int", 900),
    "RECONCILE_SLICE_SECONDS": ("int", 20),
    "TRUSTED_PROXY_HOPS": ("int", 1),
    "MAIL_FROM": ("string", "FlowChat <no-reply@flowchat.example>"),
    "APP_URL": ("string", "http://127.0.0.1:5173"),
    "MAIL_MAX_ATTEMPTS": ("int", 8),
    "MISSED_MAIL_DELAY_SECONDS": ("int", 600),
    "TOKEN_ISSUER": ("string", "flowchat"),
    "TOKEN_AUDIENCE": ("string", "flowchat-api"),
}
SECRETS = {"DATABASE_URL", "JWT_SECRET", "CLOUDINARY_URL", "SMTP_URL"}


def serving_processes() -> list[int]:
    """Running discovery servers (the SDK's serving.py) working in our functions/."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if b"serving.py" in command and Path(cwd) == FUNCTIONS:
            found.append(int(entry.name))
    return found


def discover(env_dir: Path | None = None) -> dict:
    """Run the driver; whatever happens, no discovery server may outlive it."""
    args = ["node", str(DRIVER), str(FUNCTIONS), PROJECT]
    if env_dir:
        args.append(str(env_dir))
    driver = subprocess.Popen(
        args,
        cwd=DRIVER.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = driver.communicate(timeout=90)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
            driver.wait()
    assert driver.returncode == 0, err
    assert serving_processes() == []
    return json.loads(out)


@pytest.fixture(scope="module")
def discovered() -> dict:
    if shutil.which("node") is None:
        pytest.fail("node is needed (make setup)")
    if not (FUNCTIONS / "venv" / "bin" / "python3.11").exists():
        pytest.fail("functions/venv is missing: run make test (it builds functions/venv)")
    return discover()


def endpoints(discovered: dict) -> dict[str, dict]:
    return discovered["build"]["endpoints"]


def bound_secrets(endpoint: dict) -> set[str]:
    bindings = endpoint["secretEnvironmentVariables"]
    # Each secret is bound under its own name, in the deploying project.
    assert all(b["key"] == b["secret"] and b["projectId"] == PROJECT for b in bindings)
    return {b["key"] for b in bindings}


def test_every_function_is_discovered_once(discovered):
    triggers = {"onMessageCreated", "onMessageUpdated", "onPresenceWritten", "applyOutbox"}
    triggers |= {"cloudinaryNotification", "deliverMail", "prepareDataExports"}
    triggers |= {"onMessageLinkPreview"}
    triggers |= {"sendMissedMessages"}
    everything = HTTP | MAILING | CALLABLES | {"signUpload", "deleteAccount"} | triggers
    assert set(endpoints(discovered)) == everything


def test_every_function_runs_as_2nd_gen_python311_in_us_central1(discovered):
    for name, endpoint in endpoints(discovered).items():
        assert endpoint["platform"] == "gcfv2", name
        assert endpoint["runtime"] == "python311", name
        assert endpoint["region"] == ["us-central1"], name
        assert endpoint["entryPoint"] == name
        assert endpoint["maxInstances"] == 20, name


def test_http_functions_carry_the_token_secrets(discovered):
    found = endpoints(discovered)
    for name in HTTP:
        assert found[name]["httpsTrigger"] == {}, name
        assert bound_secrets(found[name]) == HTTP_SECRETS, name
    for name in MAILING:
        assert found[name]["httpsTrigger"] == {}, name
        assert bound_secrets(found[name]) == MAILING_SECRETS, name
    # It also deletes the person's files from Cloudinary.
    assert bound_secrets(found["deleteAccount"]) == MAILING_SECRETS | {"CLOUDINARY_URL"}
    notification = found["cloudinaryNotification"]
    assert notification["httpsTrigger"] == {}
    assert bound_secrets(notification) == MEDIA_SECRETS


def test_callables_are_callable_triggers_with_the_database_secret(discovered):
    found = endpoints(discovered)
    for name in CALLABLES:
        assert found[name]["callableTrigger"] == {}, name
        assert found[name]["labels"] == {"deployment-callable": "true"}, name
        assert bound_secrets(found[name]) == CALLABLE_SECRETS, name
    assert found["signUpload"]["callableTrigger"] == {}
    assert bound_secrets(found["signUpload"]) == MEDIA_SECRETS


def test_event_and_schedule_triggers(discovered):
    found = endpoints(discovered)
    message = found["onMessageCreated"]["eventTrigger"]
    assert message["eventType"] == "google.cloud.firestore.document.v1.created"
    assert message["eventFilterPathPatterns"] == {"document": "rooms/{roomId}/messages/{messageId}"}
    assert message["eventFilters"] == {"database": "(default)", "namespace": "(default)"}
    edited = found["onMessageUpdated"]["eventTrigger"]
    assert edited["eventType"] == "google.cloud.firestore.document.v1.updated"
    assert edited["eventFilterPathPatterns"] == message["eventFilterPathPatterns"]
    # Link previews: a trigger of its own on new messages, so a slow page delays nothing else;
    # it needs Cloudinary (the image's fetch URL), not PostgreSQL.
    preview = found["onMessageLinkPreview"]["eventTrigger"]
    assert preview["eventType"] == message["eventType"]
    assert preview["eventFilterPathPatterns"] == message["eventFilterPathPatterns"]
    assert bound_secrets(found["onMessageLinkPreview"]) == {"CLOUDINARY_URL"}
    presence = found["onPresenceWritten"]["eventTrigger"]
    assert presence["eventType"] == "google.firebase.database.ref.v1.written"
    assert presence["eventFilterPathPatterns"] == {"instance": "*", "ref": "status/{uid}"}
    outbox = found["applyOutbox"]["scheduleTrigger"]
    assert outbox["schedule"] == "every 1 minutes"
    for name in ("onMessageCreated", "onMessageUpdated", "onPresenceWritten", "applyOutbox"):
        assert bound_secrets(found[name]) == MEDIA_SECRETS, name
    assert found["deliverMail"]["scheduleTrigger"]["schedule"] == "every 1 minutes"
    assert bound_secrets(found["deliverMail"]) == {"DATABASE_URL", "SMTP_URL"}
    assert found["prepareDataExports"]["scheduleTrigger"]["schedule"] == "every 5 minutes"
    assert bound_secrets(found["prepareDataExports"]) == {"DATABASE_URL", "JWT_SECRET", "SMTP_URL"}
    assert found["sendMissedMessages"]["scheduleTrigger"]["schedule"] == "every 1 minutes"
    assert bound_secrets(found["sendMissedMessages"]) == {"DATABASE_URL", "JWT_SECRET", "SMTP_URL"}


def test_params_and_secrets_of_the_manifest(discovered):
    declared = {p["name"]: p for p in discovered["build"]["params"]}
    assert {n for n, p in declared.items() if p["type"] == "secret"} == SECRETS
    assert {n: (p["type"], p.get("default")) for n, p in declared.items() if n not in SECRETS} == (
        PARAMS
    )
    # make deploy checks in Secret Manager every secret the functions are bound to.
    assert set(secret_names()) == SECRETS


def test_every_param_in_the_source_is_in_the_manifest(discovered):
    """A param defined in a module main.py does not import at load time never reaches the
    manifest (PUSH_LOG_PATH once did); firebase deploy would then not set it."""
    pattern = re.compile(r'\b(?:String|Int|Float|Bool|List|Secret)Param\(\s*"([A-Z0-9_]+)"')
    in_source = {
        name
        for path in FUNCTIONS.rglob("*.py")
        if "venv" not in path.parts
        for name in pattern.findall(path.read_text())
    }
    assert in_source == {p["name"] for p in discovered["build"]["params"]}


def test_a_non_interactive_deploy_resolves_every_param_from_functions_env(discovered):
    assert "error" not in discovered, discovered.get("error")
    assert discovered["resolved"] == {name: str(default) for name, (_, default) in PARAMS.items()}


def test_functions_env_repeats_every_default():
    values = dotenv_values(FUNCTIONS / ".env")
    assert values == {name: str(default) for name, (_, default) in PARAMS.items()}


def test_project_env_overrides_and_a_missing_value_is_refused(tmp_path):
    """The same resolution with other dotenv files: `.env.<project>` wins over `.env`, and a
    param with no value stops a non-interactive deploy, as firebase-tools says."""
    defaults = (FUNCTIONS / ".env").read_text()
    (tmp_path / ".env").write_text(defaults)
    (tmp_path / f".env.{PROJECT}").write_text("DB_POOL_SIZE=8\n")
    assert discover(tmp_path)["resolved"]["DB_POOL_SIZE"] == "8"

    (tmp_path / f".env.{PROJECT}").unlink()
    (tmp_path / ".env").write_text(defaults.replace("TOKEN_AUDIENCE=flowchat-api\n", ""))
    result = discover(tmp_path)
    assert "resolved" not in result
    assert result["error"].startswith(
        "In non-interactive mode but have no value for the following environment variables: "
        "TOKEN_AUDIENCE\n"
    )


def test_required_apis_are_in_the_deploy_list(discovered):
    required = {entry["api"] for entry in discovered["build"]["requiredAPIs"]}
    assert required == {"cloudscheduler.googleapis.com"}
    assert required <= set(REQUIRED_APIS)
