"""'Where does that come from?' and 'tell me more', with real Tracker and CollectingDispatcher."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import ActionCoach, ActionSource, ActionTellMore
from actions.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()


def tracker(intent, slots=None, text="..."):
    latest = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
    return Tracker("test-user", slots or {}, latest, [], False, None, {}, "action_listen")


def run(action, a_tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, a_tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def advise(intent, slots=None):
    """Coach once; return the slots as the tracker would hold them afterwards."""
    _, slots_set = run(ActionCoach(), tracker(intent, slots))
    return {**(slots or {}), **slots_set}


def test_source_names_the_article_section_and_topic_of_the_last_advice():
    slots = advise("excuse_making", {"relationship": "spouse"})
    card = KNOWLEDGE.card(slots["last_card"])
    messages, _ = run(ActionSource(), tracker("ask_source", slots))
    text = messages[0]["text"]
    assert KNOWLEDGE.titles[card.source.file] in text and card.source.section in text
    assert all(keyword in text for keyword in card.source.keywords)
    assert messages[1]["custom"]["source"]["file"] == card.source.file


def test_source_before_any_advice_says_so_and_names_no_article():
    messages, _ = run(ActionSource(), tracker("ask_source"))
    assert len(messages) == 1
    assert "haven't suggested anything yet" in messages[0]["text"]
    assert not any(title in messages[0]["text"] for title in KNOWLEDGE.titles.values())


def test_tell_more_gives_new_cards_on_the_same_topic_until_there_are_none():
    slots = advise("how_give_space", {"relationship": "partner"})
    seen = [slots["last_card"]]
    for _ in range(len(KNOWLEDGE.cards_for("how_give_space")) + 2):
        messages, new = run(ActionTellMore(), tracker("tell_more", slots))
        if "last_card" not in new:
            assert "everything I have on this one" in messages[0]["text"]
            assert messages[0]["buttons"]
            break
        card = KNOWLEDGE.card(new["last_card"])
        assert "how_give_space" in card.intents
        assert card.id not in seen
        assert card.text in messages[0]["text"]
        seen.append(card.id)
        slots = {**slots, **new}
    else:
        raise AssertionError("tell me more never ran out")
    assert len(seen) >= 2


def test_a_new_topic_starts_a_fresh_list():
    slots = advise("how_give_space")
    slots = advise("how_apologize", slots)
    assert slots["last_topic"] == "how_apologize"
    assert slots["cards_shown"] == [slots["last_card"]]


def test_tell_more_before_any_advice_asks_what_about():
    messages, new = run(ActionTellMore(), tracker("tell_more"))
    assert not new
    assert messages[0]["buttons"]


def test_tell_more_is_paused_while_the_safety_check_is_open():
    slots = advise("how_give_space")
    messages, new = run(ActionTellMore(), tracker("tell_more", {**slots, "safety_open": True}))
    assert not new
    assert messages[-1].get("response") == "utter_ask_safe_now"


def test_tell_more_never_gives_unsafe_advice_to_someone_being_harmed():
    slots = advise("how_transparency", {"relationship": "spouse"})
    slots = {**slots, "risks_seen": ["being_harmed"]}
    for _ in range(6):
        messages, new = run(ActionTellMore(), tracker("tell_more", slots))
        if "last_card" not in new:
            break
        assert not KNOWLEDGE.card(new["last_card"]).unsafe_if_harmed
        slots = {**slots, **new}
