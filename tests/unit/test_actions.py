"""Custom actions, run with a real rasa_sdk Tracker and CollectingDispatcher."""
import random

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import ActionCoach, current_relationship
from actions.knowledge import load_knowledge, mentions, normalise, relationship_synonyms
from actions.unclear import ActionUnclear

KNOWLEDGE = load_knowledge()


def tracker(intent, text="...", entities=None, slots=None, **extra):
    latest = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
              "text": text, **extra}
    return Tracker("test-user", slots or {}, latest, [], False, None, {}, "action_listen")


def run(action, a_tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, a_tracker, {})
    return dispatcher.messages, events


def card_texts(intent):
    return {card.id: card.text for card in KNOWLEDGE.cards_for(intent)}


@pytest.mark.parametrize("intent", ["defensiveness", "excuse_making", "rush_forgiveness",
                                    "how_apologize", "how_rebuild", "how_give_space"])
def test_coach_answers_with_a_card_for_that_intent_and_cites_it(intent):
    messages, events = run(ActionCoach(), tracker(intent, slots={"relationship": "spouse"}))
    assert len(messages) == 2
    text = messages[0]["text"]
    shown = [e for e in events if e["event"] == "slot" and e["name"] == "last_card"][0]["value"]
    card = next(c for c in KNOWLEDGE.cards if c.id == shown)
    assert intent in card.intents
    assert text.startswith(card.text)
    # the source is not in the words (short enough to read in the moment) but sent as data
    assert "Source:" not in text
    # the source also goes to the page as data, so a widget can show it under the advice
    assert messages[1]["custom"] == {
        "type": "guidance_source", "card": card.id,
        "source": {"title": KNOWLEDGE.titles[card.source.file],
                   "section": card.source.section, "file": card.source.file}}


def test_coach_never_repeats_the_card_it_just_gave():
    last = None
    for _ in range(25):
        _, events = run(ActionCoach(), tracker("defensiveness", slots={"last_card": last}))
        shown = events[0]["value"]
        assert shown != last
        last = shown


def test_coach_adapts_to_a_coworker():
    coworker_cards = {c.id for c in KNOWLEDGE.cards_for("excuse_making") if "coworker" in c.relationships}
    assert coworker_cards, "no excuse_making card written for coworkers"
    entities = [{"entity": "relationship", "value": "coworker"}]
    _, events = run(ActionCoach(), tracker("excuse_making", entities=entities))
    assert events[0]["value"] in coworker_cards


def person(text, word, value):
    """A relationship entity as the model tags it: the word's place in the message."""
    start = text.lower().index(word)
    return {"entity": "relationship", "value": value, "start": start, "end": start + len(word)}


def said(text, *people):
    """A user message event (as the action server receives it) naming (word, value) people."""
    return {"event": "user", "text": text,
            "parse_data": {"text": text, "entities": [person(text, w, v) for w, v in people]}}


def conversation_tracker(*messages, intent="describe_situation", slots=None):
    latest = messages[-1]["parse_data"]
    latest = {**latest, "intent": {"name": intent, "confidence": 0.9}}
    return Tracker("test-user", slots or {}, latest, list(messages), False, None, {},
                   "action_listen")


def test_a_newly_named_person_whose_trust_is_at_stake_replaces_the_remembered_one():
    friend_cards = {c.id for c in KNOWLEDGE.cards_for("describe_situation") if "friend" in c.relationships}
    text = "and my best friend won't speak to me either"
    _, events = run(ActionCoach(), tracker("describe_situation", text, slots={"relationship": "spouse"},
                                           entities=[person(text, "friend", "friend")]))
    assert events[0]["value"] in friend_cards
    assert {"event": "slot", "timestamp": None, "name": "relationship", "value": "friend"} in events


def whose_trust_after(later, word, value):
    """Whose trust it is after "I cheated on my husband" and then a message naming someone else
    (the slot already filled from that message, as Rasa does)."""
    first = "i cheated on my husband and he found out last week"
    return current_relationship(conversation_tracker(said(first, ("husband", "spouse")),
                                                     said(later, (word, value)),
                                                     slots={"relationship": value}))


