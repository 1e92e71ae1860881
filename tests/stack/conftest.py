"""Fixtures of the stack layer: the real local stack (emulators, functions-framework processes,
stand-ins). Every test under tests/stack/ is marked `stack`."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from helpers import forget_clients, running_stack, secrets_in_logs, user_of

from devstack.gemini_standin import DEFAULT_ANSWER
from devstack.stack import LocalStack
from devstack.user import TelegramUser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/stack/" in item.nodeid:
            item.add_marker(pytest.mark.stack)


@pytest.fixture(autouse=True)
def emulators_of_the_test(request: pytest.FixtureRequest) -> None:
    """Several stacks run at once (session and module ones): the helpers here (objects, published)
    and receiptbot's clients read the emulators of the stack this test uses."""
    for name in request.fixturenames:
        if name.endswith("stack") and isinstance(used := request.getfixturevalue(name), LocalStack):
            os.environ.update(used.emulator_env)
            forget_clients()
            return


@pytest.fixture(autouse=True)
def the_model_reads_its_default_again(request: pytest.FixtureRequest) -> Iterator[None]:
    """The Gemini stack is shared by the session: a test that scripts what the model reads leaves
    the stand-in reading its default receipt again, for the tests after it."""
    yield
    if "gemini_stack" in request.fixturenames:
        standin = request.getfixturevalue("gemini_stack").gemini
        with standin.lock:
            standin.answer = DEFAULT_ANSWER


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log() -> Iterator[None]:
    """After the whole session: no stack's log holds its bot token, webhook secret or Gemini key."""
    yield
    leaks = secrets_in_logs()
    assert not leaks, f"secrets in log lines: {leaks}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The offline stack (Tesseract), as `make demo` runs it."""
    with running_stack(tmp_path_factory, "offline", engine="tesseract") as running:
        yield running


@pytest.fixture(scope="session")
def gemini_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The Gemini stack: the real google-genai SDK against the generateContent stand-in."""
    with running_stack(tmp_path_factory, "gemini", engine="gemini") as running:
        yield running


@pytest.fixture
def user(stack: LocalStack) -> TelegramUser:
    return user_of(stack)


@pytest.fixture
def gemini_user(gemini_stack: LocalStack) -> TelegramUser:
    return user_of(gemini_stack)
