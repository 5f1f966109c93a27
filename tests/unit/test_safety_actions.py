"""The safety response, run with a real rasa_sdk Tracker and CollectingDispatcher: what a person
in danger would see."""
import datetime
import itertools
import json
import random
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import ActionCoach
from actions.knowledge import load_knowledge
from actions.resources import RISKS, load_resources, read_resources_file
from actions.resume import ActionSafeNow
from actions.safety import (
    ActionInformRegion,
    ActionNotSafe,
    ActionSafety,
    ActionUnsureSafe,
)
from actions.unclear import ActionUnclear

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = load_resources()
RAW = read_resources_file()
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
KNOWLEDGE = load_knowledge()
PAYLOAD_KEYS = {"type", "risk", "region", "resources"}
ENTRY_KEYS = {"name", "phone", "text", "chat_url", "hours", "source"}
UNVERIFIED = [r for region in RESOURCES.all_regions() for r in region.resources if not r.verified]
COUNTRY_PAYLOADS = [f'/inform_region{{"region":"{c}"}}'
                    for c in ("US", "GB", "CA", "AU", "IE", "NZ", "IN", "international")]


def tracker(intent="safety_concern", text="...", risks=(), slots=None, metadata=None,
            entities=None, immediate=None):
    latest = {"intent": {"name": intent, "confidence": 0.9}, "text": text,
              "entities": [{"entity": "risk", "value": r} for r in risks] + (entities or [])}
    if metadata is not None:
        latest["metadata"] = metadata
    if immediate is not None:
        latest["safety"] = {"rules": ["some_rule"], "immediate": immediate}
    return Tracker("test-user", slots or {}, latest, [], False, None, {}, "action_listen")


def run(action, a_tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, a_tracker, {})
    return dispatcher.messages, events


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages):
    return [m["custom"] for m in messages if m.get("custom")]


def the_payload(messages):
    found = payloads(messages)
    assert len(found) == 1, messages
    return found[0]


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else "<not set>"


def all_buttons(messages):
    return [b for m in messages for b in m.get("buttons") or []]


# ------------------------------------------------------------------ where the person is


@pytest.mark.parametrize("metadata, code, emergency", [
    ({"region": "GB"}, "GB", "999"),
    ({"region": "au"}, "AU", "000"),
    ({"region": "nZ"}, "NZ", "111"),
    ({"locale": "en-GB"}, "GB", "999"),
    ({"locale": "en_AU"}, "AU", "000"),
    ({"locale": "en-ca"}, "CA", "911"),
    ({"locale": "en-Latn-IN"}, "IN", "112"),
    ({"region": "IE", "locale": "en-US"}, "IE", "999 or 112"),  # region wins over locale
])
def test_region_comes_from_metadata(metadata, code, emergency):
    messages, events = run(ActionSafety(), tracker(risks=["being_harmed"], metadata=metadata))
    assert the_payload(messages)["region"] == code
    assert f"call {emergency}" in texts(messages)
    assert slot(events, "region") == code
    assert not any(b["payload"] in COUNTRY_PAYLOADS for b in all_buttons(messages))


@pytest.mark.parametrize("text, code", [
    ("im in canada and he hit me when i told him", "CA"),
    ("we live in scotland, she threatened me with a knife", "GB"),
    ("I'm in the US and I don't want to live anymore", "US"),
    ("new south wales. he strangled me last night", "AU"),
    ("im in northern ireland and hes threatening me", "GB"),
    ("in ireland, my husband hits me", "IE"),
])
def test_region_comes_from_a_country_named_in_the_message(text, code):
    messages, _ = run(ActionSafety(), tracker(text=text, risks=["being_harmed"]))
    assert the_payload(messages)["region"] == code


@pytest.mark.parametrize("text", [
    "he hit us both last night",           # "us" is a word here, not the country
    "my english husband threw me into a wall",
    "we went to south america and he hurt me",
])
def test_words_that_only_look_like_countries_do_not_set_the_region(text):
    messages, _ = run(ActionSafety(), tracker(text=text, risks=["being_harmed"]))
    assert the_payload(messages)["region"] in ("international",)
    if "south america" not in text:
        assert [b["payload"] for b in all_buttons(messages)] == COUNTRY_PAYLOADS


