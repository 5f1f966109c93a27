"""SafetyClassifier: a learned yes/no detector of safety concerns, the third layer.

Why: DIET learns 30 intents, and on messages nobody tuned for it misses the danger it has not
seen phrased that way; the rule-based SafetyGuard catches what its rules name. Measured on the
never-tuned safety sets, those two together answered 87% of the disclosures. This component
learns one question only, "is there a safety concern in this message?", from more examples than
DIET sees: the training data (safety_concern against every other intent) plus the development
safety sets (disclosures and hard negatives written blind for earlier rounds) and the long
messages of data_candidates/round7 (long ordinary stories and apology drafts, and long stories
with a danger buried in them), all listed in config.yml. It overrides the prediction to ``safety_concern`` when it is very sure (probability
at or above ``threshold``) and DIET and the guard did not already say so; when it is unsure
(``doubt_from`` up to ``threshold``) it marks the message ``safety_doubt`` so the reply adds a
way to safety help, or, when DIET found nothing to answer and it is at ``doubt_is_concern_from``
or more, answers it as a safety concern.

Features: word 1-2 grams and character 2-5 grams (TF-IDF, so typos still share most of their
characters) and the mean word vector of the lowercased message; a logistic regression with
balanced class weights. ``C`` and ``threshold`` were chosen by leaving one development set out
at a time (scripts/cross_validate_safety_classifier.py): at C=16 and 0.9 it caught about 68% of
the held-out sets' disclosures on its own, with about 1% false alarms on their hard negatives.

Like the intent classifier (components/gender_neutral.py) it reads the message with gendered
pronouns and partner words made neutral (knowledge/neutral_words.yml): the training data uses
"he" more often in abuse messages, and without this "he's home" was read as danger and "she's
home" was not. It reads the whole message, not only what the intent classifier sees.

One narrow veto the other way: when DIET alone said safety_concern, the guard found no danger and
read the message's danger words as one of its written exceptions (``safety_excused``: "she'll
kill me if I'm late again lol", "this hangover is killing me"; laughter alone is not such an
exception: "he threatens to strangle me lol" is no idiom), and this detector puts danger under
``veto_below``, DIET's alarm is overruled. Measured on every safety set, the held-out split
and the ordinary coaching set (5,661 messages, 2026-11-25): 28 false alarms of that kind (24 in
the safety sets once laughter stopped counting), and one
disclosure ("i hold the big kitchen knife and think about how easy it would be"), which the
detector put at 0.995 and so keeps.

It also names the risk type of a concern no rule named (DIET's or its own): a second logistic
regression on the same features, learned from the development sets' labelled disclosures, adds
a ``risk`` entity when it is at least ``risk_threshold`` sure, never one of ``never_guess``, and
not for messages under ``min_words``. actions/safety.py shows its services after the general ones.

It never turns "I'm safe" or "I'm not safe" (``leave_alone``) into a new concern, so a person can
still say they are safe. The rest of the flow is the same.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Text, Tuple

import joblib
import numpy as np
import sklearn
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from components.gender_neutral import load_words
from components.input_check import FALLBACK_INTENT, INPUT_ISSUE, SAFETY_DOC
from components.rulebook import ROOT
from components.safety_guard import EXCUSED_KEY, RISK_ENTITY, SAFETY_INTENT, set_safety_intent

OUTPUT_KEY = "safety_classifier"
# Set on a message the detector was unsure about (``doubt_from`` up to ``threshold``) that is
# still answered as what it asked: the coach adds a line with "Someone may be in danger".
DOUBT_KEY = "safety_doubt"
FIGURE_OF_SPEECH = "figure_of_speech"
FILE_NAME = "safety_classifier.joblib"
# Training examples: these intents say there is danger, these are left out (neither yes nor no).
POSITIVE_INTENTS = ("safety_concern", "not_safe")
SKIPPED_INTENTS = ("unsure_safe",)


def example_label(intent: Optional[Text]) -> Optional[bool]:
    """True for a disclosure, False for no concern, None for an example left out."""
    if intent in SKIPPED_INTENTS:
        return None
    return intent in POSITIVE_INTENTS


def _example_files(paths: Iterable[Text]) -> Iterator[Tuple[Path, Dict[Text, Any]]]:
    """Each example file (relative paths from the project root) with its parsed YAML."""
    for name in paths:
        path = Path(name) if Path(name).is_absolute() else ROOT / name
        yield path, yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def read_example_sets(paths: Iterable[Text]) -> List[Tuple[Text, bool]]:
    """(text, is a safety concern) from safety sets (``positives`` and ``negatives`` lists) or
    from files in Rasa's NLU format (labelled by ``example_label``)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for path, data in _example_files(paths):
        if "nlu" in data:
            examples += training_examples(load_data(str(path)))
            continue
        examples += [(item["text"], True) for item in data.get("positives") or []]
        examples += [(item["text"], False) for item in data.get("negatives") or []]
    return examples


