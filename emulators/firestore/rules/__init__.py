"""Firestore Security Rules (``firestore.rules``): parser and evaluator.

    ruleset = Ruleset.parse(source)
    decision = ruleset.evaluate(method="get", path="/databases/(default)/documents/a/b", ...)

See docs/emulators/firestore-rules.md for what is supported and known differences.
"""

from emulators.firestore.rules.errors import RulesSyntaxError
from emulators.firestore.rules.ruleset import (
    Decision,
    Document,
    DocumentAccess,
    ListQuery,
    Ruleset,
)
from emulators.firestore.rules.values import LatLng, Reference

__all__ = [
    "Decision",
    "Document",
    "DocumentAccess",
    "LatLng",
    "ListQuery",
    "Reference",
    "RulesSyntaxError",
    "Ruleset",
]
