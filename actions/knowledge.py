"""Loads the guidance cards and sources (knowledge/*.yml) and chooses a card for a turn.

Content is data: the cards, their wording and their sources live in knowledge/guidance.yml and
knowledge/sources.yml; this module only reads and selects.
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Dict, List, Optional, Sequence, Text, Tuple, Union

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
ANY = "any"
ROMANTIC = ("partner", "spouse", "girlfriend", "boyfriend")
RELATIONSHIPS = ROMANTIC + ("friend", "family", "coworker")
NLU_DIR = Path(__file__).resolve().parent.parent / "data" / "nlu"


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
    # Advice that could put someone who is being harmed at more risk (guidance.yml header).
    unsafe_if_harmed: bool = False
    # Only for what happened (cheating, lying, ...); empty: any.
    betrayals: Sequence[Text] = ()
    # Words that show a message asks about this card's topic ("couples therapy"); such a card
    # comes first among the intent's cards.
    asks: Sequence[Text] = ()
    # Its asks words only choose among its own topic's cards ("at work").
    asks_within_topic: bool = False

    def fits(self, relationship: Optional[Text]) -> bool:
        return relationship in self.relationships if relationship else False

    @property
    def general(self) -> bool:
        return ANY in self.relationships


def normalise(text: Optional[Text]) -> Text:
    """Lowercase words (and apostrophes) separated by single spaces."""
    return " ".join(re.findall(r"[a-z']+", (text or "").lower().replace("\u2019", "'")))


# Words too common to say what a message is about; left out when a message is compared with
# the cards (``Knowledge.relevance``).
COMMON_WORDS = frozenset("""
i me my we our you your he him his she her they them their it its a an the and or but if so to
of in on at for with about as is are was were be been being do does did doing have has had
having not no can could should would will just that this these those what when where how why
who which there here than then too very really also get got make made want know think feel like
one some any all more much many im ive dont thats theyre shes hes id ill cant wont didnt doesnt
isnt wasnt still even back now ever again way thing things something anything up out over after
before because while into from by off down only own same other
""".split())


# How much more a card written for this relationship counts than a general one in
# ``Knowledge.best_fit``, in shared words (a word used by a tenth of the cards weighs about 2.3).
# A partner's cards are topics of their own (dating again, couples therapy): about one word, so
# the card a partner's question is about wins. A friend's, relative's or coworker's card is the
# version of its topic written for them: about three words, so a general card wins only when
# the message is clearly about it (a coworker asking about giving a manager access to email
# keeps the coworker's card). Chosen on hand trials 6-8, so they are not blind for it.
PARTNER_BONUS = 2.0
OTHER_BONUS = 6.0


def content_words(text: Optional[Text]) -> set:
    """The words of a text that say what it is about, roughly stemmed ("meals" and "meal",
    "texting" and "text" are one word)."""
    words = set()
    for word in normalise(text).replace("'", "").split():
        if word in COMMON_WORDS:
            continue
        for ending in ("ing", "ed", "es", "s", "ly"):
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[:-len(ending)]
                break
        if word not in COMMON_WORDS:  # "wants" is "want"
            words.add(word)
    return words


def mentions(normalised: Text, phrase: Text) -> bool:
    """True when the phrase (lowercase words) is in the normalised text as whole words."""
    return re.search(rf"(?<![a-z']){re.escape(phrase)}(?![a-z'])", normalised) is not None


@dataclass
class Knowledge:
    cards: List[Card]
    titles: Dict[Text, Text] = field(default_factory=dict)
    what_you_did: Dict[Text, Dict[Text, Text]] = field(default_factory=dict)
    mistreatment_words: Sequence[Text] = ()
    asking_words: Sequence[Text] = ()
    unclear_topic_words: Dict[Text, Sequence[Text]] = field(default_factory=dict)
    whose_trust: Dict[Text, Sequence[Text]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # what each card is about: its advice, its asks words, its words to say
        self._words = {card.id: content_words(" ".join([card.text, " ".join(card.asks),
                                                         card.say_this or ""]))
                       for card in self.cards}
        counts: Dict[Text, int] = {}
        for words in self._words.values():
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        # a word few cards use says more about which card is meant
        self._weight = {word: math.log(len(self.cards) / n) for word, n in counts.items()}

    def relevance(self, card: Card, words: set) -> float:
        """How much a message (its ``content_words``) is about the card: the words they share,
        the rarer among the cards the more each counts."""
        return sum(self._weight[word] for word in words & self._words.get(card.id, set()))

    def best_fit(self, cards: Sequence[Card], text: Optional[Text], rng: Any,
                 preferred: Collection[Card] = (), bonus: float = PARTNER_BONUS) -> Card:
        """The card the message is most about, ``preferred`` ones (written for this person)
        counting ``bonus`` more; a random one among equals (so a message that shares
        no words with any still gets a varied answer)."""
        words = content_words(str(text or "")[:1500])
        scores = [self.relevance(card, words) + (bonus if card in preferred else 0)
                  for card in cards]
        top = max(scores)
        return rng.choice([card for card, score in zip(cards, scores) if score == top])

    def cards_for(self, intent: Text) -> List[Card]:
        return [card for card in self.cards if intent in card.intents]

    def withholds(self, intent: Text, harmed: bool) -> bool:
        """True when some advice for the intent is left out because the person is being harmed."""
        return harmed and any(card.unsafe_if_harmed for card in self.cards_for(intent))

    def choose(
        self,
        intent: Text,
        relationship: Optional[Text] = None,
        avoid: Union[None, Text, Collection[Text]] = None,
        rng: Optional[random.Random] = None,
        harmed: bool = False,
        betrayal: Optional[Text] = None,
        text: Optional[Text] = None,
    ) -> Optional[Card]:
        """A card for the intent: one written for this relationship if there is one, else a
        general card (romantic cards when the relationship is unknown), never ``avoid`` (the card
        shown last) when another card would do.

        ``avoid`` may also be several ids (every card shown on this topic, for "tell me more").

        ``harmed``: the person said they are being harmed, so no card marked
        ``unsafe_if_harmed`` is ever chosen (None when no other card fits).

        ``betrayal``: what happened, once told; cards written for it come first, and cards
        written for something else are never chosen.

        ``text``: the message; a card whose ``asks`` words it contains comes first of all, and
        within each of these groups the card the message shares the most telling words with
        (``relevance``)."""
        rng = rng or random
        avoid = {avoid} if isinstance(avoid, str) else set(avoid or ())
        candidates = [c for c in self.cards_for(intent)
                      if not c.betrayals or betrayal in c.betrayals]
        withheld = harmed and any(c.unsafe_if_harmed for c in candidates)
        if harmed:
            candidates = [c for c in candidates if not c.unsafe_if_harmed]
        if not candidates:
            return None
        specific = [c for c in candidates if c.fits(relationship)]
        general = [c for c in candidates if c.general]
        if relationship is None:
            general = general or [c for c in candidates if set(c.relationships) & set(ROMANTIC)]
        # Cards written for this person and general ones are weighed together, those written
        # for them counting more (``best_fit``); cards written for another relationship are a
        # last resort, not used in place of withheld ones (a partner would get advice meant for
        # a coworker).
        suited = specific + [c for c in general if c not in specific]
        groups = (suited,) if withheld else (suited, candidates)

        def suits(card: Card) -> bool:  # written for this person, or for anyone
            return bool(card.fits(relationship) or card.general or (
                relationship is None and set(card.relationships) & set(ROMANTIC)))

        about = [c for c in candidates if c.betrayals and suits(c)]
        words = normalise(text)
        asked = [c for c in candidates
                 if suits(c) and any(mentions(words, phrase) for phrase in c.asks)]
        groups = (asked, about) + groups
        bonus = PARTNER_BONUS if relationship in ROMANTIC or relationship is None else OTHER_BONUS
        for group in groups:
            fresh = [c for c in group if c.id not in avoid]
            if fresh:
                return self.best_fit(fresh, text, rng, preferred=specific, bonus=bonus)
        pool = [c for group in groups for c in group]
        return self.best_fit(pool, text, rng, preferred=specific, bonus=bonus) if pool else None

    def asks(self, text: Optional[Text]) -> bool:
        """The message asks something (a question mark, "should i", "any tips")."""
        words = normalise(text)
        return any(word in (text or "") if not word[0].isalnum() else mentions(words, word)
                   for word in self.asking_words)

    def asked_topic(self, intent: Optional[Text], text: Optional[Text]) -> Optional[Text]:
        """The how-to topic a message asks about when it is not the guessed one (see
        ``asking_words`` in guidance.yml); None to keep the guessed topic."""
        text = str(text or "")[:1500]  # as the classifiers see it
        words = normalise(text)
        # A recognised how-to topic or core category (defensiveness...) is kept: only a
        # question about the situation is redirected.
        if not words or intent != "describe_situation":
            return None
        if not self.asks(text):
            return None
        howto = sorted({i for card in self.cards for i in card.intents if i.startswith("how_")})
        best: Tuple[int, Optional[Text]] = (0, None)
        for topic in howto:  # never the guessed topic: describe_situation is not a how-to
            for card in self.cards_for(topic):
                for phrase in () if card.asks_within_topic else card.asks:
                    # one word ("text", "details", "appreciate") says too little on its own
                    if " " in phrase and len(phrase) > best[0] and mentions(words, phrase):
                        best = (len(phrase), topic)
        return best[1]

    def unclear_topic(self, text: Optional[Text]) -> Optional[Text]:
        """The topic a question the model did not understand names (``unclear_topic_words`` in
        guidance.yml); None when it asks nothing or names no topic."""
        text = str(text or "")[:1500]
        words = normalise(text)
        if not words or not self.asks(text):
            return None
        return next((topic for topic, phrases in self.unclear_topic_words.items()
                     if any(mentions(words, phrase) for phrase in phrases)), None)

    def trust_at_stake(self, text: Optional[Text], start: int, end: int,
                       before_key: Optional[Text] = "before", after_key: Text = "after") -> bool:
        """True when the words around the person named at text[start:end] say it is their
        trust at stake ("I lied to my sister", "my sister won't speak to me"); see
        ``whose_trust`` in guidance.yml. With ``before_key=None, after_key="found_out"``: the
        weaker sign that they are the one who found out ("my gf found out")."""
        text = str(text or "")
        skip = set(self.whose_trust.get("skip") or ())
        before = normalise(text[:max(start, 0)]).split()
        while before and before[-1] in skip:
            before.pop()
        before_text = " " + " ".join(before)
        after = normalise(text[max(end, 0):]) + " "
        before_phrases = self.whose_trust.get(before_key) or () if before_key else ()
        return (any(before_text.endswith(" " + phrase) for phrase in before_phrases)
                or any(after.startswith(phrase + " ") for phrase in
                       self.whose_trust.get(after_key) or ()))

    def found_out(self, text: Optional[Text], start: int, end: int) -> bool:
        """The person named at text[start:end] is the one who found out ("my gf found out"),
        not someone else's friend or relative who found out and told them ("my wife's best
        friend found out and told her"); see ``whose_trust: found_out`` in guidance.yml."""
        text = str(text or "")
        if not self.trust_at_stake(text, start, end, before_key=None, after_key="found_out"):
            return False
        skip = set(self.whose_trust.get("skip") or ())
        before = normalise(text[:max(start, 0)]).split()
        while before and before[-1] in skip:
            before.pop()
        if before and before[-1].endswith(("'s", "s'")):  # someone else's friend
            return False
        told = set(self.whose_trust.get("found_out_and_told") or ())
        return not told & set(normalise(text[max(end, 0):]).split()[:8])

    def told_by_finder(self, text: Optional[Text], finder: Tuple[int, int],
                       person: Tuple[int, int]) -> bool:
        """The person at text[person] is the one told by someone who found out, named at
        text[finder]: "my cousin found out and told my husband" (the husband)."""
        text = str(text or "")
        if person[0] <= finder[1] or not self.trust_at_stake(
                text, finder[0], finder[1], before_key=None, after_key="found_out"):
            return False
        between = normalise(text[finder[1]:person[0]]).split()
        told = set(self.whose_trust.get("found_out_and_told") or ())
        return len(between) <= 12 and bool(told & set(between))

    def say_this(self, card: Card, betrayal: Optional[Text] = None,
                 relationship: Optional[Text] = None) -> Optional[Text]:
        """The card's words to say, with "[what you did]" filled in once we know what happened
        (and, where the words are only for some relationships, to whom)."""
        words = self.what_you_did.get(betrayal or "") or self.what_you_did.get("anything_else")
        if not card.say_this or not words:
            return card.say_this
        only_for = words.get("relationships")
        if only_for and relationship not in only_for:
            # known, but not to be said to this person in those words ("I cheated on you" to a
            # sister whose fiance it was): the milder words written for everyone else
            words = words.get("otherwise")
            if not words:
                return card.say_this
        text = card.say_this.replace("I [what you did]", f"I {words['past']}")
        return text.replace("[what you did]", words["gerund"])

    def betrayal_in(self, text: Optional[Text]) -> Optional[Text]:
        """What happened, from the words of a message ("i lied to my friend" -> lying), for when
        the model tagged no betrayal entity. None when no listed word is there."""
        lowered = normalise(text)
        for kind, words in self.what_you_did.items():
            for phrase in words.get("words") or ():
                if mentions(lowered, phrase):
                    return kind
        return None

    def mistreated(self, text: Optional[Text]) -> bool:
        """True when the message says the person is being mistreated (guidance.yml,
        mistreatment_words): then no card marked unsafe_if_harmed is given."""
        words = normalise(text)
        return any(mentions(words, phrase) for phrase in self.mistreatment_words)

    def title(self, card: Card) -> Text:
        return self.titles.get(card.source.file, card.source.file)

    def card(self, card_id: Optional[Text]) -> Optional[Card]:
        return next((c for c in self.cards if c.id == card_id), None)

    def source_payload(self, card: Card) -> Dict[Text, object]:
        """What a page needs to show the source under a piece of advice (custom payload)."""
        return {
            "type": "guidance_source",
            "card": card.id,
            "source": {"title": self.title(card), "section": card.source.section,
                       "file": card.source.file},
        }


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
                unsafe_if_harmed=raw.get("unsafe_if_harmed") is True,
                betrayals=tuple(raw.get("betrayals") or ()),
                asks=tuple(str(word).lower() for word in raw.get("asks") or ()),
                asks_within_topic=raw.get("asks_within_topic") is True,
            )
        )
    titles = {s["file"]: s["title"] for s in sources.get("sources", [])}
    return Knowledge(cards=cards, titles=titles,
                     what_you_did=dict(guidance.get("what_you_did") or {}),
                     mistreatment_words=tuple(str(w).lower()
                                              for w in guidance.get("mistreatment_words") or ()),
                     asking_words=tuple(str(w).lower() for w in guidance.get("asking_words") or ()),
                     unclear_topic_words={topic: tuple(str(w).lower() for w in words or ())
                                          for topic, words in
                                          (guidance.get("unclear_topic_words") or {}).items()},
                     whose_trust={key: tuple(str(w).lower() for w in words or ())
                                  for key, words in (guidance.get("whose_trust") or {}).items()})


