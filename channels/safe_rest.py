"""The REST channel with its request body checked first.

Rasa's own RestInput assumes a JSON object with a string ``message``; a list, a bare string or a
number there makes it fail with a server error. This subclass answers a malformed body with
400 Bad Request, turns a non-string message into text, and drops metadata that is not an object.
The URL stays /webhooks/rest/webhook.
"""
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage as BadRequest  # 400 in sanic 21.12
from sanic.request import Request


def _body(request: Request) -> Dict[Text, Any]:
    try:
        body = request.json
    except Exception:  # sanic raises on bodies that are not JSON
        body = None
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object: {\"sender\": \"...\", \"message\": \"...\"}")
    return body


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if sender is None:
            return None
        if not isinstance(sender, (str, int)) or len(str(sender)) > 128:
            raise BadRequest("sender must be a short string")
        return str(sender)

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if message is None:
            return ""
        if isinstance(message, (dict, list)):
            raise BadRequest("message must be text")
        return str(message)

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
