"""components/safety_classifier.py: the learned yes/no safety detector, trained here as Rasa
trains it (the project's training data and the development safety sets from config.yml), saved
to and loaded from a real model storage, and run on real Rasa Messages.

How much it catches on sets it never saw is measured, not tested: scripts/evaluate_safety.py and
scripts/cross_validate_safety_classifier.py.
"""
import contextlib
import re
import sys
from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from components.safety_classifier import (DOUBT_KEY, OUTPUT_KEY, SafetyClassifier, example_label,
                                          project_config, read_example_sets)
from components.safety_guard import SafetyGuard

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import evaluate_safety  # noqa: E402  (the safety sets: gated, development, never tuned)
GUARD = SafetyGuard(SafetyGuard.get_default_config())


@pytest.fixture(scope="module")
def trained(nlp, tmp_path_factory):
    """Trained, persisted and loaded back, as `rasa train` and `rasa run` do."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("safety_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    model = SpacyModel(model=nlp, model_name="en_trust_coach_md")
    config = project_config()
    component = SafetyClassifier.create(config, storage, resource, context)
    component.train(load_data(str(ROOT / "data" / "nlu")), model)
    loaded = SafetyClassifier.load(config, storage, resource, context)
    return loaded, model


def classify(trained, text, intent="describe_situation", confidence=0.8):
    component, model = trained
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    component.process([message], model)
    return message


def test_the_sets_it_learns_from_are_read_whole():
    config = project_config()
    safety_sets = [n for n in config["example_sets"] if n.startswith("tests/safety/")]
    for name in safety_sets:
        data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        examples = read_example_sets([name])
        assert sum(label for _, label in examples) == len(data["positives"]) >= 100
        assert sum(not label for _, label in examples) == len(data["negatives"]) >= 50
    # Rasa NLU files: safety_concern is a disclosure, every other intent is not; entity
    # annotations are read as plain words
    long_files = [n for n in config["example_sets"] if n.startswith("data_candidates/")]
    examples = read_example_sets(long_files)
    assert sum(label for _, label in examples) >= 40
    assert sum(not label for _, label in examples) >= 300
    assert not any("](" in text or "]{" in text for text, _ in examples)
    # never the gated or the never-tuned sets (as scripts/evaluate_safety.py lists them)
    held_out = {(ROOT / path).resolve() for path in {**evaluate_safety.SETS,
                                                      **evaluate_safety.UNSEEN}.values()}
    assert len(held_out) >= 8
    assert not any((ROOT / name).resolve() in held_out for name in config["example_sets"])


@pytest.mark.parametrize("text", [
    # none of these sets off a rule of the guard (checked below)
    "he said if i ever go to the police i'll regret it",
    "she took the car keys and my bank card and said i'm not going anywhere",
    "honestly everyone would cope fine if i just wasnt in the picture anymore",
])
def test_a_disclosure_the_rules_and_the_model_missed_becomes_a_safety_concern(nlp, trained, text):
    assert not GUARD.findings(nlp(text))
    message = classify(trained, text)
    assert message.get("intent")["name"] == "safety_concern"
    assert message.get("intent_ranking")[0]["name"] == "safety_concern"
    assert [r["name"] for r in message.get("intent_ranking")].count("safety_concern") == 1
    assert message.get(OUTPUT_KEY)["probability"] >= 0.9
    assert message.as_dict(only_output_properties=True)[OUTPUT_KEY]


@pytest.mark.parametrize("text", [
    "he said if i ever go to the police i'll regret it",
    "my husband has been drinking every night since he found out",
    "he took the car keys and said i'm not going anywhere",
    "my boyfriend wants to see my phone every night",
])
def test_the_partners_gender_changes_nothing(trained, text):
    component, model = trained
    other = {"he": "she", "husband": "wife", "boyfriend": "girlfriend"}
    swapped = re.sub(r"\b(he|husband|boyfriend)\b", lambda m: other[m.group(1)], text)
    assert swapped != text
    assert (component.detector.probabilities(model.model, [text])
            == component.detector.probabilities(model.model, [swapped]))


@pytest.mark.parametrize("text", ["he's home", "she's asleep", "he he", "no no no", "ok"])
def test_a_very_short_message_is_left_to_the_rules_and_the_model(trained, text):
    assert classify(trained, text).get("intent")["name"] == "describe_situation"


def test_what_it_learns_from_the_safety_answers():
    # "no, he's outside the door" is a danger; "not sure" is neither yes nor no
    assert example_label("not_safe") is True
    assert example_label("safety_concern") is True
    assert example_label("unsure_safe") is None
    assert example_label("safe_now") is False


@pytest.mark.parametrize("text, intent", [
    ("how do i apologise to my wife without making excuses", "how_apologize"),
    ("she keeps asking the same questions about the affair every night", "how_answer_questions"),
    ("i just want us to move on, its been two weeks", "rush_forgiveness"),
    ("we agreed i would share my location with her for a while", "how_transparency"),
    ("thanks, that really helped", "thank"),
])
def test_ordinary_coaching_keeps_its_intent(trained, text, intent):
    message = classify(trained, text, intent)
    assert message.get("intent")["name"] == intent
    assert message.get(OUTPUT_KEY) is None


def test_a_pasted_apology_draft_is_not_read_as_danger(trained):
    # Long drafts ("I will never hurt you again... the rest of your life") were read as danger
    # before the detector learned from long ordinary messages.
    samples = yaml.safe_load((ROOT / "tests" / "unit" / "apology_samples.yml").read_text(
        encoding="utf-8"))["samples"]
    for sample in samples:
        message = classify(trained, sample["text"], "review_apology")
        assert message.get("intent")["name"] == "review_apology", sample["id"]


@pytest.mark.parametrize("intent", ["safe_now", "not_safe"])
def test_i_am_safe_and_i_am_not_safe_are_left_as_they_are(trained, intent):
    # The person must still be able to say they are safe after a concern.
    text = "im safe now but he had his hands round my throat last night"
    assert classify(trained, text).get("intent")["name"] == "safety_concern"
    message = classify(trained, text, intent)
    assert message.get("intent")["name"] == intent


def test_not_sure_with_a_danger_in_it_gets_help(nlp, trained):
    text = "not sure, he said tonight would be the last night"
    assert not GUARD.findings(nlp(text))
    assert classify(trained, text, "unsure_safe").get("intent")["name"] == "safety_concern"


def test_the_guards_finding_is_not_replaced(trained):
    component, model = trained
    message = Message(data={"text": "he choked me"})
    message.set("intent", {"name": "safety_concern", "confidence": 1.0}, add_to_output=True)
    message.set("entities", [{"entity": "risk", "value": "being_harmed"}], add_to_output=True)
    component.process([message], model)
    assert message.get("intent")["confidence"] == 1.0
    assert message.get("entities") == [{"entity": "risk", "value": "being_harmed"}]
    assert message.get(OUTPUT_KEY) is None


def diet_alarm(nlp, trained, text, second=("describe_situation", 0.1)):
    """DIET alone said safety_concern; the guard ran as it does in the pipeline."""
    component, model = trained
    message = Message(data={"text": text})
    message.set("text_spacy_doc", nlp(text))
    message.set("intent", {"name": "safety_concern", "confidence": 0.8}, add_to_output=True)
    message.set("intent_ranking", [{"name": "safety_concern", "confidence": 0.8},
                                   {"name": second[0], "confidence": second[1]}],
                add_to_output=True)
    GUARD.process([message])
    component.process([message], model)
    return message


@pytest.mark.parametrize("text", [
    "my husband will murder me if i forget the anniversary dinner again haha",
    "work is killing me this month, how do i still make time for her",
])
def test_a_learned_alarm_on_an_idiom_the_guard_excused_is_overruled(nlp, trained, text):
    message = diet_alarm(nlp, trained, text, second=("how_rebuild", 0.6))
    # the "figure of speech" reply, which keeps "Someone may be in danger" one tap away
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("input_issue") == "figure_of_speech"
    assert "safety_concern" not in [r["name"] for r in message.get("intent_ranking")]
    assert message.get(OUTPUT_KEY)["overruled"] == "safety_concern"
    assert message.get(OUTPUT_KEY)["probability"] < 0.5


@pytest.mark.parametrize("text", [
    # danger words excused by an exception ("bread knife", "lol"), no rule fires, but the
    # detector reads danger in the rest
    "sometimes i pick up the bread knife and wonder what it would feel like on my skin",
    # no danger words excused: DIET's alarm is not questioned
    "he won't let me see my friends or have any money of my own",
    "i feel like im drowning and i dont know how much longer i can keep going",
])
def test_a_learned_alarm_stands_unless_both_the_rules_and_the_detector_say_idiom(nlp, trained, text):
    message = diet_alarm(nlp, trained, text)
    assert message.get("intent")["name"] == "safety_concern"
    assert message.get("input_issue") is None


@pytest.mark.parametrize("text", [
    # laughter is no written exception: a threat said with "lol" is never overruled
    "he threatens to strangle me if i talk to other guys lol",
    "my husband wants to kill me lol",
    "he says he wants to kill me haha",
])
def test_a_threat_with_a_laugh_is_never_overruled(nlp, trained, text):
    message = diet_alarm(nlp, trained, text)
    assert message.get("intent")["name"] == "safety_concern"
    assert message.get("input_issue") is None


def test_no_guess_for_a_short_message_and_never_a_risk_of_harming_others(nlp, trained):
    short = diet_alarm(nlp, trained, "im scared")
    assert not [e for e in short.get("entities") or [] if e["entity"] == "risk"]
    component, model = trained
    assert "may_harm_others" in component.detector.risk_model.classes_  # it could guess it
    for text in ["he threatens to shoot me lol", "im gonna get killed when he gets home lol",
                 "i keep thinking about what id do to him if i saw him again"]:
        message = classify(trained, text, "safety_concern")
        guesses = [e["value"] for e in message.get("entities") or [] if e["entity"] == "risk"]
        assert "may_harm_others" not in guesses, text


def test_with_fewer_than_two_risk_types_there_is_no_guess(nlp):
    from components.safety_classifier import Detector
    detector = Detector().fit(nlp, [("he hit me", True), ("how do i say sorry", False)])
    detector.fit_risks(nlp, [("he hit me", "being_harmed")])
    assert detector.risk(nlp, "he hit me") == (None, 0.0)
    assert detector.fit_risks(nlp, []).risk(nlp, "he hit me") == (None, 0.0)


def test_an_alarm_the_rules_raised_is_never_overruled(nlp, trained):
    # "lol" excuses the threat, the broken wrist fires a rule
    text = "she'll kill me if i'm late lol. she broke my wrist last time"
    message = diet_alarm(nlp, trained, text)
    assert message.get("safety") and message.get("intent")["name"] == "safety_concern"


@pytest.mark.parametrize("text, risk", [
    # no rule of the guard fires on these (checked below)
    ("my ex leaves our little one with her new boyfriend and she comes back scared of bath time",
     "child_at_risk"),
    ("my son keeps coming back from his dads with marks he wont explain", "child_at_risk"),
    ("honestly everyone would cope fine if i just wasnt in the picture anymore", "self_harm"),
])
def test_a_concern_no_rule_named_gets_the_likeliest_risk_type(nlp, trained, text, risk):
    assert not GUARD.findings(nlp(text))
    for intent in ("describe_situation", "safety_concern"):  # the detector's alarm, or DIET's
        message = classify(trained, text, intent)
        assert message.get("intent")["name"] == "safety_concern"
        named = [e for e in message.get("entities") or [] if e["entity"] == "risk"]
        assert [e["value"] for e in named] == [risk]
        assert named[0]["extractor"] == "SafetyClassifier" and named[0]["confidence_entity"] >= 0.5


def test_a_risk_the_guard_named_is_kept(trained):
    component, model = trained
    message = Message(data={"text": "my son keeps coming back from his dads with marks"})
    message.set("intent", {"name": "safety_concern", "confidence": 1.0}, add_to_output=True)
    message.set("entities", [{"entity": "risk", "value": "being_harmed",
                              "extractor": "SafetyGuard"}], add_to_output=True)
    message.set("safety", {"rules": ["x"], "immediate": False}, add_to_output=True)
    component.process([message], model)
    assert [e["value"] for e in message.get("entities")] == ["being_harmed"]


def test_empty_text_is_quiet_and_a_model_without_its_detector_is_refused(tmp_path, trained):
    assert classify(trained, "").get("intent")["name"] == "describe_situation"
    with pytest.raises(RuntimeError, match="no trained detector"):
        SafetyClassifier.load(project_config(), LocalModelStorage(tmp_path), Resource("none"),
                              ExecutionContext(GraphSchema({}), "test"))


def test_a_changed_example_set_retrains_the_component(tmp_path):
    path = tmp_path / "set.yml"
    path.write_text("positives:\n  - text: he hit me\n    risk: being_harmed\nnegatives: []\n")
    before = SafetyClassifier.fingerprint_addon({"example_sets": [str(path)]})
    assert before == SafetyClassifier.fingerprint_addon({"example_sets": [str(path)]})
    path.write_text("positives:\n  - text: he hit me again\n    risk: being_harmed\nnegatives: []\n")
    assert SafetyClassifier.fingerprint_addon({"example_sets": [str(path)]}) != before
    words = tmp_path / "words.yml"
    words.write_text("words:\n  he: they\n")
    with_words = SafetyClassifier.fingerprint_addon({"example_sets": [str(path)],
                                                     "words_file": str(words)})
    words.write_text("words:\n  he: they\n  she: they\n")
    assert SafetyClassifier.fingerprint_addon({"example_sets": [str(path)],
                                               "words_file": str(words)}) != with_words


@contextlib.contextmanager
def doubt_band_around(component, probability):
    """The detector's unsure band set tightly around one message's real probability."""
    saved = dict(component.config)
    component.config.update(doubt_from=probability - 0.001, doubt_is_concern_from=probability,
                            threshold=probability + 0.001)
    try:
        yield
    finally:
        component.config.clear()
        component.config.update(saved)


# no rule of the guard fires on it (checked below), so it reaches the detector in the bot
DOUBTED = "he said enjoy your new life and switched his phone off, i dont know where he went"


def test_the_doubted_example_is_left_to_the_detector(nlp):
    assert not GUARD.findings(nlp(DOUBTED))


@pytest.mark.parametrize("intent", ["nlu_fallback", "goodbye"])
def test_an_unsure_detector_answers_a_message_diet_found_nothing_in_as_a_concern(trained, intent):
    component, model = trained
    probability = component.detector.probabilities(model.model, [DOUBTED])[0]
    with doubt_band_around(component, probability):
        message = classify(trained, DOUBTED, intent, confidence=0.35)
    assert message.get("intent")["name"] == "safety_concern"
    assert message.get(OUTPUT_KEY)["probability"] == round(probability, 3)


def test_a_message_diet_did_not_understand_is_marked_when_the_doubt_is_small(trained):
    component, model = trained
    probability = component.detector.probabilities(model.model, [DOUBTED])[0]
    with doubt_band_around(component, probability):
        component.config["doubt_is_concern_from"] = probability + 0.0005
        message = classify(trained, DOUBTED, "nlu_fallback", confidence=0.35)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get(DOUBT_KEY) == {"probability": round(probability, 3)}


def test_an_unsure_detector_keeps_a_coaching_question_and_marks_the_doubt(trained):
    component, model = trained
    probability = component.detector.probabilities(model.model, [DOUBTED])[0]
    with doubt_band_around(component, probability):
        message = classify(trained, DOUBTED, "how_rebuild")
    assert message.get("intent")["name"] == "how_rebuild"
    assert message.get(DOUBT_KEY) == {"probability": round(probability, 3)}
    # below the band: no doubt at all
    with doubt_band_around(component, probability + 0.01):
        message = classify(trained, DOUBTED, "how_rebuild")
    assert message.get(DOUBT_KEY) is None and message.get("intent")["name"] == "how_rebuild"


def test_the_project_keeps_a_band_below_the_alarm():
    config = project_config()
    assert 0 < config["doubt_from"] <= config["doubt_is_concern_from"] < config["threshold"]
    assert "nlu_fallback" in config["doubt_is_concern_for"]
    assert "safety_concern" not in config["doubt_is_concern_for"]
