"""The server's cached check of action-server replies accepts and rejects exactly what Rasa's does."""
from unittest import mock

import jsonschema
import pytest
from jsonschema.exceptions import ValidationError
from rasa.core.actions.action import RemoteAction

import channels  # noqa: F401  (installs the check, as the server does)
import components.base  # noqa: F401  (installs the check, as loading the model does)
from coach_server import action_response_check

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "last_card", "value": "apology_specific",
                 "timestamp": None}],
     "responses": [{"text": "Say what you did, plainly.", "buttons": [],
                    "custom": {"type": "guidance_source", "card": "apology_specific"}}]},
    {"events": [{"event": "bot", "text": "Are you safe right now?", "data": {}, "metadata": {}},
                {"event": "followup", "name": "action_listen"}],
     "responses": []},
    {"responses": [{"custom": {"type": "safety_resources", "resources": []}}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 3, "value": "x"}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": "text"},
    {"responses": [["a list, not an object"]]},
    {"events": [{"name": "last_card", "value": "x"}]},
]


def test_installed_by_the_channels_and_the_components():
    assert RemoteAction._validate_action_result is action_response_check._validate_action_result
    assert action_response_check.original() is not None


@pytest.mark.parametrize("reply", VALID)
def test_valid_replies_pass_as_with_rasa(reply):
    action = RemoteAction("action_coach", None)
    assert action_response_check.original()(action, reply) is True
    assert action._validate_action_result(reply) is True


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_replies_fail_with_rasas_own_message(reply):
    action = RemoteAction("action_coach", None)
    with pytest.raises(ValidationError) as rasa_error:
        action_response_check.original()(action, reply)
    with pytest.raises(ValidationError) as ours:
        action._validate_action_result(reply)
    assert ours.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_rasas_schema_is_checked_once_not_on_every_turn():
    action = RemoteAction("action_coach", None)
    action._validate_action_result(VALID[1])  # builds the validator if no test has yet
    with mock.patch.object(jsonschema.Draft202012Validator, "check_schema") as check:
        for _ in range(5):
            action._validate_action_result(VALID[1])
    assert check.call_count == 0


def test_the_actions_package_does_not_import_rasas_server_code():
    """The check lives in the Rasa server. The custom actions (and the rule engine they share
    with the guard) must not pull in Rasa's server and TensorFlow: a first version did, through
    components/__init__.py, and the action server's peak memory went from 169 to 543 MB."""
    import subprocess
    import sys

    code = ("import sys, actions.coach, actions.feedback, actions.safety, actions.review; "
            "print(sorted(m for m in sys.modules if m == 'rasa' or m.startswith('rasa.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
