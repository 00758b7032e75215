"""Export and import of a database's documents to a folder (optional; state is in memory).

The format is ours: ``<folder>/firestore/<project>/<database>.json`` holding
``{"documents": [Document as google.protobuf JSON, ...]}`` with their create and update
times, so an import restores documents exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

from google.protobuf import json_format

from emulators.firestore import protos
from emulators.firestore.engine import FirestoreEngine
from emulators.firestore.paths import parse_database
from emulators.firestore.store import Entry
from emulators.firestore.writes import micros_of


def export_file(folder: str | Path, database: str) -> Path:
    _, project, _, database_id = parse_database(database).split("/")
    return Path(folder) / "firestore" / project / f"{database_id}.json"


def export_database(engine: FirestoreEngine, database: str, folder: str | Path) -> Path:
    with engine.cond:
        docs = [entry.doc for entry in engine.store(database).docs.values()]
    target = export_file(folder, database)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"documents": [json_format.MessageToDict(doc) for doc in docs]}
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload))
    temporary.replace(target)
    return target


def import_database(engine: FirestoreEngine, database: str, folder: str | Path) -> int:
    """Replaces the database's documents with the exported ones; returns how many."""
    source = export_file(folder, database)
    payload = json.loads(source.read_text())
    entries = []
    root = f"{database}/documents/"
    for item in payload.get("documents", []):
        doc = json_format.ParseDict(item, protos.Document())
        if not doc.name.startswith(root):
            raise ValueError(f"{doc.name} is not in {database}")
        path = doc.name[len(root) :]
        entries.append(Entry(doc, path, micros_of(doc.create_time), micros_of(doc.update_time)))
    engine.clear(database)
    with engine.cond:
        store = engine.store(database)
        commit_us = engine.next_commit_time()
        for entry in entries:
            store.put(entry.path, entry, commit_us)
        engine.notify(database, [(entry.path, None, entry) for entry in entries], commit_us)
    return len(entries)
