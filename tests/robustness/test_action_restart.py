"""The action server goes away mid-conversation and comes back.

While it is down, a safety message must still get emergency help (the domain response
``utter_safety`` needs no action server) and an ordinary message a calm reply (never a server
error or silence: channels/safe_rest.py, ``never_silent``). When it is back, the same
conversation goes on: a how-to question gets guidance again.

The action server is restarted in ``finally``, so later tests sharing the ``coach`` fixture
find it running whatever happens here.
"""
import uuid

import pytest

from actions.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()
SAFETY = "he hit me when he found out, im scared to go home"


def texts(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def card_of(replies):
    """The guidance card a reply was built from (the longest card text it starts with), or None."""
    matches = [card for reply in replies for card in KNOWLEDGE.cards
               if (reply.get("text") or "").startswith(card.text)]
    return max(matches, key=lambda card: len(card.text), default=None)


def safety_payloads(replies):
    return [r["custom"] for r in replies
            if isinstance(r.get("custom"), dict) and r["custom"].get("type") == "safety_resources"]


def assert_calm(replies):
    """A reply the person can read: text, and no error showing through."""
    said = texts(replies)
    assert replies and said.strip(), replies
    for word in ("Traceback", "Exception", "error", "500", "None"):
        assert word not in said, said


def test_a_conversation_survives_the_action_server_stopping_and_starting(coach):
    user = f"restart-{uuid.uuid4().hex}"
    assert_calm(coach.say(user, "hi"))
    first = coach.say(user, "i cheated on my wife and she found out two days ago")
    assert card_of(first) is not None, first

    coach.stop_actions()
    try:
        # coach.say asserts 200 for every message.
        safety = coach.say(user, SAFETY)
        said = texts(safety)
        assert "emergency number" in said and "911" in said and "999" in said, said
        assert "findahelpline.com" in said, said
        payloads = safety_payloads(safety)
        assert payloads and payloads[0]["region"] == "international", safety
        assert "Are you safe right now?" in said, said

        for message in ("she's making a mountain out of a molehill", "how do i apologise to her"):
            replies = coach.say(user, message)
            assert_calm(replies)
            assert card_of(replies) is None  # no advice can be chosen without the action server
            # ... but never silence, and the emergency line is there.
            assert "emergency number" in texts(replies), replies
    finally:
        coach.start_actions()

    # The same conversation goes on: the safety question is answered, and a how-to question
    # gets guidance with its source again.
    assert_calm(coach.say(user, "/safe_now"))
    replies = coach.say(user, "how do i apologise to her")
    assert card_of(replies) is not None, replies
    assert any((r.get("custom") or {}).get("type") == "guidance_source" for r in replies), replies
    assert "can't answer that properly" not in texts(replies)


def test_a_safety_message_while_the_action_server_is_down_still_pauses_coaching(coach):
    user = f"restart-{uuid.uuid4().hex}"
    coach.say(user, "i lied to my wife about where i was")
    coach.stop_actions()
    try:
        assert "Are you safe right now?" in texts(coach.say(user, SAFETY))
    finally:
        coach.start_actions()
    # As when the action server is up (tests/e2e/test_rest.py): coaching stays paused until the
    # safety question is answered.
    paused = coach.say(user, "how do i rebuild trust with her")
    assert card_of(paused) is None and "paused" in texts(paused), paused