@pytest.mark.parametrize("later, word, value", [
    ("if i go to my sister's for a few days, how often should i text him?", "sister", "family"),
    ("my mum keeps asking me what's wrong, what do i tell her", "mum", "family"),
    ("my boss noticed i'm distracted at work", "boss", "coworker"),
    ("my best friend says i should just give him time", "friend", "friend"),
])
def test_someone_else_mentioned_later_does_not_replace_whose_trust_it_is(later, word, value):
    assert whose_trust_after(later, word, value) == "spouse"


@pytest.mark.parametrize("later, word, value", [
    ("i lied to my sister too, about the money", "sister", "family"),
    ("how do i apologise to my boss for blaming him", "boss", "coworker"),
    ("my best friend won't speak to me since i told her secret", "friend", "friend"),
    ("and i went behind my brother's back as well", "brother", "family"),
])
def test_a_later_message_about_another_persons_trust_moves_to_them(later, word, value):
    assert whose_trust_after(later, word, value) == value


def test_the_person_whose_trust_is_at_stake_wins_within_one_message():
    text = "my coworker found out and told everyone that i cheated on my wife"
    message = said(text, ("coworker", "coworker"), ("wife", "spouse"))
    assert current_relationship(conversation_tracker(message)) == "spouse"
    # nobody marked: the first person named
    assert current_relationship(conversation_tracker(
        said("my coworker knows about the affair and my wife doesnt", ("coworker", "coworker"),
             ("wife", "spouse")))) == "coworker"


@pytest.mark.parametrize("text, people, value", [
    ("went on a lads holiday with my best mate and hooked up with someone, my girlfriend saw the photos",
     (("mate", "friend"), ("girlfriend", "girlfriend")), "girlfriend"),
    ("my brother covered for me for months but my wife found out anyway",
     (("brother", "family"), ("wife", "spouse")), "spouse"),
    ("my colleague and i were sneaking off at lunch and my husband caught me",
     (("colleague", "coworker"), ("husband", "spouse")), "spouse"),
])
def test_in_a_first_message_the_one_who_found_out_is_the_one_whose_trust_it_is(text, people, value):
    assert current_relationship(conversation_tracker(said(text, *people))) == value


@pytest.mark.parametrize("text, people, value", [
    ("my wife's best friend found out and told her", (("wife", "spouse"), ("friend", "friend")), "spouse"),
    ("my husband's brother saw the messages and told him", (("husband", "spouse"), ("brother", "family")),
     "spouse"),
    ("my sister found out and told everyone at the party", (("sister", "family"),), "family"),
    ("my cousin found out about the affair and told my husband", (("cousin", "family"), ("husband", "spouse")),
     "spouse"),
    ("a colleague saw the messages on my screen and showed my girlfriend",
     (("colleague", "coworker"), ("girlfriend", "girlfriend")), "girlfriend"),
])
def test_someone_elses_friend_or_one_who_found_out_and_told_is_not_taken_for_the_one_who_found_out(
        text, people, value):
    assert current_relationship(conversation_tracker(said(text, *people))) == value


def test_someone_finding_out_later_does_not_move_whose_trust_it_is():
    assert whose_trust_after("my sister found out about it yesterday", "sister", "family") == "spouse"


def test_a_relationship_button_and_a_more_exact_partner_update_it():
    button = {"event": "user", "text": '/describe_situation{"relationship": "coworker"}',
              "parse_data": {"entities": [{"entity": "relationship", "value": "coworker"}]}}
    first = said("i lied to my partner about money", ("partner", "partner"))
    assert current_relationship(conversation_tracker(first, button)) == "coworker"
    exact = said("my girlfriend keeps asking the same questions", ("girlfriend", "girlfriend"))
    assert current_relationship(conversation_tracker(first, exact)) == "girlfriend"
    assert current_relationship(conversation_tracker(
        said("my wife found the texts", ("wife", "spouse")),
        said("the other partner keeps calling", ("partner", "partner")))) == "spouse"


def test_a_restart_forgets_whose_trust_it_was():
    conversation = conversation_tracker(said("i lied to my dad", ("dad", "family")),
                                        {"event": "restart"},
                                        said("my boyfriend found out", ("boyfriend", "boyfriend")))
    assert current_relationship(conversation) == "boyfriend"


def betrayal_cards(betrayal):
    return {c.id for c in KNOWLEDGE.cards if betrayal in c.betrayals}


@pytest.mark.parametrize("betrayal, relationship", [
    ("cheating", "spouse"), ("cheating", None), ("lying", "friend"), ("lying", "family"),
    ("broken_promise", "coworker"), ("shared_secret", "friend")])