def read_example_risks(paths: Iterable[Text]) -> List[Tuple[Text, Text]]:
    """(text, risk type) of the labelled disclosures in the safety sets among ``paths``."""
    examples = []
    for _, data in _example_files(paths):
        examples += [(item["text"], item["risk"]) for item in data.get("positives") or []
                     if item.get("risk")]
    return examples


def training_examples(training_data: TrainingData) -> List[Tuple[Text, bool]]:
    """(text, is a safety concern) from Rasa's training data."""
    labelled = ((m.get(TEXT), example_label(m.get(INTENT))) for m in training_data.intent_examples)
    return [(text, label) for text, label in labelled if text and label is not None]


def word_count(nlp: Any, text: Text) -> int:
    return sum(1 for t in nlp.make_doc(text) if not (t.is_punct or t.is_space))


def neutral_words(config: Dict[Text, Any]) -> Dict[Text, Text]:
    path = Path(config.get("words_file") or "knowledge/neutral_words.yml")
    return load_words(path if path.is_absolute() else ROOT / path)


def project_config() -> Dict[Text, Any]:
    """This component's settings in the project's config.yml (for scripts and tests)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    step = next(s for s in config["pipeline"] if s["name"].endswith("SafetyClassifier"))
    return {**SafetyClassifier.get_default_config(),
            **{k: v for k, v in step.items() if k != "name"}}


class Detector:
    """The fitted features and logistic regression, usable without Rasa (scripts, tests)."""

    def __init__(self, c: float = 16.0, vector_weight: float = 1.0,
                 neutral_words: Optional[Dict[Text, Text]] = None) -> None:
        self.neutral_words = dict(neutral_words or {})
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                     sublinear_tf=True, lowercase=True)
        self.vector_weight = vector_weight
        self.model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")

    def neutral(self, nlp: Any, text: Text) -> Text:
        """The lowercased text with gendered words made neutral ("he's home" -> "they's home")."""
        doc = nlp.make_doc(re.sub(r"\s+", " ", text.lower()))
        return "".join(self.neutral_words.get(t.text, t.text) + t.whitespace_ for t in doc)

    @staticmethod
    def vectors(nlp: Any, texts: List[Text]) -> np.ndarray:
        # Tokenising only: the word vectors come from the vocabulary, no parse needed.
        return np.array([nlp.make_doc(text).vector for text in texts])

    def _features(self, nlp: Any, texts: List[Text], fit: bool = False) -> csr_matrix:
        texts = [self.neutral(nlp, text) for text in texts]
        words = self.words.fit_transform(texts) if fit else self.words.transform(texts)
        chars = self.chars.fit_transform(texts) if fit else self.chars.transform(texts)
        vectors = csr_matrix(self.vectors(nlp, texts) * self.vector_weight)
        return hstack([words, chars, vectors]).tocsr()

    def fit(self, nlp: Any, examples: List[Tuple[Text, bool]]) -> "Detector":
        texts = [text for text, _ in examples]
        labels = np.array([label for _, label in examples])
        self.model.fit(self._features(nlp, texts, fit=True), labels)
        return self

    def probabilities(self, nlp: Any, texts: List[Text]) -> List[float]:
        if not texts:
            return []
        return [float(p) for p in self.model.predict_proba(self._features(nlp, texts))[:, 1]]

    def fit_risks(self, nlp: Any, examples: List[Tuple[Text, Text]]) -> "Detector":
        """A second question on the same features: which kind of danger (the risk labels of
        the development sets' disclosures)."""
        self.risk_model = None
        if len({risk for _, risk in examples}) < 2:
            return self  # nothing to tell apart: risks stay unnamed
        self.risk_model = LogisticRegression(C=self.model.C, max_iter=3000, class_weight="balanced")
        self.risk_model.fit(self._features(nlp, [text for text, _ in examples]),
                            [risk for _, risk in examples])
        return self

    def risk(self, nlp: Any, text: Text) -> Tuple[Optional[Text], float]:
        """The likeliest kind of danger and its probability; (None, 0.0) without a risk model."""
        risk_model = getattr(self, "risk_model", None)
        if risk_model is None:
            return None, 0.0
        probabilities = risk_model.predict_proba(self._features(nlp, [text]))[0]
        best = int(np.argmax(probabilities))
        return str(risk_model.classes_[best]), float(probabilities[best])


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True, model_from="SpacyNLP"
)
class SafetyClassifier(GraphComponent):
    """Overrides the prediction to safety_concern when a learned yes/no detector is very sure."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "example_sets": [],
            "C": 16.0,
            "vector_weight": 1.0,
            "threshold": 0.9,
            # Under five words ("he's home", "no no no", "he he") it has too little to go on,
            # and read such answers as danger; the guard still reads every message.
            "min_words": 5,
            "words_file": "knowledge/neutral_words.yml",
            # "I'm safe" must stay "I'm safe"; "I'm not safe" already gets help. "Not sure" is
            # not left alone: "not sure, he said tonight would be the last night" needs help
            # even when nobody asked.
            "leave_alone": ["safe_now", "not_safe"],
            # DIET's own safety_concern is overruled (see ``overrule``) only when the guard
            # read the message's danger words as one of its written exceptions (an idiom or an
            # ordinary object, not laughter: "she'll kill me if I'm late again lol") and this
            # detector, too, puts danger under ``veto_below``. 0.5 is its decision boundary.
            "veto_below": 0.5,
            # A concern no rule named gets the detector's likeliest risk type at or above this
            # probability (on the held-out sets' disclosures the guard misses, 2026-11-25: 121 of
            # 135 named, 93% right; 87% right if every one were named).
            "risk_threshold": 0.5,
            # Guesses never made: the detector read some threats against the person ("he
            # threatens to shoot me lol") as their own risk of harming others.
            "never_guess": ["may_harm_others"],
            # Between ``doubt_from`` and ``threshold`` the detector is unsure: the message keeps
            # its intent and is marked ``safety_doubt``, and the reply adds a line on getting
            # safety help first, with the emergency line (actions/coach.py, actions/unclear.py).
            # When DIET itself found nothing to answer (it did not understand, or read a
            # sign-off or small talk) and the detector is at ``doubt_is_concern_from`` or more,
            # the message is answered as a safety concern: "my hubby has been searching how much
            # of his heart meds would be lethal" had got "I'm not sure I understood". 0.7 is
            # above every gated hard negative DIET did not understand (the highest, 0.63: "she
            # wants to go through my old phone too and I said fine"; the fifteenth set's "our
            # hamster escaped" is close, at 0.69). Chosen on 2026-11-25 after looking at every
            # set, the never-tuned ones too, so their figures for this step are not blind.
            "doubt_from": 0.5,
            "doubt_is_concern_from": 0.7,
            "doubt_is_concern_for": ["nlu_fallback", "goodbye", "greet", "thank", "out_of_scope",
                                     "bot_challenge"],
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, detector: Optional[Detector] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.detector = detector

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyClassifier":
        # A model without its trained detector is broken: refuse it rather than run without
        # a safety layer.
        try:
            with model_storage.read_from(resource) as directory:
                detector = joblib.load(directory / FILE_NAME)
        except (ValueError, FileNotFoundError) as error:
            raise RuntimeError("SafetyClassifier: the model has no trained detector; "
                               "retrain (make train)") from error
        return cls(config, model_storage, resource, detector)

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        # A change to an example set, the word list, this module or scikit-learn retrains the
        # component, like a change to data/.
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(sklearn.__version__.encode())
        words_file = config.get("words_file") or cls.get_default_config()["words_file"]
        for name in [words_file] + list(config.get("example_sets") or []):
            path = Path(name) if Path(name).is_absolute() else ROOT / name
            digest.update(path.read_bytes() if path.exists() else name.encode())
        return digest.hexdigest()

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        examples = training_examples(training_data) + read_example_sets(
            self.config["example_sets"])
        self.detector = Detector(self.config["C"], self.config["vector_weight"],
                                 neutral_words(self.config)).fit(model.model, examples)
        self.detector.fit_risks(model.model, read_example_risks(self.config["example_sets"]))
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.detector, directory / FILE_NAME)
        return self._resource

    def process_training_data(self, training_data: TrainingData,
                              model: Optional[SpacyModel] = None) -> TrainingData:
        return training_data

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        if self.detector is None or model is None:
            return messages
        for message in messages:
            doc = message.get(SAFETY_DOC)
            text = doc.text if doc is not None else message.get(TEXT)
            intent = (message.get(INTENT) or {}).get("name")
            if not text or intent in self.config["leave_alone"]:
                continue
            if intent == SAFETY_INTENT and message.get("safety"):
                continue  # the guard's alarm, with the risk it named
            if word_count(model.model, text) < self.config["min_words"]:
                continue
            if intent == SAFETY_INTENT:  # DIET's alarm
                if message.get(EXCUSED_KEY):
                    probability = self.detector.probabilities(model.model, [text])[0]
                    if probability < self.config["veto_below"]:
                        self.overrule(message, probability)
                        continue
                self.name_risk(message, model, text)
                continue
            probability = self.detector.probabilities(model.model, [text])[0]
            if probability < self.config["doubt_from"]:
                continue
            if probability < self.config["threshold"] and not (
                    intent in self.config["doubt_is_concern_for"]
                    and probability >= self.config["doubt_is_concern_from"]):
                message.set(DOUBT_KEY, {"probability": round(probability, 3)}, add_to_output=True)
                continue
            set_safety_intent(message, probability)
            message.set(OUTPUT_KEY, {"probability": round(probability, 3)}, add_to_output=True)
            self.name_risk(message, model, text)
        return messages

    def name_risk(self, message: Message, model: SpacyModel, text: Text) -> None:
        """A concern no rule named gets the likeliest risk type as a ``risk`` entity when the
        detector is at least ``risk_threshold`` sure (actions/safety.py sends its services
        after the general ones)."""
        if any(e.get("entity") == RISK_ENTITY for e in message.get(ENTITIES) or []):
            return
        risk, probability = self.detector.risk(model.model, text)
        if risk is None or probability < self.config["risk_threshold"]:
            return
        if risk in self.config["never_guess"]:
            return  # a victim pointed to services for people who may harm others: never
        entities = list(message.get(ENTITIES) or []) + [{
            "entity": RISK_ENTITY, "value": risk, "start": 0, "end": len(text),
            "confidence_entity": round(probability, 3), "extractor": "SafetyClassifier"}]
        message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def overrule(message: Message, probability: float) -> None:
        """DIET's safety_concern gives way to nlu_fallback with the input issue
        ``figure_of_speech``: the reply (knowledge/replies.yml) says how the message was read,
        keeps "Someone may be in danger" one tap away and gives the emergency line."""
        top = {"name": FALLBACK_INTENT, "confidence": 1.0}
        ranking = [top] + [r for r in message.get(INTENT_RANKING_KEY) or []
                           if r.get("name") not in (SAFETY_INTENT, FALLBACK_INTENT)]
        message.set(INTENT, top, add_to_output=True)
        message.set(INPUT_ISSUE, FIGURE_OF_SPEECH, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        message.set(OUTPUT_KEY, {"probability": round(probability, 3), "overruled": SAFETY_INTENT},
                    add_to_output=True)
