"""Rehearsal and apology review through the REST channel, with the real model and action server."""
import uuid
from pathlib import Path

import pytest
import yaml

from actions.rehearsal import TURNS, load_scenarios

SAMPLES = {s["id"]: s for s in yaml.safe_load(
    (Path(__file__).parents[1] / "unit" / "apology_samples.yml").read_text(encoding="utf-8"))["samples"]}
SPEAKER = {"partner": "Your partner:", "friend": "Your friend:", "coworker": "Your colleague:"}
ANSWERS = [
    "I'm so sorry. I lied to you and that was my choice, nobody else's.",
    "you have every right to be angry, take all the time you need",
    "i was stressed and lonely, it just happened, it was only a few texts",
    "so what you're saying is the lying hurts more than anything. I understand that.",
    "from now on I will answer any question you ask, whenever you're ready",
]


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def line_of(replies, scenario):
    return [r["text"] for r in replies if r.get("text", "").startswith(SPEAKER[scenario.relationship])]


@pytest.mark.parametrize("scenario_id", sorted(load_scenarios()))
def test_a_full_rehearsal_of_each_scenario(coach, scenario_id):
    scenario = load_scenarios()[scenario_id]
    user = uuid.uuid4().hex
    menu = coach.say(user, "can you help me practise the conversation")
    assert any(b["title"] == scenario.title for r in menu for b in r.get("buttons", []))
    first = coach.say(user, f'/start_rehearsal{{"scenario": "{scenario_id}"}}')
    assert scenario.setup in texts(first) and line_of(first, scenario)
    for n, text in enumerate(ANSWERS[:TURNS]):
        reply = coach.say(user, text)
        said = texts(reply)
        assert "worked" in said or "To change" in said or "land more" in said, said
        if n < TURNS - 1:
            assert line_of(reply, scenario), said
    assert "That's the end of this practice" in said and "One thing to practise next" in said
    assert "an excuse: 1 of 5" in said
    # afterwards, ordinary coaching works again
    after = coach.say(user, "how do i apologise to them")
    assert any((r.get("custom") or {}).get("type") == "guidance_source" for r in after)
    assert not line_of(after, scenario)


def test_a_defensive_answer_gets_feedback_and_an_angrier_line(coach):
    user = uuid.uuid4().hex
    coach.say(user, '/start_rehearsal{"scenario": "confession"}')
    reply = coach.say(user, "I already said sorry, why do you keep bringing it up, what about what you did")
    said = texts(reply)
    assert "To change: defending yourself" in said
    angry = load_scenarios()["confession"].lines["angry"]
    assert any(line in said for line in angry)


def test_stop_midway_ends_the_rehearsal_with_what_was_done(coach):
    user = uuid.uuid4().hex
    coach.say(user, "i want to rehearse apologising to my best friend")
    coach.say(user, ANSWERS[0])
    stopped = texts(coach.say(user, "stop"))
    assert "Stopped" in stopped and "(1 answers)" in stopped
    # the next message is not taken as a rehearsal answer
    assert "Your friend:" not in texts(coach.say(user, "how do i rebuild trust"))


def test_a_safety_message_during_a_rehearsal_ends_it_and_gets_help(coach):
    user = uuid.uuid4().hex
    coach.say(user, '/start_rehearsal{"scenario": "space"}', metadata={"region": "US"})
    reply = coach.say(user, "honestly if she kicks me out i'll just kill myself", metadata={"region": "US"})
    assert any((r.get("custom") or {}).get("type") == "safety_resources" for r in reply)
    assert "988" in texts(reply) and "Your partner:" not in texts(reply)
    assert "Your partner:" not in texts(coach.say(user, "/safe_now"))


def test_a_safety_message_during_a_review_ends_it_and_gets_help(coach):
    user = uuid.uuid4().hex
    assert "Paste your apology" in texts(coach.say(user, "can you check my apology letter"))
    reply = coach.say(user, "he grabbed my throat last night when i tried to apologise", metadata={"region": "GB"})
    assert "999" in texts(reply) and "What to change" not in texts(reply)


@pytest.mark.parametrize("sample_id", ["poor_partner", "good_partner", "poor_coworker"])
def test_a_pasted_draft_gets_itemised_feedback(coach, sample_id):
    sample = SAMPLES[sample_id]
    user = uuid.uuid4().hex
    if sample["relationship"] == "coworker":
        coach.say(user, "i took credit for my coworker's work")
    coach.say(user, "could you look at the apology i wrote")
    reply = coach.say(user, sample["text"])
    said = texts(reply)
    payload = next(r["custom"] for r in reply if (r.get("custom") or {}).get("type") == "apology_review")
    found = {p["criterion"] for p in payload["points"] if p["kind"] == "problem"}
    assert set(sample["expect_problems"]) <= found
    if sample["quality"] == "good":
        assert "What to change" not in said and "sincere apology" in said
    else:
        assert "What to change" in said and "“" in said
    assert any(b["title"] == "Practise saying it" for r in reply for b in r.get("buttons", []))


def test_a_draft_longer_than_the_classifiers_read_is_reviewed_whole(coach):
    user = uuid.uuid4().hex
    coach.say(user, "review my apology please")
    filler = "I think about that night and about everything I should have done differently. " * 30
    draft = filler + "I'm sorry, but you have to understand I was drunk."
    said = texts(coach.say(user, draft))
    assert "a “but” after sorry" in said.lower() or "“but” after sorry" in said
    assert "an excuse" in said.lower()


def test_stop_with_nothing_running_is_answered_calmly(coach):
    said = texts(coach.say(uuid.uuid4().hex, "stop"))
    assert "nothing running to stop" in said
