"""action_coach: answers the coaching categories, the situation and how-to questions with a
guidance card from knowledge/guidance.yml, adapted to the relationship and cited.

Safety first: while the safety check is open (slot ``safety_open``) coaching is paused and the
check is asked again; once someone has said they are being harmed (``being_harmed`` in slot
``risks_seen``), cards marked ``unsafe_if_harmed`` are never given and the reply says why."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import load_knowledge
from actions.resources import load_resources
from actions.safety import (
    ASK_SAFE_NOW,
    HARMED,
    inform_region_payload,
    region_from_slot,
    risks_seen,
)
from actions.unclear import utter_unclear

RELATIONSHIP_BUTTONS = [
    ("A partner", "partner"),
    ("A friend", "friend"),
    ("Family", "family"),
    ("A coworker", "coworker"),
]


def current_relationship(tracker: Tracker) -> Optional[Text]:
    """The relationship named in this message, else the one remembered from earlier."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "relationship" and entity.get("value"):
            return str(entity["value"])
    return tracker.get_slot("relationship")


class ActionCoach(Action):
    def name(self) -> Text:
        return "action_coach"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        lines = load_resources().lines
        if tracker.get_slot("safety_open") is True:
            dispatcher.utter_message(text=lines["coaching_paused"])
            dispatcher.utter_message(response=ASK_SAFE_NOW)
            return []

        knowledge = load_knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        relationship = current_relationship(tracker)
        harmed = HARMED in risks_seen(tracker)
        card = knowledge.choose(intent, relationship, avoid=tracker.get_slot("last_card"),
                                harmed=harmed)
        withheld = knowledge.withholds(intent, harmed)
        if card is None and withheld:
            resources = load_resources()
            region = region_from_slot(tracker, resources)
            buttons = [{"title": resources.section("safe_now")["button_numbers"],
                        "payload": inform_region_payload(region.code if region else None)}]
            dispatcher.utter_message(text=lines["withheld_why"], buttons=buttons)
            return []
        if card is None:
            utter_unclear(dispatcher)
            return []

        parts = [card.text]
        if card.say_this:
            parts.append(f"You could say: \u201c{card.say_this}\u201d")
        parts.append(knowledge.cite(card))
        buttons = []
        if intent == "describe_situation" and relationship is None:
            parts.insert(-1, "Who is it you hurt? It helps me tailor what I suggest.")
            buttons = [
                {"title": title, "payload": f'/describe_situation{{"relationship": "{value}"}}'}
                for title, value in RELATIONSHIP_BUTTONS
            ]
        if withheld:
            parts.append(lines["withheld_why"])
        dispatcher.utter_message(text="\n\n".join(parts), buttons=buttons)
        return [SlotSet("last_card", card.id)]
