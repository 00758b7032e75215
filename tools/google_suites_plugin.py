"""pytest plugin for ``python -m tools.google_suites firestore --production-tests``.

python-firestore's system tests skip some tests whenever ``FIRESTORE_EMULATOR_HOST`` is
set, because Google's emulator lacks the feature, and end many query tests with
``verify_pipeline(query)``, which on an emulator skips (so the rest of such a test never
runs). This plugin drops those emulator-only skips and makes ``verify_pipeline`` a no-op,
so the suite checks ours as it checks production. Pipelines themselves (Enterprise
edition) stay skipped.
"""

from __future__ import annotations

import inspect

import pytest

# The reasons of the suite's ``skipif(FIRESTORE_EMULATOR, reason=...)`` marks to drop.
EMULATOR_ONLY_SKIPS = (
    "Query profile not supported in emulator",
    "PartitionQuery not implemented in emulator",
    "Require index and seed data",
    "Internal Issue b/",
)


def _no_pipeline_check(query) -> None:
    return None


async def _no_async_pipeline_check(query) -> None:
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    patched = set()
    for item in items:
        module = getattr(item, "module", None)
        check = getattr(module, "verify_pipeline", None)
        if check is not None and module not in patched:
            is_async = inspect.iscoroutinefunction(check)
            module.verify_pipeline = _no_async_pipeline_check if is_async else _no_pipeline_check
            patched.add(module)
        if item.name.startswith("test_pipeline"):
            continue  # pipelines are Enterprise edition only: keep their skips
        item.own_markers[:] = [
            mark
            for mark in item.own_markers
            if not (
                mark.name == "skipif"
                and any(r in str(mark.kwargs.get("reason", "")) for r in EMULATOR_ONLY_SKIPS)
            )
        ]
