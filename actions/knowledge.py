"""Loads the guidance cards and sources (knowledge/*.yml) and chooses a card for a turn.

Content is data: the cards, their wording and their sources live in knowledge/guidance.yml and
knowledge/sources.yml; this module only reads and selects.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Text

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
ANY = "any"
ROMANTIC = ("partner", "spouse", "girlfriend", "boyfriend")


@dataclass(frozen=True)
class Source:
    file: Text
    section: Text
    keywords: Sequence[Text] = ()


@dataclass(frozen=True)
class Card:
    id: Text
    intents: Sequence[Text]
    text: Text
    source: Source
    relationships: Sequence[Text] = (ANY,)
    say_this: Optional[Text] = None

    def fits(self, relationship: Optional[Text]) -> bool:
        return relationship in self.relationships if relationship else False

    @property
    def general(self) -> bool:
        return ANY in self.relationships


@dataclass
class Knowledge:
    cards: List[Card]
    titles: Dict[Text, Text] = field(default_factory=dict)

    def cards_for(self, intent: Text) -> List[Card]:
        return [card for card in self.cards if intent in card.intents]

    def choose(
        self,
        intent: Text,
        relationship: Optional[Text] = None,
        avoid: Optional[Text] = None,
        rng: Optional[random.Random] = None,
    ) -> Optional[Card]:
        """A card for the intent: one written for this relationship if there is one, else a
        general card (romantic cards when the relationship is unknown), never ``avoid`` (the card
        shown last) when another card would do."""
        rng = rng or random
        candidates = self.cards_for(intent)
        if not candidates:
            return None
        specific = [c for c in candidates if c.fits(relationship)]
        general = [c for c in candidates if c.general]
        if relationship is None:
            general = general or [c for c in candidates if set(c.relationships) & set(ROMANTIC)]
        for group in (specific, general, candidates):
            fresh = [c for c in group if c.id != avoid]
            if fresh:
                return rng.choice(fresh)
        return rng.choice(candidates)

    def cite(self, card: Card) -> Text:
        title = self.titles.get(card.source.file, card.source.file)
        return f"Source: {title}, {card.source.section}"


def parse_knowledge(guidance: dict, sources: dict) -> Knowledge:
    cards = []
    for raw in guidance.get("cards", []):
        src = raw["source"]
        cards.append(
            Card(
                id=raw["id"],
                intents=tuple(raw["intents"]),
                text=" ".join(raw["text"].split()),
                source=Source(src["file"], str(src["section"]), tuple(src.get("keywords", ()))),
                relationships=tuple(raw.get("relationships") or (ANY,)),
                say_this=raw.get("say_this"),
            )
        )
    titles = {s["file"]: s["title"] for s in sources.get("sources", [])}
    return Knowledge(cards=cards, titles=titles)


@lru_cache(maxsize=1)
def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    with (directory / "guidance.yml").open(encoding="utf-8") as handle:
        guidance = yaml.safe_load(handle)
    with (directory / "sources.yml").open(encoding="utf-8") as handle:
        sources = yaml.safe_load(handle)
    return parse_knowledge(guidance, sources)
