"""``make bench`` imports each module of ``benchmarks/`` and runs its ``main``: a module that
no longer imports (a helper renamed in another module) would only fail there, minutes into a
run. Running them is for ``make bench``; importing them is cheap."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import benchmarks

MODULES = sorted(
    info.name for info in pkgutil.iter_modules(benchmarks.__path__) if info.name != "__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_benchmark_module_imports(name):
    module = importlib.import_module(f"benchmarks.{name}")
    if not name.startswith("_"):
        assert callable(getattr(module, "main", None)), f"benchmarks/{name}.py has no main()"