def test_what_happened_chooses_the_first_card(betrayal, relationship):
    """Told once ("I lied to my best friend"), what happened shapes the advice."""
    assert betrayal_cards(betrayal), f"no card written for {betrayal}"
    slots = {"relationship": relationship} if relationship else {}
    entities = [{"entity": "betrayal", "value": betrayal}]
    _, events = run(ActionCoach(), tracker("describe_situation", entities=entities, slots=slots))
    assert events[0]["value"] in betrayal_cards(betrayal)
    # remembered later, from the slot
    _, events = run(ActionCoach(), tracker("describe_situation",
                                           slots=dict(slots, betrayal=betrayal)))
    assert events[0]["value"] in betrayal_cards(betrayal)


@pytest.mark.parametrize("text, betrayal", [
    ("i lied to my best friend about where the money went", "lying"),
    ("My wife found out about the affair", "cheating"),
    ("told everyone the secret my sister told me in confidence", "shared_secret"),
    ("i broke my promise to my dad again", "broken_promise"),
    ("we had a fight about chores", None),
])
def test_what_happened_is_read_from_the_words_when_the_model_tags_nothing(text, betrayal):
    assert KNOWLEDGE.betrayal_in(text) == betrayal
    _, events = run(ActionCoach(), tracker("describe_situation", text=text,
                                           slots={"relationship": "friend"}))
    remembered = [e["value"] for e in events if e.get("name") == "betrayal"]
    assert remembered == ([betrayal] if betrayal else [])


def test_advice_for_something_else_that_happened_is_never_given():
    others = betrayal_cards("cheating") | betrayal_cards("lying") | betrayal_cards("broken_promise")
    unknown = others | betrayal_cards("shared_secret")
    last = None
    for _ in range(30):
        _, events = run(ActionCoach(), tracker("describe_situation", slots={
            "relationship": "friend", "betrayal": "shared_secret", "last_card": last}))
        last = events[0]["value"]
        assert last not in others
        _, events = run(ActionCoach(), tracker("describe_situation", slots={"relationship": "friend"}))
        assert events[0]["value"] not in unknown  # nothing said about what happened


def test_the_words_to_say_name_what_happened():
    friend_card = KNOWLEDGE.card("describe_friend_family")
    assert "[what you did]" in friend_card.say_this
    messages, events = run(ActionCoach(), tracker("describe_situation", slots={
        "relationship": "friend", "betrayal": "lying", "last_card": "describe_lying"}))
    assert events[0]["value"] == "describe_friend_family"
    assert "I'm sorry I lied to you." in messages[0]["text"]
    assert "[what you did]" not in messages[0]["text"]
    gerund = next(c for c in KNOWLEDGE.cards if c.say_this and "for [what you did]" in c.say_this)
    assert "for breaking my promise to you" in KNOWLEDGE.say_this(gerund, "broken_promise")
    # Nothing known about what happened (a hand trial showed "I'm sorry I [what you did]" to
    # someone who took money from a friend): words that fit anything, never a blank.
    assert KNOWLEDGE.say_this(gerund, None) == gerund.say_this.replace("[what you did]", "what I did")
    for card in KNOWLEDGE.cards:
        for betrayal in [None, *KNOWLEDGE.what_you_did]:
            for relationship in (None, "spouse", "friend", "family", "coworker"):
                said = KNOWLEDGE.say_this(card, betrayal, relationship) or ""
                assert "[what you did]" not in said, (card.id, betrayal, relationship, said)


def test_taking_money_is_named_as_such():
    card = KNOWLEDGE.card("describe_friend_family")
    betrayal = KNOWLEDGE.betrayal_in("i took money from my best friend's wallet when i was broke")
    assert betrayal == "stealing"
    assert "I'm sorry I took what was yours." in KNOWLEDGE.say_this(card, betrayal, "friend")


def test_cheated_on_you_is_said_only_to_a_partner():
    """Someone who slept with their sister's fiance did not cheat on the sister."""
    card = KNOWLEDGE.card("describe_friend_family")
    to_sister = KNOWLEDGE.say_this(card, "cheating", "family")
    assert "cheated on you" not in to_sister and "[" not in to_sister  # no unfilled blank
    assert "I'm sorry I hurt you the way I did" in to_sister
    assert "I cheated on you" in KNOWLEDGE.say_this(card, "cheating", "spouse")
    assert "I lied to you" in KNOWLEDGE.say_this(card, "lying", "family")


