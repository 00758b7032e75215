"""Auth state on disk: the data directory's journal, and export folders.

``AuthJournal`` keeps ``auth.sqlite3`` in the data directory: every account (all of its
fields, password hash and revocation times included) and every refresh token, so sessions
and revocations survive a restart as they do in production. Each change is written, in
its own transaction, before the request that made it is answered.

Export folders hold ``auth_export/<project>.json``: ``{"users": [...], "refreshTokens":
{token: record}}`` with the fields of ``UserAccount`` and ``RefreshTokenRecord``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

from emulators.auth.accounts import AccountStore, RefreshTokenRecord, UserAccount
from emulators.datadir import SqliteFile, Transaction

FILE_NAME = "auth.sqlite3"
EXPORT_FOLDER = "auth_export"
SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    project TEXT NOT NULL,
    uid TEXT NOT NULL,
    account TEXT NOT NULL,
    PRIMARY KEY (project, uid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refresh_tokens (
    project TEXT NOT NULL,
    token TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (project, token)
) WITHOUT ROWID;
"""


class AuthJournal:
    def __init__(self, folder: Path) -> None:
        self._file = SqliteFile(folder / FILE_NAME, SCHEMA)
        self._db = self._file.db
        self._lock = threading.Lock()

    def attach(self, store: AccountStore) -> int:
        """Loads the saved accounts into ``store`` and records its changes from now on;
        returns how many accounts were loaded."""
        users: dict[str, list[UserAccount]] = {}
        for project, text in self._db.execute("SELECT project, account FROM accounts"):
            users.setdefault(project, []).append(UserAccount(**json.loads(text)))
        tokens: dict[str, dict[str, RefreshTokenRecord]] = {}
        for project, token, text in self._db.execute(
            "SELECT project, token, record FROM refresh_tokens"
        ):
            tokens.setdefault(project, {})[token] = RefreshTokenRecord(**json.loads(text))
        for project in users.keys() | tokens.keys():
            store.project(project).load(users.get(project, []), tokens.get(project, {}))
        store.set_journal(self)
        return sum(len(each) for each in users.values())

    def saved(self, project_id: str, account: UserAccount) -> None:
        text = json.dumps(dataclasses.asdict(account))
        self._write(
            "INSERT OR REPLACE INTO accounts VALUES (?, ?, ?)", project_id, account.uid, text
        )

    def deleted(self, project_id: str, uid: str) -> None:
        self._write("DELETE FROM accounts WHERE project = ? AND uid = ?", project_id, uid)

    def token_issued(self, project_id: str, token: str, record: RefreshTokenRecord) -> None:
        text = json.dumps(dataclasses.asdict(record))
        self._write("INSERT INTO refresh_tokens VALUES (?, ?, ?)", project_id, token, text)

    def cleared(self, project_id: str) -> None:
        with self._lock, Transaction(self._db):
            self._db.execute("DELETE FROM accounts WHERE project = ?", (project_id,))
            self._db.execute("DELETE FROM refresh_tokens WHERE project = ?", (project_id,))

    def _write(self, statement: str, *parameters: str) -> None:
        with self._lock:
            self._db.execute(statement, parameters)  # autocommit: one transaction

    def close(self, store: AccountStore) -> None:
        store.set_journal(None)
        with self._lock:
            self._file.close()


def export_all(store: AccountStore, folder: Path) -> None:
    target = folder / EXPORT_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for accounts in store.projects():
        payload = {
            "users": [dataclasses.asdict(account) for account in accounts.users()],
            "refreshTokens": {
                token: dataclasses.asdict(record)
                for token, record in accounts.refresh_tokens().items()
            },
        }
        (target / f"{accounts.project_id}.json").write_text(json.dumps(payload))


def import_all(store: AccountStore, folder: Path) -> int:
    """Replaces each exported project's accounts; returns how many accounts."""
    total = 0
    for source in sorted((folder / EXPORT_FOLDER).glob("*.json")):
        payload = json.loads(source.read_text())
        users = [UserAccount(**item) for item in payload.get("users", [])]
        tokens = {
            token: RefreshTokenRecord(**item)
            for token, item in payload.get("refreshTokens", {}).items()
        }
        accounts = store.project(source.stem)
        with accounts.lock:
            accounts.clear()
            accounts.load(users, tokens)
            for account in users:
                accounts.save(account)
            if accounts.journal is not None:
                for token, record in tokens.items():
                    accounts.journal.token_issued(accounts.project_id, token, record)
        total += len(users)
    return total
