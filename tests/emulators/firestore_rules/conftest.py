"""Helpers for the rules engine tests: evaluate one expression, or one request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from emulators.firestore.rules.errors import EvaluationError
from emulators.firestore.rules.evaluator import EvaluationContext, Evaluator, Scope
from emulators.firestore.rules.parser import parse_expression
from emulators.firestore.rules.values import from_python

DB = "/databases/(default)/documents"


def evaluate_expression(text: str, **variables: Any) -> Any:
    """The value of one Rules expression, with ``variables`` (plain Python) in scope."""

    def no_documents(function: str, path: Any) -> Any:
        raise EvaluationError(f"{function}() is not available in expression tests")

    evaluator = Evaluator(EvaluationContext(no_documents))
    scope = Scope({name: from_python(value) for name, value in variables.items()})
    return evaluator.evaluate(parse_expression(text), scope)


@pytest.fixture
def value() -> Callable[..., Any]:
    return evaluate_expression


@pytest.fixture
def holds() -> Callable[..., bool]:
    """Evaluates a boolean expression and insists the result is exactly ``true``."""

    def check(text: str, **variables: Any) -> bool:
        result = evaluate_expression(text, **variables)
        assert result is True, f"{text} evaluated to {result!r}"
        return True

    return check


@pytest.fixture
def fails() -> Callable[..., str]:
    """Insists the expression is an evaluation error; returns the message."""

    def check(text: str, **variables: Any) -> str:
        with pytest.raises(EvaluationError) as caught:
            evaluate_expression(text, **variables)
        return str(caught.value)

    return check
