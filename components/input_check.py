"""Input checks: keep odd input from breaking the coach and flag it so it gets a calm reply.

Three graph components:

* ``InputCleaner`` runs first. It removes control and invisible characters, drops entity values
  that are not text or numbers from a "/" payload (see ``clean_payload``), breaks up runs of
  more than ``max_word_chars`` characters without a space (see ``bound_words``) and cuts
  anything beyond ``hard_max_chars`` so the pipeline only ever sees a bounded, printable text.
* ``InputTrimmer`` runs right after SpacyNLP. It keeps the parse of the whole message for the
  safety guard (so danger mentioned late in a long message is still seen) and gives the
  classifiers only the first ``max_chars`` characters (cut at a sentence or word boundary).
* ``InputChecker`` runs after the classifiers. It marks messages that are empty, have no words
  (emoji or symbols only), were too long, or are not in English, by adding ``input_issue`` to
  the parse data and routing them to ``nlu_fallback`` where the unclear-input action explains
  what happened. A ``safety_concern`` prediction is never overridden.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import StatelessComponent

INPUT_ISSUE = "input_issue"
TRIMMED_FROM = "input_trimmed_from"
FULL_TEXT = "full_text"
SAFETY_DOC = "safety_spacy_doc"
FALLBACK_INTENT = "nlu_fallback"
PROTECTED_INTENTS = {"safety_concern"}
SPACY_DOC = "text_spacy_doc"

_KEEP_CONTROLS = {"\n", "\t"}


def clean_text(text: Any) -> Text:
    """Printable text only: control, format (zero-width) and surrogate characters become spaces."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if char in _KEEP_CONTROLS:
            cleaned.append(char)
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            cleaned.append(" ")
        else:
            cleaned.append(char)
    return re.sub(r"[ \t]{2,}", " ", "".join(cleaned)).strip()


# Rasa's pattern for a "/" payload (rasa.shared.core.training_data.story_reader.
# yaml_story_reader.YAMLStoryReader._regex_message_pattern): /intent@confidence{entities}rest
_PAYLOAD = re.compile(r"^(?P<head>/[^{@]+(?:@[0-9.]+)?)(?P<entities>{.+})(?P<rest>.*)")
_SCALARS = (str, int, float, bool)


def clean_payload(text: Text) -> Text:
    """A "/" payload with only text, number or true/false entity values (or lists of them).

    Rasa turns ``/intent{"entity": value}`` into the intent and entities without checking the
    values, and the actions compare entity and slot values with known names: an object or a
    nested list there (``/start_rehearsal{"scenario": {"a": 1}}``) made the action fail in the
    action server ("unhashable type") and the reply was lost. Such values are dropped; anything
    else is left exactly as sent (Rasa itself ignores entities that are not a JSON object).
    """
    match = _PAYLOAD.match(text)
    if not match:
        return text
    try:
        entities = json.loads(match.group("entities"))
    except (ValueError, RecursionError):
        return text
    if not isinstance(entities, dict):
        return text
    kept: Dict[Text, Any] = {}
    for name, value in entities.items():
        if isinstance(value, list):
            value = [v for v in value if isinstance(v, _SCALARS)]
            if value:
                kept[name] = value
        elif isinstance(value, _SCALARS):
            kept[name] = value
    if kept == entities:
        return text
    payload = json.dumps(kept)  # escapes, as a lone surrogate cannot be written otherwise
    return match.group("head") + payload + match.group("rest") + text[match.end():]


def bound_words(text: Text, max_chars: int, payload_chars: int = 0) -> Text:
    """No run of characters without a space longer than ``max_chars``: a longer run of
    whitespace becomes one space (or a blank line when it had a line break), and a space is put
    after every ``max_chars`` characters of a longer run of other characters (a pasted link or
    code, text in a language written without spaces, 30,000 "!"). A leading "/" payload (a
    button's intent and entities, ``/describe_situation{"relationship":"coworker"}``) of up to
    ``payload_chars`` characters is kept whole.

    spaCy's tokenizer takes time quadratic in the length of such a run when it is made of
    characters it splits off one by one (punctuation, symbols, emoji): 5,000 "!" took 4 s and
    30,000 emoji about three minutes, with the whole server blocked. The safety guard's typo
    index was also quadratic in a token's length (components/rulebook.py now skips tokens
    longer than any rule word).
    """
    def space(match: "re.Match[str]") -> Text:
        return "\n\n" if "\n" in match.group() else " "

    def split(match: "re.Match[str]") -> Text:
        run = match.group()
        return " ".join(run[i:i + max_chars] for i in range(0, len(run), max_chars))

    head = ""
    if text.startswith("/") and payload_chars > 0:
        payload = re.match(r"\S{1,%d}(?!\S)" % payload_chars, text)
        if payload:
            head, text = payload.group(), text[payload.end():]
    longer = "{%d,}" % (max_chars + 1)
    text = re.sub(r"\s" + longer, space, text)
    return head + re.sub(r"\S" + longer, split, text)


