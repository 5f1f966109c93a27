"""action_unclear: a calm reply for messages the coach could not use (components/input_check.py
says why in ``input_issue``), and a rephrase prompt with buttons for the merely unclear (with the
emergency line and "Are you safe right now?" again while the safety check is open).
The wording lives in knowledge/replies.yml."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import KNOWLEDGE_DIR


@lru_cache(maxsize=1)
def load_replies() -> Dict[Text, Any]:
    with (KNOWLEDGE_DIR / "replies.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def utter_unclear(dispatcher: CollectingDispatcher) -> None:
    unclear = load_replies()["unclear"]
    dispatcher.utter_message(text=unclear["text"], buttons=unclear["buttons"])


# The key components/safety_classifier.py sets on a message its detector was unsure about (the
# action server does not import the NLU components).
DOUBT_KEY = "safety_doubt"


def offer_safety_if_doubted(dispatcher: CollectingDispatcher, tracker: Tracker,
                            button: bool = True) -> None:
    """After the answer: when the learned detector was unsure whether the message told of
    danger (``safety_doubt``), a line on getting safety help first and the emergency number,
    with a "Someone may be in danger" button unless the reply already has one."""
    if not tracker.latest_message.get(DOUBT_KEY):
        return
    doubt = load_replies()["safety_doubt"]
    text = " ".join(doubt["text"].split())
    buttons = [{"title": doubt["button"], "payload": "/safety_concern"}] if button else []
    dispatcher.utter_message(text=text, buttons=buttons)


def named_topic_card(dispatcher: CollectingDispatcher,
                     tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The card for the topic a question names with ``unclear_topic_words`` ("should i buy her
    flowers?", "is doing the chores enough?"), for a question the model did not understand or
    read as ending a practice when none is running. None when it names none or asks nothing,
    and never while "Are you safe right now?" is open."""
    from actions.coach import give_card  # actions.coach imports this module
    from actions.knowledge import load_knowledge

    if tracker.get_slot("safety_open") is True:
        return None
    topic = load_knowledge().unclear_topic(tracker.latest_message.get("text"))
    if topic is None:
        return None
    last = tracker.get_slot("last_card")
    return give_card(dispatcher, tracker, topic, [last] if last else [])


def answer_named_topic(dispatcher: CollectingDispatcher, tracker: Tracker,
                       replies: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """A question not understood that names a topic ("should i buy her flowers?") gets that
    topic's card, then the unclear buttons, "Someone may be in danger" among them. None when it
    names none."""
    events = named_topic_card(dispatcher, tracker)
    if events is None:
        return None
    dispatcher.utter_message(text=replies["unclear_after_card"],
                             buttons=replies["unclear"]["buttons"])
    offer_safety_if_doubted(dispatcher, tracker, button=False)  # the buttons above hold it
    return events


class ActionUnclear(Action):
    def name(self) -> Text:
        return "action_unclear"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("safe_now", "unsure_safe"):
            # A "yes"/"not sure" when nothing was asked comes here; one that says the person
            # is not safe gets the safety reply instead (actions/safety.py).
            from actions.safety import not_safe_reply  # actions.safety imports this module

            events = not_safe_reply(dispatcher, tracker, domain)
            if events is not None:
                return events
        replies = load_replies()
        issue = tracker.latest_message.get("input_issue")
        reply = replies["input_issues"].get(issue)
        if tracker.get_slot("safety_open") is True and (reply is None or issue == "figure_of_speech"):
            from actions.safety import not_safe_reply

            events = not_safe_reply(dispatcher, tracker, domain)
            if events is not None:
                return events
            # Not understood while "Are you safe right now?" is open: the emergency line and
            # the check again, never less help than the safety reply.
            text = replies["unclear_during_check"] + "\n\n" + " ".join(replies["safety_line"].split())
            dispatcher.utter_message(text=text)
            dispatcher.utter_message(response="utter_ask_safe_now")
            return []
        if reply is None and intent == "nlu_fallback":
            events = answer_named_topic(dispatcher, tracker, replies)
            if events is not None:
                return events
        if reply is None:
            utter_unclear(dispatcher)
            offer_safety_if_doubted(dispatcher, tracker, button=False)  # the buttons hold it
            return []
        buttons = replies["unclear"]["buttons"] if reply.get("buttons") == "unclear" else []
        text = " ".join(reply["text"].split())
        if reply.get("safety_line"):
            text += "\n\n" + " ".join(replies["safety_line"].split())
        dispatcher.utter_message(text=text, buttons=buttons)
        if tracker.get_slot("safety_open") is True:
            dispatcher.utter_message(response="utter_ask_safe_now")  # the check stays open
        else:  # a too-long or other-language message the detector was unsure about
            offer_safety_if_doubted(dispatcher, tracker, button=not buttons)
        return []