def test_situation_without_a_relationship_asks_who_with_buttons():
    messages, _ = run(ActionCoach(), tracker("describe_situation"))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/describe_situation{"relationship": "coworker"}' in payloads
    assert "Who is it" in messages[0]["text"]


def test_situation_with_a_known_relationship_does_not_ask_again():
    messages, _ = run(ActionCoach(), tracker("describe_situation", slots={"relationship": "friend"}))
    assert not messages[0]["buttons"]


def test_intent_without_cards_asks_to_rephrase():
    messages, events = run(ActionCoach(), tracker("greet"))
    assert "say it another way" in messages[0]["text"]
    assert messages[0]["buttons"]
    assert events == []


@pytest.mark.parametrize("issue, expected", [
    ("empty", "came through empty"),
    ("no_words", "in a few words"),
    ("too_long", "long message"),
    ("other_language", "only understand English"),
])
def test_unclear_input_gets_a_calm_specific_reply(issue, expected):
    messages, _ = run(ActionUnclear(), tracker("nlu_fallback", input_issue=issue))
    assert expected in messages[0]["text"]
    assert "Traceback" not in messages[0]["text"]


@pytest.mark.parametrize("issue", ["too_long", "other_language"])
def test_unusable_input_still_points_to_emergency_help(issue):
    messages, _ = run(ActionUnclear(), tracker("nlu_fallback", input_issue=issue))
    assert any("emergency number" in m["text"] for m in messages)


def test_danger_words_read_as_a_figure_of_speech_keep_help_one_tap_away():
    # "she'll kill me if I'm late again lol" (components/safety_classifier.py)
    messages, _ = run(ActionUnclear(), tracker("nlu_fallback", input_issue="figure_of_speech"))
    text = " ".join(m["text"] for m in messages)
    assert "figure of speech" in text and "emergency number" in text
    assert "Someone may be in danger" in [b["title"] for b in messages[0]["buttons"]]
    assert any(b["payload"] == "/safety_concern" for b in messages[0]["buttons"])


@pytest.mark.parametrize("issue", ["figure_of_speech", "too_long", "other_language"])
def test_while_are_you_safe_is_open_any_unusable_input_asks_it_again(issue):
    # "my husband wants to kill me lol" read as a figure of speech must not end the check
    messages, _ = run(ActionUnclear(), tracker("nlu_fallback", input_issue=issue,
                                               slots={"safety_open": True}))
    assert messages[-1].get("response") == "utter_ask_safe_now"
    assert any("emergency number" in (m.get("text") or "") for m in messages)
    assert not any("figure of speech" in (m.get("text") or "") for m in messages)


