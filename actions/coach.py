"""action_coach: answers the coaching categories, the situation and how-to questions with a
guidance card from knowledge/guidance.yml, adapted to the relationship, its source sent as a guidance_source payload.

Safety first: while the safety check is open (slot ``safety_open``) coaching is paused and the
check is asked again; once someone has said they are being harmed (``being_harmed`` in slot
``risks_seen``), cards marked ``unsafe_if_harmed`` are never given and the reply says why.

Follow-ups: action_source answers "where does that come from?" for the last card, and
action_tell_more gives another card on the same topic, never one already shown."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ROMANTIC, load_knowledge, relationship_value
from actions.resources import load_resources
from actions.safety import (
    ASK_SAFE_NOW,
    HARMED,
    inform_region_payload,
    not_safe_reply,
    region_from_slot,
    risks_seen,
)
from actions.unclear import DOUBT_KEY, load_replies, offer_safety_if_doubted, utter_unclear

RELATIONSHIP_BUTTONS = [
    ("A partner", "partner"),
    ("A friend", "friend"),
    ("Family", "family"),
    ("A coworker", "coworker"),
]


def named_relationship(remembered: Optional[Text], text: Optional[Text],
                       entities: Sequence[Dict[Text, Any]]) -> Optional[Text]:
    """Whose trust is at stake after a message that names ``entities``, given the one
    remembered before it (``whose_trust`` in knowledge/guidance.yml): the first person named
    stays, unless the message says it is a newly named person's trust at stake; a relationship
    button always sets it."""
    knowledge = load_knowledge()
    text = str(text or "")
    named = [{**e, "value": relationship_value(e.get("value"))} for e in entities or []
             if e.get("entity") == "relationship"]
    named = [e for e in named if e["value"]]
    if not named:
        return remembered
    if text.startswith("/"):  # a relationship button
        return str(named[-1]["value"])
    named.sort(key=lambda e: e.get("start") if isinstance(e.get("start"), int) else len(text))
    placed = [e for e in named if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
    at_stake = [e for e in placed if knowledge.trust_at_stake(text, e["start"], e["end"])]
    if at_stake:
        return str(at_stake[0]["value"])
    if remembered is None:
        # the first message: the one who found out, else the first person named
        # ("at my mate's stag do ... my gf found out" is the girlfriend's trust)
        found_out = [e for e in placed if knowledge.found_out(text, e["start"], e["end"])]
        # ... or the one they told ("my cousin found out and told my husband")
        told = [e for e in placed for finder in placed if knowledge.told_by_finder(
            text, (finder["start"], finder["end"]), (e["start"], e["end"]))]
        return str((found_out or told or named)[0]["value"])
    if remembered == "partner":  # named more exactly: wife, boyfriend...
        exact = [e for e in named if e["value"] in ROMANTIC]
        return str(exact[0]["value"]) if exact else remembered
    return remembered


def current_relationship(tracker: Tracker) -> Optional[Text]:
    """Whose trust is at stake: the first person the conversation named, unless a later message
    said it is someone else's trust (see ``named_relationship``). Read from the conversation's
    messages, since the slot is filled from every person named."""
    remembered: Optional[Text] = None
    told = False
    for event in tracker.events or []:
        if event.get("event") == "restart":
            remembered, told = None, False
        elif event.get("event") == "user":
            told = True
            parse = event.get("parse_data") or {}
            remembered = named_relationship(remembered, event.get("text"),
                                            parse.get("entities") or [])
    if not told:  # no messages to read (a tracker made by hand): the slot and this message
        remembered = named_relationship(tracker.get_slot("relationship"),
                                        tracker.latest_message.get("text"),
                                        tracker.latest_message.get("entities") or [])
    return remembered


def told_betrayal(message: Dict[Text, Any]) -> Optional[Text]:
    """What happened (cheating, lying, ...) as a message says it: the model's entity, else
    the words listed in knowledge/guidance.yml (what_you_did)."""
    knowledge = load_knowledge()
    for entity in message.get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == "betrayal" and value in knowledge.what_you_did:
            return str(value)
    return knowledge.betrayal_in(message.get("text"))


def current_betrayal(tracker: Tracker, message: Optional[Dict[Text, Any]] = None
                     ) -> Optional[Text]:
    """What happened, named in the message (by default the latest) or remembered from
    earlier."""
    return told_betrayal(message or tracker.latest_message) or tracker.get_slot("betrayal")


def coaching_paused(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """While the safety check is open, no advice: say so and ask the check again."""
    if tracker.get_slot("safety_open") is not True:
        return False
    dispatcher.utter_message(text=load_resources().lines["coaching_paused"])
    dispatcher.utter_message(response=ASK_SAFE_NOW)
    return True


def give_card(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intent: Optional[Text],
    avoid: Sequence[Text],
    intro: Optional[Text] = None,
    strict: bool = False,
    message: Optional[Dict[Text, Any]] = None,
) -> Optional[List[Dict[Text, Any]]]:
    """Send a guidance card for the intent (never one in ``avoid`` when another fits; with
    ``strict``, never one in ``avoid`` at all), with its source as a
    ``guidance_source`` payload. None when no card fits. The card answers ``message`` (a
    user message's parse data), by default the latest one."""
    knowledge = load_knowledge()
    lines = load_resources().lines
    relationship = current_relationship(tracker)
    message = message or tracker.latest_message
    text = message.get("text")
    # said they are being harmed (safety check), or mistreated in this very message
    harmed = HARMED in risks_seen(tracker) or knowledge.mistreated(text)
    # the safety detector was unsure about this message: no advice that would put someone at
    # more risk if they are being harmed (the reason is only given to someone who said so)
    doubted = bool(message.get(DOUBT_KEY))
    betrayal = current_betrayal(tracker, message)
    card = knowledge.choose(intent, relationship, avoid=avoid, harmed=harmed or doubted,
                            betrayal=betrayal, text=text)
    withheld = knowledge.withholds(intent, harmed)
    if card is not None and strict and card.id in avoid:
        card = None
    if card is None and withheld and not strict:
        resources = load_resources()
        region = region_from_slot(tracker, resources)
        buttons = [{"title": resources.section("safe_now")["button_numbers"],
                    "payload": inform_region_payload(region.code if region else None)}]
        dispatcher.utter_message(text=lines["withheld_why"], buttons=buttons)
        return []
    if card is None:
        return None

    parts = [intro] if intro else []
    parts.append(card.text)
    say_this = knowledge.say_this(card, betrayal, relationship)
    if say_this:
        parts.append(f"You could say: \u201c{say_this}\u201d")
    buttons = []
    if intent == "describe_situation" and relationship is None:
        parts.append("Who is it you hurt? It helps me tailor what I suggest.")
        buttons = [
            {"title": title, "payload": f'/describe_situation{{"relationship": "{value}"}}'}
            for title, value in RELATIONSHIP_BUTTONS
        ]
    if withheld:
        parts.append(lines["withheld_why"])
    dispatcher.utter_message(text="\n\n".join(parts), buttons=buttons)
    dispatcher.utter_message(json_message=knowledge.source_payload(card))
    shown = list(tracker.get_slot("cards_shown") or []) if intent == tracker.get_slot(
        "last_topic") else []
    events = [SlotSet("last_card", card.id), SlotSet("last_topic", intent),
              SlotSet("cards_shown", (shown + [card.id])[-20:])]
    if betrayal and betrayal != tracker.get_slot("betrayal"):
        events.append(SlotSet("betrayal", betrayal))  # remembered for later replies
    if relationship != tracker.get_slot("relationship"):
        # the slot is filled from every person named; it keeps whose trust is at stake
        events.append(SlotSet("relationship", relationship))
    return events


class ActionCoach(Action):
    def name(self) -> Text:
        return "action_coach"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("safety_open") is True:
            # "definitely not safe", read as a coaching question while "Are you safe right
            # now?" is open, is an answer to it
            events = not_safe_reply(dispatcher, tracker, domain)
            if events is not None:
                return events
        if coaching_paused(dispatcher, tracker):
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # a question answered on the topic it asks about ("knowledge/guidance.yml": asking_words)
        intent = load_knowledge().asked_topic(intent, tracker.latest_message.get("text")) or intent
        last = tracker.get_slot("last_card")
        events = give_card(dispatcher, tracker, intent, [last] if last else [])
        if events is None:
            utter_unclear(dispatcher)
            offer_safety_if_doubted(dispatcher, tracker, button=False)  # the buttons hold it
            return []
        offer_safety_if_doubted(dispatcher, tracker)
        return events


class ActionSource(Action):
    """ "Where does that come from?": the article, section and topic behind the last advice."""

    def name(self) -> Text:
        return "action_source"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        words = load_replies()["followups"]
        knowledge = load_knowledge()
        card = knowledge.card(tracker.get_slot("last_card"))
        if card is None:
            dispatcher.utter_message(text=words["no_card_yet"])
        else:
            about = ", ".join(f"\u201c{k}\u201d" for k in card.source.keywords) or "this"
            text = words["source"].format(title=knowledge.title(card),
                                          section=card.source.section, about=about)
            dispatcher.utter_message(text=" ".join(f"{text} {words['source_how']}".split()))
            dispatcher.utter_message(json_message=knowledge.source_payload(card))
        if tracker.get_slot("safety_open") is True:
            dispatcher.utter_message(response=ASK_SAFE_NOW)
        return []


class ActionTellMore(Action):
    """ "Tell me more": another card on the topic of the last advice, none shown twice."""

    def name(self) -> Text:
        return "action_tell_more"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if coaching_paused(dispatcher, tracker):
            return []
        words = load_replies()["followups"]
        topic = tracker.get_slot("last_topic")
        if not topic:
            dispatcher.utter_message(text=words["no_topic_yet"],
                                     buttons=load_replies()["unclear"]["buttons"])
            return []
        shown = list(tracker.get_slot("cards_shown") or [])
        events = give_card(dispatcher, tracker, topic, shown, intro=words["more_intro"],
                           strict=True)
        if events is None:
            dispatcher.utter_message(text=words["no_more"],
                                     buttons=load_replies()["unclear"]["buttons"])
            return []
        return events
