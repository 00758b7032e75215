"""What the input tests send to: the functions main.py declares, the fields of the
handlers' request models, and a Firebase ID token for an account FlowChat did not make."""

from __future__ import annotations

import ast
import importlib
import inspect
import time

import pydantic

import handlers
from emulators.auth.idtokens import encode_unsigned
from tests.support.emulators import PROJECT, ROOT

EVENT_DECORATORS = {"on_document_created", "on_document_updated", "on_value_written", "on_schedule"}


def declared_functions() -> tuple[list[str], list[str]]:
    """(HTTP functions, callables) as main.py declares them, by decorator name. A function
    declared some other way that is not a known event trigger fails the fuzz's own test."""
    tree = ast.parse((ROOT / "functions" / "main.py").read_text())
    http, callables = [], []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == "on_request":
                http.append(node.name)
            elif name == "on_call":
                callables.append(node.name)
            elif name not in EVENT_DECORATORS:
                raise AssertionError(f"main.py: {node.name}: unknown decorator {name}")
    return http, callables


def request_fields() -> list[str]:
    """Every field name of every request model in the handlers."""
    fields: set[str] = set()
    for module_name in sorted(handlers._SUBMODULES):
        module = importlib.import_module(f"handlers.{module_name}")
        for _, model in inspect.getmembers(module, inspect.isclass):
            if issubclass(model, pydantic.BaseModel) and model is not pydantic.BaseModel:
                fields.update(model.model_fields)
    return sorted(fields)


def foreign_id_token(uid: str = "someone-firebase-made") -> str:
    """A valid ID token, in the emulator's unsigned form, for a Firebase account that is
    no FlowChat user (as anonymous or email sign-in, if a project enabled them, would give)."""
    now = int(time.time())
    return encode_unsigned(
        {
            "iss": f"https://securetoken.google.com/{PROJECT}",
            "aud": PROJECT,
            "auth_time": now,
            "user_id": uid,
            "sub": uid,
            "iat": now,
            "exp": now + 3600,
            "firebase": {"identities": {}, "sign_in_provider": "anonymous"},
        }
    )