def trim_text(text: Text, max_chars: int) -> Text:
    """The first ``max_chars`` characters, cut back to the last sentence end or space."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    for boundary in (". ", "! ", "? ", "\n", " "):
        cut = head.rfind(boundary)
        if cut > max_chars // 2:
            return head[: cut + 1].strip()
    return head


def is_latin_letter(char: Text) -> bool:
    return "LATIN" in unicodedata.name(char, "")


@lru_cache(maxsize=1)
def language_identifier() -> Any:
    """langid.py's bundled model (no download), loaded once."""
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)


def looks_non_english(
    text: Text, doc: Any, min_words: int, max_stop_ratio: float, min_confidence: float
) -> bool:
    """True when the letters are mostly in another script, or the words are not English.

    Two signals must agree for Latin-script text, so that terse or slangy English ("cheated gf
    found texts") is not turned away: langid.py must be confident it is another language, and
    the message must carry almost no English function words ("i", "she", "the", "to", "my").
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if not is_latin_letter(c))
    if non_latin / len(letters) > 0.5:
        return True
    if doc is None:
        return False
    words = [t for t in doc if t.is_alpha]
    if len(words) < min_words:
        return False
    english_stops = sum(1 for t in words if t.is_stop)
    if english_stops / len(words) > max_stop_ratio:
        return False
    language, confidence = language_identifier().classify(text)
    return language != "en" and confidence >= min_confidence


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class InputCleaner(StatelessComponent):
    """First in the pipeline: printable, bounded text for everything after it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"hard_max_chars": 30000, "max_word_chars": 50, "max_payload_chars": 200}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.max_chars = int(config["hard_max_chars"])
        self.max_word_chars = int(config.get("max_word_chars") or 50)
        self.max_payload_chars = int(config.get("max_payload_chars") or 200)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original = message.get(TEXT)
            text = clean_payload(clean_text(original))
            text = bound_words(text, self.max_word_chars, self.max_payload_chars)
            if len(text) > self.max_chars:
                message.set(TRIMMED_FROM, len(text))
                text = trim_text(text, self.max_chars)
            message.set(TEXT, text)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class InputTrimmer(StatelessComponent):
    """After SpacyNLP: the whole parse for the safety guard, the first part for the classifiers."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_chars": 1500}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.max_chars = int(config["max_chars"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOC)
            text = message.get(TEXT) or ""
            if doc is None:
                continue
            message.set(SAFETY_DOC, doc)
            if len(text) <= self.max_chars:
                continue
            message.set(TRIMMED_FROM, len(text))
            # The whole text stays available to actions that read a long message (an apology
            # draft under review): the classifiers get the short copy only.
            message.set(FULL_TEXT, text, add_to_output=True)
            cut = len(trim_text(text, self.max_chars))
            end = next((t.i for t in doc if t.idx >= cut), len(doc))
            short = doc[:end].as_doc()
            message.set(TEXT, short.text)
            message.set(SPACY_DOC, short)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class InputChecker(StatelessComponent):
    """After the classifiers: flag empty, wordless, too long and non-English messages."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "min_words_for_language": 3,
            "max_english_stop_ratio": 0.15,
            "min_language_confidence": 0.9,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.min_words = int(config["min_words_for_language"])
        self.max_stop_ratio = float(config["max_english_stop_ratio"])
        self.min_confidence = float(config["min_language_confidence"])

    def issue_for(self, message: Message) -> Optional[Text]:
        text = message.get(TEXT) or ""
        if not text.strip():
            return "empty"
        if not any(c.isalnum() for c in text):
            return "no_words"
        if message.get(TRIMMED_FROM):
            return "too_long"
        if looks_non_english(
            text, message.get(SPACY_DOC), self.min_words, self.max_stop_ratio, self.min_confidence
        ):
            return "other_language"
        return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            issue = self.issue_for(message)
            if issue is None:
                continue
            message.set(INPUT_ISSUE, issue, add_to_output=True)
            predicted = (message.get(INTENT) or {}).get("name")
            if predicted in PROTECTED_INTENTS:
                continue
            fallback = {"name": FALLBACK_INTENT, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback] + ranking, add_to_output=True)
        return messages
