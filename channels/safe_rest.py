"""The REST channel with its request body checked first.

Rasa's own RestInput assumes a JSON object with a string ``message``; a list, a bare string or a
number there makes it fail with a server error. This subclass answers a malformed body with
400 Bad Request, turns a non-string message into text, and drops metadata that is not an object.
The URL stays /webhooks/rest/webhook.

It also keeps message text out of the logs when handling a message fails or times out: Rasa's
own channel logs the text at ERROR level then ("rest.message.received.timeout", text=...),
which would break the promise that no message text is logged.

More guards, found by tests/robustness: when handling a message sent nothing back (an action
failed, e.g. the action server is down), the person gets a calm "can't answer right now" with
the emergency line instead of an empty list (``never_silent``); a request with a negative
Content-Length gets 400 instead of freezing the whole server in Sanic 21.12
(``refuse_negative_content_length``); and a call to the action server whose connection was
closed before the request was written is tried once more (``retry_action_server_calls_once``).
This module is imported by the Rasa server at start-up (credentials.yml), so the last two
cover the whole server.
"""
import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage as BadRequest  # 400 in sanic 21.12
from sanic.request import Request

from channels.text import without_lone_surrogates


def _body(request: Request) -> Dict[Text, Any]:
    try:
        body = request.json
    except Exception:  # sanic raises on bodies that are not JSON
        body = None
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object: {\"sender\": \"...\", \"message\": \"...\"}")
    return body


logger = logging.getLogger(__name__)


def refuse_negative_content_length() -> None:
    """Answer a request with a negative ``Content-Length`` with 400 instead of hanging.

    Sanic 21.12 (the version Rasa 3.6 pins) takes ``Content-Length: -1`` as the length of the
    body and then loops forever reading it, without ever yielding to the event loop: one such
    request froze the whole Rasa server (every channel, every conversation, even SIGTERM) at
    100% CPU. Fixed upstream in Sanic 24 (sanic-org/sanic#2979, "Error on bad body length").
    Until Rasa allows that version, reading such a body is refused and the connection closed.
    Sanic itself refuses a length that is not a number.
    """
    from sanic.http import Http

    if getattr(Http.__aiter__, "refuses_negative_length", False):
        return
    read_body = Http.__aiter__

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        if self.request_body is True and (self.request_bytes_left or 0) < 0:
            self.request_body = None  # nothing left to read, so Sanic does not try again after
            self.keep_alive = False
            raise BadRequest("Bad Content-Length")
        async for data in read_body(self):
            yield data

    __aiter__.refuses_negative_length = True  # type: ignore[attr-defined]
    Http.__aiter__ = __aiter__  # type: ignore[assignment]


refuse_negative_content_length()


def retry_action_server_calls_once() -> None:
    """Try a request to the action server (any endpoint) once more when the connection failed.

    Rasa opens a new connection for each action call. When the Rasa server's event loop is
    busy for more than 5 s between opening it and writing the request (the NLU of a long
    message runs in that loop), the action server (Sanic, keep-alive timeout 5 s) has already
    closed the idle connection: "Cannot write to closing transport", the action fails and its
    reply is lost. The request was not sent, so trying once more on a new connection is safe
    (the actions here only read the conversation and return events). Found under load by
    tests/robustness; the fix at the source is a longer keep-alive in the action server
    (SANIC_KEEP_ALIVE_TIMEOUT=120 in its environment; rasa-sdk later set 120 itself).
    """
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.request, "retries_once", False):
        return
    request = EndpointConfig.request

    async def request_retrying_once(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return await request(self, *args, **kwargs)
        except aiohttp.ClientOSError as error:
            logger.warning("request to %s failed (%s), trying once more", self.url, error)
            return await request(self, *args, **kwargs)

    request_retrying_once.retries_once = True  # type: ignore[attr-defined]
    EndpointConfig.request = request_retrying_once  # type: ignore[assignment]


retry_action_server_calls_once()


def without_text_in_logs(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[None]]:
    """The message handler, with a failure or timeout logged by kind only (no text, no
    traceback whose values could hold it); the person still gets whatever replies were sent."""
    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except CancelledError:
            logger.error("rest: handling a message timed out")
        except Exception as error:  # noqa: BLE001 - Rasa's channel catches everything here too
            logger.error("rest: handling a message failed (%s)", type(error).__name__)
    return handle


# Said when handling a message sent nothing back (the action server is down or failed, or
# handling timed out), so the person is never met with silence; the emergency line is the one
# of utter_safety (domain.yml).
UNAVAILABLE = (
    "Sorry, I can't answer that properly right now. Please try again in a moment. "
    "If you or anyone else is in danger right now, call your local emergency number: 911 in the "
    "US and Canada, 999 in the UK, 112 in most of Europe, 000 in Australia. findahelpline.com "
    "lists free, confidential helplines in your country."
)
# Rasa's own commands that answer nothing on purpose: /restart, /session_start, /back.
SILENT_COMMANDS = re.compile(r"^\s*/(restart|session_start|back)\s*($|[{@])")


def never_silent(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[None]]:
    """The message handler, with a calm reply when handling the message produced none.

    Rasa answers 200 with an empty list when an action fails (the action server is down, say):
    the error is logged and the reply is lost. The domain responses still arrive (the safety
    reply among them); only when nothing at all was sent is ``UNAVAILABLE`` said instead.
    """
    async def handle(message: UserMessage) -> None:
        await on_new_message(message)
        output = message.output_channel
        if (isinstance(output, CollectingOutputChannel) and isinstance(output.messages, list)
                and not output.messages and not SILENT_COMMANDS.match(str(message.text or ""))):
            await output.send_text_message(message.sender_id, UNAVAILABLE)
    return handle


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(never_silent(without_text_in_logs(on_new_message)))

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if sender is None:
            return None
        if not isinstance(sender, (str, int)) or len(str(sender)) > 128:
            raise BadRequest("sender must be a short string")
        return without_lone_surrogates(str(sender))

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if message is None:
            return ""
        if isinstance(message, (dict, list)):
            raise BadRequest("message must be text")
        return without_lone_surrogates(str(message))

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
