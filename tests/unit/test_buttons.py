"""Signed callback data (receiptbot.bot.buttons): a button works for the user it was shown to,
until it expires, and for nobody else; forged or mangled data is refused; all within 64 bytes."""

from __future__ import annotations

import pytest

from receiptbot.bot import buttons
from receiptbot.telegram.limits import CALLBACK_DATA_LENGTH

ALICE, BOB = 71_001, 71_002


@pytest.fixture(autouse=True)
def token(environ) -> None:
    environ(TELEGRAM_BOT_TOKEN="123:unit-test-token")


def test_a_button_works_for_the_user_it_was_shown_to() -> None:
    data = buttons.data("wipe", "-100200", ALICE, buttons.CONFIRM_LIFETIME_SECONDS)
    assert buttons.verify(data, ALICE) == buttons.Press("wipe", "-100200")


def test_anyone_else_is_refused() -> None:
    data = buttons.data("wipe", "-100200", ALICE)
    with pytest.raises(buttons.Refused, match="button_not_yours"):
        buttons.verify(data, BOB)


def test_a_stale_button_is_refused(monkeypatch) -> None:
    data = buttons.data("wipe", "-100200", ALICE, buttons.CONFIRM_LIFETIME_SECONDS)
    now = buttons.time.time()
    monkeypatch.setattr(buttons.time, "time", lambda: now + buttons.CONFIRM_LIFETIME_SECONDS + 1)
    with pytest.raises(buttons.Refused, match="button_expired"):
        buttons.verify(data, ALICE)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.replace("wipe:", "wipeme:"),  # another action
        lambda d: d.replace(":-100200:", ":-100201:"),  # another chat
        lambda d: ":".join([*d.split(":")[:2], "zzzzzz", d.split(":")[3]]),  # a later expiry
        lambda d: d[:-1] + ("A" if d[-1] != "A" else "B"),  # another signature
    ],
)
def test_forged_data_is_refused(change) -> None:
    data = buttons.data("wipe", "-100200", ALICE)
    with pytest.raises(buttons.Refused, match="button_not_yours"):
        buttons.verify(change(data), ALICE)


@pytest.mark.parametrize("data", [None, "", "delete:yes", "a:b:c:d:e", "wipe:-1:!!:abcdefghij"])
def test_mangled_data_is_refused(data) -> None:
    with pytest.raises(buttons.Refused):
        buttons.verify(data, ALICE)


def test_a_press_without_a_user_is_refused() -> None:
    with pytest.raises(buttons.Refused, match="button_unknown"):
        buttons.verify(buttons.data("wipe", "1", ALICE), None)


def test_the_longest_target_fits_telegrams_64_bytes() -> None:
    supergroup_receipt = "-1009999999999_2147483647.11"  # a category choice in a supergroup
    data = buttons.data("cs", supergroup_receipt, 9_999_999_999)
    assert len(data.encode()) <= CALLBACK_DATA_LENGTH
    assert buttons.verify(data, 9_999_999_999).target == supergroup_receipt
