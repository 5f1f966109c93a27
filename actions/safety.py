"""The safety response: region- and risk-specific help after a safety concern, the answers to
"Are you safe right now?", and the country question.

The domain response ``utter_safety`` always comes first (it needs no action server); these
actions add the help for the person's country and situation. Which services are shown is decided
in one place, ``Resources.help_for`` (actions/resources.py); the words are in
knowledge/resources.yml.

Actions:
  action_safety         after utter_safety: emergency number first if the danger is immediate,
                        the services as text and as a json payload, a next step, the country
                        question if the country is not known
  action_inform_region  the person names their country: the services for it
  action_safe_now       "yes, I'm safe" (in actions/resume.py, since it answers the question
                        the check paused)
  action_not_safe       "no": emergency number first, what to do if they can't talk, stay
  action_unsure_safe    "not sure": a short safety plan and the services
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.resources import (
    RISKS,
    Help,
    Region,
    Resources,
    join_options,
    load_resources,
    normalise,
)
from actions.unclear import load_replies

ASK_SAFE_NOW = "utter_ask_safe_now"
HARMED = "being_harmed"
CONFIDENTIALITY_RISKS = ("child_at_risk", "may_harm_others")


# ---------------------------------------------------------------------- reading the tracker


def latest_risks(tracker: Tracker) -> List[Text]:
    """The risk entities of the latest message, in order, without repeats."""
    found = []
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == "risk" and value in RISKS and value not in found:
            found.append(value)
    return found


def risk_guessed(tracker: Tracker) -> bool:
    """True when the latest message's risk type is the learned detector's guess (no rule named
    one): its services then come after the general ones, never instead of them, and the general
    risks lead what follows ("no", "not sure")."""
    named = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "risk"]
    return bool(named) and all(e.get("extractor") == "SafetyClassifier" for e in named)


def risks_seen(tracker: Tracker) -> List[Text]:
    value = tracker.get_slot("risks_seen")
    if isinstance(value, str):
        value = [value]
    return [r for r in value or [] if r in RISKS]


def is_immediate(tracker: Tracker) -> bool:
    """True when the safety guard marked the danger as immediate (``safety.immediate`` in the
    parse data). Without that key (e.g. DIET alone predicted safety_concern) it is False."""
    safety = tracker.latest_message.get("safety")
    return isinstance(safety, dict) and safety.get("immediate") is True


def sounds_unsafe(text: Any, resources: Resources) -> bool:
    """True when a message read as "safe" (or "not sure") says the person is not safe."""
    padded = f" {normalise(text)} "
    signals = resources.section("safe_now")["not_safe_signals"]
    return any(f" {normalise(signal)} " in padded for signal in signals)


def _metadata(tracker: Tracker) -> Dict[Text, Any]:
    metadata = tracker.latest_message.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def region_from_metadata(tracker: Tracker, resources: Resources) -> Optional[Region]:
    """metadata ``region`` (ISO alpha-2, any case), else the region part of ``locale``."""
    metadata = _metadata(tracker)
    region = metadata.get("region")
    if isinstance(region, str) and region.strip():
        found = resources.regions.get(region.strip().upper())
        if found:
            return found
    return resources.region_from_locale(metadata.get("locale"))


def region_from_entity(tracker: Tracker, resources: Resources) -> Optional[Region]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "region":
            found = resources.region(entity.get("value"))
            if found:
                return found
    return None


def region_from_slot(tracker: Tracker, resources: Resources) -> Optional[Region]:
    return resources.region(tracker.get_slot("region"))


def find_region(tracker: Tracker, resources: Resources, answer: bool = False) -> Optional[Region]:
    """The person's region, or None when it is not known.

    For a safety message: metadata ``region``, metadata ``locale``, a country named in the
    message, the ``region`` slot. For an answer to "Which country are you in?" (``answer``), what
    the person said comes first: the ``region`` entity, then a country named in the text."""
    text = tracker.latest_message.get("text")
    if answer:
        order = (
            lambda: region_from_entity(tracker, resources),
            lambda: resources.region_in_text(text),
            lambda: region_from_metadata(tracker, resources),
            lambda: region_from_slot(tracker, resources),
        )
    else:
        order = (
            lambda: region_from_metadata(tracker, resources),
            lambda: resources.region_in_text(text),
            lambda: region_from_slot(tracker, resources),
        )
    for step in order:
        region = step()
        if region is not None:
            return region
    return None


# ---------------------------------------------------------------------- messages


def emergency_line(resources: Resources, help_: Help) -> Text:
    lines = resources.lines
    if not help_.known or help_.region.international:
        return lines["emergency_first_unknown"]
    return lines["emergency_first"].format(emergency=help_.region.emergency)


def resource_line(resource) -> Text:
    ways = []
    if resource.phone:
        ways.append(f"call {resource.phone}")
    if resource.text:
        ways.append(resource.text)
    if resource.chat_url:
        ways.append(f"chat at {resource.chat_url}")
    if not ways and resource.source:
        ways.append(resource.source.replace("https://", "").replace("www.", ""))
    line = f"- {resource.name}: {join_options(ways)}"
    if resource.hours:
        line += f" ({resource.hours})"
    return line


def quiet_options(help_: Help) -> List[Text]:
    """Ways to reach help without talking out loud: text codes and web chats."""
    options = []
    for resource in help_.resources:
        if resource.text:
            options.append(f"{resource.text} ({resource.name})")
        if resource.chat_url:
            options.append(f"chat at {resource.chat_url}")
    return options


def list_text(resources: Resources, help_: Help, immediate: bool) -> Text:
    lines = resources.lines
    if help_.known and not help_.region.international:
        intro = lines["list_intro"].format(region=help_.region.name)
    else:
        intro = lines["list_intro_unknown"]
    parts = [intro] + [resource_line(r) for r in help_.resources]
    text = "\n".join(parts)
    if not immediate:
        text += "\n\n" + lines["list_emergency"].format(emergency=help_.region.emergency)
    return text


def send_help(
    dispatcher: CollectingDispatcher, resources: Resources, help_: Help, immediate: bool
) -> None:
    """(a) the emergency number first, alone, when the danger is immediate; (b) the services as
    plain text; (c) the same services as a json payload for channels that can show them."""
    if immediate:
        dispatcher.utter_message(text=emergency_line(resources, help_))
    dispatcher.utter_message(text=list_text(resources, help_, immediate))
    dispatcher.utter_message(json_message=help_.payload())


def region_buttons(resources: Resources) -> List[Dict[Text, Text]]:
    return [
        {"title": region.button or region.name, "payload": inform_region_payload(region.code)}
        for region in resources.all_regions()
    ]


def inform_region_payload(code: Optional[Text]) -> Text:
    if not code:
        return "/inform_region"
    return "/inform_region" + json.dumps({"region": code}, separators=(",", ":"))


def ask_region(dispatcher: CollectingDispatcher, resources: Resources) -> None:
    dispatcher.utter_message(text=resources.lines["ask_region"], buttons=region_buttons(resources))


def next_step_text(resources: Resources, help_: Help) -> Text:
    """(d) a next step beyond a number, and what the coach is and is not."""
    lines = resources.lines
    options = quiet_options(help_)
    parts = [
        lines["quiet_options"].format(options=join_options(options))
        if options else lines["quiet_options_none"],
        lines["plan_offer"],
        lines["stay"] + " " + lines["about_coach"],
    ]
    if any(risk in CONFIDENTIALITY_RISKS for risk in help_.risks):
        parts.append(lines["confidentiality"])
    return "\n\n".join(parts)


def region_events(region: Optional[Region]) -> List[Dict[Text, Any]]:
    return [SlotSet("region", region.code)] if region is not None else []


def full_safety_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, resources: Resources
) -> List[Dict[Text, Any]]:
    """Everything action_safety sends after utter_safety, and its events."""
    region = find_region(tracker, resources)
    risks = latest_risks(tracker)
    if risk_guessed(tracker):
        risks = list(dict.fromkeys(list(resources.general_risks) + risks))
    help_ = resources.help_for(region.code if region else None, risks)
    send_help(dispatcher, resources, help_, is_immediate(tracker))
    dispatcher.utter_message(text=next_step_text(resources, help_))
    if region is None:
        ask_region(dispatcher, resources)
    # A concern no rule named (DIET or the learned detector alone) gets the general help, and
    # is remembered as those risks: from then on no advice that could put someone being hurt
    # at more risk (handing over the phone, passwords, location) is given.
    seen = list(dict.fromkeys(risks_seen(tracker) + (risks or list(resources.general_risks))))
    return [SlotSet("safety_open", True), SlotSet("risks_seen", seen)] + region_events(region)


# ---------------------------------------------------------------------- actions


class ActionSafety(Action):
    def name(self) -> Text:
        return "action_safety"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return full_safety_reply(dispatcher, tracker, load_resources())


class ActionInformRegion(Action):
    def name(self) -> Text:
        return "action_inform_region"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        resources = load_resources()
        region = find_region(tracker, resources, answer=True)
        seen = risks_seen(tracker)
        safety_open = tracker.get_slot("safety_open") is True
        if region is not None and not (safety_open or seen):
            # Said out of the blue: remember it, nothing to show yet.
            dispatcher.utter_message(text=resources.lines["region_remembered"])
            return region_events(region)
        help_ = resources.help_for(region.code if region else None, seen)
        send_help(dispatcher, resources, help_, immediate=False)
        if region is None:
            ask_region(dispatcher, resources)
        if safety_open:
            dispatcher.utter_message(response=ASK_SAFE_NOW)
        return region_events(region)


class ActionNotSafe(Action):
    def name(self) -> Text:
        return "action_not_safe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        resources = load_resources()
        words = resources.section("not_safe")
        if tracker.get_slot("safety_open") is not True:
            text = normalise(tracker.latest_message.get("text"))
            if text in {normalise(a) for a in words["bare_answers"]}:
                return self.bare_no(dispatcher, resources)
            # "I'm not safe" without being asked: the full safety reply, then the check.
            events = full_safety_reply(dispatcher, tracker, resources)
            dispatcher.utter_message(response=ASK_SAFE_NOW)
            return events

        region = find_region(tracker, resources)
        risks = risks_seen(tracker) or latest_risks(tracker)
        help_ = resources.help_for(region.code if region else None, risks)
        dispatcher.utter_message(text=emergency_line(resources, help_))
        what_now = words["what_now"].get(help_.primary) or words["what_now"]["general"]
        options = quiet_options(help_)
        cant_talk = (words["cant_talk"].format(options=join_options(options))
                     if options else words["cant_talk_none"])
        buttons = [
            {"title": words["buttons"]["safe"], "payload": "/safe_now"},
            {"title": words["buttons"]["numbers"],
             "payload": inform_region_payload(region.code if region else None)},
        ]
        text = "\n\n".join(" ".join(p.split()) for p in (what_now, cant_talk, words["here"]))
        dispatcher.utter_message(text=text, buttons=buttons)
        return [SlotSet("safety_open", True)] + region_events(region)

    @staticmethod
    def bare_no(dispatcher: CollectingDispatcher, resources: Resources) -> List[Dict[Text, Any]]:
        """A plain "no" when nothing was asked: ask what they mean, with the emergency line and
        the "Someone may be in danger" button."""
        replies = load_replies()
        text = " ".join(resources.section("not_safe")["bare_reply"].split())
        text += "\n\n" + " ".join(replies["safety_line"].split())
        dispatcher.utter_message(text=text, buttons=replies["unclear"]["buttons"])
        return []


def not_safe_reply(dispatcher: CollectingDispatcher, tracker: Tracker,
                   domain: Dict[Text, Any]) -> Optional[List[Dict[Text, Any]]]:
    """The not-safe reply's events when the message says the person is not safe ("im not safe
    here", "definitely not safe"), whatever the model read it as; None otherwise."""
    if not sounds_unsafe(tracker.latest_message.get("text"), load_resources()):
        return None
    return ActionNotSafe().run(dispatcher, tracker, domain)


class ActionUnsureSafe(Action):
    def name(self) -> Text:
        return "action_unsure_safe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        resources = load_resources()
        words = resources.section("unsure_safe")
        region = find_region(tracker, resources)
        risks = risks_seen(tracker) or latest_risks(tracker)
        help_ = resources.help_for(region.code if region else None, risks)
        plans = resources.section("safety_plans")
        steps: Sequence[Text] = plans.get(help_.primary) or plans["general"]
        plan = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))
        dispatcher.utter_message(
            text=" ".join(words["intro"].split()) + "\n" + plan + "\n\n" + words["outro"])
        send_help(dispatcher, resources, help_, immediate=False)
        dispatcher.utter_message(response=ASK_SAFE_NOW)
        return [SlotSet("safety_open", True)] + region_events(region)
