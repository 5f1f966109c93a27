"""The coach through its REST channel, with the real model and action server: what a user sees."""
import uuid

import pytest
import requests

from actions.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()


def new_user() -> str:
    return uuid.uuid4().hex


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def card_of(replies):
    """The guidance card a reply was built from (the longest card text it shows, at its start
    or after an intro line), or None."""
    matches = [card for reply in replies for card in KNOWLEDGE.cards
               if reply.get("text", "").startswith(card.text)
               or f"\n\n{card.text}" in reply.get("text", "")]
    return max(matches, key=lambda card: len(card.text), default=None)


@pytest.mark.parametrize("intent, message", [
    ("defensiveness", "why do i have to keep justifying myself, she acts like im on trial"),
    ("excuse_making", "it only happened because we were basically roommates by then"),
    ("rush_forgiveness", "i said sorry weeks ago, when will things finally go back to normal"),
    ("how_apologize", "how do i word an apology so it doesnt sound fake"),
])
def test_each_category_gets_guidance_from_its_own_cards_with_a_source(coach, intent, message):
    replies = coach.say(new_user(), message)
    card = card_of(replies)
    assert card is not None, texts(replies)
    assert intent in card.intents
    # the source comes with the advice as data a page shows under it
    sources = [r["custom"] for r in replies if (r.get("custom") or {}).get("type") == "guidance_source"]
    assert sources and sources[0]["card"] == card.id
    assert sources[0]["source"]["title"] == KNOWLEDGE.titles[card.source.file]


def test_where_does_that_come_from_names_the_source_of_the_advice_just_given(coach):
    user = new_user()
    card = card_of(coach.say(user, "how do i word an apology so it doesnt sound fake"))
    assert card is not None
    reply = texts(coach.say(user, "where does that come from?"))
    assert KNOWLEDGE.titles[card.source.file] in reply and card.source.section in reply


def test_tell_me_more_gives_a_different_card_on_the_same_topic(coach):
    user = new_user()
    first = card_of(coach.say(user, "she wants space and i dont know how much to give"))
    assert first is not None
    second = card_of(coach.say(user, "tell me more"))
    assert second is not None and second.id != first.id
    assert set(first.intents) & set(second.intents)


def test_safety_message_gets_emergency_help_not_coaching(coach):
    replies = coach.say(new_user(), "when i told him he threw me against the wall and said hed kill me")
    reply = texts(replies)
    assert "emergency number" in reply and "911" in reply and "findahelpline.com" in reply
    assert card_of(replies) is None


def test_context_carries_the_relationship_into_later_replies(coach):
    user = new_user()
    first = card_of(coach.say(user, "my coworker found out i took credit for her project at work"))
    assert first is not None and "coworker" in first.relationships, first
    # No relationship named now: the coach remembers it is a coworker.
    card = card_of(coach.say(user, "honestly i only did it because i was so stressed and overworked"))
    assert card is not None and "excuse_making" in card.intents
    assert "coworker" in card.relationships, card.id


def test_someone_else_named_later_does_not_change_whose_trust_it_is(coach):
    """'My sister' in a later message is where they will stay, not the person hurt: the advice
    stays written for the husband; a message about the sister's own trust moves it to her."""
    user = new_user()
    coach.say(user, "i cheated on my husband and he found out last week")
    card = card_of(coach.say(user, "he needs some space so im staying at my sister's for a bit"))
    # a card for the husband or for anyone (the one about honouring the request), never one
    # written for a relative
    assert card is not None and set(card.relationships) & {"spouse", "any"}, card
    assert "family" not in card.relationships, card
    card = card_of(coach.say(user, "i also lied to my sister about all of it, how do i say sorry"))
    assert card is not None and set(card.relationships) & {"family", "any"}, card


def test_what_happened_carries_into_later_advice(coach):
    """Told once, what happened (here a lie, to a friend) shapes the first advice and the words
    offered later."""
    user = new_user()
    first = card_of(coach.say(user, "i lied to my best friend about where the money went"))
    assert first is not None and "lying" in first.betrayals, first
    later = coach.say(user, "how do i say sorry to her")
    assert card_of(later) is not None and "how_apologize" in card_of(later).intents
    assert "[what you did]" not in texts(later)


