"""Errors in the shape Google's Identity Toolkit returns them.

The SDKs read the code from ``error.message``: the JS SDK splits ``"CODE : detail"`` on
``" : "`` and maps CODE (packages/auth/src/api/errors.ts); firebase_admin takes the text
before the first ``:``. So the message must start with the bare code.
"""

from __future__ import annotations

from typing import Any


class AuthError(Exception):
    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        http_status: int = 400,
        status: str | None = None,
        reason: str = "invalid",
    ) -> None:
        self.code = code
        self.detail = detail
        self.http_status = http_status
        self.status = status
        self.reason = reason
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.code} : {self.detail}" if self.detail else self.code

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.http_status,
            "message": self.message,
            "errors": [{"message": self.message, "reason": self.reason, "domain": "global"}],
        }
        if self.status:
            error["status"] = self.status
        return {"error": error}


def unauthenticated(detail: str) -> AuthError:
    return AuthError(detail, http_status=401, status="UNAUTHENTICATED", reason="authError")


def not_found(detail: str = "Not Found") -> AuthError:
    return AuthError(detail, http_status=404, status="NOT_FOUND", reason="notFound")


def invalid_argument(detail: str) -> AuthError:
    return AuthError(detail, http_status=400, status="INVALID_ARGUMENT")
