"""The training data is big and varied enough, and the test split is separate from it."""
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.nlu_data import examples_by_intent, normalise

ROOT = Path(__file__).resolve().parents[2]
CORE = ["defensiveness", "excuse_making", "rush_forgiveness", "safety_concern"]
TRAIN = examples_by_intent(ROOT / "data" / "nlu")
TEST = examples_by_intent(ROOT / "tests" / "nlu_eval")
DOMAIN_INTENTS = yaml.safe_load((ROOT / "domain.yml").read_text())["intents"]


@pytest.mark.parametrize("intent", CORE)
def test_each_core_intent_has_at_least_80_examples(intent):
    assert len(TRAIN[intent]) >= 80, f"{intent} has {len(TRAIN[intent])} training examples"


@pytest.mark.parametrize("intent", sorted(TRAIN))
def test_no_duplicates_within_an_intent(intent):
    counts = Counter(normalise(text) for text in TRAIN[intent])
    repeated = [text for text, n in counts.items() if n > 1]
    assert not repeated, f"{intent} repeats: {repeated[:5]}"


def test_no_example_is_labelled_with_two_intents():
    owner = {}
    clashes = []
    for intent, texts in TRAIN.items():
        for text in texts:
            key = normalise(text)
            if owner.setdefault(key, intent) != intent:
                clashes.append((text, owner[key], intent))
    assert not clashes, clashes[:5]


def test_every_domain_intent_is_trained_and_tested():
    assert set(DOMAIN_INTENTS) <= set(TRAIN), set(DOMAIN_INTENTS) - set(TRAIN)
    assert set(DOMAIN_INTENTS) <= set(TEST), set(DOMAIN_INTENTS) - set(TEST)


def test_the_test_split_shares_no_sentence_with_training():
    train = {normalise(t) for texts in TRAIN.values() for t in texts}
    shared = [t for texts in TEST.values() for t in texts if normalise(t) in train]
    assert not shared, f"test sentences also in training data: {shared[:5]}"


def test_training_data_has_hard_negatives_for_idioms():
    """Violent idioms must appear as non-safety examples so the model learns they are not danger."""
    non_safety = [normalise(t) for i, texts in TRAIN.items() if i != "safety_concern" for t in texts]
    for idiom in ("killing me", "shot me", "tore into me", "died of"):
        assert any(idiom in t for t in non_safety), f"no hard negative containing {idiom!r}"


def test_no_training_sentence_is_a_near_copy_of_a_test_sentence():
    """The test split measures generalisation only if training holds no rewording of it."""
    from tests.nlu_data import word_overlap

    train = [t for texts in TRAIN.values() for t in texts]
    close = [(s, t) for texts in TEST.values() for s in texts if len(s.split()) >= 4
             for t in train if word_overlap(s, t) >= 0.6]
    assert not close, close[:5]
