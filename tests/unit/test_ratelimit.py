"""The per-chat rate limit (receiptbot.bot.ratelimit): a window counter on storage's compare-and-swap."""

from __future__ import annotations

import threading

import pytest
from fakes import FakeStorageClient

from receiptbot import layout
from receiptbot.bot import ratelimit
from receiptbot.cloud import storage
from receiptbot.config import Settings

CHAT = 42
WINDOW = 600
NOW = 1_000 * WINDOW + 5.0  # early in a window


@pytest.fixture
def limits() -> Settings:
    return Settings(work_bucket="work", rate_limit_count=4, rate_limit_window_seconds=WINDOW)


def use(monkeypatch: pytest.MonkeyPatch, fake: FakeStorageClient) -> FakeStorageClient:
    monkeypatch.setattr(storage, "client", lambda: fake)
    return fake


def test_a_window_lets_its_budget_in_and_refuses_the_rest(monkeypatch, limits: Settings) -> None:
    fake = use(monkeypatch, FakeStorageClient())
    assert [ratelimit.allow(limits, CHAT, NOW) for _ in range(6)] == [True] * 4 + [False] * 2
    assert fake.objects("work") == {layout.rate_limit_counter(CHAT, 1_000): b"4"}  # refusals count nothing


def test_the_next_window_and_another_chat_have_budgets_of_their_own(monkeypatch, limits: Settings) -> None:
    use(monkeypatch, FakeStorageClient())
    for _ in range(4):
        ratelimit.allow(limits, CHAT, NOW)
    assert not ratelimit.allow(limits, CHAT, NOW + WINDOW - 10)
    assert ratelimit.allow(limits, CHAT + 1, NOW)
    assert ratelimit.allow(limits, CHAT, NOW + WINDOW)


def test_concurrent_receipts_let_exactly_the_budget_in(monkeypatch, limits: Settings) -> None:
    # A round trip per call, so the instances read the same count and race to write the next one.
    fake = use(monkeypatch, FakeStorageClient(latency=0.002))
    start = threading.Barrier(16)
    allowed: list[bool] = []

    def instance() -> None:
        start.wait()
        allowed.append(ratelimit.allow(limits, CHAT, NOW))

    threads = [threading.Thread(target=instance) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert fake.conflicts > 0  # the counts did collide, and none was lost
    assert sorted(allowed) == [False] * 12 + [True] * 4
    assert fake.objects("work") == {layout.rate_limit_counter(CHAT, 1_000): b"4"}
