"""The socket.io channel for the web widget (widget/coach-widget.js).

Rasa 3.6.21's own SocketIOInput, with three changes:

1. Browser origins are checked. Rasa creates its socket.io server with
   ``cors_allowed_origins=[]``, which turns python-engineio's origin check off; Sanic-CORS
   (``rasa run --cors``) then guards only the long-polling requests, and a WebSocket from any site
   is accepted (browsers apply no CORS to WebSockets). Here engine.io refuses a connection whose
   ``Origin`` header is not in the allowlist: the ``RASA_CORS`` environment variable (origins
   separated by spaces or commas, as in scripts/run.sh) plus ``cors_origins`` in
   credentials.yml. Nothing is allowed by default. Requests without an ``Origin`` header (not
   from a browser) are let through, as engine.io does. The CORS response headers are still
   written by Sanic-CORS only (engine.io's are switched off so they are not sent twice).
2. Custom payloads reach the browser. Rasa's SocketIOOutput sends ``custom`` json as keyword
   arguments of ``emit`` (``emit("bot_uttered", type=..., risk=...)``), which raises a TypeError
   for a payload such as ``{"type": "safety_resources", ...}`` and stops the rest of the reply.
   Here it is sent as an ordinary bot message: ``{"custom": {...}}``.
3. A ``session_id`` from the browser must be a short string of letters, digits, ``-`` or ``_``
   (the widget sends 32 random hex digits); anything else is replaced by a new random id.

With ``session_persistence: true`` (python-socketio 5.9.0, pinned) the session id is the
conversation's sender id, so a page reload that sends the same id continues the conversation.
"""
from __future__ import annotations

import json
import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels.text import without_lone_surrogates

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_MESSAGE_CHARS = 20_000  # the coach itself answers anything over 1,500 with a calm reply


def parse_origins(*values: Any) -> List[Text]:
    """Origins from strings separated by spaces or commas, or lists of them; no '*'."""
    origins: List[Text] = []
    for value in values:
        if not value:
            continue
        items = value if isinstance(value, (list, tuple)) else re.split(r"[\s,]+", str(value))
        for item in items:
            item = str(item).strip().rstrip("/")
            if item and item != "*" and item not in origins:
                origins.append(item)
    return origins


class WebSocketIOOutput(SocketIOOutput):
    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebSocketIOInput(SocketIOInput):
    """``channels.web_socketio.WebSocketIOInput`` in credentials.yml; the same options as
    Rasa's ``socketio`` channel, plus ``cors_origins`` (a list or a string)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins(  # type: ignore[attr-defined]
            os.environ.get("RASA_CORS"), credentials.get("cors_origins"))
        return channel

    allowed_origins: List[Text] = []

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        # 1. the origin check (engine.io refuses other origins with 400 "Not an accepted origin")
        sio.eio.cors_allowed_origins = list(self.allowed_origins)
        sio.eio._cors_headers = lambda environ: []  # Sanic-CORS writes them
        logger.info("socket.io: browser origins allowed: %s",
                    ", ".join(self.allowed_origins) or "none")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            output_channel = WebSocketIOOutput(sio, self.bot_message_evt)
            if self.session_persistence:
                session_id = data.get("session_id")
                if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                    logger.warning("socket.io: a message without a valid session_id was ignored")
                    return
                sender_id = session_id
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            text = data.get("message", "")
            text = without_lone_surrogates(text if isinstance(text, str) else str(text))
            message = UserMessage(
                text[:MAX_MESSAGE_CHARS],
                output_channel,
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        return socketio_webhook
