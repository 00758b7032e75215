"""The one error the engine raises: Cloudinary's message and the HTTP status it comes with."""

from __future__ import annotations


class CloudinaryError(Exception):
    """A request Cloudinary would refuse; ``routes`` turns it into ``{"error": {"message"}}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> CloudinaryError:
    return CloudinaryError(400, message)


def unauthorized(message: str) -> CloudinaryError:
    return CloudinaryError(401, message)


def not_found(message: str) -> CloudinaryError:
    return CloudinaryError(404, message)
