"""Rehearsal and apology review actions, with real Tracker and CollectingDispatcher."""
import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import load_feedback_rules
from actions.rehearsal import (
    TURNS,
    ActionAskRehearsalAnswer,
    ActionRehearsalEnd,
    ActionRehearsalStart,
    ValidateRehearsalForm,
    load_scenarios,
    scenario_from_text,
)
from actions.review import ValidateApologyForm

SAMPLES = {s["id"]: s for s in yaml.safe_load(
    (Path(__file__).parent / "apology_samples.yml").read_text(encoding="utf-8"))["samples"]}
DEFENSIVE = "I already said sorry, I'm not a bad person, why do you keep bringing it up"
VALIDATING = ("You have every right to be angry. I lied to you about where I was, and I take full "
              "responsibility. Take all the time you need.")


def tracker(intent="start_rehearsal", slots=None, text="help me practise", entities=()):
    latest = {"intent": {"name": intent, "confidence": 0.9}, "entities": list(entities), "text": text}
    return Tracker("test-user", slots or {}, latest, [], False, None, {}, "action_listen")


def run(action, a_tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, a_tracker, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def answer(slots, text):
    dispatcher = CollectingDispatcher()
    form = ValidateRehearsalForm()
    result = form.validate_rehearsal_answer(text, dispatcher, tracker("describe_situation", slots, text), {})
    return dispatcher.messages, result


def start(text="help me practise", entities=()):
    _, slots = run(ActionRehearsalStart(), tracker(text=text, entities=entities))
    return slots


def test_a_typed_choice_picks_the_most_specific_scenario_by_whole_words():
    options = list(load_scenarios().values())
    assert scenario_from_text("my girlfriend keeps asking the same questions", options) == "questions"
    assert scenario_from_text("i need to apologise to my colleague", options) == "coworker"
    assert scenario_from_text("2", options) == options[1].id
    assert scenario_from_text("something about the weather", options) is None


def test_start_takes_the_scenario_named_in_the_request_and_clears_the_last_practice():
    slots = start("help me practise what to say to my colleague at work")
    assert slots["rehearsal_scenario"] == "coworker"
    assert slots["rehearsal_state"]["answers"] == 0 and slots["rehearsal_answer"] is None
    assert start("help me practise")["rehearsal_scenario"] is None


def test_first_line_comes_after_the_setup_and_the_same_line_is_repeated_after_a_too_short_answer():
    slots = start(entities=[{"entity": "scenario", "value": "confession"}])
    messages, new = run(ActionAskRehearsalAnswer(), tracker(slots=slots))
    scenario = load_scenarios()["confession"]
    assert messages[0]["text"] == scenario.setup
    assert messages[1]["text"].startswith("Your partner:")
    slots = {**slots, **new}
    messages, result = answer(slots, "ok")
    assert result["rehearsal_answer"] is None and "sentence or two" in messages[0]["text"]
    again, _ = run(ActionAskRehearsalAnswer(), tracker(slots={**slots, **result}))
    assert again == [{**again[0], "text": f"Your partner: \u201c{new['rehearsal_state']['used'][-1]}\u201d"}]


def test_defensive_answers_escalate_and_validating_ones_soften():
    slots = start(entities=[{"entity": "scenario", "value": "confession"}])
    messages, result = answer(slots, DEFENSIVE)
    assert "To change" in messages[0]["text"] and "defending yourself" in messages[0]["text"]
    assert result["rehearsal_state"]["mood"] == "angry"
    messages, result = answer({**slots, **result}, DEFENSIVE)
    assert result["rehearsal_state"]["mood"] == "withdrawn"
    soft = start(entities=[{"entity": "scenario", "value": "confession"}])
    messages, result = answer(soft, VALIDATING)
    assert "What worked" in messages[0]["text"] and "To change" not in messages[0]["text"]
    assert result["rehearsal_state"]["mood"] == "softening"
    assert len(messages[0]["text"].split()) <= 60


def test_a_full_practice_ends_after_the_last_answer_with_a_scored_summary():
    slots = start(entities=[{"entity": "scenario", "value": "friend"}])
    for turn in range(TURNS):
        _, result = answer(slots, DEFENSIVE if turn % 2 else VALIDATING)
        slots = {**slots, **result}
        assert (result["rehearsal_answer"] is None) == (turn < TURNS - 1)
    messages, reset = run(ActionRehearsalEnd(), tracker("describe_situation", slots))
    text = "\n".join(m["text"] for m in messages)
    assert messages[0]["text"].startswith("Your friend:")
    for criterion in load_feedback_rules().criteria.values():
        if criterion.kind == "strength":
            assert f"{criterion.label}: " in text
    assert f"defending yourself: {TURNS // 2} of {TURNS}" in text
    assert "One thing to practise next: defending yourself" in text
    assert [b["title"] for b in messages[-1]["buttons"]][:2] == ["Try again", "Another scenario"]
    assert reset == {"rehearsal_scenario": None, "rehearsal_answer": None, "rehearsal_state": None,
                     "requested_slot": None}


def test_stop_typed_as_an_answer_ends_the_practice():
    slots = start(entities=[{"entity": "scenario", "value": "space"}])
    _, result = answer(slots, VALIDATING)
    _, result = answer({**slots, **result}, "stop")
    assert result["rehearsal_answer"] == "stop" and result["rehearsal_state"]["stopped"]
    messages, _ = run(ActionRehearsalEnd(), tracker("stop_practice", {**slots, **result}))
    assert "Stopped" in messages[0]["text"] and "(1 answers)" in messages[1]["text"]


def test_someone_who_said_they_are_harmed_is_not_offered_a_rehearsal_with_a_partner():
    harmed = {"risks_seen": ["being_harmed"]}
    messages, slots = run(ActionRehearsalStart(), tracker(slots=harmed, text="practise the confession"))
    assert "safety plan" in messages[0]["text"]
    assert slots["rehearsal_scenario"] is None
    form = ValidateRehearsalForm()
    dispatcher = CollectingDispatcher()
    assert form.validate_rehearsal_scenario("confession", dispatcher, tracker(slots=harmed), {}) == {
        "rehearsal_scenario": None}
    assert form.validate_rehearsal_scenario("friend", dispatcher, tracker(slots=harmed), {})[
        "rehearsal_scenario"] == "friend"


def review(text, slots=None):
    dispatcher = CollectingDispatcher()
    result = ValidateApologyForm().validate_apology_draft(
        text, dispatcher, tracker("describe_situation", slots or {}, text), {})
    return dispatcher.messages, result


def test_a_poor_draft_gets_itemised_feedback_quoting_its_sentences():
    messages, result = review(SAMPLES["poor_partner"]["text"])
    assert result == {"apology_draft": "reviewed"}
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "What to change:" in text
    assert "“Maya, I'm sorry, but you have to understand where my head was.”" in text
    payload = messages[-1]["custom"]
    assert payload["type"] == "apology_review"
    assert {"but_undoes", "excuse", "pressing_forgiveness"} <= {p["criterion"] for p in payload["points"]}
    assert all(p["source"]["title"] for p in payload["points"])


def test_a_good_draft_is_recognised_as_good():
    messages, _ = review(SAMPLES["good_partner"]["text"])
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "What to change:" not in text and "sincere apology" in text
    assert "What works:" in text


def test_a_draft_in_the_request_itself_is_reviewed_at_once_and_a_short_one_is_asked_for_again():
    draft = SAMPLES["good_friend"]["text"]
    latest = {"intent": {"name": "review_apology"}, "entities": [], "text": "can you check this: " + draft}
    coroutine = ValidateApologyForm().extract_apology_draft(
        CollectingDispatcher(), Tracker("u", {}, latest, [], False, None, {}, "action_listen"), {})
    # in a thread of its own: other tests (the browser's) may leave an event loop running here
    with ThreadPoolExecutor(1) as pool:
        extracted = pool.submit(asyncio.run, coroutine).result()
    assert extracted["apology_draft"].endswith(draft)
    messages, result = review("sorry about that")
    assert result == {"apology_draft": None} and "quite short" in messages[0]["text"]


def test_stop_with_nothing_running_says_so():
    messages, _ = run(ActionRehearsalEnd(), tracker("stop_practice", text="stop"))
    assert messages[0]["text"] == yaml.safe_load(
        (Path(__file__).parents[2] / "knowledge" / "replies.yml").read_text(
            encoding="utf-8"))["practice"]["nothing_to_stop"]
    assert not any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)


def test_a_topic_question_read_as_stop_with_nothing_running_gets_the_topic_card():
    """ "is doing the chores enough?" was read as "stop" and got "There's nothing running to
    stop"; with no practice running, a question that names a topic gets its card."""
    messages, slots = run(ActionRehearsalEnd(), tracker("stop_practice",
                                                        text="is doing the chores enough?"))
    assert slots.get("last_card") == "rebuild_practical_care"
    assert any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)
    assert "nothing running" not in " ".join(m.get("text") or "" for m in messages)


def test_a_topic_question_read_as_stop_during_the_safety_check_gets_no_advice():
    messages, slots = run(ActionRehearsalEnd(), tracker("stop_practice", {"safety_open": True},
                                                        text="is doing the chores enough?"))
    assert "last_card" not in slots
    assert not any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)
