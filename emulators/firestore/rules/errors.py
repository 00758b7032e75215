"""The ways parsing or evaluating rules can fail."""

from __future__ import annotations


class RulesSyntaxError(ValueError):
    """A ruleset that does not parse; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


class EvaluationError(Exception):
    """An error inside a condition: the allow statement holding it is not granted,
    unless ``||``/``&&`` absorb it (``error || true`` is true, ``error && false`` is false)."""


class AccessLimitExceeded(Exception):
    """More document accesses (get/exists/getAfter/existsAfter) than the request allows.
    Not absorbed by boolean operators: the whole request is denied, as Google does."""


class CallDepthExceeded(EvaluationError):
    """Function calls nested deeper than Google's limit of 20."""
