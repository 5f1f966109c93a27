"""action_safe_now: "yes, I'm safe". Coaching resumes, and the question the safety check
paused is answered.

A message can be read as a safety concern and still ask a coaching question ("she's knackered
from the school runs, what can I actually do?"), and a person may ask one while the check is
open (coaching is paused then). Once they say they are safe, the last such question is
answered, so they need not type it again. Advice that could put someone being harmed at more
risk is left out from then on (``give_card``), and the reply says why.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

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

SAFETY = "safety_concern"
DESCRIBE = "describe_situation"


def coaching_intents() -> List[Text]:
    """The intents a guidance card answers, telling what happened aside."""
    return sorted({i for card in load_knowledge().cards for i in card.intents} - {DESCRIBE})


def question_topic(intent: Optional[Text], text: Optional[Text]) -> Optional[Text]:
    """The coaching topic a message asks about when read as ``intent``; None when it asks none
    (a story with no question in it is not answered again)."""
    knowledge = load_knowledge()
    if intent == DESCRIBE:
        return knowledge.asked_topic(intent, text)
    if intent in coaching_intents():
        return intent
    return None


def paused_question(tracker: Tracker) -> Optional[Tuple[Text, Dict[Text, Any]]]:
    """The topic and parse data of the last coaching question since the safety check opened:
    one asked while coaching was paused, else the one inside the message the check answered
    (its best guess after ``safety_concern``, if the message asks something). None if
    there is none."""
    knowledge = load_knowledge()
    users = [e for e in tracker.events or [] if e.get("event") == "user"]
    for event in reversed(users[:-1]):  # the latest is the "I'm safe" itself
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        text = event.get("text") or parse.get("text")
        if intent != SAFETY:
            topic = question_topic(intent, text)
            if topic:
                return topic, {**parse, "text": text}
            continue
        if not knowledge.asks(text):
            return None
        ranking = [r.get("name") for r in parse.get("intent_ranking") or []]
        guesses = [name for name in ranking if name != SAFETY][:1]
        topic = question_topic(guesses[0], text) if guesses else None
        return (topic, {**parse, "text": text}) if topic else None
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
            card_events = give_card(dispatcher, tracker, topic, [last] if last else [],
                                    intro=words["resume_question"], message=message)
            if card_events is None:  # no card fits after all
                dispatcher.utter_message(text=words["resume"])
            events += card_events or []
        return events
