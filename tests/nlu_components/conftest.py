from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "build" / "spacy" / "en_trust_coach_md"


@pytest.fixture(scope="session")
def nlp():
    import spacy

    if not MODEL.exists():
        pytest.fail("spaCy pipeline missing: run `make setup`")
    return spacy.load(MODEL, disable=["parser"])  # as Rasa's SpacyNLP loads it
