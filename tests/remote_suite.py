"""The embedded store's tests, run again against gmg serving a remote store.

`adopt(namespace, modules, leave_out)` copies the test functions (and module fixtures)
of the given test modules into the calling test module under names of their own;
the calling module's `server` and `client` fixtures (gmg serve --store-url …)
then stand in for the session's embedded server. So the competency questions and
the protocol, dataset and linked-data tests are literally the same tests on both.
"""

from __future__ import annotations

import importlib


def adopt(namespace: dict, module_names: list[str], leave_out: dict[str, str]) -> list[str]:
    adopted = []
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name in ("server", "client"):
                continue
            is_fixture = type(obj).__name__ == "FixtureFunctionDefinition" or hasattr(obj, "_pytestfixturefunction")
            if is_fixture and name not in namespace:
                namespace[name] = obj
            elif name.startswith("test_") and callable(obj) and f"{module_name}::{name}" not in leave_out:
                short = module_name.removeprefix("test_")
                namespace[f"test_{short}__{name.removeprefix('test_')}"] = obj
                adopted.append(f"{module_name}::{name}")
    unknown = set(leave_out) - {f"{m}::{n}" for m in module_names for n in vars(importlib.import_module(m))}
    assert not unknown, f"left-out tests that do not exist (renamed?): {sorted(unknown)}"
    return adopted