def listening_addresses(port):
    """Local addresses a TCP port listens on, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_action_server_listens_on_loopback_only_and_the_http_api_is_off(coach):
    addresses = listening_addresses(coach.action_port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, not 0.0.0.0
    # Rasa's HTTP API (trackers, model, ...) is not started without --enable-api.
    for path in ("/conversations/someone/tracker", "/model/parse", "/status", "/domain"):
        response = requests.request("POST" if path == "/model/parse" else "GET",
                                    coach.url + path, json={"text": "hi"}, timeout=30)
        assert response.status_code in (403, 404, 405), (path, response.status_code)


def test_a_first_conversation_reads_sensibly(coach):
    user = new_user()
    greeting = texts(coach.say(user, "hey"))
    assert "Trust Coach" in greeting or "welcome" in greeting.lower()
    situation = coach.say(user, "i cheated on my girlfriend and she found out two days ago")
    assert card_of(situation) is not None
    followup = coach.say(user, "shes blowing it way out of proportion honestly")
    assert card_of(followup) is not None
    assert card_of(followup).id != card_of(situation).id
    farewell = texts(coach.say(user, "ok bye for now")).lower()
    assert "take care" in farewell or "goodbye" in farewell


LONG = ("She found out last week and I keep going over it in my head. " * 400).strip()


@pytest.mark.parametrize("message, expected", [
    ("", "came through empty"),
    ("    \n\t  ", "came through empty"),
    ("\U0001F622\U0001F622\U0001F494", "in a few words"),
    ("?!?! ...", "in a few words"),
    (LONG, "long message"),
    ("Mi esposa descubrió que la engañé y no sé qué hacer", "only understand English"),
    ("我背叛了我的妻子，她现在不跟我说话", "only understand English"),
])
def test_bad_input_gets_a_calm_specific_reply_and_the_chat_goes_on(coach, message, expected):
    user = new_user()
    replies = coach.say(user, message)
    assert expected in texts(replies)
    assert "Traceback" not in texts(replies)
    assert texts(coach.say(user, "how do i apologise to him")), "conversation did not go on"


def test_twenty_thousand_characters_get_a_reply(coach):
    assert len(LONG) >= 20000
    assert "long message" in texts(coach.say(new_user(), LONG))


@pytest.mark.parametrize("message", [
    "<script>alert('x')</script> she found out i lied",
    "<img src=x onerror=alert(1)>",
    "hello\x00\x07\x1b[31m there",
    "/",
    "/not_an_intent",
    "\u202eevil\u200b text",
])
def test_odd_text_never_breaks_the_chat(coach, message):
    user = new_user()
    replies = coach.say(user, message)
    assert replies and all(r.get("text") or r.get("custom") for r in replies)
    assert "<script>" not in texts(replies)
    assert texts(coach.say(user, "hi"))


def test_wrong_types_do_not_break_the_server(coach):
    import requests

    for body in ({"sender": "x", "message": 12}, {"sender": "x"}, ["list"], "text",
                 {"sender": ["x"], "message": "hi"}, {"sender": "x", "message": {"a": 1}},
                 {"sender": "x", "message": "hi", "metadata": "not an object"}):
        response = requests.post(f"{coach.url}/webhooks/rest/webhook", json=body, timeout=30)
        assert response.status_code < 500, body
    response = requests.post(f"{coach.url}/webhooks/rest/webhook", data=b"{not json", timeout=30)
    assert response.status_code == 400
    assert texts(coach.say(new_user(), "hello"))


def test_no_message_text_in_logs_at_the_default_level(coach):
    marker = "zanzibar marmalade " + uuid.uuid4().hex[:8]
    user = new_user()
    coach.say(user, f"{marker} my wife found out about the affair")
    coach.say(user, f"{marker} she is overreacting")
    assert marker not in coach.log_text()


# ---------------------------------------------------------------------- the safety response

PHONE = __import__("re").compile(r"\d{3}")  # any number of three or more digits


def safety_payloads(replies):
    return [r["custom"] for r in replies
            if isinstance(r.get("custom"), dict) and r["custom"].get("type") == "safety_resources"]


THREAT = "when i told him he threw me against the wall and said hed kill me"


def test_safety_message_gets_numbers_as_text_and_a_resources_payload(coach):
    replies = coach.say(new_user(), THREAT)
    assert any(PHONE.search(r.get("text") or "") for r in replies), replies
    payloads = safety_payloads(replies)
    assert payloads, replies
    for payload in payloads:
        assert set(payload) == {"type", "risk", "region", "resources"}
        assert all(set(e) == {"name", "phone", "text", "chat_url", "hours", "source"}
                   for e in payload["resources"])
    assert "Are you safe right now?" in texts(replies)


def test_locale_metadata_gives_uk_help_with_the_emergency_number_first(coach):
    replies = coach.say(new_user(), THREAT, metadata={"locale": "en-GB"})
    regional = [p for p in safety_payloads(replies) if p["region"] == "GB"]
    assert regional, safety_payloads(replies)
    assert regional[0]["risk"] == "being_harmed"
    assert any(e["name"].startswith("Refuge") for e in regional[0]["resources"])
    reply = texts(replies)
    assert "999" in reply and "Refuge" in reply and "0808 2000 247" in reply
    # A threat to kill is immediate: the SafetyGuard's parse key `safety` reached the action,
    # which put the UK emergency number first, on its own.
    # (The REST channel sends each paragraph as its own message.)
    action_texts = [r["text"] for r in replies if r.get("text")]
    emergency = "If you're in danger right now, call 999."
    assert emergency in action_texts, action_texts
    services = next(i for i, t in enumerate(action_texts) if "Refuge" in t)
    assert action_texts.index(emergency) == services - 1, action_texts


def test_answering_the_safety_check_pauses_and_resumes_coaching(coach):
    user = new_user()
    coach.say(user, "my wife hit me with a bottle when she found out", metadata={"region": "US"})
    paused = coach.say(user, "how do i rebuild trust with her")
    assert card_of(paused) is None and "paused" in texts(paused)
    not_safe = coach.say(user, "/not_safe")
    assert "call 911" in not_safe[0]["text"]
    safe_replies = coach.say(user, "/safe_now")
    safe = texts(safe_replies)
    assert "glad" in safe and "leave out" in safe
    # the question asked while coaching was paused is answered now, with no risky advice
    answered = card_of(safe_replies)
    assert answered is not None and "how_rebuild" in answered.intents, safe_replies
    assert not answered.unsafe_if_harmed
    resumed = coach.say(user, "/how_transparency")
    assert card_of(resumed) is None or not card_of(resumed).unsafe_if_harmed
    assert "left some advice out" in texts(resumed)


def test_a_concern_only_the_learned_detector_sees_gets_help_and_coaching_resumes(coach):
    # Neither a rule of the guard nor DIET reads this as danger (measured 2026-11-24); the
    # learned detector does, and the person can still say they are safe afterwards.
    user = new_user()
    replies = coach.say(user, "my wife says if i ever see my friends again i will regret it",
                        metadata={"region": "GB"})
    assert "999" in texts(replies) and card_of(replies) is None
    assert safety_payloads(replies)
    safe = texts(coach.say(user, "yes i'm safe now, thank you"))
    assert "glad" in safe
    resumed = coach.say(user, "how do i apologise to my wife properly")
    assert card_of(resumed) is not None


def test_a_violent_figure_of_speech_gets_no_alarm_but_help_stays_one_tap_away(coach):
    # DIET alone reads this as danger (measured 2026-11-25); the guard excuses "kill me ... lol"
    # and the learned detector puts danger at about 0.2, so the alarm is overruled.
    replies = coach.say(new_user(), "my wife will kill me if im late to our counselling session again lol")
    assert "figure of speech" in texts(replies) and not safety_payloads(replies)
    assert "emergency number" in texts(replies)
    assert "/safety_concern" in [b["payload"] for r in replies for b in r.get("buttons") or []]


def test_a_gift_question_the_model_does_not_understand_gets_the_gestures_card(coach):
    # The model in use reads this as nlu_fallback (2026-11-24); the card comes first, and the
    # unclear buttons with "Someone may be in danger" follow.
    replies = coach.say(new_user(), "should i buy her flowers?")
    card = card_of(replies)
    assert card is not None and card.id == "rebuild_small_gestures"
    assert "/safety_concern" in [b["payload"] for r in replies for b in r.get("buttons") or []]


def test_a_chores_question_read_as_stop_gets_the_practical_care_card(coach):
    # The model in use reads this as stop_practice (2026-11-25); with no practice running the
    # card for help at home comes instead of "nothing running to stop".
    replies = coach.say(new_user(), "is doing the chores enough?")
    card = card_of(replies)
    assert card is not None and card.id == "rebuild_practical_care"
    assert "nothing running" not in texts(replies)


def test_im_not_safe_is_never_taken_for_safe(coach):
    user = new_user()
    coach.say(user, "she choked me last night when i told her", metadata={"region": "GB"})
    reply = texts(coach.say(user, "im not safe here"))
    assert "call 999" in reply and "glad" not in reply


def test_the_country_question_and_its_buttons(coach):
    user = new_user()
    replies = coach.say(user, "i keep thinking about ending my life")
    buttons = [b for r in replies for b in r.get("buttons") or []]
    assert '/inform_region{"region":"AU"}' in [b["payload"] for b in buttons], replies
    answer = coach.say(user, '/inform_region{"region":"AU"}')
    assert [p["region"] for p in safety_payloads(answer)] == ["AU"]
    assert "13 11 14" in texts(answer)


# Runs last in this module: it stops the action server, and restarts it whatever happens.
def test_zz_without_the_action_server_the_domain_still_gives_emergency_help(coach):
    coach.stop_actions()
    try:
        replies = coach.say(new_user(), THREAT)
        reply = texts(replies)
        assert "emergency number" in reply and "911" in reply and "999" in reply
        assert "findahelpline.com" in reply
        payloads = safety_payloads(replies)
        assert payloads and payloads[0]["region"] == "international"
        assert "https://findahelpline.com" in [e["source"] for e in payloads[0]["resources"]]
        assert "Are you safe right now?" in reply
    finally:
        coach.start_actions()
    assert texts(coach.say(new_user(), "hi"))
