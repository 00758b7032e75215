"""The Firebase JS SDK (Node build, firebase@12) against the Auth emulator."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import firebase_admin
import pytest
from firebase_admin import auth

from tests.support import emulators

NODE_DIR = Path(__file__).resolve().parents[2] / "node"
pytestmark = pytest.mark.node


def node_env(auth_emulator: emulators.EmulatorProcess, custom_token: bytes) -> dict[str, str]:
    return {
        **os.environ,
        "AUTH_EMULATOR_URL": auth_emulator.url("auth"),
        "PROJECT_ID": auth_emulator.project,
        "CUSTOM_TOKEN": custom_token.decode(),
    }


def test_sign_in_refresh_update_profile_and_sign_out(
    admin_app: firebase_admin.App, auth_emulator: emulators.EmulatorProcess
) -> None:
    token = auth.create_custom_token("ada", {"team": "engines"}, app=admin_app)
    done = subprocess.run(
        ["node", "auth_sdk.mjs", "profile"],
        cwd=NODE_DIR,
        env=node_env(auth_emulator, token),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["uid"] == "ada"
    assert result["isNewUser"] is True
    assert result["signInProvider"] == "custom"
    assert result["firstClaims"]["team"] == "engines"
    assert result["firstClaims"]["aud"] == auth_emulator.project
    assert result["refreshedToken"] != result["firstToken"]
    assert result["refreshedIssuedAt"] != result["firstIssuedAt"]
    assert auth.verify_id_token(result["refreshedToken"], check_revoked=True, app=admin_app)

    assert result["displayName"] == "Ada Lovelace"
    assert result["photoURL"] == "https://example.com/ada.png"
    assert result["nameClaim"] == "Ada Lovelace"
    stored = auth.get_user("ada", app=admin_app)
    assert stored.display_name == "Ada Lovelace"
    assert stored.photo_url == "https://example.com/ada.png"

    assert result["currentBeforeSignOut"] == "ada"
    assert result["currentAfterSignOut"] is None


@pytest.mark.parametrize(
    ("action", "expected_code"),
    [
        ("revoke", "auth/user-token-expired"),
        ("disable", "auth/user-disabled"),
        ("delete", "auth/user-token-expired"),
    ],
)
def test_refresh_fails_once_the_user_is_revoked_disabled_or_deleted(
    admin_app: firebase_admin.App,
    auth_emulator: emulators.EmulatorProcess,
    action: str,
    expected_code: str,
) -> None:
    uid = f"js-{action}"
    token = auth.create_custom_token(uid, app=admin_app)
    process = subprocess.Popen(
        ["node", "auth_sdk.mjs", "refresh"],
        cwd=NODE_DIR,
        env=node_env(auth_emulator, token),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        signed_in = json.loads(process.stdout.readline())
        assert signed_in == {"signedIn": uid}, process.stderr.read()
        if action == "revoke":
            auth.revoke_refresh_tokens(uid, app=admin_app)
        elif action == "disable":
            auth.update_user(uid, disabled=True, app=admin_app)
        else:
            auth.delete_user(uid, app=admin_app)
        out, err = process.communicate("go\n", timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["error"] == expected_code, out + err
    # The SDK signs the user out when the backend says the session is over.
    assert result["currentUser"] is None
