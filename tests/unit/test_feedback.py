"""Feedback rules (actions/feedback.py, knowledge/feedback_rules.yml) against cases written
separately from the rules (tests/unit/feedback_cases.yml: at least eight sentences that must
trigger each rule and eight near misses that must not) and whole sample apologies."""
from pathlib import Path

import pytest
import yaml

from actions.feedback import PROBLEM, STRENGTH, analyse, load_feedback_rules
from tests.seed_sections import SEEDS, sections

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "feedback_cases.yml").read_text(encoding="utf-8"))["rules"]
SAMPLES = yaml.safe_load((HERE / "apology_samples.yml").read_text(encoding="utf-8"))["samples"]


def relationship_for(rule):
    return "coworker" if rule == "unprofessional" else None


TRIGGER = [(rule, text) for rule, cases in CASES.items() for text in cases["trigger"]]
NO_TRIGGER = [(rule, text) for rule, cases in CASES.items() for text in cases["no_trigger"]]


@pytest.mark.parametrize("rule,text", TRIGGER)
def test_rule_fires(rule, text):
    assert rule in analyse(text, relationship_for(rule)).ids()


@pytest.mark.parametrize("rule,text", NO_TRIGGER)
def test_rule_stays_quiet_on_a_near_miss(rule, text):
    assert rule not in analyse(text, relationship_for(rule)).ids()


def test_every_criterion_has_at_least_five_cases_each_way():
    criteria = load_feedback_rules().criteria
    for criterion in criteria:
        cases = CASES.get(criterion)
        if criterion == "i_statements":  # checked in the summary tests, not as a rule alone
            continue
        assert cases and len(cases["trigger"]) >= 5 and len(cases["no_trigger"]) >= 5, criterion


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_sample_apology(sample):
    feedback = analyse(sample["text"], sample["relationship"])
    if sample["quality"] == "good":
        assert feedback.problems == [], [(p.id, p.quote) for p in feedback.problems]
    else:
        assert len(feedback.problems) >= 5
    assert set(sample["expect_problems"]) <= set(feedback.ids(PROBLEM))
    assert set(sample["expect_strengths"]) <= set(feedback.ids(STRENGTH))
    for point in feedback.problems + feedback.strengths:
        assert point.quote and point.quote.rstrip("…").split()[0] in sample["text"]


def test_the_work_tone_check_only_applies_to_work():
    text = "so sorry babe, my bad lol, it won't happen again"
    assert "unprofessional" in analyse(text, "coworker").ids()
    assert "unprofessional" not in analyse(text, "partner").ids()
    assert "unprofessional" in analyse("Sorry about the meeting and the project 😬", None).ids()


def test_every_criterion_cites_a_section_of_the_documents():
    if not SEEDS.exists():
        pytest.skip(f"source documents not found at {SEEDS}")
    for criterion in load_feedback_rules().criteria.values():
        path = SEEDS / criterion.source["file"]
        assert criterion.source["section"] in sections(path), criterion.id
        assert criterion.why and (criterion.kind == STRENGTH or criterion.better), criterion.id


def test_a_strength_in_a_sentence_that_undoes_it_does_not_count():
    feedback = analyse("I am sorry I lied to you, but you made me feel so unwanted. Sorry if you were upset.")
    assert {"but_undoes", "blaming", "conditional_apology"} <= set(feedback.ids(PROBLEM))
    assert "owns_it" not in feedback.ids(STRENGTH) and "names_feelings" not in feedback.ids(STRENGTH)
    assert "owns_it" in analyse("I lied to you. You made me feel unwanted.").ids(STRENGTH)