def test_region_remembered_in_the_slot_is_used_when_nothing_else_says():
    messages, _ = run(ActionSafety(), tracker(risks=["self_harm"], slots={"region": "NZ"}))
    assert the_payload(messages)["region"] == "NZ"
    assert "1737" in texts(messages)


def test_unknown_region_gets_the_international_directory_and_the_country_question():
    messages, events = run(ActionSafety(), tracker(risks=["being_harmed"]))
    payload = the_payload(messages)
    assert payload["region"] == "international"
    assert [r["source"] for r in payload["resources"]] == ["https://findahelpline.com"]
    assert "findahelpline.com" in texts(messages)
    question = [m for m in messages if m.get("buttons")][-1]
    assert "Which country" in question["text"]
    assert [b["title"] for b in question["buttons"]] == [
        "US", "UK", "Canada", "Australia", "Ireland", "New Zealand", "India", "Somewhere else"]
    assert [b["payload"] for b in question["buttons"]] == COUNTRY_PAYLOADS
    assert slot(events, "region") == "<not set>"


# ------------------------------------------------------------------ what is shown, in what order


@pytest.mark.parametrize("metadata, emergency", [
    ({"region": "GB"}, "call 999"), ({"region": "US"}, "call 911"), ({"region": "AU"}, "call 000"),
    ({"region": "NZ"}, "call 111"),
])
def test_immediate_danger_puts_the_emergency_number_first_on_its_own(metadata, emergency):
    messages, _ = run(ActionSafety(), tracker(risks=["being_harmed"], metadata=metadata,
                                              immediate=True))
    first = messages[0]["text"]
    assert emergency in first
    assert len(first) < 60 and not first.count("\n")


def test_immediate_danger_with_unknown_region_lists_the_main_emergency_numbers_first():
    messages, _ = run(ActionSafety(), tracker(risks=["self_harm"], immediate=True))
    first = messages[0]["text"]
    for number in ("911", "999", "112", "000"):
        assert number in first


def test_without_immediate_danger_the_services_come_first():
    for immediate in (False, None):  # None: the safety key did not arrive (DIET alone)
        messages, _ = run(ActionSafety(), tracker(risks=["being_harmed"], immediate=immediate,
                                                  metadata={"region": "GB"}))
        assert not messages[0]["text"].startswith("If you're in danger")
        assert "0808 2000 247" in messages[0]["text"]
        assert "In an emergency, call 999" in messages[0]["text"]


def test_replies_come_in_order_numbers_text_then_payload_then_next_step():
    messages, _ = run(ActionSafety(), tracker(risks=["being_harmed"], metadata={"region": "US"},
                                              immediate=True))
    kinds = ["custom" if m.get("custom") else "text" for m in messages]
    assert kinds == ["text", "text", "custom", "text"]
    next_step = messages[3]["text"]
    assert "text START to 88788" in next_step          # a way to reach help without talking
    assert "Not sure" in next_step                      # the safety plan offer
    assert "stay here while you reach out" in next_step
    assert "not a crisis service" in next_step and "can't call anyone" in next_step


def test_payload_has_exactly_the_documented_shape():
    messages, _ = run(ActionSafety(), tracker(risks=["self_harm", "being_harmed"],
                                              metadata={"region": "GB"}))
    payload = the_payload(messages)
    assert set(payload) == PAYLOAD_KEYS
    assert payload["type"] == "safety_resources"
    assert payload["risk"] == "self_harm"  # the first risk named
    assert payload["region"] == "GB"
    assert payload["resources"]
    for entry in payload["resources"]:
        assert set(entry) == ENTRY_KEYS
        assert entry["name"] and entry["source"].startswith("https://")
    shop = {e["name"]: e for e in payload["resources"]}
    assert shop["Shout"]["phone"] is None and shop["Shout"]["text"] == "text SHOUT to 85258"
    json.dumps(payload)  # sendable as it is


def test_the_payload_lists_the_same_services_as_the_text():
    messages, _ = run(ActionSafety(), tracker(risks=["child_at_risk"], metadata={"region": "CA"}))
    for entry in the_payload(messages)["resources"]:
        assert entry["name"] in texts(messages)