def test_plain_unclear_message_asks_to_rephrase_with_buttons():
    messages, _ = run(ActionUnclear(), tracker("nlu_fallback"))
    assert "say it another way" in messages[0]["text"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "Someone may be in danger" in titles


def shown_card(events):
    return next(e["value"] for e in events if e.get("name") == "last_card")


@pytest.mark.parametrize("intent, text, card", [
    ("excuse_making", "it only happened because wed stopped having sex", "excuse_relationship_problems"),
    ("defensiveness", "he went through my phone, total invasion of privacy", "defensiveness_privacy"),
    ("how_give_space", "she wants space, how do i give her space without disappearing", "space_available_not_gone"),
    ("how_rebuild", "should we try couples therapy?", "rebuild_talk_support"),
    ("how_rebuild", "would Marriage Counselling help us", "rebuild_talk_support"),
    ("how_rebuild", "i cant forgive myself for what i did", "rebuild_forgive_yourself"),
    ("how_rebuild", "the guilt is eating me up, how do i live with myself", "rebuild_forgive_yourself"),
    ("how_transparency", "should i give him my passwords", "transparency_online"),
    ("how_transparency", "she wants me to share my location", "transparency_by_agreement"),
    ("how_answer_questions", "she keeps asking the same questions every night", "questions_again_and_again"),
])
def test_a_question_about_a_topic_gets_that_topics_card(intent, text, card):
    for last in (None, "something_else"):  # every time, not by luck of the draw
        _, events = run(ActionCoach(), tracker(intent, text=text, slots={
            "relationship": "spouse", "last_card": last}))
        assert shown_card(events) == card


@pytest.mark.parametrize("intent, text, card", [
    # no card's asks words are in these: the card sharing the most telling words is chosen
    ("how_rebuild", "what if she decides to leave in the end anyway", "rebuild_may_not_recover"),
    ("how_give_space", "she asked me to step back for a bit, should i agree or argue",
     "space_honour_request"),
])
def test_a_question_with_no_asks_words_gets_the_card_it_is_most_about(intent, text, card):
    assert not [c for c in KNOWLEDGE.cards_for(intent)
                if any(mentions(normalise(text), phrase) for phrase in c.asks)]
    for seed in range(8):  # every time, not by luck of the draw
        assert KNOWLEDGE.choose(intent, "spouse", rng=random.Random(seed), text=text).id == card


def test_a_coworker_keeps_the_card_written_for_coworkers_unless_clearly_asking_another():
    for seed in range(8):
        card = KNOWLEDGE.choose("how_transparency", "coworker", rng=random.Random(seed),
                                text="should i give my manager access to my email?")
        assert card.id == "transparency_coworker"


def test_a_message_that_names_no_topic_still_gets_varied_cards():
    chosen = {KNOWLEDGE.choose("how_rebuild", "spouse", rng=random.Random(seed), text="ok").id
              for seed in range(20)}
    assert len(chosen) >= 3


def test_a_card_asked_about_is_still_not_repeated_straight_away():
    text = "should we try couples therapy?"
    _, events = run(ActionCoach(), tracker("how_rebuild", text=text, slots={
        "relationship": "spouse", "last_card": "rebuild_talk_support"}))
    assert shown_card(events) != "rebuild_talk_support"


def test_couples_therapy_is_not_suggested_to_someone_being_harmed():
    messages, events = run(ActionCoach(), tracker("how_rebuild", text="should we try couples therapy",
                                                  slots={"relationship": "spouse",
                                                         "risks_seen": ["being_harmed"]}))
    assert shown_card(events) != "rebuild_talk_support"
    # a counsellor of their own may be suggested; one to see together with that partner never
    assert "couples" not in messages[0]["text"].lower()


@pytest.mark.parametrize("text", [
    "he yells at me and calls me names, should we try couples therapy",
    "she screams at me every night, would marriage counselling help",
])
def test_no_risky_advice_when_the_message_says_they_are_mistreated(text):
    for _ in range(10):
        messages, events = run(ActionCoach(), tracker("how_rebuild", text=text,
                                                      slots={"relationship": "spouse"}))
        card = KNOWLEDGE.card(shown_card(events))
        assert not card.unsafe_if_harmed and card.id != "rebuild_talk_support"
        assert "left some advice out" in messages[0]["text"]


@pytest.mark.parametrize("text, not_card", [
    ("thanks. how do i rebuild trust", "rebuild_gratitude"),
    ("my wife is still angry at me", "rebuild_let_go_of_anger"),
    ("we have kids, how do we rebuild", "rebuild_practical_care"),
    ("she said leave me alone", "space_if_they_end_it"),
    ("i'll never forgive myself", "rebuild_may_not_recover"),
])
def test_common_words_do_not_pick_an_unrelated_card(text, not_card):
    card = next(c for c in KNOWLEDGE.cards if c.id == not_card)
    words = normalise(text)
    assert not any(mentions(words, phrase) for phrase in card.asks), (text, not_card)


def test_asks_words_can_match_a_message():
    # messages are compared as lowercase letters and apostrophes: "3am" or "e-mail" never would
    for card in KNOWLEDGE.cards:
        for phrase in card.asks:
            assert normalise(phrase) == phrase, (card.id, phrase)


def shown_card(events):
    return next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_card")


def shown_topic(events):
    return next(e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_topic")


@pytest.mark.parametrize("intent, text, topic", [
    ("describe_situation",
     "its been 8 months and she keeps asking the same questions, how do i cope with that",
     "how_answer_questions"),
    ("describe_situation", "he asked me to move out for a while. should i go?", "how_give_space"),
    ("describe_situation", "my husband and i barely talk now, would couples counselling help?",
     "how_rebuild"),
    ("describe_situation", "she wants every detail. how much should i tell her?", "how_tell_truth"),
])
def test_a_question_about_the_situation_gets_the_topic_it_asks_about(intent, text, topic):
    _, events = run(ActionCoach(), tracker(intent, text))
    assert shown_topic(events) == topic
    card = KNOWLEDGE.card(shown_card(events))
    assert topic in card.intents and any(mentions(normalise(text), p) for p in card.asks)


@pytest.mark.parametrize("intent, text", [
    ("describe_situation", "i cheated on my wife with someone at work"),  # asks nothing
    ("defensiveness", "why should i share my location, she went through my phone?"),
    ("how_apologize", "how do i apologise at work without it becoming a whole thing?"),
])
def test_a_recognised_topic_or_a_plain_description_keeps_its_reply(intent, text):
    _, events = run(ActionCoach(), tracker(intent, text))
    assert shown_topic(events) == intent


@pytest.mark.parametrize("text", [
    "is it final?",
    "i lied about a text from my ex, how do i fix this?",
    "i bought her flowers yesterday",  # names a topic but asks nothing
    "would it help if i said it on the date we met",
])
def test_a_message_not_understood_keeps_the_unclear_reply_and_its_danger_button(text):
    """ "I'm not sure I understood" offers "someone may be in danger"; no card replaces it."""
    messages, events = run(ActionUnclear(), tracker("nlu_fallback", text))
    assert events == []
    assert not any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)
    assert any(m.get("buttons") for m in messages)


DANGER_BUTTON = "/safety_concern"


@pytest.mark.parametrize("text, card", [
    ("should i buy her flowers?", "rebuild_small_gestures"),
    ("is it ok to get him a gift", "rebuild_small_gestures"),
    ("is doing the chores enough?", "rebuild_practical_care"),
    ("should we have a date night", "rebuild_date_again"),
    ("how do i show i'm grateful she stayed", "rebuild_gratitude"),
])
def test_a_question_not_understood_that_names_a_topic_gets_its_card_and_the_buttons(text, card):
    """ "Should i buy her flowers?" used to get only "I'm not sure I understood"; now the card
    for gestures comes first, and the unclear buttons, "Someone may be in danger" among them,
    still follow."""
    messages, events = run(ActionUnclear(), tracker("nlu_fallback", text))
    assert shown_card(events) == card
    assert messages[0]["text"].startswith(KNOWLEDGE.card(card).text)
    assert any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)
    assert DANGER_BUTTON in [b["payload"] for b in messages[-1]["buttons"]]


