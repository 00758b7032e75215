"""The Firebase Admin app, the Firestore client and Realtime Database references, created
on first use.

Under the emulator, ``google.cloud.firestore.Client`` talks to FIRESTORE_EMULATOR_HOST with
anonymous credentials (firebase_admin's own helper insists on real ones there).
"""

from __future__ import annotations

import functools
import json
import os
import threading

import firebase_admin

_lock = threading.Lock()


def firebase_app() -> firebase_admin.App:
    try:
        return firebase_admin.get_app()
    except ValueError:
        pass
    with _lock:
        try:
            return firebase_admin.get_app()
        except ValueError:
            # httpTimeout: the Admin SDK waits 120 s by default; the request path should not.
            return firebase_admin.initialize_app(
                options={"projectId": project_id(), "httpTimeout": 10}
            )


def project_id() -> str | None:
    return os.environ.get("GCLOUD_PROJECT") or os.environ.get("GOOGLE_CLOUD_PROJECT")


@functools.cache
def firestore():
    from google.cloud import firestore as gcf

    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        return gcf.Client(project=project_id(), credentials=AnonymousCredentials())
    from firebase_admin import firestore as admin_firestore

    return admin_firestore.client(firebase_app())


def database_reference(path: str):
    """A Realtime Database reference as admin: the database named in FIREBASE_CONFIG (set
    by Cloud Functions and by the emulator host), else the project's default one, which
    firebase_admin sends to FIREBASE_DATABASE_EMULATOR_HOST when that is set."""
    from firebase_admin import db

    config = os.environ.get("FIREBASE_CONFIG", "")
    url = json.loads(config).get("databaseURL") if config.startswith("{") else None
    url = url or f"https://{project_id()}-default-rtdb.firebaseio.com"
    return db.reference(path, app=firebase_app(), url=url)
