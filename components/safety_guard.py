"""SafetyGuard: a deterministic second layer for safety concerns.

Runs after the classifiers. When one of its rules fires on a message it overrides the prediction
to ``safety_concern`` (``intent`` and ``intent_ranking``) and adds a ``risk`` entity
(being_harmed, self_harm, partner_self_harm, may_harm_others, child_at_risk). The rules live in a
readable data file (knowledge/safety_rules.yml); this module only compiles and applies them.

Rules are written over lemmas, so "hit", "hits", "hitting" are one word; long words also match
with one or two typing errors. The rule engine is components/rulebook.py. Two kinds of rule:

* ``phrase``: a sequence of words, word groups and gaps, compiled to a spaCy ``Matcher``;
* ``verb``: a verb from a group with an object (or passive subject) from a group, compiled to a
  spaCy ``DependencyMatcher``, so word order and words in between don't matter.

A match is dropped when its key word is negated ("he has never hit me") unless the sentence says
the negation has ended ("never hit me until last night", "doesn't hit me anymore"), and when one
of the rule's ``unless`` phrases matches (idioms such as "my boss is killing me"). A message whose
only matches were excused that way carries the rule ids under ``safety_excused``, so the
SafetyClassifier can overrule a learned false alarm on an idiom.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from spacy.tokens import Doc

from components.base import StatelessComponent
from components.input_check import SAFETY_DOC, SPACY_DOC
from components.rulebook import ROOT, Finding, RuleBook, load_real_words, load_rules

SAFETY_INTENT = "safety_concern"
RISK_ENTITY = "risk"
# Rules that matched only where one of their exceptions excused the words (not in the output).
EXCUSED_KEY = "safety_excused"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyGuard(StatelessComponent):
    """Overrides the prediction to safety_concern when a safety rule fires."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The spaCy pipeline whose lemmatizer word list tells real words from typos.
        return {"rules_file": "knowledge/safety_rules.yml",
                "spacy_model": "build/spacy/en_trust_coach_md"}

    def __init__(self, config: Dict[Text, Any], rules: Optional[Dict[Text, Any]] = None) -> None:
        config = {**self.get_default_config(), **config}
        path = Path(config["rules_file"])
        self.rules_data = rules if rules is not None else load_rules(
            path if path.is_absolute() else ROOT / path)
        self.real_words = load_real_words(Path(config["spacy_model"]))
        self._books: Dict[int, RuleBook] = {}

    def book(self, vocab: Any) -> RuleBook:
        key = id(vocab)
        if key not in self._books:
            self._books[key] = RuleBook(self.rules_data, vocab, self.real_words)
        return self._books[key]

    def findings(self, doc: Doc) -> List[Finding]:
        return self.book(doc.vocab).check(doc)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SAFETY_DOC) or message.get(SPACY_DOC)
            if doc is None:
                continue
            found, excused = self.book(doc.vocab).check_all(doc)
            if found:
                apply_findings(message, found)
            elif excused:
                # Danger words the rules read as an idiom or an ordinary object ("she'll
                # kill me if I'm late lol"); the SafetyClassifier may overrule a learned alarm.
                message.set(EXCUSED_KEY, excused)
        return messages


def set_safety_intent(message: Message, confidence: float) -> None:
    """The prediction becomes safety_concern, first in ``intent_ranking`` and there once."""
    top = {"name": SAFETY_INTENT, "confidence": confidence}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != SAFETY_INTENT]
    message.set(INTENT, top, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top] + ranking, add_to_output=True)


def apply_findings(message: Message, found: Iterable[Finding]) -> None:
    found = list(found)
    set_safety_intent(message, 1.0)
    entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != RISK_ENTITY]
    seen = set()
    for finding in found:
        if finding.risk in seen:
            continue
        seen.add(finding.risk)
        entities.append({
            "entity": RISK_ENTITY, "value": finding.risk, "start": finding.start,
            "end": finding.end, "confidence_entity": 1.0, "extractor": "SafetyGuard",
        })
    message.set(ENTITIES, entities, add_to_output=True)
    message.set("safety", {
        "rules": [f.rule for f in found],
        "immediate": any(f.immediate for f in found),
    }, add_to_output=True)