def test_a_topic_question_not_understood_during_the_safety_check_gets_no_advice():
    messages, events = run(ActionUnclear(), tracker("nlu_fallback", "should i buy her flowers?",
                                                    slots={"safety_open": True}))
    assert events == []
    assert not any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)
    assert any("emergency" in (m.get("text") or "") for m in messages)


@pytest.mark.parametrize("text", [
    "i'd appreciate any advice, my wife found out i cheated",
    "my mom found my dating app, what do i say?",
    "should i just end it?",
    "she blocked me and wont take my calls, what do i do?",
])
def test_single_everyday_words_do_not_redirect_a_question(text):
    _, events = run(ActionCoach(), tracker("describe_situation", text))
    assert shown_topic(events) == "describe_situation"


def test_where_words_do_not_bring_a_question_from_another_topic():
    """ "at work" chooses among the affair-contact cards; it does not make a question one."""
    _, events = run(ActionCoach(), tracker("describe_situation",
                                           "how do i apologise at work without a big scene?"))
    assert shown_topic(events) == "describe_situation"


@pytest.mark.parametrize("word, value", [
    ("colleague's", "coworker"), ("husbands'", "spouse"), ("mate's", "friend"), ("cousin's", "family"),
    ("In-Laws", "family"),
])
def test_a_word_the_model_tags_but_does_not_map_still_names_the_person(word, value):
    """The model sometimes tags a word its synonym table leaves unmapped, such as a possessive
    ("a colleague's analysis"); the card is still chosen for that person, and the slot corrected."""
    assert word.lower() not in relationship_synonyms()  # not mapped by the table as it stands
    text = f"at work i presented my {word} analysis as mine"
    message = said(text, (word.lower(), word))
    assert current_relationship(conversation_tracker(message)) == value
    _, events = run(ActionCoach(), conversation_tracker(message, slots={"relationship": word}))
    assert {"event": "slot", "timestamp": None, "name": "relationship", "value": value} in events
    assert value in KNOWLEDGE.card(events[0]["value"]).relationships


