"""After "yes, I'm safe": the coaching question the safety check paused is answered, so a person
whose question was read as a safety concern need not type it again. Run with a real rasa_sdk
Tracker (its events as the Rasa server sends them) and CollectingDispatcher."""
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


def test_a_question_read_as_a_safety_concern_is_answered_once_they_are_safe():
    messages, events = safe_now(user(
        "shes knackered doing the school runs and everything at home, what can i actually do",
        "safety_concern", ranking=["how_rebuild", "describe_situation"]))
    card = card_given(messages)
    assert card is not None and "how_rebuild" in card.intents, messages
    text = texts(messages)
    assert text.index("glad") < text.index("Back to what you asked")
    assert "carry on" not in text  # not told to ask again
    assert slot(events, "safety_open") is False
    assert slot(events, "last_card") == card.id


def test_a_question_asked_while_coaching_was_paused_is_the_one_answered():
    messages, _ = safe_now(
        user("she says its over if i dont stop lying, im so scared i will lose her",
             "safety_concern", ranking=["describe_situation"]),
        user("how do i say sorry without it sounding like excuses", "how_apologize"))
    card = card_given(messages)
    assert card is not None and "how_apologize" in card.intents, messages


def test_a_disclosure_without_a_question_gets_no_advice_after_it():
    messages, _ = safe_now(user("he hit me when i told him about the affair", "safety_concern",
                                ranking=["how_tell_truth", "describe_situation"]))
    assert card_given(messages) is None
    assert "carry on" in texts(messages)


def test_a_question_answered_before_the_check_opened_is_not_answered_again():
    messages, _ = safe_now(
        user("how do i apologise properly", "how_apologize"),
        user("he grabbed my arm so hard it bruised", "safety_concern", ranking=["describe_situation"]))
    assert card_given(messages) is None


def test_someone_being_harmed_gets_no_risky_advice_for_the_paused_question():
    messages, _ = safe_now(
        user("he checks my phone every night and says he'll make me pay. should i just give him "
             "all my passwords?", "safety_concern", ranking=["how_transparency"]),
        slots={"risks_seen": ["being_harmed"]})
    card = card_given(messages)
    assert card is None or not card.unsafe_if_harmed, card
    assert "leave out" in texts(messages)
