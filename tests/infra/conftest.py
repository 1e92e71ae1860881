"""Fixtures for the Terraform checks: run a tool with the infra tool venv (made when missing)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

RunScript = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def run_infra() -> RunScript:
    """Runs `python -m tools.<module>` with .venv-infra's python (python-hcl2, cdktn-provider-google)."""
    subprocess.run(["make", "-s", "infra-venv"], cwd=REPO, check=True, timeout=1800)
    python = REPO / ".venv-infra" / "bin" / "python"

    def run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(python), "-m", f"tools.{module}", *args]
        return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/infra/" in item.nodeid:
            item.add_marker(pytest.mark.infra)
