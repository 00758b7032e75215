"""Assets on disk, with a SQLite index.

Layout under the root (``.flowchat/cloudinary`` by default)::

    index.sqlite3                               one row per asset and per cached derivative
    originals/{asset_id}/{version_id}           the uploaded bytes
    derived/{asset_id}/{version_id}/{key}.{fmt} transformed copies served by delivery

File names never contain a public ID, so no public ID can reach outside the root. Every file
is written to a temporary name and renamed into place, and an index row is committed only
after its file exists: a rejected or failed upload leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS assets (
    resource_type TEXT NOT NULL,
    public_id TEXT NOT NULL,
    asset_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    version_id TEXT NOT NULL,
    format TEXT,
    width INTEGER,
    height INTEGER,
    bytes INTEGER NOT NULL,
    etag TEXT NOT NULL,
    created_at TEXT NOT NULL,
    original_filename TEXT NOT NULL,
    display_name TEXT NOT NULL,
    asset_folder TEXT NOT NULL,
    tags TEXT NOT NULL,
    context TEXT NOT NULL,
    PRIMARY KEY (resource_type, public_id)
);
CREATE TABLE IF NOT EXISTS derived (
    asset_id TEXT NOT NULL,
    version_id TEXT NOT NULL,
    transformation TEXT NOT NULL,
    format TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (asset_id, version_id, transformation, format)
);
"""


@dataclass(frozen=True)
class Asset:
    resource_type: str
    public_id: str
    asset_id: str
    version: int
    version_id: str
    format: str | None
    width: int | None
    height: int | None
    bytes: int
    etag: str
    created_at: str
    original_filename: str
    display_name: str
    asset_folder: str
    tags: list[str] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Derived:
    transformation: str
    format: str
    bytes: int


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class AssetStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(root / "index.sqlite3", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock, self._db:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- originals -------------------------------------------------------------------------

    def get(self, resource_type: str, public_id: str) -> Asset | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM assets WHERE resource_type = ? AND public_id = ?",
                (resource_type, public_id),
            ).fetchone()
        return _asset_from_row(row) if row else None

    def put(
        self,
        resource_type: str,
        public_id: str,
        data: bytes,
        make_asset: Callable[[Asset | None], Asset],
        *,
        overwrite: bool,
    ) -> tuple[Asset, bool]:
        """Store ``data`` as the asset ``make_asset(previous)`` builds.

        Returns the asset and whether it already existed and was kept (``overwrite=False``).
        """
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM assets WHERE resource_type = ? AND public_id = ?",
                (resource_type, public_id),
            ).fetchone()
            previous = _asset_from_row(row) if row else None
            if previous is not None and not overwrite:
                return previous, True
            asset = make_asset(previous)
            path = self.original_path(asset)
            write_atomically(path, data)
            try:
                with self._db:
                    if previous is not None:
                        self._delete_rows(previous)
                    self._db.execute(
                        "INSERT INTO assets VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _row_from_asset(asset),
                    )
            except BaseException:
                path.unlink(missing_ok=True)
                raise
        if previous is not None:
            self._remove_files(previous)
        return asset, False

    def read(self, asset: Asset) -> bytes:
        return self.original_path(asset).read_bytes()

    def delete(self, resource_type: str, public_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM assets WHERE resource_type = ? AND public_id = ?",
                (resource_type, public_id),
            ).fetchone()
            if row is None:
                return False
            asset = _asset_from_row(row)
            with self._db:
                self._delete_rows(asset)
        self._remove_files(asset)
        return True

    def original_path(self, asset: Asset) -> Path:
        return self.root / "originals" / asset.asset_id / asset.version_id

    # --- derived (transformed) copies ------------------------------------------------------

    def derived_path(self, asset: Asset, key: str, fmt: str) -> Path:
        return self.root / "derived" / asset.asset_id / asset.version_id / f"{key}.{fmt}"

    def save_derived(
        self, asset: Asset, key: str, transformation: str, fmt: str, data: bytes
    ) -> Path:
        path = self.derived_path(asset, key, fmt)
        write_atomically(path, data)
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?, ?)",
                (asset.asset_id, asset.version_id, transformation, fmt, len(data)),
            )
        return path

    def list_derived(self, asset: Asset) -> list[Derived]:
        with self._lock:
            rows = self._db.execute(
                "SELECT transformation, format, bytes FROM derived "
                "WHERE asset_id = ? AND version_id = ? ORDER BY transformation, format",
                (asset.asset_id, asset.version_id),
            ).fetchall()
        return [Derived(row["transformation"], row["format"], row["bytes"]) for row in rows]

    # --- helpers ---------------------------------------------------------------------------

    def _delete_rows(self, asset: Asset) -> None:
        self._db.execute("DELETE FROM assets WHERE asset_id = ?", (asset.asset_id,))
        self._db.execute("DELETE FROM derived WHERE asset_id = ?", (asset.asset_id,))

    def _remove_files(self, asset: Asset) -> None:
        self.original_path(asset).unlink(missing_ok=True)
        shutil.rmtree(self.root / "derived" / asset.asset_id / asset.version_id, ignore_errors=True)


def _row_from_asset(asset: Asset) -> tuple:
    return (
        asset.resource_type,
        asset.public_id,
        asset.asset_id,
        asset.version,
        asset.version_id,
        asset.format,
        asset.width,
        asset.height,
        asset.bytes,
        asset.etag,
        asset.created_at,
        asset.original_filename,
        asset.display_name,
        asset.asset_folder,
        json.dumps(asset.tags),
        json.dumps(asset.context),
    )


def _asset_from_row(row: sqlite3.Row) -> Asset:
    values = dict(row)
    values["tags"] = json.loads(values["tags"])
    values["context"] = json.loads(values["context"])
    return Asset(**values)