def test_unverified_entries_exist_but_are_never_shown():
    assert UNVERIFIED, "the reference marks Kids Helpline (AU) unverified; it should be kept"
    for region, risk in itertools.product(RESOURCES.all_regions(), RISKS + ("general",)):
        risks = [] if risk == "general" else [risk]
        messages, _ = run(ActionSafety(), tracker(risks=risks, metadata={"region": region.code}))
        names = {e["name"] for e in the_payload(messages)["resources"]}
        for hidden in UNVERIFIED:
            assert hidden.name not in names
            assert hidden.phone not in texts(messages)


def test_a_region_without_a_verified_service_for_the_risk_points_to_the_directory():
    messages, _ = run(ActionSafety(), tracker(risks=["child_at_risk"], metadata={"region": "AU"}))
    sources = [e["source"] for e in the_payload(messages)["resources"]]
    assert sources == ["https://findahelpline.com"]
    assert "call 000" in texts(messages)


@pytest.mark.parametrize("code, risk, expected", [
    ("US", "self_harm", ["988"]),
    ("US", "being_harmed", ["1-800-799-7233"]),
    ("US", "child_at_risk", ["1-800-422-4453"]),
    ("US", "may_harm_others", ["1-800-799-7233"]),
    ("US", "partner_self_harm", ["988"]),
    ("GB", "being_harmed", ["0808 2000 247"]),
    ("GB", "self_harm", ["116 123"]),
    ("GB", "child_at_risk", ["0808 800 5000", "0800 1111"]),
    ("GB", "may_harm_others", ["0808 8024040"]),
    ("GB", "partner_self_harm", ["116 123"]),
    ("CA", "self_harm", ["9-8-8"]),
    ("CA", "child_at_risk", ["1-800-668-6868"]),
    ("AU", "being_harmed", ["1800 737 732"]),
    ("AU", "may_harm_others", ["1300 766 491"]),
    ("IE", "being_harmed", ["1800 341 900"]),
    ("NZ", "may_harm_others", ["0800 456 450"]),
    ("IN", "child_at_risk", ["1098"]),
    ("IN", "self_harm", ["14416"]),
])
def test_each_risk_gets_a_fitting_service(code, risk, expected):
    messages, _ = run(ActionSafety(), tracker(risks=[risk], metadata={"region": code}))
    phones = {e["phone"] for e in the_payload(messages)["resources"]}
    assert set(expected) <= phones, phones
    for number in expected:
        assert number in texts(messages)


def test_services_for_another_risk_are_not_listed():
    messages, _ = run(ActionSafety(), tracker(risks=["self_harm"], metadata={"region": "GB"}))
    names = [e["name"] for e in the_payload(messages)["resources"]]
    assert "Samaritans" in names
    assert "Respect Phoneline" not in names and "NSPCC" not in names


def test_unknown_risk_gets_domestic_abuse_and_crisis_lines():
    messages, _ = run(ActionSafety(), tracker(metadata={"region": "US"}))
    payload = the_payload(messages)
    assert payload["risk"] == "general"
    phones = {e["phone"] for e in payload["resources"]}
    assert {"1-800-799-7233", "988"} <= phones


@pytest.mark.parametrize("risk, says_limits", [
    ("child_at_risk", True), ("may_harm_others", True), ("being_harmed", False),
    ("self_harm", False),
])
def test_confidentiality_limits_are_said_where_they_matter(risk, says_limits):
    messages, _ = run(ActionSafety(), tracker(risks=[risk], metadata={"region": "GB"}))
    assert ("child protection" in texts(messages)) is says_limits


def test_action_safety_opens_the_check_and_remembers_every_risk():
    _, events = run(ActionSafety(), tracker(risks=["child_at_risk"],
                                            slots={"risks_seen": ["self_harm"]}))
    assert slot(events, "safety_open") is True
    assert slot(events, "risks_seen") == ["self_harm", "child_at_risk"]


def test_a_concern_no_rule_named_is_remembered_as_the_general_risks():
    # DIET or the learned detector alone: no risk entity. The general help is sent, and the
    # advice that could endanger someone being hurt is withheld from then on.
    _, events = run(ActionSafety(), tracker(risks=[], metadata={"region": "GB"}))
    assert set(slot(events, "risks_seen")) == set(RESOURCES.general_risks) >= {"being_harmed"}
    messages, events = run(ActionCoach(), tracker("how_transparency", slots={
        "risks_seen": slot(events, "risks_seen"), "relationship": "spouse"}))
    assert RESOURCES.lines["withheld_why"] in texts(messages)
    assert slot(events, "last_card") == "<not set>"


