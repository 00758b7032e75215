"""The engine's dependencies run one way: it publishes commits and knows neither its
subscribers (Listen sessions) nor the transports (issue 14, layout)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.emulators import ROOT


def test_the_engine_imports_neither_listen_nor_a_transport():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; import emulators.firestore.engine; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('emulators.'))))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = json.loads(loaded.stdout)
    assert "emulators.firestore.engine" in modules
    assert "emulators.firestore.listen" not in modules
    assert not [m for m in modules if m.startswith("emulators.firestore.transports")]
