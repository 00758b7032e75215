"""The one error type the domain code raises: a status the client should see, and why."""

from __future__ import annotations

# Firebase HttpsError codes and their HTTP statuses (plus 405, which HTTP needs).
HTTP_STATUS = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "ALREADY_EXISTS": 409,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}


class ApiError(Exception):
    def __init__(self, status: str, message: str, *, headers: dict[str, str] | None = None):
        if status not in HTTP_STATUS:
            raise ValueError(f"unknown status {status}")
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.status]


def invalid(field: str, problem: str) -> ApiError:
    return ApiError("INVALID_ARGUMENT", f"{field}: {problem}")