def test_a_risk_type_the_detector_guessed_comes_beside_the_general_help():
    guessed = [{"entity": "risk", "value": "child_at_risk", "extractor": "SafetyClassifier"}]
    messages, events = run(ActionSafety(), tracker(entities=guessed, metadata={"region": "GB"}))
    names = [r["name"] for r in the_payload(messages)["resources"]]
    child = RESOURCES.help_for("GB", ["child_at_risk"]).resources
    general = RESOURCES.help_for("GB", []).resources
    # the general help first (a guess may be wrong), the guessed risk's services after it
    assert names == [r.name for r in general] + [r.name for r in child]
    assert slot(events, "risks_seen") == list(RESOURCES.general_risks) + ["child_at_risk"]
    # and the payload and what follows ("no", "not sure") lead with the general risk
    assert the_payload(messages)["risk"] == RESOURCES.general_risks[0]
    # a risk a rule named gets its own services only
    messages, _ = run(ActionSafety(), tracker(risks=["child_at_risk"], metadata={"region": "GB"}))
    assert [r["name"] for r in the_payload(messages)["resources"]] == [r.name for r in child]


# ------------------------------------------------------------------ the data file


def raw_resource_entries():
    for code, region in RAW["regions"].items():
        for entry in region["resources"]:
            yield code, entry
    for entry in RAW["international"]["resources"]:
        yield "international", entry


@pytest.mark.parametrize("code, entry", list(raw_resource_entries()),
                         ids=lambda value: value if isinstance(value, str) else value["name"])
def test_every_resource_entry_has_a_source_and_a_checked_date(code, entry):
    assert str(entry.get("source") or "").startswith("https://"), entry["name"]
    assert isinstance(entry.get("checked"), datetime.date), entry["name"]
    assert set(entry["risks"]) <= set(RISKS) and entry["risks"], entry["name"]
    for field in ("name", "risks", "phone", "text", "chat_url", "hours", "source", "checked"):
        assert field in entry, f"{entry['name']}: no {field}"


REFERENCE = ROOT.parent / "shared" / "safety-resources.md"


def digits(text):
    return "".join(ch for ch in str(text or "") if ch.isdigit())


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/safety-resources.md is not beside "
                    "the project, so the numbers cannot be checked against it")
@pytest.mark.parametrize("code, entry", list(raw_resource_entries()),
                         ids=lambda value: value if isinstance(value, str) else value["name"])
def test_every_number_shown_is_the_one_in_the_reference_table(code, entry):
    """A wrong digit sends a person in danger nowhere: every phone number and text code a
    verified entry shows is the one in the reference table, in the row of its own country."""
    if entry.get("verified") is False:
        return
    names = {"GB": "UK", "AU": "Australia", "IE": "Ireland", "NZ": "New Zealand", "IN": "India",
             "CA": "Canada", "US": "US"}
    rows = [line for line in REFERENCE.read_text().splitlines()
            if line.startswith(f"| {names.get(code, 'anywhere else')} |")]
    assert len(rows) == 1, code
    row = digits(rows[0].replace(" ", ""))
    if code in names:
        emergency = digits(RAW["regions"][code]["emergency"])
        assert emergency and emergency in row, (code, RAW["regions"][code]["emergency"])
    for field in ("phone", "text"):
        number = digits(entry.get(field))
        if number:
            assert number in row, f"{entry['name']}: {field} {entry[field]!r} not in the {code} row"


def test_every_region_has_the_documented_fields():
    assert set(RAW["regions"]) == {"US", "GB", "CA", "AU", "IE", "NZ", "IN"}
    for code, region in RAW["regions"].items():
        for field in ("name", "aliases", "emergency", "resources"):
            assert region.get(field), f"{code}: no {field}"


def test_region_synonyms_in_the_training_data_agree_with_the_data_file():
    data = yaml.safe_load((ROOT / "data" / "nlu" / "safety_check.yml").read_text())
    synonyms = [block for block in data["nlu"] if "synonym" in block]
    assert synonyms
    for block in synonyms:
        for line in block["examples"].splitlines():
            word = line.strip()[2:].strip()
            if word:
                region = RESOURCES.region(word)
                assert region is not None and region.code == block["synonym"], word


