"""Plumbing for callable functions: the caller, the validated data, and errors as
HttpsError so the client SDK sees the right code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import pydantic
from firebase_functions import https_fn

from errors import ApiError
from handlers.http import validate

Model = TypeVar("Model", bound=pydantic.BaseModel)


def https_error(error: ApiError) -> https_fn.HttpsError:
    return https_fn.HttpsError(https_fn.FunctionsErrorCode[error.status], error.message)


def callable_action(
    model: type[Model],
) -> Callable[[Callable[[str, Model], Any]], Callable[[https_fn.CallableRequest], Any]]:
    """Wrap ``action(uid, data)``: require a signed-in caller, validate ``req.data`` as
    ``model``, and turn ApiError into HttpsError."""

    def decorate(action: Callable[[str, Model], Any]) -> Callable[[https_fn.CallableRequest], Any]:
        @functools.wraps(action)
        def handler(request: https_fn.CallableRequest) -> Any:
            if request.auth is None or not request.auth.uid:
                raise https_fn.HttpsError(
                    https_fn.FunctionsErrorCode.UNAUTHENTICATED, "sign in first"
                )
            try:
                return action(request.auth.uid, validate(request.data, model, name="data"))
            except ApiError as error:
                raise https_error(error) from None

        return handler

    return decorate
