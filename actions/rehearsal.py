"""Rehearsal: the coach plays the person who was hurt; the person practises what they'll say.

A Rasa form (``rehearsal_form``) asks for the scenario, then takes the person's answers one by
one. After each answer: brief feedback (actions/feedback.py), then the hurt person's next line,
whose mood follows the answer: a defensive or excusing answer escalates (hurt -> angry ->
withdrawn), a validating one softens. After ``TURNS`` answers, or "stop", a summary scores each
criterion and names one thing to practise next. Scenarios and lines: knowledge/rehearsal.yml;
wording: knowledge/replies.yml (practice). A safety message interrupts the form (data/rules).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Text

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import PROBLEM, STRENGTH, Feedback, analyse, load_feedback_rules
from actions.knowledge import KNOWLEDGE_DIR, load_knowledge
from actions.safety import HARMED, risks_seen
from actions.unclear import load_replies, named_topic_card

TURNS = 5
MOODS = ["softening", "hurt", "angry", "withdrawn"]
START_MOOD = "hurt"
NOT_ANSWERS = {"safety_concern", "stop_practice"}


@dataclass(frozen=True)
class Scenario:
    id: Text
    title: Text
    relationship: Text
    keywords: Sequence[Text]
    setup: Text
    opening: Sequence[Text]
    lines: Dict[Text, List[Text]]
    endings: Dict[Text, Text]
    cards: Sequence[Text]


@lru_cache(maxsize=1)
def load_scenarios() -> Dict[Text, Scenario]:
    with (KNOWLEDGE_DIR / "rehearsal.yml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {
        item["id"]: Scenario(
            id=item["id"], title=item["title"], relationship=item["relationship"],
            keywords=[str(k).lower() for k in item.get("keywords") or []],
            setup=" ".join(item["setup"].split()), opening=list(item["opening"]),
            lines={mood: list(lines) for mood, lines in item["lines"].items()},
            endings=dict(item["endings"]), cards=list(item.get("cards") or []))
        for item in data["scenarios"]
    }


def words() -> Dict[Text, Any]:
    return load_replies()["practice"]


def normalise(text: Any) -> Text:
    return " ".join(re.findall(r"[a-z0-9']+", str(text or "").lower().replace("\u2019", "'")))


def is_stop(text: Any) -> bool:
    return normalise(text) in {normalise(w) for w in words()["stop_words"]}


def allowed(tracker: Tracker) -> List[Scenario]:
    """The scenarios offered: none with a partner once the person said they are being harmed."""
    harmed = HARMED in risks_seen(tracker)
    return [s for s in load_scenarios().values() if not (harmed and s.relationship == "partner")]


def scenario_from_text(text: Any, options: Sequence[Scenario]) -> Optional[Text]:
    """The scenario a typed choice names: its id, its number in the list, its title or one of its
    keywords as whole words."""
    said = f" {normalise(text)} "
    if not said.strip():
        return None
    for number, scenario in enumerate(options, 1):
        if said.strip() in (str(number), scenario.id, normalise(scenario.title)):
            return scenario.id
    # Who it is (a friend, a colleague) says more than what (an apology), so scenarios with
    # someone other than a partner win; then the longest keyword.
    found = [(scenario.relationship != "partner", len(key), scenario.id)
             for scenario in options for key in map(normalise, scenario.keywords)
             if key and f" {key} " in said]
    return max(found)[2] if found else None


def scenario_buttons(options: Sequence[Scenario]) -> List[Dict[Text, Text]]:
    return [{"title": s.title, "payload": f'/start_rehearsal{{"scenario": "{s.id}"}}'} for s in options]


def end_buttons(scenario: Optional[Text]) -> List[Dict[Text, Text]]:
    labels = words()["buttons"]
    buttons = []
    if scenario:
        buttons.append({"title": labels["again"], "payload": f'/start_rehearsal{{"scenario": "{scenario}"}}'})
    buttons += [{"title": labels["another"], "payload": "/start_rehearsal"},
                {"title": labels["review"], "payload": "/review_apology"},
                {"title": labels["done"], "payload": "/goodbye"}]
    return buttons


def new_state(scenario: Text) -> Dict[Text, Any]:
    return {"scenario": scenario, "mood": START_MOOD, "answers": 0, "used": [], "tally": {},
            "stopped": False}


def next_mood(mood: Text, feedback: Feedback) -> Text:
    """A defensive, excusing or pushing answer escalates; one that only validates softens."""
    index = MOODS.index(mood) if mood in MOODS else MOODS.index(START_MOOD)
    if feedback.problems and len(feedback.problems) >= len(feedback.strengths):
        index += 1
    elif not feedback.problems and feedback.strengths:
        index -= 1
    return MOODS[max(0, min(len(MOODS) - 1, index))]


def pick_line(options: Sequence[Text], used: Sequence[Text]) -> Text:
    fresh = [line for line in options if line not in used]
    return random.choice(fresh or list(options))


def answer_feedback(feedback: Feedback) -> Text:
    """Under about 60 words: what worked, then the first thing to change with a better way."""
    say = words()
    parts = []
    if feedback.strengths:
        parts.append(say["worked"].format(labels=", ".join(p.criterion.label for p in feedback.strengths)))
    if feedback.problems:
        first = feedback.problems[0].criterion
        parts.append(say["change"].format(label=first.label, why=first.why, better=first.better))
        if len(feedback.problems) > 1:
            parts.append(say["also"].format(labels=", ".join(p.criterion.label for p in feedback.problems[1:])))
    elif not feedback.strengths:
        parts.append(say["neutral"].format(better=load_feedback_rules().criteria["names_feelings"].better))
    return "\n".join(parts)


def summary(state: Dict[Text, Any], harmed: bool) -> List[Text]:
    """Each criterion scored over the answers, one thing to practise next, and a tip card."""
    say = words()
    rules = load_feedback_rules()
    n = int(state.get("answers") or 0)
    tally = state.get("tally") or {}
    lines = [say["summary_intro"].format(n=n)]
    strengths = [c for c in rules.criteria.values() if c.kind == STRENGTH]
    problems = [c for c in rules.criteria.values() if c.kind == PROBLEM]
    for criterion in strengths:
        count = tally.get(criterion.id, 0)
        lines.append(say["summary_strength"].format(mark="✓" if count else "–", label=criterion.label,
                                                    count=count, n=n))
    for criterion in problems:
        if tally.get(criterion.id):
            lines.append(say["summary_problem"].format(label=criterion.label, count=tally[criterion.id], n=n))
    avoided = [c.label for c in problems if not tally.get(c.id) and not c.only_for]
    if avoided:
        lines.append(say["summary_avoided"].format(labels=", ".join(avoided)))
    worst = max(problems, key=lambda c: tally.get(c.id, 0))
    if tally.get(worst.id):
        advice = f"{worst.label}. {worst.better}"
    else:
        weakest = min(strengths, key=lambda c: tally.get(c.id, 0))
        advice = f"{weakest.label}. {weakest.better}"
    text = "\n".join(lines) + "\n\n" + say["practise_next"].format(advice=advice)
    out = [text]
    scenario = load_scenarios().get(state.get("scenario") or "")
    if scenario:
        knowledge = load_knowledge()
        cards = [knowledge.card(c) for c in scenario.cards]
        cards = [c for c in cards if c is not None and not (harmed and c.unsafe_if_harmed)]
        if cards:
            out.append(say["tip"].format(text=random.choice(cards).text))
    return out


def speaker(scenario: Scenario) -> Text:
    return words()["speaker"].get(scenario.relationship, "Them")


class ActionRehearsalStart(Action):
    """Starts a fresh practice: clears the last one and takes the scenario if it was named."""

    def name(self) -> Text:
        return "action_rehearsal_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        options = allowed(tracker)
        if len(options) < len(load_scenarios()):
            dispatcher.utter_message(text=words()["harmed_note"])
        chosen = None
        for entity in tracker.latest_message.get("entities") or []:
            if entity.get("entity") == "scenario" and entity.get("value") in {s.id for s in options}:
                chosen = entity["value"]
        if chosen is None and not str(tracker.latest_message.get("text") or "").startswith("/"):
            chosen = scenario_from_text(tracker.latest_message.get("text"), options)
        return [SlotSet("rehearsal_scenario", chosen),
                SlotSet("rehearsal_state", new_state(chosen) if chosen else None),
                SlotSet("rehearsal_answer", None)]


class ActionAskRehearsalScenario(Action):
    def name(self) -> Text:
        return "action_ask_rehearsal_scenario"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=words()["choose"], buttons=scenario_buttons(allowed(tracker)))
        return []


class ActionAskRehearsalAnswer(Action):
    """The hurt person's next line (with the setup before the first one)."""

    def name(self) -> Text:
        return "action_ask_rehearsal_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state = dict(tracker.get_slot("rehearsal_state") or {})
        scenario = load_scenarios().get(state.get("scenario") or tracker.get_slot("rehearsal_scenario") or "")
        if scenario is None:
            return []
        if not state:
            state = new_state(scenario.id)
        used = list(state.get("used") or [])
        if state.pop("repeat", False) and used:
            line = used[-1]
        elif state.get("answers"):
            line = pick_line(scenario.lines.get(state.get("mood"), scenario.lines[START_MOOD]), used)
        else:
            if not used:
                dispatcher.utter_message(text=scenario.setup)
            line = used[-1] if used else pick_line(scenario.opening, used)
        if not used or used[-1] != line:
            used.append(line)
        dispatcher.utter_message(text=f"{speaker(scenario)}: \u201c{line}\u201d")
        state["used"] = used[-30:]
        return [SlotSet("rehearsal_state", state)]


class ValidateRehearsalForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_rehearsal_form"

    async def extract_rehearsal_scenario(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "rehearsal_scenario":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in NOT_ANSWERS:
            return {}
        chosen = scenario_from_text(tracker.latest_message.get("text"), allowed(tracker))
        return {"rehearsal_scenario": chosen} if chosen else {}

    def validate_rehearsal_scenario(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: Dict[Text, Any]) -> Dict[Text, Any]:
        if value not in {s.id for s in allowed(tracker)}:
            dispatcher.utter_message(text=words()["choose_again"])
            return {"rehearsal_scenario": None}
        state = tracker.get_slot("rehearsal_state") or {}
        if state.get("scenario") == value:
            return {"rehearsal_scenario": value}
        return {"rehearsal_scenario": value, "rehearsal_state": new_state(value)}

    def validate_rehearsal_answer(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: Dict[Text, Any]) -> Dict[Text, Any]:
        state = dict(tracker.get_slot("rehearsal_state") or new_state(tracker.get_slot("rehearsal_scenario")))
        if is_stop(value):
            state["stopped"] = True
            return {"rehearsal_answer": str(value), "rehearsal_state": state}
        if len(normalise(value).split()) < 2:
            dispatcher.utter_message(text=words()["too_short"])
            state["repeat"] = True
            return {"rehearsal_answer": None, "rehearsal_state": state}
        scenario = load_scenarios().get(state.get("scenario") or "")
        feedback = analyse(str(value), scenario.relationship if scenario else None)
        dispatcher.utter_message(text=answer_feedback(feedback))
        tally = dict(state.get("tally") or {})
        for point_id in feedback.ids():
            tally[point_id] = tally.get(point_id, 0) + 1
        state.update(tally=tally, answers=int(state.get("answers") or 0) + 1,
                     mood=next_mood(state.get("mood") or START_MOOD, feedback))
        done = state["answers"] >= TURNS
        return {"rehearsal_answer": str(value) if done else None, "rehearsal_state": state}


class ActionRehearsalEnd(Action):
    """After the last answer or "stop": the hurt person's last line, the summary, what next."""

    def name(self) -> Text:
        return "action_rehearsal_end"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state = dict(tracker.get_slot("rehearsal_state") or {})
        if state and (tracker.latest_message.get("intent") or {}).get("name") == "stop_practice":
            state["stopped"] = True
        say = words()
        reset = [SlotSet("rehearsal_scenario", None), SlotSet("rehearsal_answer", None),
                 SlotSet("rehearsal_state", None), SlotSet("requested_slot", None)]
        if not state:
            # "is doing the chores enough?" read as "stop": with nothing running, a question
            # that names a topic gets its card instead of "nothing to stop"
            events = named_topic_card(dispatcher, tracker)
            if events is not None:
                return reset + events
            dispatcher.utter_message(text=say["nothing_to_stop"], buttons=end_buttons(None)[0:2])
            return reset
        scenario = load_scenarios().get(state.get("scenario") or "")
        if not state.get("answers"):
            dispatcher.utter_message(text=say["stopped_early"], buttons=end_buttons(None))
            return reset
        if scenario and not state.get("stopped"):
            ending = scenario.endings.get(state.get("mood") or START_MOOD)
            if ending:
                dispatcher.utter_message(text=f"{speaker(scenario)}: \u201c{ending}\u201d")
        elif state.get("stopped"):
            dispatcher.utter_message(text=say["stopped_early"])
        parts = summary(state, HARMED in risks_seen(tracker))
        for part in parts[:-1]:
            dispatcher.utter_message(text=part)
        dispatcher.utter_message(text=parts[-1], buttons=end_buttons(state.get("scenario")))
        return reset