# ------------------------------------------------------------------ the domain (no action server)


def domain_response(name):
    return DOMAIN["responses"][name][0]


def test_utter_safety_alone_gives_the_emergency_line_directory_and_payload():
    response = domain_response("utter_safety")
    for number in ("911", "999", "112", "000"):
        assert number in response["text"]
    assert "findahelpline.com" in response["text"]
    payload = response["custom"]
    assert set(payload) == PAYLOAD_KEYS
    assert (payload["type"], payload["risk"], payload["region"]) == (
        "safety_resources", "general", "international")
    assert all(set(e) == ENTRY_KEYS for e in payload["resources"])


def test_utter_safety_payload_matches_the_data_file():
    shown = {r.name: r.entry() for region in RESOURCES.all_regions() for r in region.shown}
    for entry in domain_response("utter_safety")["custom"]["resources"]:
        assert entry == shown.get(entry["name"]), entry["name"]
    sources = [e["source"] for e in domain_response("utter_safety")["custom"]["resources"]]
    assert "https://findahelpline.com" in sources


def test_the_safety_check_has_yes_no_and_not_sure_buttons():
    response = domain_response("utter_ask_safe_now")
    assert "safe right now" in response["text"]
    assert [(b["title"], b["payload"]) for b in response["buttons"]] == [
        ("Yes", "/safe_now"), ("No", "/not_safe"), ("Not sure", "/unsure_safe")]


# ------------------------------------------------------------------ the country answer


def test_the_country_button_sends_that_countrys_help_for_the_remembered_risks():
    messages, events = run(ActionInformRegion(), tracker(
        "inform_region", text='/inform_region{"region":"GB"}',
        entities=[{"entity": "region", "value": "GB"}],
        slots={"safety_open": True, "risks_seen": ["self_harm"]}))
    payload = the_payload(messages)
    assert (payload["region"], payload["risk"]) == ("GB", "self_harm")
    assert "116 123" in texts(messages)
    assert messages[-1].get("response") == "utter_ask_safe_now"
    assert slot(events, "region") == "GB"


def test_a_typed_country_is_understood_without_an_entity():
    messages, events = run(ActionInformRegion(), tracker(
        "inform_region", text="im in the uk", slots={"safety_open": True,
                                                     "risks_seen": ["may_harm_others"]}))
    assert the_payload(messages)["region"] == "GB"
    assert "0808 8024040" in texts(messages)
    assert slot(events, "region") == "GB"


def test_somewhere_else_gets_the_directory_and_no_second_country_question():
    messages, events = run(ActionInformRegion(), tracker(
        "inform_region", entities=[{"entity": "region", "value": "international"}],
        slots={"safety_open": True, "risks_seen": ["being_harmed"]}))
    assert the_payload(messages)["region"] == "international"
    assert not any(b["payload"] in COUNTRY_PAYLOADS for b in all_buttons(messages))
    assert slot(events, "region") == "international"


def test_after_safe_now_the_country_answer_does_not_reask_the_check():
    messages, _ = run(ActionInformRegion(), tracker(
        "inform_region", entities=[{"entity": "region", "value": "AU"}],
        slots={"safety_open": False, "risks_seen": ["being_harmed"]}))
    assert "1800 737 732" in texts(messages)
    assert not any(m.get("response") == "utter_ask_safe_now" for m in messages)


def test_a_country_said_out_of_the_blue_is_remembered_without_crisis_numbers():
    messages, events = run(ActionInformRegion(), tracker(
        "inform_region", entities=[{"entity": "region", "value": "CA"}]))
    assert not payloads(messages)
    assert slot(events, "region") == "CA"


# ------------------------------------------------------------------ answers to the check


def test_safe_now_resumes_coaching_and_keeps_the_numbers_available():
    messages, events = run(ActionSafeNow(), tracker("safe_now", slots={
        "safety_open": True, "risks_seen": ["self_harm"], "region": "GB"}))
    text = texts(messages)
    assert "glad" in text and "still there" in text and "carry on" in text
    assert "leave out" not in text
    assert all_buttons(messages)[0]["payload"] == '/inform_region{"region":"GB"}'
    assert slot(events, "safety_open") is False


