"""``make deploy``: FlowChat onto a Firebase project, non-interactively.

Order: read-only checks first (nothing changes if one fails), then the migrations on the
production database, then ``firebase deploy`` of the functions, Firestore rules and indexes,
and the Realtime Database rules. Migrations go first because the new functions expect the
new schema; they must therefore stay additive, so that the running functions keep working
if the deploy after them fails.

    make deploy PROJECT=<project id or .firebaserc alias> DATABASE_URL=<direct URL>
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from tools.migrate import migrate

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
# firebase-tools from tests/node (installed by make setup) when none is on PATH.
BUNDLED_FIREBASE = ROOT / "tests" / "node" / "node_modules" / ".bin" / "firebase"
DEPLOY_TARGETS = "functions,firestore,database"

# What the Google project needs; `firebase deploy` enables most of these itself when the
# deploying account may, but a CI service account often may not.
REQUIRED_APIS = {
    "cloudfunctions.googleapis.com": "Cloud Functions (2nd gen)",
    "run.googleapis.com": "Cloud Run, which serves 2nd gen functions",
    "cloudbuild.googleapis.com": "builds the functions' container",
    "artifactregistry.googleapis.com": "stores the functions' container",
    "eventarc.googleapis.com": "Firestore and Realtime Database triggers",
    "pubsub.googleapis.com": "event delivery and the scheduled applyOutbox",
    "cloudscheduler.googleapis.com": "the scheduled applyOutbox",
    "secretmanager.googleapis.com": "DATABASE_URL, JWT_SECRET, CLOUDINARY_URL, SMTP_URL",
    "iamcredentials.googleapis.com": "signing Firebase custom tokens (signBlob)",
    "firestore.googleapis.com": "Firestore",
    "firebaserules.googleapis.com": "deploying firestore.rules",
    "firebasedatabase.googleapis.com": "the Realtime Database and its rules",
    "fcm.googleapis.com": "push notifications",
}


class DeployError(Exception):
    """A check failed; the message says what to do."""


@dataclass(frozen=True)
class Target:
    project: str  # as given: an id or an alias of .firebaserc
    firebase: str  # the firebase CLI to run
    database_url: str  # the direct URL the migrations use


def secret_names() -> list[str]:
    """The secrets the functions declare (functions/settings.py)."""
    from firebase_functions.params import SecretParam

    sys.path.insert(0, str(FUNCTIONS))
    try:
        import settings
    finally:
        sys.path.remove(str(FUNCTIONS))
    return [value.name for value in vars(settings).values() if isinstance(value, SecretParam)]


def resolve_project(given: str) -> str:
    """The project id for ``given``, which may be an alias of .firebaserc."""
    if not given:
        raise DeployError("name the project: make deploy PROJECT=<project id or alias>")
    rc = ROOT / ".firebaserc"
    aliases = json.loads(rc.read_text()).get("projects", {}) if rc.exists() else {}
    project = aliases.get(given, given)
    if project.startswith("demo-"):
        raise DeployError(f"{project} is a demo project for the emulators; it cannot be deployed")
    return project


def find_firebase() -> str:
    found = shutil.which("firebase")
    if found:
        return found
    if BUNDLED_FIREBASE.exists():
        return str(BUNDLED_FIREBASE)
    raise DeployError("firebase CLI not found: run make setup, or npm install -g firebase-tools")


def migration_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise DeployError("set DATABASE_URL to the production database's direct URL")
    try:
        host = conninfo_to_dict(url).get("host") or ""
    except psycopg.ProgrammingError as error:
        raise DeployError(f"DATABASE_URL is not a PostgreSQL URL: {error}") from None
    # Migrations hold a session advisory lock, which a transaction-mode pooler cannot keep.
    if "-pooler" in str(host):
        raise DeployError(
            "DATABASE_URL names a -pooler host; migrations need the direct host "
            "(the same URL without -pooler)"
        )
    return url


def run(command: list[str], *, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    print("$ " + shlex.join(command), flush=True)
    return subprocess.run(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.PIPE if quiet else None,
        text=True,
        check=False,
    )


def check_secrets(target: Target) -> None:
    """``functions:secrets:get`` shows a secret's versions, never its value; it fails when
    the CLI is not logged in, the project is out of reach or the secret does not exist."""
    missing = []
    for name in secret_names():
        result = run(
            [target.firebase, "functions:secrets:get", name, "--project", target.project],
            quiet=True,
        )
        if result.returncode != 0:
            missing.append(name)
            print((result.stderr or result.stdout).strip(), file=sys.stderr)
    if missing:
        commands = "; ".join(
            f"firebase functions:secrets:set {name} --project {target.project}" for name in missing
        )
        raise DeployError(f"secrets missing or out of reach: {', '.join(missing)} ({commands})")


def check_apis(project: str) -> None:
    """With gcloud at hand, the enabled services are listed; otherwise they are only named."""
    gcloud = shutil.which("gcloud")
    if not gcloud:
        print("gcloud not found; cannot check that these APIs are enabled:")
        for api, why in REQUIRED_APIS.items():
            print(f"  {api}: {why}")
        return
    listing = ["services", "list", "--enabled", "--project", project]
    result = run([gcloud, *listing, "--format=value(config.name)"], quiet=True)
    if result.returncode != 0:
        raise DeployError(f"gcloud services list failed: {result.stderr.strip()}")
    missing = sorted(set(REQUIRED_APIS) - set(result.stdout.split()))
    if missing:
        names = " ".join(missing)
        raise DeployError(f"enable these APIs: gcloud services enable {names} --project {project}")


def check_functions_venv() -> None:
    runtime = json.loads((ROOT / "firebase.json").read_text())["functions"][0]["runtime"]
    interpreter = FUNCTIONS / "venv" / "bin" / runtime.replace("python3", "python3.")
    if not interpreter.exists():
        raise DeployError(f"{interpreter} is missing: run make deploy (it builds functions/venv)")


def preflight(given_project: str) -> Target:
    project = resolve_project(given_project)
    target = Target(project=given_project, firebase=find_firebase(), database_url=migration_url())
    check_functions_venv()
    version = run([target.firebase, "--version"], quiet=True)
    if version.returncode != 0:
        raise DeployError(f"{target.firebase} --version failed: {version.stderr.strip()}")
    check_secrets(target)
    check_apis(project)
    return target


def deploy(given_project: str, extra_args: list[str]) -> None:
    target = preflight(given_project)
    applied = migrate(target.database_url)
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    command = [
        target.firebase,
        "deploy",
        "--only",
        DEPLOY_TARGETS,
        "--project",
        target.project,
        "--non-interactive",
        *extra_args,
    ]
    if run(command).returncode != 0:
        raise DeployError("firebase deploy failed (the migrations above are applied)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="", help="project id or .firebaserc alias")
    args, extra = parser.parse_known_args(argv)
    try:
        deploy(args.project, extra)
    except DeployError as error:
        print(f"deploy stopped: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
