"""After "yes, I'm safe": the coaching question the safety check paused is answered, so a person
whose question was read as a safety concern need not type it again. Run with a real rasa_sdk
Tracker (its events as the Rasa server sends them) and CollectingDispatcher."""
import random

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import load_knowledge
from actions.resume import ActionSafeNow

KNOWLEDGE = load_knowledge()


def user(text, intent, ranking=(), entities=()):
    names = [intent] + [name for name in ranking if name != intent]
    return {"event": "user", "text": text, "parse_data": {
        "text": text, "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": n, "confidence": 0.9 / (i + 1)} for i, n in enumerate(names)],
        "entities": list(entities)}}


def safe_now(*before, slots=None):
    """The person says they are safe after the messages ``before``."""
    last = user("yes im safe", "safe_now")
    events = list(before) + [last]
    tracker = Tracker("test-user", {"safety_open": True, **(slots or {})}, last["parse_data"],
                      events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = ActionSafeNow().run(dispatcher, tracker, {})
    return dispatcher.messages, events


def card_given(messages):
    found = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") ==
             "guidance_source"]
    return KNOWLEDGE.card(found[0]["card"]) if found else None


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else "<not set>"


def opened_check(text, intent="safety_concern", ranking=()):
    """The message that raised the concern, with the slot event Rasa adds after it."""
    return [user(text, intent, ranking=ranking),
            {"event": "slot", "name": "safety_open", "value": True}]


def test_a_question_asked_while_coaching_was_paused_is_answered_once_they_are_safe():
    messages, events = safe_now(
        *opened_check("she says its over if i dont stop lying, im so scared i will lose her",
                      ranking=["describe_situation"]),
        user("how do i say sorry without it sounding like excuses", "how_apologize"))
    card = card_given(messages)
    assert card is not None and "how_apologize" in card.intents, messages
    text = texts(messages)
    assert text.index("glad") < text.index("Back to what you asked")
    assert "carry on" not in text  # not told to ask again
    assert slot(events, "safety_open") is False
    assert slot(events, "last_card") == card.id


def test_the_last_of_several_paused_questions_is_the_one_answered():
    messages, _ = safe_now(
        *opened_check("he grabbed my arm so hard it bruised"),
        user("should i tell her everything about the affair?", "how_tell_truth"),
        user("and how do i stop texting the other woman?", "how_end_affair_contact"))
    card = card_given(messages)
    assert card is not None and "how_end_affair_contact" in card.intents, messages


@pytest.mark.parametrize("text, guess", [
    # the question inside a disclosure is about the harm: never answered with coaching
    ("he hit me after he found out, is it my fault for cheating?", "excuse_making"),
    ("he hit me when i told him about the affair, should i tell him the rest?", "how_tell_truth"),
    ("shes knackered from the school runs, what can i do", "how_rebuild"),
])
def test_the_message_that_raised_the_concern_is_never_answered_with_advice(text, guess):
    messages, _ = safe_now(*opened_check(text, ranking=[guess]),
                           slots={"risks_seen": ["being_harmed"]})
    assert card_given(messages) is None
    assert "carry on" in texts(messages)


def test_a_question_before_answering_no_to_the_check_is_still_answered():
    messages, _ = safe_now(
        *opened_check("my wife hit me with a bottle when she found out"),
        user("how do i rebuild trust with her", "how_rebuild"),
        user("/not_safe", "not_safe"),
        {"event": "slot", "name": "safety_open", "value": True},
        slots={"risks_seen": ["being_harmed"]})
    card = card_given(messages)
    assert card is not None and "how_rebuild" in card.intents, messages
    assert not card.unsafe_if_harmed


def test_a_question_before_a_new_disclosure_is_not_answered():
    messages, _ = safe_now(
        *opened_check("he grabbed my arm so hard it bruised"),
        user("how do i say sorry to him?", "how_apologize"),
        user("he's shouting again and i locked myself in the bathroom", "safety_concern"),
        {"event": "slot", "name": "safety_open", "value": True})
    assert card_given(messages) is None


def test_a_statement_made_while_paused_is_not_taken_for_a_question():
    messages, _ = safe_now(
        *opened_check("she said she'd kill herself if i leave"),
        user("we had a big fight about my phone last night", "how_transparency"),
        slots={"risks_seen": ["partner_self_harm"]})
    assert card_given(messages) is None


@pytest.mark.parametrize("opener", [
    opened_check("he grabbed my arm so hard it bruised", ranking=["describe_situation"]),
    # "i'm not safe" out of the blue opens the check too
    [user("i dont feel safe at home tonight", "not_safe"),
     {"event": "slot", "name": "safety_open", "value": True}],
])
def test_a_question_answered_before_the_check_opened_is_not_answered_again(opener):
    messages, _ = safe_now(user("how do i apologise properly?", "how_apologize"),
                           {"event": "bot", "text": "(a card)"}, *opener)
    assert card_given(messages) is None


def test_a_question_from_before_a_restart_is_not_answered():
    messages, _ = safe_now(user("how do i apologise properly?", "how_apologize"),
                           {"event": "restart"})
    assert card_given(messages) is None


@pytest.mark.parametrize("risk", ["being_harmed", "child_at_risk", "partner_self_harm"])
def test_no_risky_advice_after_any_concern(risk):
    # a card that could put someone at more risk (phone, passwords, location...) is never the
    # answer, whatever risk the check was about
    for seed in range(10):
        random.seed(seed)
        messages, _ = safe_now(
            *opened_check("my husband hits our son when he drinks"),
            user("should i let him check my phone so he trusts me again?", "how_transparency"),
            slots={"risks_seen": [risk]})
        card = card_given(messages)
        assert card is None or not card.unsafe_if_harmed, card
        assert card is not None or "carry on" in texts(messages)
