"""Property-based fuzzing of the webhook on the real local stack (issue 5).

Well-formed JSON of odd shapes: updates whose every field may be the wrong type or nested junk.
Whatever arrives, the webhook never answers 5xx (Telegram would re-send it forever) and its
process never dies.
"""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.stack import LocalStack
from receiptbot.steps.webhook import SECRET_HEADER

# Chats of their own, so fuzzed replies never land in another test's chat.
FUZZ_CHATS = st.integers(min_value=800_000, max_value=800_009)

leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
junk = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def odd(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """The right kind of value, or (one time in three) anything at all."""
    return st.one_of(strategy, strategy, junk)


def mostly(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """The right kind of value, or (one time in four) anything: for the ids the webhook needs first."""
    return st.one_of(strategy, strategy, strategy, junk)


sizes = st.integers(min_value=-1, max_value=2**40)
photo_size = st.fixed_dictionaries(
    {"file_id": odd(st.text(max_size=10))},
    optional={"width": odd(sizes), "height": odd(sizes), "file_size": odd(sizes), "file_unique_id": junk},
)
document = st.fixed_dictionaries(
    {"file_id": odd(st.text(max_size=10))},
    optional={
        "mime_type": odd(st.sampled_from(["image/jpeg", "image/png", "application/pdf", "IMAGE/JPEG", ""])),
        "file_size": odd(sizes),
        "file_name": junk,
    },
)
sender = st.fixed_dictionaries(
    {}, optional={"id": odd(FUZZ_CHATS), "language_code": odd(st.sampled_from(["en", "ru", "de", ""]))}
)
commands = st.sampled_from(["/start", "/help", "/export", "/delete", "/export@Bot x", "/", "hello", ""])
chat = mostly(st.fixed_dictionaries({"id": mostly(FUZZ_CHATS)}, optional={"type": junk}))
message = st.fixed_dictionaries(
    {"message_id": mostly(st.integers(min_value=1, max_value=2**31)), "chat": chat},
    optional={
        "from": odd(sender),
        "text": odd(commands | st.text(max_size=30)),
        "photo": odd(st.lists(odd(photo_size), max_size=3)),
        "document": odd(document),
        "caption": junk,
        "sticker": junk,
        "video": junk,
        "date": junk,
    },
)
callback_query = st.fixed_dictionaries(
    {"id": odd(st.text(max_size=8))},
    optional={
        "data": odd(st.sampled_from(["delete:yes", "delete:no", "other"])),
        "from": odd(sender),
        "message": mostly(
            st.fixed_dictionaries(
                {"message_id": odd(st.integers(min_value=1, max_value=10**6)), "chat": chat}
            )
        ),
    },
)
update_ids = st.integers(min_value=0, max_value=2**31)
updates = st.one_of(
    # The shapes the webhook reads, twice as likely as the rest: a message, a button press.
    st.fixed_dictionaries({"update_id": update_ids, "message": message}),
    st.fixed_dictionaries({"update_id": update_ids, "message": message}),
    st.fixed_dictionaries({"update_id": update_ids, "callback_query": callback_query}),
    st.fixed_dictionaries(
        {"update_id": mostly(update_ids)},
        optional={
            "message": odd(message),
            "edited_message": odd(message),
            "callback_query": odd(callback_query),
            "channel_post": junk,
        },
    ),
    junk,  # not even an object
)


# The stack's threads in this process (Pub/Sub clients, retries) use `random` while examples are
# drawn, which Hypothesis warns about; the strategies themselves do not. Long reprs: the strategy's.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_odd_updates_never_get_a_5xx_and_never_kill_the_webhook(stack: LocalStack) -> None:
    session = requests.Session()
    headers = {SECRET_HEADER: stack.webhook_secret, "Content-Type": "application/json"}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(update=updates)
    def webhook_survives(update: object) -> None:
        response = session.post(stack.url("webhook"), data=json.dumps(update), headers=headers, timeout=30)
        assert response.status_code < 500, (response.status_code, update)

    webhook_survives()
    assert stack.processes["webhook"].poll() is None
