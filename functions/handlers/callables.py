"""Plumbing for callable functions: the caller, the validated data, and errors as
HttpsError so the client SDK sees the right code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import pydantic
from firebase_functions import https_fn

import logs
from accounts.sessions import authenticate_firebase_claims
from errors import ApiError
from handlers.http import validate

Model = TypeVar("Model", bound=pydantic.BaseModel)


def https_error(error: ApiError) -> https_fn.HttpsError:
    return https_fn.HttpsError(https_fn.FunctionsErrorCode[error.status], error.message)


def callable_action(
    model: type[Model],
) -> Callable[[Callable[[str, Model], Any]], Callable[[https_fn.CallableRequest], Any]]:
    """Wrap ``action(uid, data)``: require a signed-in caller whose sign-in was not revoked
    (logout), validate ``req.data`` as ``model``, and turn ApiError into HttpsError."""

    def decorate(action: Callable[[str, Model], Any]) -> Callable[[https_fn.CallableRequest], Any]:
        name = logs.function_name(action.__name__)

        @functools.wraps(action)
        def handler(request: https_fn.CallableRequest) -> Any:
            with logs.request(name, request.raw_request.headers) as outcome:
                if request.auth is None or not request.auth.uid:
                    outcome.failed("UNAUTHENTICATED")
                    raise https_fn.HttpsError(
                        https_fn.FunctionsErrorCode.UNAUTHENTICATED, "sign in first"
                    )
                try:
                    # Refuses accounts FlowChat did not make and sign-ins ended by logout.
                    uid = authenticate_firebase_claims(request.auth.token)
                    outcome.fields["uid"] = uid  # who to look for in a support case
                    return action(uid, validate(request.data, model, name="data"))
                except ApiError as error:
                    outcome.failed(error.status)
                    raise https_error(error) from None

        return handler

    return decorate
