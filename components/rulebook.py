"""The rule engine behind the safety guard and the apology feedback: readable rules over
lemmas, compiled to spaCy Matcher / DependencyMatcher patterns. Pure spaCy (no Rasa import), so
the action server can use it without loading Rasa's NLU stack.

Rules are written over lemmas, so "hit", "hits", "hitting" are one word; long words also match
with one or two typing errors. Two kinds of rule:

* ``phrase``: a sequence of words, word groups and gaps, compiled to a spaCy ``Matcher``;
* ``verb``: a verb from a group with an object (or passive subject) from a group, compiled to a
  spaCy ``DependencyMatcher``, so word order and words in between don't matter.

A match is dropped when its key word is negated ("he has never hit me") unless the sentence says
the negation has ended, and when one of the rule's ``unless`` phrases matches. The file format is
described at the top of knowledge/safety_rules.yml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Text, Tuple

import yaml
from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span, Token

ROOT = Path(__file__).resolve().parent.parent

NEGATORS = {"not", "never", "n't", "no", "nt", "dont", "didnt", "doesnt", "wont", "cant",
            "couldnt", "wouldnt", "isnt", "wasnt", "arent", "werent", "havent", "hasnt", "hadnt",
            "aint", "shouldnt"}
# Words about words and hypotheticals: laughter may make them hyperbole (RuleBook._deed).
TALK = {"say", "tell", "text", "joke", "warn", "message", "shout", "scream", "yell", "write",
        "post", "swear", "promise"}
ATTEMPTS = {"try", "attempt", "threaten", "start", "begin"}
MODALS = {"could", "would", "might", "should", "'d", "d", "coulda", "woulda", "may"}
# Why a match was dropped (RuleBook._keep).
NEGATED, EXCUSED, LAUGHED, SCOPE = "negated", "excused", "laughed", "scope"
# Words that end or undo a negation: "never hit me until last night", "not the first time".
NEGATION_ENDS = {"until", "till", "til", "before", "anymore", "again", "since", "first"}

# The words a token can stand for in a rule (its rule key and its lowercase form, as string
# ids), stored on each token once per message so that every pattern item is one spaCy
# INTERSECTS test instead of one pattern per spelling.
if not Token.has_extension("safety_keys"):
    Token.set_extension("safety_keys", default=())


@dataclass(frozen=True)
class Finding:
    rule: Text
    risk: Text
    immediate: bool
    start: int  # character offsets in the text
    end: int


FIRST_PERSON = {"i", "me", "myself", "my", "mine", "im", "ive", "id", "ill"}
THIRD_PERSON = {"he", "she", "they", "him", "her", "them", "himself", "herself", "themselves",
                "themself", "hisself"}
# Dependencies to climb from a matched word to the verb whose subject does it: "wants to die"
# (xcomp), "has been cutting herself" (the verb itself), "ways to die" (noun under a verb).
_TO_VERB = ("conj", "xcomp", "acomp", "ccomp", "advcl", "relcl", "prep", "pobj", "dobj", "attr",
            "amod", "nmod", "compound", "aux", "neg", "advmod", "pcomp", "acl")
# ... and from a pronoun's verb to the verb of saying whose subject names the person ("my son
# says he wants to die").
_TO_SPEAKER = ("ccomp", "xcomp", "conj", "advcl")
# Quoted speech: "she texted 'i want to die'" is her words, not the person's own.
QUOTE_MARKS = {"'", '"', "\u201c", "\u201d", "\u2018", "\u2019", "`"}
OPENING_MARKS = {"\u201c", "\u2018"}  # “ ‘
CLOSING_MARKS = {"\u201d"}  # ” (’ is also typed as an apostrophe or a straight mark, so it is counted)
SAYING = {"say", "text", "texte", "txt", "tell", "write", "message", "scream", "yell", "shout",
          "post", "send", "reply", "snap", "dm", "type", "cry", "whisper", "mutter", "sob", "ask",
          "add", "announce", "threaten", "email", "call", "msg", "goes"}
# A quoted risk said by someone else: whose risk it becomes.
QUOTED_BY_OTHER = {"self_harm": "partner_self_harm", "may_harm_others": "being_harmed"}


def _inflections(word: Text) -> List[Text]:
    """Surface forms of a long word, to recognise misspellings of any of them."""
    forms = {word, word + "s", word + "ed", word + "ing", word + "d"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word + "d"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ied", word[:-1] + "ies"}
    return sorted(forms)


def _within(a: Text, b: Text, limit: int) -> bool:
    """Levenshtein distance of a and b is at most limit."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _deletions(word: Text, limit: int) -> Set[Text]:
    """The word with up to `limit` letters deleted (the word itself included)."""
    found = {word}
    frontier = {word}
    for _ in range(limit):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Spelling:
    """Maps a token to the word the rules know: its lemma, or for a long word the rules don't
    know, the rule word it is a typo of ("chocked" -> "choke", "sucidal" -> "suicidal")."""

    def __init__(self, known: Iterable[Text], min_length: int, two_edits_from: int,
                 real_words: FrozenSet[Text] = frozenset(),
                 misspellings: Optional[Dict[Text, Text]] = None) -> None:
        self.known = set(known)
        self.real_words = real_words
        self.misspellings = dict(misspellings or {})
        self.min_length = min_length
        self.two_edits_from = two_edits_from
        self.forms: Dict[Text, Text] = {}
        for word in sorted(self.known, key=lambda w: (len(w), w)):  # bases claim their forms
            if len(word) >= 4 and word.isalpha():
                for form in _inflections(word):
                    self.forms.setdefault(form, word)
        # Deletion index (as in SymSpell): two words within n edits share a string made by
        # deleting at most n letters from each, so candidates are found by lookup, not by a scan.
        self.deletions: Dict[Text, List[Text]] = {}
        for form in self.forms:
            for variant in _deletions(form, 2):
                self.deletions.setdefault(variant, []).append(form)
        # No word longer than this is within two edits of a rule word: such tokens (a pasted
        # link, text written without spaces) are never looked up, whose deletions would cost
        # about n\u00b2/2 strings for n letters.
        self.longest = max((len(form) for form in self.forms), default=0) + 2
        self.cache: Dict[Tuple[Text, Text], Text] = {}

    def key(self, token: Token) -> Text:
        lower, lemma = token.lower_, token.lemma_.lower()
        cached = self.cache.get((lower, lemma))
        if cached is None:
            cached = self._key(lower, lemma)
            if len(self.cache) < 100_000:
                self.cache[(lower, lemma)] = cached
        return cached

    def _key(self, lower: Text, lemma: Text) -> Text:
        if lower in self.misspellings:
            return self.misspellings[lower]
        if lemma in self.known:
            return self.forms.get(lemma, lemma)  # "urges" is read as "urge"
        if lower in self.forms:  # "URGES", whose lemma spaCy may miss in capitals
            return self.forms[lower]
        if lower in self.known:
            return lemma
        if re.search(r"(.)\1\1", lower):  # "dieee", "killl": letters held down
            for squeezed in (re.sub(r"(.)\1{2,}", r"\1\1", lower), re.sub(r"(.)\1{2,}", r"\1", lower)):
                if squeezed in self.known or squeezed in self.forms:
                    return self.forms.get(squeezed, squeezed)
        if len(lower) < self.min_length or len(lower) > self.longest:
            return lemma
        # A real English word is never read as a typo ("cooking" is not "choking", "showed"
        # is not "shoved"): spaCy's lemmatizer knows it, or de-inflects it to a word it knows.
        if lower in self.real_words or (lemma != lower and lemma in self.real_words):
            return lemma
        limit = 1 if len(lower) < self.two_edits_from else 2
        candidates = {form for variant in _deletions(lower, limit)
                      for form in self.deletions.get(variant, ())}
        # People rarely mistype the first letter; requiring it keeps "flattered" from
        # being read as "battered". Sorted, so that the choice does not depend on set order.
        for form in sorted(candidates):
            if form[0] == lower[0] and _within(lower, form, limit):
                return self.forms[form]
        return lemma


