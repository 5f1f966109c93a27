"""The REST channel keeps message text out of the logs when handling a message fails."""
import asyncio
import logging
import threading

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.safe_rest import without_text_in_logs

SECRET = "she found out about the affair with Sam from work"


def deliver(handler):
    message = UserMessage(SECRET, CollectingOutputChannel(), "someone")
    failures = []

    def run():  # in a thread of its own, whatever event loop other tests left running here
        try:
            asyncio.run(without_text_in_logs(handler)(message))
        except BaseException as error:  # noqa: B902 - reported to the test below
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and not failures, failures


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
