"""Each Cloud Function installs only its own requirements.txt, while the local stack runs every
function in one virtual environment: a module a function's code can import, but its requirements do
not install, works here and fails in the cloud. The import graph (grimp, as import-linter builds
it, function-level imports included) names what each function's code can reach."""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import metadata

import grimp
import pytest
from helpers import REPO

FUNCTIONS = ("webhook", "preprocess", "extract", "export", "deadletter")
# google.* is one namespace of many distributions, which the graph does not tell apart: the
# Firestore client is the one a function reaches through the records module.
FIRESTORE_USERS = "receiptbot.cloud.records"


def name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


@cache
def installed_with(distribution: str) -> frozenset[str]:
    """The distribution and everything it requires, as installed here (extras and markers aside)."""
    found, todo = set(), [distribution]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        try:
            requires = metadata.requires(current) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [name(r) for r in requires if "extra ==" not in r and "platform_system" not in r]
    return frozenset(found)


def requirements(function: str) -> set[str]:
    lines = (REPO / "functions" / function / "requirements.txt").read_text().splitlines()
    pinned = {name(line) for line in lines if line.strip() and not line.startswith("#")}
    return set().union(*(installed_with(d) for d in pinned))


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("receiptbot", "functions", include_external_packages=True)


def not_installed(function: str, installed: set[str]) -> set[str]:
    """The libraries the function's code can import that ``installed`` does not hold."""
    reachable = graph().find_upstream_modules(f"functions.{function}.main")
    distributions = metadata.packages_distributions()
    missing = set()
    for module in reachable:
        if module.startswith(("receiptbot", "functions")) or module in sys.stdlib_module_names:
            continue
        if module == "google":
            continue  # by the module that reaches the Firestore client, below
        if not {name(d) for d in distributions.get(module, [module])} & installed:
            missing.add(module)
    if FIRESTORE_USERS in reachable and "google-cloud-firestore" not in installed:
        missing.add("google.cloud.firestore")
    return missing


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_library_a_function_can_import_is_in_its_requirements(function: str) -> None:
    missing = not_installed(function, requirements(function))
    assert not missing, f"functions/{function}/requirements.txt installs none of {sorted(missing)}"


def test_the_check_sees_a_library_missing_from_the_requirements() -> None:
    # The dead-letter step answers an album's photo through the album's summary: Babel, Firestore.
    without = requirements("deadletter") - {"babel", "google-cloud-firestore"}
    assert not_installed("deadletter", without) == {"babel", "google.cloud.firestore"}
