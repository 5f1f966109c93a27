"""Check the action server's replies against Rasa's schema without re-checking the schema.

Rasa 3.6 validates every reply from the action server with ``jsonschema.validate(result,
schema)``. That call first checks Rasa's own, fixed schema against the JSON Schema meta-schema,
every time: about 19 ms of the 21 ms a check takes on this machine, on every turn that runs a
custom action (the stock assistant never calls one). ``install()`` keeps the same schema, the
same validator class and the same error (``best_match``, with Rasa's message added), but builds
the validator once.
"""
from typing import Any, Callable, Dict, Optional, Text

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from rasa.core.actions import action as rasa_action

_ORIGINAL: Optional[Callable[..., bool]] = None
_validators: Dict[type, Any] = {}


def _cached_validator(remote_action: "rasa_action.RemoteAction") -> Any:
    """One validator per action class (a subclass could change the schema)."""
    kind = type(remote_action)
    if kind not in _validators:
        schema = remote_action.action_response_format_spec()
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)  # once, where jsonschema.validate does it every time
        _validators[kind] = cls(schema)
    return _validators[kind]


def _validate_action_result(self: "rasa_action.RemoteAction", result: Dict[Text, Any]) -> bool:
    error = best_match(_cached_validator(self).iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        "For more information about the format visit "
        f"{rasa_action.DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Replace RemoteAction's check with the cached one (idempotent)."""
    global _ORIGINAL
    if _ORIGINAL is None:
        _ORIGINAL = rasa_action.RemoteAction._validate_action_result
        rasa_action.RemoteAction._validate_action_result = _validate_action_result


def original() -> Optional[Callable[..., bool]]:
    """Rasa's own check, kept for comparison in tests."""
    return _ORIGINAL


__all__ = ["install", "original", "ValidationError"]
