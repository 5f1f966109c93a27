"""action_safe_now: "yes, I'm safe". Coaching resumes, and a coaching question the person asked
while it was paused is answered.

While the safety check is open, a coaching question gets "coaching is paused" and the check
again. Once the person says they are safe, the last question they asked in that time is
answered, so they need not type it again. The message that raised the concern is never
answered with advice, even when it asks something: its question is usually about the harm
("he hit me, is it my fault for cheating?"). Advice that could put someone at more risk is
left out of that answer whatever risk was seen (``give_card`` with the message marked as
doubted), and the reply says so to someone who said they are being harmed.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import give_card
from actions.knowledge import load_knowledge
from actions.resources import load_resources
from actions.safety import (
    HARMED,
    inform_region_payload,
    not_safe_reply,
    region_from_slot,
    risks_seen,
)
from actions.unclear import DOUBT_KEY

SAFETY = "safety_concern"
DESCRIBE = "describe_situation"


@lru_cache(maxsize=1)
def coaching_intents() -> FrozenSet[Text]:
    """The intents a guidance card answers, telling what happened aside (read once, like the
    cards themselves)."""
    return frozenset({i for card in load_knowledge().cards for i in card.intents} - {DESCRIBE})


# Events after which earlier messages belong to another conversation.
NEW_CONVERSATION = ("restart", "session_started")


def check_opened_at(events: List[Dict[Text, Any]]) -> Optional[int]:
    """Where the open safety check began: the event that set ``safety_open`` to true when it
    was not (after the message that raised the concern, or an "I'm not safe" out of the blue);
    None when no check is open."""
    opened: Optional[int] = None
    for index, event in enumerate(events):
        if event.get("event") in NEW_CONVERSATION:
            opened = None
        elif event.get("event") == "slot" and event.get("name") == "safety_open":
            if event.get("value") is True and opened is None:
                opened = index
            elif event.get("value") is not True:
                opened = None
    return opened


def question_topic(intent: Any, text: Any) -> Optional[Text]:
    """The coaching topic a message asks about when read as ``intent``: a question or a topic
    button; None for a statement ("we had a big fight about my phone last night")."""
    knowledge = load_knowledge()
    text = text if isinstance(text, str) else ""
    if not (text.startswith("/") or knowledge.asks(text)):
        return None
    if intent == DESCRIBE:
        return knowledge.asked_topic(intent, text)
    if intent in coaching_intents():
        return str(intent)
    return None


def paused_question(tracker: Tracker) -> Optional[Tuple[Text, Dict[Text, Any]]]:
    """The topic and parse data of the last coaching question asked while coaching was paused:
    after the message that opened the safety check (and after any later disclosure), before
    "I'm safe". None if there is none."""
    events = list(tracker.events or [])
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    opened = check_opened_at(events)
    if not users or opened is None:
        return None
    for index in reversed(range(opened + 1, users[-1])):  # the latest is the "I'm safe"
        event = events[index]
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
        intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
        name = intent.get("name")
        if name == SAFETY:  # a new disclosure: the questions before it are not answered
            return None
        text = event.get("text") if isinstance(event.get("text"), str) else parse.get("text")
        topic = question_topic(name, text)
        if topic:
            return topic, {**parse, "text": text}
    return None


class ActionSafeNow(Action):
    def name(self) -> Text:
        return "action_safe_now"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # "im not safe here" misread as safe_now: never tell them they are safe.
        events = not_safe_reply(dispatcher, tracker, domain)
        if events is not None:
            return events
        resources = load_resources()
        words = resources.section("safe_now")
        paused = paused_question(tracker)
        parts = [words["glad"], words["numbers_stay"]]
        if not paused:
            parts.append(words["resume"])
        if HARMED in risks_seen(tracker):
            parts.append(words["harmed"])
        region = region_from_slot(tracker, resources)
        buttons = [{"title": words["button_numbers"],
                    "payload": inform_region_payload(region.code if region else None)}]
        dispatcher.utter_message(text="\n\n".join(" ".join(p.split()) for p in parts),
                                 buttons=buttons)
        events: List[Dict[Text, Any]] = [SlotSet("safety_open", False)]
        if paused:
            topic, message = paused
            last = tracker.get_slot("last_card")
            # a concern was raised: no advice that would put anyone at more risk, whatever
            # risk it was (a child at risk, a partner's threats of self-harm...)
            card_events = give_card(dispatcher, tracker, topic, [last] if last else [],
                                    intro=words["resume_question"],
                                    message={**message, DOUBT_KEY: True})
            if not card_events:  # no card fits, or only the reason some advice is left out
                dispatcher.utter_message(text=words["resume"])
            events += card_events or []
        return events
