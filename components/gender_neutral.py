"""Gender-neutral features for the intent classifier.

Why: in the training data, people describing abuse more often write "he", "him", "my husband",
while people asking for coaching more often write "she", "her", "my wife". A classifier learns
that skew, so "how do I back off without him thinking I've stopped caring" was read as a safety
concern while the same words with "her" were not. Users of every gender and every kind of
couple must be understood the same way, so the classifier should not see the gender at all.

``GenderNeutralFeatures`` runs after SpacyTokenizer and before the featurizers. For the message
text only, it replaces gendered pronouns and partner words with neutral ones ("he", "she" ->
"they"; "him", "her", "his" -> "them"; "husband", "wife" -> "spouse"; "boyfriend", "gf" -> "partner"; "the other man" -> "the
other person") in

* the tokens (text and lemma) that the sparse featurizers read, keeping their character
  offsets, so entities are still taken from the original text; and
* the spaCy doc the SpacyFeaturizer reads word vectors from (a new doc with the same tokens
  and spacing; the original parse is kept for the safety guard by InputTrimmer).

The message text itself, the entities, and the safety guard (which needs "she said she'd kill
herself" to know whose life is at risk) are unchanged. The word list is in
``knowledge/neutral_words.yml``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import StatelessComponent

ROOT = Path(__file__).resolve().parent.parent


def load_words(path: Path) -> Dict[Text, Text]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = {str(k).lower(): str(v) for k, v in (data.get("words") or {}).items()}
    return words


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class GenderNeutralFeatures(StatelessComponent):
    """Neutral pronouns and partner words in what the classifiers see (see module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"words_file": "knowledge/neutral_words.yml"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        path = Path(config.get("words_file") or self.get_default_config()["words_file"])
        if not path.is_absolute():
            path = ROOT / path
        self.words: Dict[Text, Text] = load_words(path)

    def neutral(self, word: Text) -> Optional[Text]:
        """The neutral form of a word, or None when it has no gender."""
        return self.words.get(word.lower())

    def _neutralise(self, message: Message) -> None:
        doc = message.get(SPACY_DOCS[TEXT])
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            word = self.neutral(token.text)
            if word:
                token.text = word
                token.lemma = word
        if doc is None:
            return
        words = [self.neutral(t.text) or t.text for t in doc]
        if words == [t.text for t in doc]:
            return
        from spacy.tokens import Doc

        neutral = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        message.set(SPACY_DOCS[TEXT], neutral)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._neutralise(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._neutralise(message)
        return training_data
