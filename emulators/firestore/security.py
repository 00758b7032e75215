"""Who is calling, and the Security Rules gate the engine consults for client requests.

``Authorization: Bearer owner`` is an admin (rules bypassed), as with Google's emulator.
Any other Bearer token must be a Firebase ID token (emulator tokens are unsigned JWTs);
no token means an unauthenticated client, still subject to the rules.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emulators.auth import idtokens
from emulators.firestore.errors import Code, FirestoreError

log = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 0.2


@dataclass(frozen=True)
class Caller:
    admin: bool
    claims: dict[str, Any] | None = None

    @property
    def auth(self) -> dict[str, Any] | None:
        """``request.auth`` for the rules: ``{"uid": ..., "token": claims}`` or None."""
        if self.claims is None:
            return None
        return {"uid": self.claims["uid"], "token": self.claims}


ADMIN = Caller(admin=True)
ANONYMOUS = Caller(admin=False)


def caller_from_authorization(header: str | None) -> Caller:
    if not header:
        return ANONYMOUS
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise FirestoreError(Code.UNAUTHENTICATED, "Authorization header must be 'Bearer <token>'")
    token = token.strip()
    if token == "owner":
        return ADMIN
    try:
        return Caller(admin=False, claims=idtokens.decode(token))
    except idtokens.InvalidIdToken as exc:
        raise FirestoreError(Code.UNAUTHENTICATED, f"Invalid ID token: {exc}") from None


class RulesGate:
    """Loads ``firestore.rules``, reloads it when the file changes, and evaluates requests.

    With no rules file configured every request is allowed (Google's emulator does the
    same and warns). A file that fails to parse keeps the previous ruleset; if there is
    none, client requests are denied.
    """

    def __init__(self, rules_path: Path | None) -> None:
        self.path = rules_path
        self._lock = threading.Lock()
        self._ruleset = None
        self.generation = 0  # bumped on every (re)load, so listeners can re-check
        self._stamp: tuple[float, int] | None = None
        self._checked = 0.0
        self.error: str | None = None
        if rules_path is None:
            log.warning("No Firestore rules file configured: all reads and writes are allowed")
        else:
            self._reload_if_changed(force=True)

    def refresh(self) -> int:
        """Reloads the rules if the file changed (checked at most every 0.2 s); returns
        the current generation."""
        if self.path is not None:
            self._reload_if_changed()
        return self.generation

    def _reload_if_changed(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < RELOAD_CHECK_SECONDS:
            return
        with self._lock:
            self._checked = now
            try:
                stat = os.stat(self.path)
                stamp = (stat.st_mtime, stat.st_size)
            except OSError as exc:
                self.error = f"cannot read rules file {self.path}: {exc}"
                return
            if stamp == self._stamp:
                return
            self._stamp = stamp
            try:
                from emulators.firestore.rules import Ruleset

                self._ruleset = Ruleset.from_file(self.path)
                self.generation += 1
                self.error = None
                log.info("Loaded Firestore rules from %s", self.path)
            except Exception as exc:  # syntax errors and a missing rules engine alike
                self.error = f"rules not loaded from {self.path}: {exc}"
                log.error("%s", self.error)

    def check(
        self,
        caller: Caller,
        method: str,
        path: str,
        *,
        resource=None,
        request_resource=None,
        query=None,
        access=None,
        collection_group: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Raises PERMISSION_DENIED unless the rules allow ``method`` on ``path``."""
        if caller.admin or self.path is None:
            return
        self._reload_if_changed()
        ruleset = self._ruleset
        if ruleset is None:
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions: {method} on {path} denied "
                f"({self.error or 'no rules loaded'})",
            )
        try:
            decision = ruleset.evaluate(
                method=method,
                path=path,
                auth=caller.auth,
                resource=resource,
                request_resource=request_resource,
                time=now or datetime.now(UTC),
                query=query,
                access=access,
                collection_group=collection_group,
            )
        except FirestoreError:
            raise
        except Exception as exc:  # a failure inside the evaluator denies, like an error
            log.exception("rules evaluation failed for %s on %s", method, path)
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions. false for '{method}' @ {path}: "
                f"rules evaluation failed ({exc})",
            ) from None
        if not decision.allowed:
            reason = f": {decision.reason}" if decision.reason else ""
            raise FirestoreError(
                Code.PERMISSION_DENIED,
                f"Missing or insufficient permissions. false for '{method}' @ {path}{reason}",
            )
