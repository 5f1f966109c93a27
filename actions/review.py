"""Apology-draft review: the person pastes a draft and gets itemised feedback.

A Rasa form (``apology_form``) takes the draft, from the request itself when it already holds a
draft ("can you check this: I'm sorry I ...") or from the next message. Each point names the
criterion (knowledge/feedback_rules.yml), quotes the sentence it is about, says why from the
source documents, and for a problem gives a better way to say it; what is good is said too.
A long draft reaches the action whole: the NLU keeps the full text in ``full_text`` when it cuts
the classifiers' copy (components/input_check.py).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import current_relationship
from actions.feedback import Feedback, analyse, load_feedback_rules
from actions.knowledge import load_knowledge
from actions.rehearsal import NOT_ANSWERS, is_stop
from actions.unclear import load_replies

MIN_WORDS = 8          # shorter than this is not a draft
DRAFT_IN_REQUEST = 25  # a request this long carries its draft with it
KEY_STRENGTHS = ("owns_it", "specific", "names_feelings", "plan", "patience")


def words() -> Dict[Text, Any]:
    return load_replies()["review"]


def message_text(tracker: Tracker) -> Text:
    message = tracker.latest_message or {}
    return str(message.get("full_text") or message.get("text") or "")


def review_text(feedback: Feedback) -> List[Text]:
    """The review as short messages: what works, what to change, what could be added."""
    say = words()
    out = [say["intro"].format(words=feedback.words)]
    if feedback.strengths:
        lines = [say["good_heading"]] + [
            say["point_good"].format(label=p.criterion.label.capitalize(), quote=p.quote, why=p.criterion.why)
            for p in feedback.strengths]
        out.append("\n".join(lines))
    if feedback.problems:
        lines = [say["change_heading"]] + [
            say["point_change"].format(label=p.criterion.label.capitalize(), quote=p.quote,
                                       why=p.criterion.why, better=p.criterion.better)
            for p in feedback.problems]
        out.append("\n".join(lines))
    else:
        out.append(say["all_good"])
    criteria = load_feedback_rules().criteria
    missing = [criteria[c] for c in KEY_STRENGTHS if c not in feedback.ids()]
    if missing:
        out.append("\n".join(say["missing"].format(label=c.label, better=c.better) for c in missing[:2]))
    return out


def review_payload(feedback: Feedback) -> Dict[Text, Any]:
    """The same review as data, for a page that wants to render it."""
    titles = load_knowledge().titles
    return {"type": "apology_review", "words": feedback.words, "points": [
        {"criterion": p.id, "kind": p.criterion.kind, "label": p.criterion.label, "quote": p.quote,
         "why": p.criterion.why, "better": p.criterion.better if p.criterion.kind == "problem" else None,
         "source": dict(p.criterion.source, title=titles.get(p.criterion.source.get("file")))}
        for p in feedback.strengths + feedback.problems]}


def after_buttons() -> List[Dict[Text, Text]]:
    labels = words()["buttons"]
    return [{"title": labels["again"], "payload": "/review_apology"},
            {"title": labels["practise"], "payload": "/start_rehearsal"},
            {"title": labels["done"], "payload": "/goodbye"}]


class ActionAskApologyDraft(Action):
    def name(self) -> Text:
        return "action_ask_apology_draft"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=words()["ask"])
        return []


class ValidateApologyForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_apology_form"

    async def extract_apology_draft(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> Dict[Text, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in NOT_ANSWERS:
            return {}
        text = message_text(tracker)
        if tracker.get_slot("requested_slot") == "apology_draft":
            return {"apology_draft": text}
        if intent == "review_apology" and len(text.split()) >= DRAFT_IN_REQUEST:
            return {"apology_draft": text}
        return {}

    def validate_apology_draft(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if is_stop(value):
            return {"apology_draft": "stop"}
        if len(str(value or "").split()) < MIN_WORDS:
            dispatcher.utter_message(text=words()["too_short"])
            return {"apology_draft": None}
        feedback = analyse(str(value), current_relationship(tracker))
        for text in review_text(feedback):
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(json_message=review_payload(feedback))
        return {"apology_draft": "reviewed"}


class ActionReviewEnd(Action):
    """After the review (or "stop"): what next, and the draft is not kept in a slot."""

    def name(self) -> Text:
        return "action_review_end"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.get_slot("apology_draft") == "reviewed":
            dispatcher.utter_message(text=words()["after"], buttons=after_buttons())
        else:
            dispatcher.utter_message(text=words()["stopped"], buttons=after_buttons())
        return [SlotSet("apology_draft", None), SlotSet("requested_slot", None)]