def test_safe_now_tells_someone_being_harmed_which_advice_is_left_out():
    messages, _ = run(ActionSafeNow(), tracker("safe_now", slots={
        "safety_open": True, "risks_seen": ["being_harmed"]}))
    text = texts(messages)
    for said in ("leave out", "passwords", "location", "anger", "retribution", "staying in the house"):
        assert said in text


def test_not_safe_gives_the_emergency_number_first_then_ways_to_reach_help():
    messages, events = run(ActionNotSafe(), tracker("not_safe", text="no", slots={
        "safety_open": True, "risks_seen": ["being_harmed"], "region": "US"}))
    assert "call 911" in messages[0]["text"]
    rest = texts(messages[1:])
    assert "text START to 88788" in rest and "chat at https://www.thehotline.org" in rest
    assert "leave safely" in rest and "I'm here while you reach out" in rest
    assert [b["payload"] for b in all_buttons(messages)] == [
        "/safe_now", '/inform_region{"region":"US"}']
    assert slot(events, "safety_open") is True


def test_not_safe_for_self_harm_does_not_say_to_leave():
    messages, _ = run(ActionNotSafe(), tracker("not_safe", text="no", slots={
        "safety_open": True, "risks_seen": ["self_harm"], "region": "GB"}))
    assert "call 999" in messages[0]["text"]
    assert "text SHOUT to 85258" in texts(messages)
    assert "leave safely" not in texts(messages)


def test_not_safe_with_unknown_region_still_gives_emergency_numbers_first():
    messages, _ = run(ActionNotSafe(), tracker("not_safe", text="no", slots={
        "safety_open": True}))
    assert "911" in messages[0]["text"] and "999" in messages[0]["text"]
    assert all_buttons(messages)[-1]["payload"] == "/inform_region"


def test_a_bare_no_out_of_context_asks_what_it_means_with_the_emergency_line():
    messages, events = run(ActionNotSafe(), tracker("not_safe", text="No"))
    text = texts(messages)
    assert "emergency number" in text and "findahelpline.com" in text
    assert "/safety_concern" in [b["payload"] for b in all_buttons(messages)]
    assert events == []


def test_not_safe_out_of_context_gets_the_full_safety_reply_and_the_check():
    messages, events = run(ActionNotSafe(), tracker("not_safe", text="no hes still here",
                                                    metadata={"locale": "en-GB"}))
    assert the_payload(messages)["region"] == "GB"
    assert "call 999" in texts(messages)
    assert messages[-1].get("response") == "utter_ask_safe_now"
    assert slot(events, "safety_open") is True


def test_not_sure_gets_the_safety_plan_and_the_services():
    messages, events = run(ActionUnsureSafe(), tracker("unsure_safe", slots={
        "safety_open": True, "risks_seen": ["being_harmed"], "region": "IE"}))
    plan = RAW["safety_plans"]["being_harmed"]
    assert 4 <= len(plan) <= 5
    for step in plan:
        assert step in messages[0]["text"]
    assert "1800 341 900" in texts(messages)
    assert the_payload(messages)["region"] == "IE"
    assert messages[-1].get("response") == "utter_ask_safe_now"
    assert slot(events, "safety_open") is True


def test_not_sure_about_self_harm_gets_a_plan_for_that():
    messages, _ = run(ActionUnsureSafe(), tracker("unsure_safe", slots={
        "safety_open": True, "risks_seen": ["self_harm"]}))
    assert RAW["safety_plans"]["self_harm"][0] in messages[0]["text"]


def test_unclear_message_during_the_check_asks_again_with_the_emergency_line():
    messages, _ = run(ActionUnclear(), tracker("nlu_fallback", slots={"safety_open": True}))
    assert "emergency number" in texts(messages)
    assert messages[-1].get("response") == "utter_ask_safe_now"


# ------------------------------------------------------------------ coaching paused and resumed


COACHED = ["defensiveness", "excuse_making", "rush_forgiveness", "describe_situation",
           "how_apologize", "how_tell_truth", "how_end_affair_contact", "how_answer_questions",
           "how_transparency", "how_give_space", "how_rebuild"]
CARD_TEXTS = {card.text for card in KNOWLEDGE.cards}


