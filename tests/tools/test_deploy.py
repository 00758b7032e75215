"""``make deploy`` against a fake ``firebase`` (and ``gcloud``) on PATH that records what it
was asked: Google's services cannot be reached from here, so the CLIs are the one thing
mocked. The migrations run for real against a fresh PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.support.database import empty_database
from tools.deploy import REQUIRED_APIS, ROOT, secret_names
from tools.migrate import MIGRATIONS

FAKE_CLI = """#!{python}
import json, os, sys
with open(os.environ["FAKE_CLI_LOG"], "a") as log:
    log.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
args = sys.argv[1:]
if args[:1] == ["functions:secrets:get"] and args[1] in os.environ.get("FAKE_MISSING", "").split():
    print("Error: secret not found", file=sys.stderr)
    sys.exit(1)
if args[:2] == ["services", "list"]:
    enabled = os.environ["FAKE_ENABLED_APIS"].split()
    print("\\n".join(enabled))
"""


@pytest.fixture
def production_database(tmp_path: Path):
    with empty_database(tmp_path, "flowchat_deploy") as url:
        yield url


@pytest.fixture
def fake_clis(tmp_path: Path) -> dict[str, str]:
    """A PATH whose firebase and gcloud record their arguments in FAKE_CLI_LOG."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("firebase", "gcloud"):
        script = bin_dir / name
        script.write_text(FAKE_CLI.format(python=sys.executable))
        script.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_CLI_LOG": str(tmp_path / "commands.jsonl"),
        "FAKE_ENABLED_APIS": " ".join(REQUIRED_APIS),
    }


def recorded(env: dict[str, str]) -> list[list[str]]:
    log = Path(env["FAKE_CLI_LOG"])
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def applied_migrations(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
        if not exists[0]:
            return []
        return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def deploy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.deploy", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_deploy_checks_migrates_then_deploys_non_interactively(fake_clis, production_database):
    env = {**fake_clis, "DATABASE_URL": production_database}
    result = subprocess.run(
        ["make", "--no-print-directory", "deploy", "PROJECT=flowchat-prod"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    secrets = secret_names()
    assert set(secrets) == {"DATABASE_URL", "JWT_SECRET", "CLOUDINARY_URL", "SMTP_URL"}
    assert recorded(env) == [
        ["firebase", "--version"],
        *(["firebase", "functions:secrets:get", s, "--project", "flowchat-prod"] for s in secrets),
        [
            "gcloud",
            "services",
            "list",
            "--enabled",
            "--project",
            "flowchat-prod",
            "--format=value(config.name)",
        ],
        [
            "firebase",
            "deploy",
            "--only",
            "functions,firestore,database",
            "--project",
            "flowchat-prod",
            "--non-interactive",
        ],
    ]
    expected = sorted(path.stem for path in MIGRATIONS.glob("*.sql"))
    assert applied_migrations(production_database) == expected
    assert (ROOT / "functions" / "venv" / "bin" / "python3.11").exists()


def test_extra_arguments_reach_firebase_deploy(fake_clis, production_database):
    env = {**fake_clis, "DATABASE_URL": production_database}
    result = deploy(env, "--project", "flowchat-prod", "--force")
    assert result.returncode == 0, result.stderr
    assert recorded(env)[-1][-2:] == ["--non-interactive", "--force"]


def test_a_missing_secret_stops_before_migrations_and_deploy(fake_clis, production_database):
    env = {**fake_clis, "DATABASE_URL": production_database, "FAKE_MISSING": "JWT_SECRET"}
    result = deploy(env, "--project", "flowchat-prod")
    assert result.returncode == 1
    assert "secrets missing or out of reach: JWT_SECRET" in result.stderr
    assert "firebase functions:secrets:set JWT_SECRET --project flowchat-prod" in result.stderr
    assert not any(command[1] == "deploy" for command in recorded(env))
    assert applied_migrations(production_database) == []


def test_a_disabled_api_stops_before_migrations_and_deploy(fake_clis, production_database):
    enabled = [api for api in REQUIRED_APIS if api != "iamcredentials.googleapis.com"]
    env = {
        **fake_clis,
        "DATABASE_URL": production_database,
        "FAKE_ENABLED_APIS": " ".join(enabled),
    }
    result = deploy(env, "--project", "flowchat-prod")
    assert result.returncode == 1
    assert "gcloud services enable iamcredentials.googleapis.com" in result.stderr
    assert not any(command[1] == "deploy" for command in recorded(env))
    assert applied_migrations(production_database) == []


@pytest.mark.parametrize(
    ("project", "database_url", "message"),
    [
        ("", "postgresql://db.example/flowchat", "name the project"),
        ("default", "postgresql://db.example/flowchat", "demo-flowchat is a demo project"),
        ("demo-other", "postgresql://db.example/flowchat", "demo-other is a demo project"),
        ("flowchat-prod", "", "set DATABASE_URL"),
        ("flowchat-prod", "mysql://db.example/flowchat", "is not a PostgreSQL URL"),
        (
            "flowchat-prod",
            "postgresql://u:p@ep-cool-1-pooler.eu-central-1.aws.neon.tech/flowchat",
            "names a -pooler host",
        ),
    ],
)
def test_bad_targets_are_refused_before_any_command(fake_clis, project, database_url, message):
    env = {**fake_clis, "DATABASE_URL": database_url}
    result = deploy(env, "--project", project)
    assert result.returncode == 1
    assert message in result.stderr
    assert recorded(env) == []
