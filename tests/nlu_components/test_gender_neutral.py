"""components/gender_neutral.py: the classifiers see the same features whatever the gender."""
import numpy as np
import pytest
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.spacy_featurizer import SpacyFeaturizer
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.gender_neutral import GenderNeutralFeatures
from components.input_check import SAFETY_DOC, InputTrimmer


@pytest.fixture(scope="module")
def neutral():
    return GenderNeutralFeatures(GenderNeutralFeatures.get_default_config())


def prepare(nlp, neutral, text):
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text))
    InputTrimmer(InputTrimmer.get_default_config()).process([message])
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process([message])
    neutral.process([message])
    return message


def dense(message):
    featurizer = SpacyFeaturizer(SpacyFeaturizer.get_default_config(), "spacy_featurizer")
    featurizer.process([message])
    seq, sent = message.get_dense_features(TEXT)
    return seq.features, sent.features


@pytest.mark.parametrize("male, female", [
    ("how do i back off without him thinking ive stopped caring",
     "how do i back off without her thinking ive stopped caring"),
    ("My husband read his texts and he is furious", "My wife read her texts and she is furious"),
    ("my bf says the other man has to go", "my gf says the other woman has to go"),
])
def test_the_classifier_features_do_not_depend_on_gender(nlp, neutral, male, female):
    a, b = prepare(nlp, neutral, male), prepare(nlp, neutral, female)
    assert [t.text for t in a.get(TOKENS_NAMES[TEXT])] == [t.text for t in b.get(TOKENS_NAMES[TEXT])]
    for x, y in zip(dense(a), dense(b)):
        assert np.allclose(x, y)


def test_every_use_of_her_him_and_his_looks_the_same(nlp, neutral):
    a = prepare(nlp, neutral, "I took her phone and gave it to her")
    b = prepare(nlp, neutral, "I took his phone and gave it to him")
    words = [t.text for t in a.get(TOKENS_NAMES[TEXT])]
    assert words == ["I", "took", "them", "phone", "and", "gave", "it", "to", "them"]
    assert words == [t.text for t in b.get(TOKENS_NAMES[TEXT])]


def test_offsets_text_and_the_guards_parse_are_the_original(nlp, neutral):
    text = "She said she would kill herself"
    message = prepare(nlp, neutral, text)
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert message.get(TEXT) == text
    assert [text[t.start:t.end] for t in tokens] == ["She", "said", "she", "would", "kill", "herself"]
    assert [t.text for t in tokens][0] == "they"
    assert message.get(SAFETY_DOC).text == text  # the safety guard still knows whose life
    assert message.get(SPACY_DOCS[TEXT]).text == "they said they would kill themselves"


def test_messages_without_gendered_words_are_untouched(nlp, neutral):
    text = "my son asked why we were shouting"
    message = Message(data={TEXT: text})
    doc = nlp(text)
    message.set(SPACY_DOCS[TEXT], doc)
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process([message])
    neutral.process([message])
    assert message.get(SPACY_DOCS[TEXT]) is doc
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == text.split()


def test_training_examples_are_neutralised_too(nlp, neutral):
    message = Message(data={TEXT: "he lied to his wife", "intent": "describe_situation"})
    message.set(SPACY_DOCS[TEXT], nlp(message.get(TEXT)))
    SpacyTokenizer(SpacyTokenizer.get_default_config()).process([message])
    neutral.process_training_data(TrainingData([message]))
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["they", "lied", "to", "them", "spouse"]