@pytest.mark.parametrize("intent", ["defensiveness", "how_rebuild", "describe_situation"])
def test_coaching_is_paused_while_the_safety_check_is_open(intent):
    messages, events = run(ActionCoach(), tracker(intent, slots={"safety_open": True}))
    assert not any((m.get("text") or "").startswith(t) for m in messages for t in CARD_TEXTS)
    assert "paused" in texts(messages)
    assert messages[-1].get("response") == "utter_ask_safe_now"
    assert events == []


def test_coaching_resumes_after_safe_now():
    messages, events = run(ActionCoach(), tracker("how_apologize", slots={"safety_open": False}))
    assert any(messages[0]["text"].startswith(t) for t in CARD_TEXTS)
    assert slot(events, "last_card") != "<not set>"


def test_some_cards_are_marked_unsafe_for_someone_being_harmed():
    unsafe = {c.id for c in KNOWLEDGE.cards if c.unsafe_if_harmed}
    for expected in ("transparency_by_agreement", "defensiveness_privacy",
                     "defensiveness_suspicion", "defensiveness_shoes", "rebuild_talk_support"):
        assert expected in unsafe


@pytest.mark.parametrize("intent", COACHED)
def test_someone_being_harmed_never_gets_an_unsafe_card_and_is_told_why(intent):
    why = RESOURCES.lines["withheld_why"]
    unsafe_ids = {c.id for c in KNOWLEDGE.cards_for(intent) if c.unsafe_if_harmed}
    for relationship, last in itertools.product(
            [None, "spouse", "friend", "family", "coworker"], [None] + sorted(unsafe_ids)[:1]):
        for _ in range(8):
            slots = {"safety_open": False, "risks_seen": ["being_harmed"],
                     "relationship": relationship, "last_card": last}
            messages, events = run(ActionCoach(), tracker(intent, slots=slots))
            shown = slot(events, "last_card")
            assert shown not in unsafe_ids, (intent, relationship, shown)
            if unsafe_ids:
                assert why in texts(messages)


def test_without_a_harm_disclosure_the_same_cards_are_still_given():
    """The filter only applies to someone being harmed (else the test above proves nothing)."""
    random.seed(3)
    shown = set()
    for _ in range(60):
        _, events = run(ActionCoach(), tracker("how_transparency", slots={"risks_seen": ["self_harm"]}))
        shown.add(slot(events, "last_card"))
    assert shown & {c.id for c in KNOWLEDGE.cards if c.unsafe_if_harmed}


def test_when_every_fitting_card_is_withheld_the_reply_says_why_instead():
    messages, events = run(ActionCoach(), tracker("how_transparency", slots={
        "risks_seen": ["being_harmed"], "relationship": "spouse"}))
    assert RESOURCES.lines["withheld_why"] in texts(messages)
    assert slot(events, "last_card") == "<not set>"


# ------------------------------------------------------------------ "not safe" read as "safe"


@pytest.mark.parametrize("text", ["im not safe here", "no im not, hes back", "i dont feel safe",
                                  "im scared hes coming home"])
def test_a_message_read_as_safe_that_says_not_safe_gets_the_emergency_number(text):
    messages, events = run(ActionSafeNow(), tracker("safe_now", text=text, slots={
        "safety_open": True, "risks_seen": ["being_harmed"], "region": "GB"}))
    assert "call 999" in messages[0]["text"]
    assert "glad" not in texts(messages)
    assert slot(events, "safety_open") is True


def test_a_plain_yes_is_still_taken_as_safe():
    messages, events = run(ActionSafeNow(), tracker("safe_now", text="yes im safe now", slots={
        "safety_open": True, "risks_seen": ["self_harm"]}))
    assert "glad" in texts(messages)
    assert slot(events, "safety_open") is False


def test_not_safe_read_as_safe_when_nothing_was_asked_gets_the_full_safety_reply():
    messages, events = run(ActionUnclear(), tracker("safe_now", text="im not safe here",
                                                    metadata={"region": "AU"}))
    assert the_payload(messages)["region"] == "AU"
    assert "call 000" in texts(messages)
    assert messages[-1].get("response") == "utter_ask_safe_now"
    assert slot(events, "safety_open") is True


def test_yes_when_nothing_was_asked_is_unclear():
    messages, events = run(ActionUnclear(), tracker("safe_now", text="yes"))
    assert "say it another way" in texts(messages)
    assert events == []
