"""Guidance cards are complete, short, and traceable to the passage they cite."""
from pathlib import Path

import pytest
import yaml

from actions.knowledge import load_knowledge
from tests.seed_sections import SEEDS, normalise, sections

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = load_knowledge()
COACHED = [
    step["intent"]
    for name in ("core.yml", "howto.yml")
    for rule in yaml.safe_load((ROOT / "data" / "rules" / name).read_text())["rules"]
    for step in rule["steps"]
    if "intent" in step
]
CORE = ["defensiveness", "excuse_making", "rush_forgiveness"]


def test_rules_send_every_coaching_intent_to_action_coach():
    assert set(CORE) <= set(COACHED)
    assert "describe_situation" in COACHED
    assert len([i for i in COACHED if i.startswith("how_")]) >= 7


@pytest.mark.parametrize("intent", COACHED)
def test_every_coached_intent_has_cards(intent):
    minimum = 3 if intent in CORE else 2
    assert len(KNOWLEDGE.cards_for(intent)) >= minimum


def test_card_ids_are_unique():
    ids = [card.id for card in KNOWLEDGE.cards]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("card", KNOWLEDGE.cards, ids=lambda c: c.id)
def test_cards_are_short_enough_to_read_in_the_moment(card):
    words = len(card.text.split()) + len((card.say_this or "").split())
    assert words <= 65, f"{card.id}: {words} words"


@pytest.mark.parametrize("card", KNOWLEDGE.cards, ids=lambda c: c.id)
def test_every_card_cites_a_titled_source(card):
    assert card.source.file in KNOWLEDGE.titles
    assert card.source.keywords, f"{card.id} has no key words for its source"


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source documents not found at {SEEDS}")
@pytest.mark.parametrize("card", KNOWLEDGE.cards, ids=lambda c: c.id)
def test_cited_section_exists_and_contains_the_key_words(card):
    document = sections(SEEDS / card.source.file)
    assert card.source.section in document, f"{card.id}: no {card.source.section}"
    body = normalise(document[card.source.section])
    for keyword in card.source.keywords:
        assert normalise(keyword) in body, f"{card.id}: {keyword!r} not in {card.source.section}"
