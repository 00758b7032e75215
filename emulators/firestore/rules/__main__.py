"""Check rules files: ``python -m emulators.firestore.rules firestore.rules [...]``.

Prints ``path:line:column: message`` for a file that does not compile; exits 1 if any
file fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

from emulators.firestore.rules.errors import RulesSyntaxError
from emulators.firestore.rules.ruleset import Ruleset


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m emulators.firestore.rules FILE [FILE ...]", file=sys.stderr)
        return 2
    failed = False
    for name in argv:
        try:
            ruleset = Ruleset.from_file(Path(name))
        except RulesSyntaxError as error:
            print(f"{name}:{error.line}:{error.column}: {error.message}")
            failed = True
        except OSError as error:
            print(f"{name}: {error.strerror}")
            failed = True
        else:
            print(f"{name}: ok (rules_version '{ruleset.version}')")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
