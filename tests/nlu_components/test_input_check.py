"""components/input_check.py with real Rasa Messages and the project's spaCy pipeline."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from components.input_check import (INPUT_ISSUE, SAFETY_DOC, SPACY_DOC, InputChecker,
                                    InputCleaner, InputTrimmer, clean_text, trim_text)


def run_pipeline(nlp, text, predicted="describe_situation"):
    message = Message(data={"text": text})
    InputCleaner(InputCleaner.get_default_config()).process([message])
    message.set(SPACY_DOC, nlp(message.get("text")))
    InputTrimmer(InputTrimmer.get_default_config()).process([message])
    message.set("intent", {"name": predicted, "confidence": 0.9}, add_to_output=True)
    message.set("intent_ranking", [{"name": predicted, "confidence": 0.9}], add_to_output=True)
    InputChecker(InputChecker.get_default_config()).process([message])
    return message


def test_control_and_invisible_characters_are_removed():
    assert clean_text("he\x00llo\u200b there\x1b[31m") == "he llo there [31m"
    assert clean_text(None) == ""
    assert clean_text(42) == "42"


def test_trim_cuts_at_a_sentence_boundary():
    text = "First sentence here. " * 100
    cut = trim_text(text, 500)
    assert len(cut) <= 500 and cut.endswith(".")


@pytest.mark.parametrize("text, issue", [
    ("", "empty"), ("   \n ", "empty"), ("\U0001F62D\U0001F62D", "no_words"), ("?!", "no_words"),
    ("Mi esposa descubrió que la engañé y no sé qué hacer", "other_language"),
    ("Je l'ai trompée et elle ne veut plus me parler", "other_language"),
    ("私は妻を裏切りました", "other_language"),
])
def test_unusable_messages_are_flagged_and_sent_to_fallback(nlp, text, issue):
    message = run_pipeline(nlp, text)
    assert message.get(INPUT_ISSUE) == issue
    assert message.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", [
    "cheated gf found texts furious", "she kept textin me n i caved", "lol idk tbh",
    "wife caught me cheating need advice asap", "hola", "im not making excuses but she was never home",
])
def test_terse_or_slangy_english_is_not_turned_away(nlp, text):
    message = run_pipeline(nlp, text)
    assert message.get(INPUT_ISSUE) is None
    assert message.get("intent")["name"] == "describe_situation"


def test_long_message_is_flagged_but_the_whole_parse_is_kept_for_safety(nlp):
    text = "She found out about the affair last week. " * 600 + "He hit me last night."
    message = run_pipeline(nlp, text)
    assert message.get(INPUT_ISSUE) == "too_long"
    assert len(message.get("text")) <= 1500
    assert "hit me" in message.get(SAFETY_DOC).text
    assert len(message.get(SPACY_DOC)) < len(message.get(SAFETY_DOC))


def test_a_safety_prediction_is_never_turned_into_fallback(nlp):
    message = run_pipeline(nlp, "x" * 3000 + " he hurts me", predicted="safety_concern")
    assert message.get("intent")["name"] == "safety_concern"
