"""Feedback on what someone says to the person they hurt: a rehearsal answer or an apology draft.

The criteria (what works, what to change, why, a better way to say it, the source) and the rules
that recognise them live in knowledge/feedback_rules.yml. The rules are compiled by the same
engine as the safety guard (components/rulebook.py) onto the project's spaCy pipeline, so they
match word stems, cope with typos and capitals, see negation ("I'm not saying you're
overreacting") and read the dependency parse ("I lied", "I ended it").
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text

from components.rulebook import RuleBook, load_real_words, load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES_FILE = ROOT / "knowledge" / "feedback_rules.yml"
SPACY_MODEL = Path(os.environ.get("TRUST_COACH_SPACY_MODEL", ROOT / "build" / "spacy" / "en_trust_coach_md"))
MAX_QUOTE = 110
PROBLEM, STRENGTH = "problem", "strength"


@dataclass(frozen=True)
class Criterion:
    id: Text
    kind: Text
    label: Text
    why: Text
    better: Optional[Text]
    source: Dict[Text, Text]
    only_for: Sequence[Text] = ()


@dataclass(frozen=True)
class Point:
    criterion: Criterion
    quote: Text  # the sentence it refers to, shortened

    @property
    def id(self) -> Text:
        return self.criterion.id


@dataclass
class Feedback:
    problems: List[Point] = field(default_factory=list)
    strengths: List[Point] = field(default_factory=list)
    words: int = 0

    def ids(self, kind: Optional[Text] = None) -> List[Text]:
        points = {PROBLEM: self.problems, STRENGTH: self.strengths}.get(kind, self.problems + self.strengths)
        return [p.id for p in points]


def _quote(sentence: Text) -> Text:
    text = " ".join(sentence.split())
    if len(text) <= MAX_QUOTE:
        return text
    cut = text[:MAX_QUOTE].rsplit(" ", 1)[0]
    return cut + "…"


def _has_emoji(text: Text) -> bool:
    return any(unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF for ch in text)


class FeedbackRules:
    """The criteria and their compiled rules, for one spaCy pipeline."""

    def __init__(self, data: Dict[Text, Any], nlp: Any, real_words: Iterable[Text] = ()) -> None:
        self.nlp = nlp
        self.criteria: Dict[Text, Criterion] = {}
        for item in data["criteria"]:
            self.criteria[item["id"]] = Criterion(
                id=item["id"], kind=item["kind"], label=item["label"], why=item["why"],
                better=item.get("better"), source=dict(item.get("source") or {}),
                only_for=tuple(item.get("only_for") or ()))
        self.rule_criterion = {rule["id"]: rule["criterion"] for rule in data["rules"]}
        unknown = set(self.rule_criterion.values()) - set(self.criteria)
        if unknown:
            raise ValueError(f"rules name unknown criteria: {sorted(unknown)}")
        self.work_words = {str(w).lower() for w in data.get("work_words") or []}
        self.book = RuleBook(data, nlp.vocab, frozenset(real_words))

    def professional(self, text: Text, relationship: Optional[Text]) -> bool:
        """Whether the work-tone check applies: to a coworker, or a draft that reads as one."""
        if relationship == "coworker":
            return True
        words = set(re.findall(r"[a-z][a-z-]*", text.lower()))
        return len(words & self.work_words) >= (3 if relationship else 2)

    def analyse(self, text: Text, relationship: Optional[Text] = None) -> Feedback:
        text = text or ""
        doc = self.nlp(text)
        work = self.professional(text, relationship)
        feedback = Feedback(words=sum(1 for t in doc if t.is_alpha))
        seen: set = set()
        found = [(self.rule_criterion[f.rule], f.start) for f in self.book.check(doc)]
        if work and _has_emoji(text):
            first = next(i for i, ch in enumerate(text) if _has_emoji(ch))
            found.append(("unprofessional", first))
        located = []
        for criterion_id, start in sorted(found, key=lambda item: item[1]):
            criterion = self.criteria[criterion_id]
            if criterion.only_for and not work:
                continue
            span = doc.char_span(start, start + 1, alignment_mode="expand")
            sentence = span.sent if span is not None else doc[:]
            located.append((criterion, sentence))
        # A strength only counts in a sentence that doesn't undo it: "Sorry if you were upset"
        # is not naming their feelings, "I lied, but you made me" is not owning it.
        spoiled = {sentence.start for criterion, sentence in located if criterion.kind == PROBLEM}
        for criterion, sentence in located:
            if criterion.id in seen or (criterion.kind == STRENGTH and sentence.start in spoiled):
                continue
            seen.add(criterion.id)
            point = Point(criterion, _quote(sentence.text))
            (feedback.problems if criterion.kind == PROBLEM else feedback.strengths).append(point)
        return feedback


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["ner"])


@lru_cache(maxsize=1)
def load_feedback_rules() -> FeedbackRules:
    return FeedbackRules(load_rules(RULES_FILE), load_nlp(), load_real_words(SPACY_MODEL))


def analyse(text: Text, relationship: Optional[Text] = None) -> Feedback:
    return load_feedback_rules().analyse(text, relationship)