@lru_cache(maxsize=1)
def relationship_synonyms(directory: Path = NLU_DIR) -> Dict[Text, Text]:
    """The words the model maps to each relationship ("colleague" -> coworker), read from the
    same synonym tables it is trained with (data/nlu), so there is one list to keep."""
    words: Dict[Text, Text] = {}
    for path in sorted(directory.rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            value = item.get("synonym") if isinstance(item, dict) else None
            if value in RELATIONSHIPS:
                for line in str(item.get("examples") or "").splitlines():
                    word = normalise(line.strip().lstrip("-"))
                    if word:
                        words.setdefault(word, value)
    return words


def relationship_value(value: Optional[Text]) -> Optional[Text]:
    """A relationship entity's value as one of RELATIONSHIPS, or None. The model sometimes tags
    a word its synonym table does not map, such as a possessive ("a colleague's analysis"):
    the possessive is dropped and the word looked up in the synonym table. Anything but text
    (a number typed into a button payload) is None."""
    if not isinstance(value, str):
        return None
    word = normalise(value)
    for candidate in (word, re.sub(r"(?:'s|s'|')$", "", word)):
        found = candidate if candidate in RELATIONSHIPS else relationship_synonyms().get(candidate)
        if found:
            return found
    return None


@lru_cache(maxsize=1)
def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    with (directory / "guidance.yml").open(encoding="utf-8") as handle:
        guidance = yaml.safe_load(handle)
    with (directory / "sources.yml").open(encoding="utf-8") as handle:
        sources = yaml.safe_load(handle)
    return parse_knowledge(guidance, sources)
