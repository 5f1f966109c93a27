"""Every passage of the source documents is accounted for, and no card gives rejected advice.

Each section of each document in the seeds folder (named as tests/seed_sections.py splits them)
is either cited by a card in knowledge/guidance.yml or listed under its `not_used:` with a reason.
The advice we decided against (docs/guidance_decisions.md) never appears in a card.
"""
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from tests.seed_sections import SEEDS, normalise, sections

ROOT = Path(__file__).resolve().parents[2]
GUIDANCE = yaml.safe_load((ROOT / "knowledge" / "guidance.yml").read_text(encoding="utf-8"))
SOURCES = yaml.safe_load((ROOT / "knowledge" / "sources.yml").read_text(encoding="utf-8"))
CARDS = GUIDANCE["cards"]
NOT_USED = GUIDANCE.get("not_used") or []
NO_ADVICE = "no advice in this section"

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"source documents not found at {SEEDS} (tests/seed_sections.SEEDS); "
    "coverage of the documents cannot be checked without them",
)


def documents():
    if not SEEDS.is_dir():
        return []
    return sorted(p for p in SEEDS.iterdir() if p.is_file() and not p.name.startswith("."))


def all_sections():
    return [(doc.name, name) for doc in documents() for name in sections(doc)]


CITED = {(card["source"]["file"], str(card["source"]["section"])) for card in CARDS}
LISTED = {(entry["file"], str(entry["section"])) for entry in NOT_USED}


@needs_seeds
def test_the_seeds_folder_has_documents_with_sections():
    assert documents(), f"no documents in {SEEDS}"
    for doc in documents():
        assert sections(doc), f"{doc.name}: no sections found"


@needs_seeds
@pytest.mark.parametrize("file, section", all_sections(), ids=lambda v: str(v))
def test_every_section_is_cited_by_a_card_or_listed_as_not_used(file, section):
    assert (file, section) in CITED | LISTED, (
        f"{file}, {section}: cite it from a card in knowledge/guidance.yml, or list it under "
        f"not_used with the reason (\"{NO_ADVICE}\" when it has none)"
    )


@needs_seeds
@pytest.mark.parametrize("entry", NOT_USED, ids=lambda e: f"{e['file']}:{e['section']}")
def test_every_not_used_entry_names_a_real_section_and_says_why(entry):
    doc = SEEDS / entry["file"]
    assert doc.is_file(), f"not_used names a missing document: {entry['file']}"
    assert str(entry["section"]) in sections(doc), f"{entry['file']} has no {entry['section']}"
    assert str(entry.get("reason") or "").strip(), f"{entry['file']}, {entry['section']}: no reason"
    assert str(entry.get("advice") or "").strip(), f"{entry['file']}, {entry['section']}: no advice"


def test_a_section_with_no_advice_is_not_also_cited_by_a_card():
    for entry in NOT_USED:
        if normalise(str(entry.get("reason") or "")).strip() == NO_ADVICE:
            key = (entry["file"], str(entry["section"]))
            assert key not in CITED, f"{key} is cited by a card but listed as having no advice"


@needs_seeds
@pytest.mark.parametrize("doc", documents(), ids=lambda p: p.name)
def test_every_document_has_a_title_in_sources_yml(doc):
    titles = {s["file"]: s.get("title") for s in SOURCES.get("sources", [])}
    assert str(titles.get(doc.name) or "").strip(), f"{doc.name} has no title in knowledge/sources.yml"


# Phrases that only appear when a card gives advice we decided against
# (docs/guidance_decisions.md). Checked in each card's text and say_this.
REJECTED = {
    "pressure: you can't live without them": ["live without", "whatever it takes", "any changes"],
    "accept retribution or mistreatment": [
        "retribution", "to spite", "shut up and", "no matter how angry", "call you names",
        "walls down",
    ],
    "give up after a deadline / healing timelines": [
        "six months", "give up after", "time to give up", "few weeks", "few months",
    ],
    "drop your friends / permanent surveillance": [
        "opposite sex", "opposite-sex", "drop your", "every single detail", "at all times",
        "rest of the relationship",
    ],
    "privacy handed over on demand": [
        "give up your privacy", "prove you", "prove to them", "what you are hiding",
        "what you're hiding",
    ],
    "graphic detail: tell everything": ["brutally honest", "tell everything"],
    "pestering and seduction": ["persistence that", "seduce", "flirt"],
    "spin": ["control of the story"],
}


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_no_card_gives_rejected_advice(card):
    said = normalise(f"{card['text']} {card.get('say_this') or ''}")
    for decision, phrases in REJECTED.items():
        for phrase in phrases:
            assert phrase not in said, f"{card['id']} says {phrase!r} ({decision})"


RUN = 6  # this many words in a row, shared with a document, counts as copying


def _words(text):
    return re.findall(r"[a-z0-9']+", normalise(text))


@lru_cache(maxsize=1)
def _document_runs():
    runs = set()
    for doc in documents():
        w = _words(doc.read_text(encoding="utf-8"))
        runs |= {tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1)}
    return runs


@needs_seeds
@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_cards_paraphrase_rather_than_copy_the_documents(card):
    for part in (card["text"], card.get("say_this") or ""):
        w = _words(part)
        shared = [" ".join(w[i:i + RUN]) for i in range(len(w) - RUN + 1)
                  if tuple(w[i:i + RUN]) in _document_runs()]
        assert not shared, f"{card['id']} copies the source word for word: {shared}"
