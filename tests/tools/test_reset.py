"""``make reset`` (``python -m tools.reset``) removes the local state and says what goes,
never while the emulators hold their data directory."""

from __future__ import annotations

import os

from emulators import datadir
from tools import reset


def _fill(state):
    (state / "emulators").mkdir(parents=True)
    (state / "emulators" / "firestore.sqlite3").write_bytes(b"x")
    (state / "postgres").mkdir()
    (state / "secrets.env").write_text("JWT_SECRET=kept\n")


def test_removes_emulator_and_postgres_data_and_keeps_secrets(tmp_path, capsys):
    _fill(tmp_path)
    # No --yes: stdin is no terminal here (as in CI), so it must not stop to ask.
    assert reset.main([], state=tmp_path) == 0
    out = capsys.readouterr().out
    assert "emulator data" in out and "embedded PostgreSQL" in out
    assert not (tmp_path / "emulators").exists() and not (tmp_path / "postgres").exists()
    assert (tmp_path / "secrets.env").exists()
    assert reset.main(["--yes"], state=tmp_path) == 0
    assert "no local state to remove" in capsys.readouterr().out


def test_refuses_while_the_emulators_hold_the_data_dir(tmp_path, capsys):
    _fill(tmp_path)
    held = datadir.lock(tmp_path / "emulators")
    try:
        assert reset.main(["--yes"], state=tmp_path) == 1
    finally:
        os.close(held)
    assert "stop make dev first" in capsys.readouterr().err
    assert (tmp_path / "emulators" / "firestore.sqlite3").exists()