def test_a_tagged_word_that_is_no_relationship_is_ignored():
    text = "the neighbour's dog barked all night and then my wife found out"
    message = said(text, ("neighbour's", "neighbour's"), ("wife", "spouse"))
    assert current_relationship(conversation_tracker(message)) == "spouse"


@pytest.mark.parametrize("value", [5, True, None, ""])
def test_a_relationship_that_is_not_text_is_ignored_calmly(value):
    """A button payload may carry a number or true/false (they are kept by the input check)."""
    message = {"event": "user", "text": '/describe_situation{"relationship": 5}',
               "parse_data": {"entities": [{"entity": "relationship", "value": value}]}}
    assert current_relationship(conversation_tracker(message)) is None


def test_a_message_the_safety_detector_doubted_gets_its_card_and_a_way_to_safety_help():
    latest = tracker("how_rebuild", "how do i keep going when she says she's done with me",
                     slots={"relationship": "spouse"}, safety_doubt={"probability": 0.7})
    messages, events = run(ActionCoach(), latest)
    # the card answers the question first, as it would without the doubt
    assert any(e["event"] == "slot" and e["name"] == "last_card" for e in events)
    assert messages[1]["custom"]["type"] == "guidance_source"
    offer = messages[-1]
    assert offer["buttons"] == [{"title": "Someone may be in danger",
                                 "payload": "/safety_concern"}]
    assert "emergency number" in offer["text"]


def test_without_the_doubt_no_safety_offer_is_added():
    messages, _ = run(ActionCoach(), tracker("how_rebuild", "how do i rebuild trust",
                                             slots={"relationship": "spouse"}))
    assert not any(b.get("payload") == "/safety_concern"
                   for m in messages for b in m.get("buttons") or [])


def test_a_doubted_message_the_model_did_not_understand_gets_the_emergency_line_too():
    latest = tracker("nlu_fallback", "she left me for good. whats the highest bridge in dublin",
                     safety_doubt={"probability": 0.66})
    messages, _ = run(ActionUnclear(), latest)
    # the unclear reply's buttons hold "Someone may be in danger"; the line follows it
    assert any(b["payload"] == "/safety_concern" for b in messages[0]["buttons"])
    assert "emergency number" in messages[-1]["text"]


def test_a_doubted_message_never_gets_advice_that_is_unsafe_if_harmed():
    unsafe = {card.id for card in KNOWLEDGE.cards_for("how_transparency") if card.unsafe_if_harmed}
    assert unsafe, "how_transparency has advice withheld from someone being harmed"
    for _ in range(20):
        messages, events = run(ActionCoach(), tracker(
            "how_transparency", "he changed all my passwords, should i give him mine too",
            slots={"relationship": "partner"}, safety_doubt={"probability": 0.73}))
        shown = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_card"]
        assert not set(shown) & unsafe
        # the reason for withholding is only given to someone who said they are harmed
        assert not any("your safety" in (m.get("text") or "") for m in messages)


@pytest.mark.parametrize("action, intent", [(ActionCoach(), "how_apologize"),
                                            (ActionUnclear(), "nlu_fallback")])
def test_not_safe_while_the_check_is_open_is_an_answer_to_it_whatever_the_model_read(action, intent):
    # the model read "definitely not safe" as a question about apologising
    messages, events = run(action, tracker(intent, "definitely not safe",
                                           slots={"safety_open": True}))
    assert any("emergency number" in (m.get("text") or "") for m in messages)
    # the not-safe reply (it keeps the check open), not "I'm not sure I understood"
    assert {"event": "slot", "timestamp": None, "name": "safety_open", "value": True} in events
    assert not any(e.get("name") == "last_card" for e in events)
    assert not any((m.get("custom") or {}).get("type") == "guidance_source" for m in messages)


def test_a_doubted_message_that_was_too_long_gets_the_way_to_safety_help_too():
    latest = tracker("nlu_fallback", "so much to say " * 200, input_issue="too_long",
                     safety_doubt={"probability": 0.62})
    messages, _ = run(ActionUnclear(), latest)
    assert "emergency number" in messages[-1]["text"]
    buttons = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert buttons.count("/safety_concern") == 1
