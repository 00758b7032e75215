"""The Firebase Admin app and the Firestore client, created on first use.

Under the emulator, ``google.cloud.firestore.Client`` talks to FIRESTORE_EMULATOR_HOST with
anonymous credentials (firebase_admin's own helper insists on real ones there).
"""

from __future__ import annotations

import functools
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
            return firebase_admin.initialize_app(options={"projectId": project_id()})


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