class RuleBook:
    """Compiled rules for one spaCy vocabulary."""

    def __init__(self, data: Dict[Text, Any], vocab: Any,
                 real_words: FrozenSet[Text] = frozenset()) -> None:
        self.groups: Dict[Text, List[Text]] = {
            name: [str(w).lower() for w in words] for name, words in data["groups"].items()
        }
        self.fuzzy_min = int(data.get("fuzzy", {}).get("min_length", 6))
        self.fuzzy_two = int(data.get("fuzzy", {}).get("two_edits_from", 9))
        self.rules: Dict[Text, Dict[Text, Any]] = {}
        self.laughter = set(self.groups.get("LAUGHTER", []))
        known = {w for words in self.groups.values() for w in words}
        for rule in data["rules"]:
            for text in (rule.get("phrases") or [rule.get("phrase", "")]) + [rule.get("target", "")]:
                known |= {w for item in text.split() for alt in item.rstrip("?").split("|")
                          for w in alt.split("_") if not w.isupper() and not w.startswith("*")}
        who = data.get("who") or {}
        self.doer_risks: Dict[Text, Dict[Text, Text]] = {
            risk: dict(by) for risk, by in (who.get("doer") or {}).items()}
        self.child_doer_risks: Set[Text] = set(who.get("child_doer") or ())
        self.child_object_risks: Set[Text] = set(who.get("child_object") or ())
        self.child_words = set(self.groups.get(who.get("child_group", "CHILD"), []))
        self.child_object_words = set(self.groups.get(who.get("child_object_group", "CHILD"), []))
        self.person_words = set(self.groups.get(who.get("person_group", "OTHER_PERSON"), []))
        misspellings = {str(k).lower(): str(v).lower()
                        for k, v in (data.get("misspellings") or {}).items()}
        self.spelling = Spelling(known | set(misspellings.values()), self.fuzzy_min,
                                 self.fuzzy_two, real_words, misspellings)
        # One matcher per rule, each behind a gate: the words a match cannot do without. A
        # message runs only the rules whose gate its words open, which keeps the guard cheap.
        self.compiled: List[Tuple[Text, Gate, Any]] = []
        # A rule's exceptions, each with the words it cannot match without: only those whose
        # words are all in the message are run (a rule can have dozens of idioms).
        self.unless: Dict[Text, List[Tuple[Gate, Matcher]]] = {}
        for rule in data["rules"]:
            rule_id = rule["id"]
            self.rules[rule_id] = rule
            phrases = rule.get("phrases") or ([rule["phrase"]] if "phrase" in rule else [])
            if phrases:
                matcher = Matcher(vocab)
                matcher.add(rule_id, [p for phrase in phrases for p in self._phrase_patterns(phrase)])
                self.compiled.append((rule_id, Gate([self._needs(p) for p in phrases]), matcher))
            if "verb" in rule:
                dep_matcher = DependencyMatcher(vocab)
                dep_matcher.add(rule_id, self._verb_patterns(rule))
                needs = [self._keys(self.groups[rule["verb"]]), self._keys(self._words(rule["target"])[0])]
                self.compiled.append((rule_id, Gate([needs]), dep_matcher))
            for phrase in rule.get("unless") or ():
                unless = Matcher(vocab)
                unless.add(rule_id, self._phrase_patterns(phrase))
                self.unless.setdefault(rule_id, []).append((Gate([self._needs(phrase)]), unless))
        # Which rules a word can wake: each phrase is filed under its most selective needed item,
        # the one with the fewest common words ("the", "he", "me" are in most messages).
        from spacy.lang.en.stop_words import STOP_WORDS

        def cost(words: FrozenSet[Text]) -> int:
            return sum(1000 if w in STOP_WORDS else 1 for w in words)

        self.triggers: Dict[Text, Set[int]] = {}
        self.always: Set[int] = set()
        for n, (_, gate, _) in enumerate(self.compiled):
            for alternative in gate.alternatives:
                if not alternative:
                    self.always.add(n)
                    continue
                for word in min(alternative, key=cost):
                    self.triggers.setdefault(word, set()).add(n)

    # ---- compiling -------------------------------------------------------------------------
    def _words(self, item: Text) -> Tuple[List[Text], bool]:
        """Words for one pattern item and whether it is optional."""
        optional = item.endswith("?")
        words: List[Text] = []
        for part in item.rstrip("?").split("|"):
            if part.isupper() and part in self.groups:
                words.extend(self.groups[part])
            else:
                words.append(part.lower())
        return words, optional

    def _keys(self, words: Sequence[Text]) -> FrozenSet[Text]:
        """What a token's rule key or lowercase form must be to stand for one of the words."""
        return frozenset(words) | {self.spelling.forms[w] for w in words if w in self.spelling.forms}

    def _token_spec(self, words: Sequence[Text]) -> Dict[Text, Any]:
        """A token spec matching any of the words by the token's rule key (its lemma, or the
        rule word a long word is a typo of; see Spelling) or by its exact lowercase form."""
        return {"_": {"safety_keys": {"INTERSECTS": sorted(self._keys(words))}}}

    def _needs(self, phrase: Text) -> List[FrozenSet[Text]]:
        """The word sets a phrase cannot match without (its items that are not optional)."""
        # For a run of words ("the_tracks") any of its words is needed; the longest is the rarest.
        return [self._keys([max(w.split("_"), key=len) for w in self._words(item)[0]])
                for item in phrase.split()
                if not item.endswith("?") and not re.fullmatch(r"\*\*?\d+", item)]

    def _phrase_patterns(self, phrase: Text) -> List[List[Dict[Text, Any]]]:
        patterns: List[List[Dict[Text, Any]]] = [[]]
        for item in phrase.split():
            gap = re.fullmatch(r"(\*\*?)(\d+)", item)
            if gap:  # *N stays inside the sentence, **N may cross into the next one
                spec = {"OP": f"{{0,{gap.group(2)}}}"}
                if gap.group(1) == "*":
                    spec["IS_SENT_START"] = False
                patterns = [p + [spec] for p in patterns]
                continue
            words, optional = self._words(item)
            single = [w for w in words if "_" not in w]
            several = [w.split("_") for w in words if "_" in w]  # "so_hard": two words in a row
            if not several:
                spec = self._token_spec(single)
                patterns = [p + [dict(spec, OP="?") if optional else spec] for p in patterns]
                continue
            options = [[self._token_spec(single)]] if single else []
            options += [[self._token_spec([part]) for part in parts] for parts in several]
            if optional:
                options.append([])
            patterns = [p + option for p in patterns for option in options]
        return patterns

    def _verb_patterns(self, rule: Dict[Text, Any]) -> List[List[Dict[Text, Any]]]:
        relation = rule.get("relation", "object")
        deps = {"object": ["dobj", "obj"], "passive": ["nsubjpass"], "subject": ["nsubj"]}[relation]
        target = self._token_spec(self._words(rule["target"])[0])
        return [[
            {"RIGHT_ID": "verb", "RIGHT_ATTRS": self._token_spec(self.groups[rule["verb"]])},
            {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "target",
             "RIGHT_ATTRS": dict(target, DEP={"IN": deps})},
        ]]

    # ---- applying --------------------------------------------------------------------------
    def _negated(self, token: Token) -> bool:
        sentence = token.sent if token.doc.has_annotation("SENT_START") else token.doc[:]
        # "never hit me until last night": the word that ends the negation follows closely
        # ("he has never hurt me, he's just quiet since he found out" stays negated);
        # "not the first time he hit me" says it anywhere.
        following = {t.lower_ for t in token.doc[token.i + 1:min(sentence.end, token.i + 7)]}
        if following & NEGATION_ENDS or "first" in {t.lower_ for t in sentence}:
            return False
        # "I don't think I want to die" and "he's never been the type to get physical" negate
        # through the words governing it before it; a verb after it ("i want to die, i cant
        # fix this") is another clause of a run-on message.
        heads = [token]
        while (len(heads) < 4 and heads[-1].dep_ in ("acomp", "xcomp", "ccomp", "acl", "relcl", "attr")
               and heads[-1].head.i < heads[-1].i):
            heads.append(heads[-1].head)
        for head in heads:
            if any(child.dep_ == "neg" or child.lower_ in NEGATORS for child in head.children):
                return True
        window = token.doc[max(sentence.start, token.i - 3): token.i]
        return any(t.lower_ in NEGATORS for t in window)

    def _unless_spans(self, rule_id: Text, doc: Doc, present: Set[Text]) -> List[Tuple[int, int]]:
        return [(start, end) for gate, unless in self.unless.get(rule_id, ())
                if gate.opens(present) for _, start, end in unless(doc)]

    def _keep(self, rule: Dict[Text, Any], doc: Doc, anchor: Token,
              span: Tuple[int, int], unless: List[Tuple[int, int]]) -> Optional[Text]:
        """None when the match stands, else why it was dropped: NEGATED; EXCUSED when one of
        the rule's written exceptions (an idiom, an ordinary object) covers it; LAUGHED when
        laughter makes it hyperbole; SCOPE when the rule is about someone else doing it."""
        if rule.get("negatable", True) and self._negated(anchor):
            return NEGATED
        for start, end in unless:
            if start <= span[1] and end >= span[0]:
                return EXCUSED
        laughing = rule.get("not_when_laughing")
        if self._deed(anchor):
            # a joke is about what someone says they'll do ("she'll kill me lol"); a deed told
            # with a laugh is still a deed ("he strangled me lol", "he strangled me and laughed")
            laughing = None
        if laughing and laughing is not True:  # only these matched words are hyperbole
            laughing = self.spelling.key(anchor) in self._keys(self._words(laughing)[0])
        if laughing and any(
                t.lower_ in self.laughter and not any(n.lower_ in NEGATORS for n in doc[max(0, t.i - 2):t.i])
                for t in doc):
            return LAUGHED  # "lol", "jk"; but "she wasn't joking" is no joke
        subject_not = rule.get("subject_not")
        if subject_not:
            banned = set(self._words(subject_not)[0])
            if any(c.dep_ == "nsubj" and self.spelling.key(c) in banned for c in anchor.children):
                return SCOPE
        subject = rule.get("subject")
        if subject:
            wanted = set(self._words(subject)[0])
            subjects = self._subjects(anchor)
            if not any(self.spelling.key(c) in wanted or c.lower_ in wanted for c in subjects):
                return SCOPE
        return None

    @staticmethod
    def _deed(anchor: Token) -> bool:
        """A past act ("he strangled me", "he's beaten me"), not words about one ("she said",
        "she'd kill me", "i could have throttled him")."""
        if anchor.dep_ == "xcomp" and anchor.head.lemma_.lower() in ATTEMPTS:
            anchor = anchor.head  # "he tried to strangle me", "she threatened to kill me"
        if anchor.tag_ not in ("VBD", "VBN") or anchor.lemma_.lower() in TALK:
            return False
        # "'d" before a past participle is "had": "he'd strangled me twice lol" is a deed
        return not any(c.dep_ == "aux" and c.lower_ in MODALS
                       and not (c.lower_ in ("'d", "d") and anchor.tag_ == "VBN")
                       for c in anchor.children)

    @staticmethod
    def _subjects(anchor: Token) -> List[Token]:
        """Who does it: the verb's own subject, or, where it has none, the subject of the verb it
        hangs from: "I lost it and hit her" (conj), "I started hitting her", "I tried to choke
        him" (xcomp), up to three verbs up."""
        token = anchor
        for _ in range(4):
            subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects or token.dep_ not in ("conj", "xcomp") or token.head is token:
                return subjects
            token = token.head
        return []

    def _anchor(self, rule: Dict[Text, Any], span: Span) -> Token:
        """The token whose negation matters: the rule's `key` word if given, else the first
        verb or adjective in the match, else its first token."""
        key = rule.get("key")
        if key:
            words = set(self._words(key)[0])
            for token in span:
                if self.spelling.key(token) in words or token.lower_ in words:
                    return token
        for token in span:
            if token.pos_ in ("VERB", "ADJ"):
                return token
        return span[0]

    def _mark(self, doc: Doc) -> Set[Text]:
        """Stores each token's rule keys on it; returns every key and form in the message."""
        strings = doc.vocab.strings
        present: Set[Text] = set()
        for token in doc:
            key = self.spelling.key(token)
            token._.safety_keys = (strings.add(key), token.lower)
            present.add(key)
            present.add(token.lower_)
        return present

    def check(self, doc: Doc) -> List[Finding]:
        return self.check_all(doc)[0]

    def check_all(self, doc: Doc) -> Tuple[List[Finding], List[Text]]:
        """The findings, and the rules that matched only where one of their written exceptions
        excused them (not laughter: "he threatens to strangle me lol" is no excused idiom)."""
        present = self._mark(doc)
        parsed = doc.has_annotation("DEP")
        candidates: List[Tuple[Text, Token, Tuple[int, int]]] = []
        woken = set(self.always)
        for word in present:
            woken |= self.triggers.get(word, set())
        for n in sorted(woken):
            rule_id, gate, matcher = self.compiled[n]
            if not gate.opens(present):
                continue
            if isinstance(matcher, DependencyMatcher):
                if not parsed:
                    continue
                for _, token_ids in matcher(doc):
                    verb, target = doc[token_ids[0]], doc[token_ids[1]]
                    lo, hi = min(verb.i, target.i), max(verb.i, target.i) + 1
                    candidates.append((rule_id, verb, (lo, hi)))
            else:
                for _, start, end in matcher(doc):
                    span = doc[start:end]
                    candidates.append((rule_id, self._anchor(self.rules[rule_id], span), (start, end)))
        # One finding per rule and risk type: every match of a rule counts, since two matches
        # can be about different people ("he wants to die and I want to die too").
        findings: Dict[Tuple[Text, Text], Finding] = {}
        seen: Set[Tuple[Text, int]] = set()
        unless: Dict[Text, List[Tuple[int, int]]] = {}
        excused: Set[Text] = set()
        for rule_id, anchor, (start, end) in candidates:
            rule = self.rules[rule_id]
            if (rule_id, anchor.i) in seen:
                continue
            if rule_id not in unless:
                unless[rule_id] = self._unless_spans(rule_id, doc, present)
            dropped = self._keep(rule, doc, anchor, (start, end), unless[rule_id])
            if dropped == EXCUSED:
                excused.add(rule_id)
            if dropped:
                continue
            seen.add((rule_id, anchor.i))
            first, last = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
            for risk in self._risks(rule, anchor, doc[start:end]):
                findings.setdefault((rule_id, risk), Finding(
                    rule_id, risk, bool(rule.get("immediate")), first, last))
        fired = {rule_id for rule_id, _ in findings}
        return sorted(findings.values(), key=lambda f: f.start), sorted(excused - fired)

    # ---- who is at risk --------------------------------------------------------------------
    def _risks(self, rule: Dict[Text, Any], anchor: Token, span: Span) -> List[Text]:
        """The risk types of one match: the rule's risk, changed or joined by what the words say
        about who is involved (the `who` section of the rules file). Never empty."""
        risk = rule.get("risk", "")
        speaker = self._quoted_speaker(span)
        if speaker in ("other", "child"):
            # their own words, quoted: "he texted 'you won't have to worry about me much longer'"
            risks = [QUOTED_BY_OTHER.get(risk, risk)]
            return risks + ["child_at_risk"] if speaker == "child" else risks
        if rule.get("who") == "fixed":
            return [risk]
        doer = self._doer(anchor, span)
        risks = [{**self.doer_risks.get(risk, {}), **(rule.get("doer") or {})}.get(doer, risk)]
        if rule.get("by_user") or rule.get("by_other"):
            agent = self._agent(anchor)
            if rule.get("by_user") and agent == "user":
                risks.append(rule["by_user"])
            elif rule.get("by_other") and agent == "other":
                risks = [rule["by_other"]]
        if doer == "child" and (risk in self.child_doer_risks or rule.get("victim") == "subject"):
            risks.append("child_at_risk")
        elif risk in self.child_object_risks and self._child_harmed(anchor, span):
            risks.append("child_at_risk")
        return list(dict.fromkeys(risks))

    def _doer(self, anchor: Token, span: Span) -> Optional[Text]:
        """Who the match is about: "user" (the person typing), "other" (another adult),
        "child", or None when the words don't say."""
        before = span.doc[span.start - 1] if span.start > 0 else None
        if any(t.lower_ in ("me", "myself") for t in span) or (
                before is not None and before.lower_ in ("me", "myself")):
            return "user"  # "kill myself", "better off without me", "walked in on me cutting"
        subject = self._subject(anchor)
        if subject is None:
            return None
        people = [subject] + [c for c in subject.children if c.dep_ == "conj"]
        if any(p.lower_.replace("'", "") in FIRST_PERSON for p in people):
            return "user"  # "I want to die", "my wife and I both want to die"
        return self._person(subject)

    def _person(self, subject: Token) -> Optional[Text]:
        """What kind of person a subject is: "user", "child", "other" (another adult), or None."""
        if subject.lower_.replace("'", "") in FIRST_PERSON:
            return "user"
        named = self._named(subject) if subject.lower_ in THIRD_PERSON else subject
        if self.spelling.key(named) in self.child_words or named.lower_ in self.child_words:
            return "child"
        if subject.lower_ in THIRD_PERSON or self.spelling.key(named) in self.person_words:
            return "other"
        return None

    def _quoted_speaker(self, span: Span) -> Optional[Text]:
        """Who says the words when the match is inside quotation marks opened right after a verb
        of saying ("she texted 'i want to die'", "he keeps saying 'maybe i should just die'"):
        "user", "other", "child", or None when the match is not quoted speech."""
        doc = span.doc
        sentence_start = span.sent.start if doc.has_annotation("SENT_START") else 0
        marks = [i for i in range(max(sentence_start, span.start - 40), span.start)
                 if doc[i].text in QUOTE_MARKS]
        opening = self._open_quote(doc, marks)
        if opening is None:
            return None
        verbs = [t for t in doc[max(0, opening - 3):opening]
                 if t.lemma_.lower() in SAYING or t.lower_ in SAYING]
        subject = self._subject(verbs[-1]) if verbs else None
        return self._person(subject) if subject is not None else None

    @staticmethod
    def _open_quote(doc, marks: List[int]) -> Optional[int]:
        """The quotation mark still open at the end of ``marks`` (token indices, in order), or
        None when every quote before the match has closed ("she said 'fine' and i want to die"
        is not quoted speech). Curly marks say whether they open or close; a straight mark
        opens a quote when none is open and closes it otherwise. An apostrophe straight after a
        word ending in s, with no quote open, is a possessive ("my parents' friend"), not a mark."""
        opening: Optional[int] = None
        for i in marks:
            text = doc[i].text
            if text in OPENING_MARKS:
                opening = i
            elif text in CLOSING_MARKS:
                opening = None
            elif (opening is None and text in ("'", "\u2019") and i > 0
                  and not doc[i - 1].whitespace_ and doc[i - 1].lower_.endswith("s")):
                continue
            else:
                opening = i if opening is None else None
        return opening

    @staticmethod
    def _subject(anchor: Token) -> Optional[Token]:
        """Who the matched word is about: the subject of the verb it hangs from (up to six steps
        up), or the object of a verb that makes someone do it ("drives me to want to die")."""
        token = anchor
        for _ in range(6):
            for child in token.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    # "my partner self harms": the person is the word before "self"
                    named = [c for c in child.children if c.dep_ in ("compound", "poss")
                             and c.pos_ in ("NOUN", "PROPN")] if child.lower_ == "self" else []
                    return named[0] if named else child
            if token.dep_ not in _TO_VERB or token.head is token:
                return None
            if token.dep_ == "xcomp":
                made = [c for c in token.head.children if c.dep_ in ("dobj", "obj")]
                if made and made[0].pos_ == "PRON":
                    return made[0]
            token = token.head
        return None

    def _named(self, pronoun: Token) -> Token:
        """The person a pronoun stands for when a verb of saying above it names them ("my son
        says he wants to die" -> son); else the pronoun itself."""
        verb = pronoun.head
        for _ in range(3):
            if verb.dep_ not in _TO_SPEAKER or verb.head is verb:
                break
            verb = verb.head
            for child in verb.children:
                if child.dep_ == "nsubj" and child.pos_ in ("NOUN", "PROPN"):
                    return child
        return pronoun

    def _agent(self, anchor: Token) -> Optional[Text]:
        """Who does the act, read strictly from the verb's own subject (through "and" and "to"
        only): "user" for "I broke her phone", "I lost it and smashed the door", "I think I'm
        the abusive one"; "other" for "he smashed my phone". None for "I feel abused" or "I was
        battered" (a participle without "have" is something done to them) and where unclear."""
        if anchor.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have"
                                            for c in anchor.children):
            return None
        token = anchor
        for _ in range(4):
            subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                subject = subjects[0]
                if subject.dep_ != "nsubj":
                    return None
                if subject.lower_ in ("i", "im", "ive", "id", "ill"):
                    return "user"
                if subject.lower_ in THIRD_PERSON or self.spelling.key(subject) in self.person_words:
                    return "other"
                return None
            climb = token.dep_ in ("conj", "xcomp", "acomp", "attr", "prep") or (
                token.dep_ == "amod" and (token.head.dep_ == "attr"
                                          or token.head.lemma_ in ("something", "anything")))
            if not climb or token.head is token:
                return None
            token = token.head
        return None

    def _child_harmed(self, anchor: Token, span: Span) -> bool:
        """A child is the object of a verb in the match or of the verb it hangs from
        ("threatened to kill our kids", "grabbed our daughter by the throat")."""
        verbs = [t for t in span if t.pos_ in ("VERB", "AUX")] + [anchor.head]
        for verb in verbs:
            for child in verb.children:
                if child.dep_ in ("dobj", "obj") and (self.spelling.key(child) in self.child_object_words
                                                      or child.lower_ in self.child_object_words):
                    return True
        return False


class Gate:
    """Alternatives (one per phrase) of word sets that must all occur in a message."""

    def __init__(self, alternatives: List[List[FrozenSet[Text]]]) -> None:
        self.alternatives = alternatives

    def opens(self, present: Set[Text]) -> bool:
        return any(all(not needed.isdisjoint(present) for needed in alternative)
                   for alternative in self.alternatives)


def load_real_words(model: Path) -> FrozenSet[Text]:
    """Every base word spaCy's English lemmatizer knows (its lemma_index table)."""
    from spacy.lookups import Lookups

    folder = (model if model.is_absolute() else ROOT / model) / "lemmatizer" / "lookups"
    if not folder.exists():
        return frozenset()
    index = Lookups().from_disk(folder).get_table("lemma_index")
    return frozenset(word for words in index.values() for word in words)


def load_rules(path: Path) -> Dict[Text, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
