"""The REST channel keeps message text out of the logs when handling a message fails."""
import asyncio
import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.safe_rest import without_text_in_logs
from tests.run_async import run_async

SECRET = "she found out about the affair with Sam from work"


def deliver(handler):
    message = UserMessage(SECRET, CollectingOutputChannel(), "someone")
    run_async(without_text_in_logs(handler)(message), timeout=30)


@pytest.mark.parametrize("error", [RuntimeError(f"could not handle {SECRET!r}"),
                                   asyncio.CancelledError()])
def test_a_failure_is_logged_without_the_message_text(error, caplog):
    async def failing(message):
        raise error

    with caplog.at_level(logging.DEBUG):
        deliver(failing)  # does not raise: the person still gets a reply list
    assert "handling a message" in caplog.text
    assert "affair" not in caplog.text and "Sam" not in caplog.text


def test_a_message_handled_normally_is_passed_through():
    seen = []

    async def handler(message):
        seen.append(message.text)

    deliver(handler)
    assert seen == [SECRET]


def test_lone_surrogates_are_replaced_and_pairs_kept():
    from channels.text import without_lone_surrogates

    text = "A\udbb7 sorry \U0001F622 \udcb0"
    cleaned = without_lone_surrogates(text)
    assert cleaned == "A\ufffd sorry \U0001F622 \ufffd"
    cleaned.encode("utf-8")  # a lone surrogate would raise UnicodeEncodeError here
