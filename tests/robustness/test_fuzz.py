"""Fuzzing the REST channel of the running coach: thousands of random and malformed requests.

Every request must get an answer below 500; a well-formed one (a JSON object with a text message
and a usable sender) must get 200 and a non-empty JSON list (only Rasa's /restart, /session_start
and /back answer nothing), and never the channel's "can't answer right now" stand-in for a lost
reply. Afterwards the server must still be up: `GET /` answers and a normal message gets a
normal reply. Exceptions the servers swallow (Rasa answers 200 when an action fails in the action
server, and the action's reply is lost) are found in the servers' logs and count as failures.

Reproduce a run with the seed it prints:

    FUZZ_SEED=1234 FUZZ_COUNT=5000 .venv/bin/python -m pytest -q -s tests/robustness/test_fuzz.py

FUZZ_WORKERS sets the number of concurrent clients (default 8).
"""
from __future__ import annotations

import collections
import json
import os
import random
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import requests

from channels.safe_rest import UNAVAILABLE

DEFAULT_SEED = 20261123
SEED = int(os.environ.get("FUZZ_SEED") or DEFAULT_SEED)
COUNT = int(os.environ.get("FUZZ_COUNT") or 5000)
WORKERS = int(os.environ.get("FUZZ_WORKERS") or 8)
MB = 1024 * 1024
WEBHOOK = "/webhooks/rest/webhook"

# What the answer must be. REPLY: 200 and a JSON list. ANY: anything but a server error (4xx is
# fine for a malformed request). STREAM: 200 and one JSON object a line (?stream=true).
REPLY, ANY, STREAM = "reply", "any", "stream"


@dataclass
class Case:
    kind: str
    body: Optional[bytes] = None
    expect: str = ANY
    method: str = "POST"
    path: str = WEBHOOK
    headers: Dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    raw: Optional[bytes] = None  # a whole HTTP request sent over a plain socket

    def describe(self, limit: int = 300) -> str:
        data = (self.raw if self.raw is not None else self.body) or b""
        shown = repr(data[:limit]) + (f"... ({len(data)} bytes)" if data and len(data) > limit else "")
        return f"[{self.kind}] {self.method} {self.path} {self.headers} {shown}"


# ---------------------------------------------------------------------- text

ORDINARY = [
    "hi", "hello there", "hey", "good evening",
    "i cheated on my wife and she found out last week",
    "my boyfriend found out i lied about where i was all weekend",
    "i told my best friend's secret to everyone at work",
    "my sister found out i took money from our parents",
    "she's making a mountain out of a molehill",
    "why do i have to keep justifying myself, she acts like im on trial",
    "i'd had a few drinks, it meant nothing",
    "it only happened because we were basically roommates by then",
    "when will things finally go back to normal",
    "i said sorry weeks ago, how long is this going to take",
    "how do i apologise to her", "how much should i tell him about the affair",
    "how do i end contact with the other woman", "she keeps asking the same questions over and over",
    "should i give her my phone passcode", "he says he needs space, how much do i give",
    "how do i rebuild trust with actions not words", "tell me more", "where does that come from?",
    "thanks, that helps", "are you a bot?", "what's the weather tomorrow", "ok bye for now",
    "help me practise what i'll say", "stop", "can you check my apology letter?",
    "I am sorry I lied to you. I know it hurt you and I will answer any question you have.",
    "yes", "no", "not sure", "i'm in the uk", "/how_apologize", "/greet", "/tell_more",
]

SAFETY = [
    "he hit me when he found out, im scared to go home",
    "she said she would kill me if i ever lied again",
    "i keep thinking about ending my life",
]

# Code point ranges, by what they exercise.
RANGES: Dict[str, List[Tuple[int, int]]] = {
    "ascii": [(0x20, 0x7E)],
    "c0": [(0x00, 0x1F), (0x7F, 0x7F)],
    "c1": [(0x80, 0x9F)],
    "latin": [(0xA0, 0x24F)],
    "combining": [(0x300, 0x36F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F)],
    "greek_cyrillic": [(0x370, 0x4FF)],
    "rtl": [(0x590, 0x5FF), (0x600, 0x6FF), (0x700, 0x74F), (0x780, 0x7BF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "indic_thai": [(0x900, 0x97F), (0xE00, 0xE7F), (0x1780, 0x17FF)],
    "cjk": [(0x3000, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFF00, 0xFFEF)],
    "invisible": [(0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF),
                  (0x061C, 0x061C), (0x180E, 0x180E), (0x00AD, 0x00AD), (0x034F, 0x034F), (0x115F, 0x1160)],
    "separators": [(0x2028, 0x2029), (0x0085, 0x0085), (0x2000, 0x200A), (0x3000, 0x3000), (0x1680, 0x1680)],
    "specials": [(0xFFF9, 0xFFFF), (0xFDD0, 0xFDEF)],
    "private": [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)],
    "surrogate": [(0xD800, 0xDFFF)],
    "emoji": [(0x1F300, 0x1FAFF), (0x1F1E6, 0x1F1FF), (0x1F3FB, 0x1F3FF), (0x2600, 0x27BF)],
    "astral": [(0x10000, 0x1FFFF), (0x20000, 0x2FFFF), (0x30000, 0x3FFFF), (0xE0000, 0xE01EF)],
    "math_tags_vs": [(0x1D400, 0x1D7FF), (0xE0020, 0xE007F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF)],
}
RANGE_NAMES = list(RANGES)


def code_point(rng: random.Random, name: str) -> str:
    low, high = rng.choice(RANGES[name])
    return chr(rng.randint(low, high))


def any_plane_char(rng: random.Random, surrogates: bool) -> str:
    """A code point from any of the 17 planes (assigned or not)."""
    plane = rng.randrange(17)
    point = plane * 0x10000 + rng.randrange(0x10000)
    if not surrogates and 0xD800 <= point <= 0xDFFF:
        point -= 0x800
    return chr(point)


def random_unicode(rng: random.Random, length: int, surrogates: bool = True) -> str:
    names = RANGE_NAMES if surrogates else [n for n in RANGE_NAMES if n != "surrogate"]
    out = []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.35:
            out.append(code_point(rng, "ascii"))
        elif roll < 0.45:
            out.append(any_plane_char(rng, surrogates))
        else:
            out.append(code_point(rng, rng.choice(names)))
    return "".join(out)


def emoji_sequence(rng: random.Random) -> str:
    pieces = [
        "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",  # family (ZWJ)
        "\U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F44D\U0001F3FD", "\U0001F1EC\U0001F1E7",
        "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",  # tag sequence
        "\u2764\uFE0F", "\U0001F622" * rng.randint(1, 30), "\U0001F494", "1\uFE0F\u20E3",
    ]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))


def mangle(rng: random.Random, text: str) -> str:
    """An ordinary message with odd characters dropped into it."""
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(["invisible", "c0", "c1", "combining", "surrogate", "rtl", "emoji", "specials"])
        chars.insert(rng.randint(0, len(chars)), code_point(rng, kind) * rng.randint(1, 3))
    return "".join(chars)


def random_text(rng: random.Random) -> str:
    roll = rng.randrange(16)
    if roll == 0:
        return ""
    if roll == 1:
        return "".join(rng.choice(" \t\n\r\u00a0\u2003\u3000\u2028\u200b\ufeff") for _ in range(rng.randint(1, 40)))
    if roll == 2:  # a very long word (a few of them up to 60,000 characters)
        unit = rng.choice(["a", "x", "\u00e9", "\u6f22", "\U0001F622", "ab\u0301", "-", "/", "!", "?", "$",
                           "(", "\u2026", "\u3002", "\U0001F494\u200d"])
        length = rng.randint(20000, 60000) if rng.random() < 0.05 else rng.randint(100, 3000)
        return unit * (length // len(unit))
    if roll == 3:
        return random_unicode(rng, rng.randint(1, 400))
    if roll == 4:
        return mangle(rng, rng.choice(ORDINARY + SAFETY))
    if roll == 5:  # right-to-left override around English, or Arabic / Hebrew text
        return rng.choice([
            "\u202e" + rng.choice(ORDINARY) + "\u202c",
            "\u2067" + rng.choice(ORDINARY) + "\u2069 \u05d0\u05e0\u05d9 \u05de\u05e6\u05d8\u05e2\u05e8",
            "\u0623\u0646\u0627 \u0622\u0633\u0641 \u062c\u062f\u0627 " + rng.choice(ORDINARY),
        ])
    if roll == 6:  # zalgo: every letter with many combining marks
        return "".join(c + "".join(code_point(rng, "combining") for _ in range(rng.randint(0, 30)))
                       for c in rng.choice(ORDINARY))
    if roll == 7:
        return emoji_sequence(rng) + rng.choice(["", " " + rng.choice(ORDINARY)])
    if roll == 8:  # NUL and controls
        return "".join(rng.choice(["\x00", "\x07", "\x1b[31m", "\r", "\x7f", "\x85", "\x9b", "\x00" * 50])
                       + rng.choice(["", "hello", "she found out"]) for _ in range(rng.randint(1, 10)))
    if roll == 9:
        return rng.choice(["\u6211\u80cc\u53db\u4e86\u6211\u7684\u59bb\u5b50",
                           "\u79c1\u306f\u5f7c\u5973\u3092\u88cf\u5207\u3063\u305f",
                           "\ub098\ub294 \uc544\ub0b4\uc5d0\uac8c \uac70\uc9d3\ub9d0\uc744 \ud588\ub2e4",
                           "\U00020000\U0002A6D6\U00030000" * rng.randint(1, 50)])
    if roll == 10:
        return "".join(any_plane_char(rng, True) for _ in range(rng.randint(1, 200)))
    if roll == 11:  # markup and injection-looking text
        return rng.choice(["<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x/a}", "'; DROP TABLE x;--",
                           "%s%s%n", "\\u0000", "../../etc/passwd", "{\"message\": \"nested\"}"]) + " " + rng.choice(ORDINARY)
    if roll == 12:
        # several sentences; one in four over 1,500 characters (the classifiers get the first 1,500)
        count = rng.randint(30, 120) if rng.random() < 0.25 else rng.randint(3, 10)
        return " ".join(rng.choice(ORDINARY) for _ in range(count))
    if roll == 13:
        return rng.choice(SAFETY)
    if roll == 14:
        return rng.choice(["?", ".", "!!!", "...", "-", "\U0001F622", "\u200b", "\x00", "0", "-1", "NaN", "null", "true"])
    return rng.choice(ORDINARY)


# ---------------------------------------------------------------------- "/" payloads

INTENTS = [
    "safety_concern", "greet", "goodbye", "describe_situation", "how_apologize", "defensiveness",
    "excuse_making", "rush_forgiveness", "inform_region", "safe_now", "not_safe", "unsure_safe",
    "start_rehearsal", "review_apology", "stop_practice", "tell_more", "ask_source", "out_of_scope",
    "nlu_fallback", "restart", "session_start", "back", "out_of_scope", "bot_challenge", "thank",
]
NOT_INTENTS = ["action_listen", "action_restart", "utter_safety", "rehearsal_form", "no_such_intent",
               "GREET", " greet", "greet ", "gr eet", "\u0067reet", "greet\u200b", "__init__"]
ENTITIES = ["relationship", "betrayal", "time_since", "risk", "region", "scenario"]
ENTITY_VALUES = {
    "relationship": ["partner", "spouse", "friend", "coworker", "martian"],
    "betrayal": ["cheating", "lying", "nope"],
    "risk": ["being_harmed", "suicide", "child_at_risk", "may_harm_others", "nope"],
    "region": ["GB", "US", "AU", "gb", "ZZ", "", "international"],
    "scenario": ["confession", "friend", "coworker", "space", "nope"],
    "time_since": ["last week", ""],
}


def random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.randrange(12 if depth < 4 else 8)
    if roll == 0:
        return None
    if roll == 1:
        return rng.choice([True, False])
    if roll == 2:
        return rng.choice([0, -1, 1, 2 ** 31, -(2 ** 63), 10 ** 30, rng.randint(-10 ** 6, 10 ** 6)])
    if roll == 3:
        return rng.choice([0.0, -0.0, 1.5, 1e308, -1e-308, rng.random()])
    if roll in (4, 5):
        return random_unicode(rng, rng.randint(0, 30), surrogates=rng.random() < 0.2)
    if roll in (6, 7):
        return rng.choice(ORDINARY)
    if roll in (8, 9):
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["a", "", "region", "locale", "text", "\u0000", random_unicode(rng, 5, False)]):
            random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def entity_value(rng: random.Random, name: str) -> Any:
    if rng.random() < 0.6:
        return rng.choice(ENTITY_VALUES.get(name, ["x"]))
    return random_json(rng, 1)


def slash_text(rng: random.Random) -> str:
    roll = rng.randrange(12)
    intent = rng.choice(INTENTS if rng.random() < 0.85 else NOT_INTENTS)
    if roll == 0:
        return rng.choice(["/", "//", "/ ", "/{}", "/@", "/@0.5", "/{", "/}", "/\u0000", "/\U0001F622",
                           "/safety_concern", "/restart", "/session_start", "/back", "/greet extra words"])
    if roll == 1:  # malformed JSON after the intent
        return "/" + intent + rng.choice(['{"relationship": ', '{"region":}', '{relationship: partner}',
                                          "{'region': 'GB'}", '{"region": "GB",}', '{"a": 1}{"b": 2}',
                                          '{"region": "GB"', '{}}', '{"region": NaN}', '{"": ""}', "{[1,2]}",
                                          '{"region": "\\ud800"}', '{"region": "GB"} trailing text'])
    if roll == 2:
        return "/" + intent + "{" + rng.choice(["a", '"', "{", "\u6f22", "\x00"]) * 10000
    if roll == 3:  # a long intent name
        return "/" + rng.choice(["a", "greet", "\U0001F622"]) * rng.randint(100, 20000)
    if roll == 4:
        return "/" + intent + "@" + rng.choice(["0.5", "1", "2", "0", "...", "9" * 400, "1.2.3", "-1", ""])
    if roll == 5:  # entities of the wrong type
        name = rng.choice(ENTITIES)
        return "/" + intent + json.dumps({name: random_json(rng, 1)})
    if roll == 6:
        names = rng.sample(ENTITIES, rng.randint(1, len(ENTITIES)))
        return "/" + intent + json.dumps({n: entity_value(rng, n) for n in names})
    if roll == 7:  # entities that are not in the domain, or a list of values
        return "/" + intent + json.dumps({rng.choice(["requested_slot", "safety_open", "cards_shown", "x"]):
                                          random_json(rng, 1),
                                          rng.choice(ENTITIES): [entity_value(rng, "region") for _ in range(3)]})
    if roll == 8:
        return "/" + intent + "{" + random_unicode(rng, rng.randint(1, 200)) + "}"
    if roll == 9:
        return "/" + random_unicode(rng, rng.randint(1, 50))
    if roll == 10:  # a payload that does not start the text, or text after it
        return rng.choice([" /greet", "\u200b/greet", "\n/safety_concern", "/greet\n/restart",
                           "/greet{\"region\": \"GB\"}\nhello"])
    return "/" + intent


# ---------------------------------------------------------------------- request bodies

class Senders:
    """Many different conversations, some reused so that conversation state is fuzzed too."""

    def __init__(self, rng: random.Random, run: str):
        self.rng = rng
        self.reused = [f"fuzz-{run}-{i}" for i in range(60)]

    def valid(self) -> Any:
        roll = self.rng.random()
        if roll < 0.45:
            return self.rng.choice(self.reused)
        if roll < 0.80:
            return f"fuzz-{self.rng.getrandbits(64):016x}"
        return self.rng.choice([
            self.rng.randint(0, 10 ** 9), "", " ", "default", "\U0001F622", "x" * 128,
            "\u202eevil", "a\x00b", "../../etc", random_unicode(self.rng, self.rng.randint(1, 40)),
            "\ud800lone", True, 0, -5,
        ])


def encode(obj: Any, rng: random.Random) -> bytes:
    """JSON as a client would send it: sometimes all ASCII with escapes, sometimes raw UTF-8."""
    ascii_only = rng.random() < 0.5
    text = json.dumps(obj, ensure_ascii=ascii_only)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be raw UTF-8: escape them like JSON does
        return json.dumps(obj, ensure_ascii=True).encode("ascii")


def valid_metadata(rng: random.Random) -> Dict[str, Any]:
    return rng.choice([
        {}, {"locale": "en-GB"}, {"region": "US"}, {"locale": "en_au"}, {"region": "gb", "locale": "fr-FR"},
        {"locale": 5}, {"region": ["GB"]}, {"region": {"a": 1}}, {"locale": "\ud800-\U0001F622"},
        {"region": None, "locale": None}, {"locale": "x" * 5000}, {"region": "ZZ"}, {"locale": "-_.@"},
        {"metadata": {"metadata": {}}}, {"\u0000": "\u0000"},
    ])


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.senders = Senders(self.rng, f"{seed:x}")

    def message(self) -> Dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.30:
            text = rng.choice(ORDINARY)
        elif roll < 0.38:
            text = rng.choice(SAFETY) if rng.random() < 0.5 else mangle(rng, rng.choice(SAFETY))
        elif roll < 0.55:
            text = slash_text(rng)
        else:
            text = random_text(rng)
        body = {"sender": self.senders.valid(), "message": text}
        if rng.random() < 0.25:
            body["metadata"] = valid_metadata(rng)
        return body

    def case(self) -> Case:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            return Case("valid", encode(self.message(), rng), REPLY)
        if roll < 0.65:
            return self.wrong_types()
        if roll < 0.71:
            return self.missing_or_extra()
        if roll < 0.82:
            return self.malformed()
        if roll < 0.88:
            return self.content_type()
        if roll < 0.93:
            return self.odd_metadata()
        if roll < 0.985:
            return self.method_or_path()
        return self.raw_http()

    def wrong_types(self) -> Case:
        rng = self.rng
        body = self.message()
        target = rng.choice(["message", "sender", "both"])
        message_values = [rng.randint(-10 ** 9, 10 ** 9), 3.14, -0.0, 1e308, True, False, None, [],
                          ["hi"], {}, {"text": "hi"}, [[[]]], int("7" * 4000), nested(50, "hi")]
        sender_values = [["x"], {"id": "x"}, "s" * rng.choice([129, 10000, 200000]), 1.5, None, [],
                         {}, int("9" * 200), nested(20)]
        if target in ("message", "both"):
            body["message"] = rng.choice(message_values)
        if target in ("sender", "both"):
            body["sender"] = rng.choice(sender_values)
        return Case("wrong_type:" + target, encode(body, rng), ANY)

    def missing_or_extra(self) -> Case:
        rng = self.rng
        body = self.message()
        if rng.random() < 0.5:
            for key in rng.sample(["sender", "message", "metadata"], rng.randint(1, 3)):
                body.pop(key, None)
            return Case("missing_fields", encode(body, rng), ANY)
        for _ in range(rng.randint(1, 5)):
            key = rng.choice(["input_channel", "stream", "recipient_id", "sender_id", "text", "buttons",
                              "__proto__", "constructor", "", "message ", "\u0000", "extra" * 100])
            body[key] = random_json(rng)
        return Case("extra_fields", encode(body, rng), ANY)

    def malformed(self) -> Case:
        rng = self.rng
        good = encode(self.message(), rng)
        sender = json.dumps(f"fuzz-{rng.getrandbits(32):x}")
        options: List[Callable[[], bytes]] = [
            lambda: good[: rng.randrange(max(1, len(good)))],  # truncated
            lambda: b'{"sender": ' + sender.encode() + b', "message": "hi",}',  # trailing comma
            lambda: b'{"sender": ' + sender.encode() + b', "message": "hi" "metadata": {}}',
            lambda: b'{"sender": ' + sender.encode() + b', "message": "\xff\xfe\xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80"}',
            lambda: b'"' + good.replace(b'"', b"") + b'"',  # a bare string
            lambda: b'["hi", ' + good + b"]",  # a list
            lambda: rng.choice([b"42", b"-1.5e400", b"null", b"true", b"[]", b"{}", b'""', b"NaN", b"Infinity"]),
            lambda: b"",
            lambda: rng.choice([b" ", b"\n\n", b"\x00", b"\x00" * 100, b"\xef\xbb\xbf", b"\xff" * 64]),
            lambda: b"\xef\xbb\xbf" + good,  # UTF-8 byte order mark
            lambda: json.dumps(self.message(), ensure_ascii=True).encode("utf-16"),
            lambda: json.dumps(self.message(), ensure_ascii=False).encode("utf-8", "surrogatepass"),
            lambda: b"[" * rng.choice([500, 5000, 100000]) + b"]" * rng.choice([0, 10]),  # deep nesting
            lambda: b'{"sender": ' + sender.encode() + b', "message": ' + b"1" * 5000 + b"}",  # 5,000 digits
            lambda: b'{"sender": ' + sender.encode() + b', "message": "hi", "metadata": ' + b'{"a":' * 2000 + b"1" + b"}" * 2000 + b"}",
            lambda: b"{'sender': 'x', 'message': 'hi'}",
            lambda: b'{"sender": "x", /* comment */ "message": "hi"}',
            lambda: b'{"sender": ' + sender.encode() + b', "message": "unterminated}',
            lambda: b'{"sender": ' + sender.encode() + b', "message": "bad \\escape \\x41 \\u12"}',
            lambda: b"sender=x&message=hi",
            lambda: b"<?xml version='1.0'?><message>hi</message>",
            lambda: good + b" trailing garbage",
            lambda: good + good,
            lambda: bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2000))),
            lambda: good.replace(b":", b"=", 1),
        ]
        return Case("malformed_json", rng.choice(options)(), ANY)

    def content_type(self) -> Case:
        rng = self.rng
        body = encode(self.message(), rng)
        content_type = rng.choice([
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/xml", "application/json; charset=latin-1", "application/json; charset=utf-16",
            "application/octet-stream", "", "*/*", "application/json\x7f", "image/png",
        ])
        headers = {"Content-Type": content_type} if rng.random() < 0.9 else {}
        if rng.random() < 0.1:
            headers["Content-Encoding"] = rng.choice(["gzip", "br", "identity", "x-nope"])
        return Case("content_type", body, ANY, headers=headers)

    def odd_metadata(self) -> Case:
        rng = self.rng
        body = self.message()
        body["metadata"] = rng.choice([
            ["GB"], "en-GB", 42, True, None, random_json(rng),
            {"k%d" % i: random_json(rng, 2) for i in range(rng.randint(100, 2000))},  # wide
            nested(rng.choice([100, 400, 900]), "x"),  # deep
            {"locale": nested(100, "en-GB"), "region": nested(100, "GB")},
        ])
        # A list, string or number is dropped by the channel: still a reply.
        return Case("odd_metadata", encode(body, rng), ANY)

    def method_or_path(self) -> Case:
        rng = self.rng
        body = encode(self.message(), rng)
        roll = rng.randrange(6)
        if roll == 0:
            return Case("method", body, ANY, method=rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]))
        if roll == 1:
            return Case("stream", body, STREAM, path=WEBHOOK + "?stream=true")
        if roll == 2:
            return Case("query", body, ANY, path=WEBHOOK + rng.choice([
                "?stream=maybe", "?stream=", "?stream=true&stream=false", "?%ff%fe=%00", "?token=" + "a" * 5000,
                "?stream=1", "?output_channel=latest", "?execute_side_effects=true"]))
        if roll == 3:
            return Case("path", body, ANY, path=rng.choice([
                "/webhooks/rest/webhook/", "/webhooks/rest/", "/webhooks/rest", "/webhooks/REST/webhook",
                "/webhooks/rest/webhook%00", "/webhooks/rest/../rest/webhook", "/webhooks/nope/webhook",
                "//webhooks/rest/webhook", "/webhooks/rest/webhook;x"]))
        if roll == 4:  # chunked transfer encoding
            return Case("chunked", body, REPLY)
        return Case("get_root", None, ANY, method="GET", path=rng.choice(["/", "/version", "/status", "/webhooks/rest/"]))

    def raw_http(self) -> Case:
        rng = self.rng
        body = encode(self.message(), rng)
        requests_ = [
            b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body) - 5).encode() + b"\r\n\r\n" + body,  # Content-Length shorter than the body
            b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
            + body + b"\r\n0\r\n\r\n",  # a bad chunk size
            b"POST " + WEBHOOK.encode() + b" HTTP/1.0\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
            b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" + body,
            b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Bad\x00Header: \xff\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body,
            b"GARBAGE \xff\xfe\r\n\r\n",
            b"POST " + WEBHOOK.encode() + b" HTTP/9.9\r\nHost: x\r\n\r\n",
            b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\nContent-Length: 3\r\n\r\n" + body,
        ]
        return Case("raw_http", raw=rng.choice(requests_), expect=ANY)

    def big_cases(self) -> List[Case]:
        """Five requests of about 1 MB."""
        rng = self.rng
        sentence = "She found out last week and I keep going over it in my head. "
        english = (sentence * (MB // len(sentence) + 1))[:MB]
        unicode_text = random_unicode(rng, MB // 4)
        slash = '/describe_situation{"relationship": "' + "x" * MB + '"}'
        return [
            Case("1mb:english", encode({"sender": f"big-{uuid.uuid4().hex}", "message": english}, rng), REPLY),
            Case("1mb:unicode", json.dumps({"sender": f"big-{uuid.uuid4().hex}", "message": unicode_text}).encode(), REPLY),
            Case("1mb:slash", encode({"sender": f"big-{uuid.uuid4().hex}", "message": slash}, rng), REPLY),
            Case("1mb:metadata", encode({"sender": f"big-{uuid.uuid4().hex}", "message": "hi",
                                         "metadata": {"blob": "m" * MB}}, rng), REPLY),
            Case("1mb:sender", encode({"sender": "s" * MB, "message": "hi"}, rng), ANY),
        ]

    def cases(self, count: int) -> List[Case]:
        big = self.big_cases()
        cases = [self.case() for _ in range(count - len(big))]
        for case in big:
            cases.insert(self.rng.randrange(len(cases) + 1), case)
        return cases


# ---------------------------------------------------------------------- sending

_local = threading.local()


def session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def send_raw(url: str, raw: bytes) -> str:
    """Sends a hand-made HTTP request: the status code, "closed" when the server closed the
    connection without an answer, or "timeout"."""
    parts = urlsplit(url)
    # No half-close after sending: Sanic would take it as the client going away and drop a
    # request still waiting for its turn.
    with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
        sock.sendall(raw)
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            return "timeout"
        except ConnectionResetError:
            pass
    line = data.split(b"\r\n", 1)[0].split()
    return line[1].decode() if len(line) > 1 and line[1].isdigit() else "closed"


UNAVAILABLE_START = UNAVAILABLE.split(".")[0]

# Rasa's own commands that answer nothing: /restart, /session_start, /back (with anything after).
SILENT = re.compile(r"^\s*/(restart|session_start|back)\s*($|[{@])")


def silent_command(case: Case) -> bool:
    try:
        message = json.loads(case.body or b"").get("message")
    except (ValueError, AttributeError):
        return False
    return isinstance(message, str) and bool(SILENT.match(message))


def check(case: Case, response: requests.Response) -> Optional[str]:
    """What is wrong with the answer, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}: {response.text[:300]!r}"
    replies: Any = None
    if status == 200 and case.expect != STREAM and case.method != "HEAD":
        try:
            replies = response.json()
        except ValueError:
            replies = None
    # The channel's stand-in for a reply that was lost (channels/safe_rest.py, never_silent):
    # with the action server up, it means handling the message failed, whatever was sent.
    if isinstance(replies, list) and any(
            UNAVAILABLE_START in (r.get("text") or "") for r in replies if isinstance(r, dict)):
        return f"the coach could not answer (a lost reply): {response.text[:300]!r}"
    if case.expect == REPLY:
        if status != 200:
            return f"expected 200 for a well-formed request, got {status}: {response.text[:300]!r}"
        if not isinstance(replies, list):
            return f"200 but not a JSON list: {response.text[:300]!r}"
    if case.expect == STREAM:
        if status != 200:
            return f"expected 200 for a stream, got {status}"
        try:
            [json.loads(line) for line in response.text.splitlines() if line.strip()]
        except ValueError:
            return f"stream lines are not JSON: {response.text[:300]!r}"
    return None


def send(url: str, case: Case) -> Tuple[str, Optional[str], bool, float]:
    """(status label, problem or None, empty reply list, seconds)"""
    started = time.perf_counter()
    try:
        if case.raw is not None:
            label = send_raw(url, case.raw)
            problem = None
            if label == "timeout" or (label.isdigit() and int(label) >= 500):
                problem = f"raw request: {label}"
            return label, problem, False, time.perf_counter() - started
        data: Any = case.body
        if case.kind == "chunked":
            body = case.body or b""
            data = iter([body[i:i + 97] for i in range(0, len(body), 97)])
        response = session().request(case.method, url + case.path, data=data, headers=case.headers, timeout=180)
        problem = check(case, response)
        empty = (case.expect == REPLY and response.status_code == 200 and response.content.strip() == b"[]")
        if empty and problem is None and not silent_command(case):
            problem = "200 with no reply at all to a well-formed message"
        return str(response.status_code), problem, empty, time.perf_counter() - started
    except requests.RequestException as error:
        return type(error).__name__, f"no answer: {error!r}", False, time.perf_counter() - started


# ---------------------------------------------------------------------- the servers' logs

LOG_PROBLEMS = ("Traceback", "Encountered an exception", "rest.message.received.failure",
                "rest.message.received.timeout", "--- Logging error ---", "Exception occurred",
                # channels/safe_rest.py logs a failure by kind only, without a traceback
                "rest: handling a message failed", "rest: handling a message timed out")
# Sanic's own answer to broken HTTP framing (a bad chunk size, say): it logs the exception of the
# connection and the client gets 400. Reported, not counted as a lost reply.
HTTP_LEVEL = ("sanic.exceptions.InvalidUsage", "sanic.exceptions.BadRequest")


def log_sizes(logs: Path) -> Dict[Path, int]:
    return {path: path.stat().st_size for path in logs.glob("*.log")}


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(: .*)?$")  # "ValueError: ...", "sanic.exceptions.X: ..."
TRACEBACK_LINE = ("Traceback", "During handling", "The above exception")


def log_text(path: Path, before: Dict[Path, int]) -> str:
    with path.open("rb") as handle:
        handle.seek(before.get(path, 0))
        return handle.read().decode("utf-8", "replace")


def new_log_problems(logs: Path, before: Dict[Path, int]) -> Tuple[List[str], List[str]]:
    """The exceptions logged since ``before``, each as the line that reports it and the exception
    the traceback ends with: (lost work, Sanic's 400 for broken HTTP)."""
    lost, http_level = [], []
    for path in sorted(logs.glob("*.log")):
        lines = log_text(path, before).splitlines()
        i = 0
        while i < len(lines):
            if not any(marker in lines[i] for marker in LOG_PROBLEMS):
                i += 1
                continue
            end, detail = i + 1, ""
            while end < len(lines):
                text = lines[end]
                if EXCEPTION_LINE.match(text):
                    detail = text
                elif not (not text or text.startswith((" ",) + TRACEBACK_LINE)):
                    break
                end += 1
            entry = f"{path.name}: {lines[i].strip()[:160]} | {detail.strip()[:300]}"
            (http_level if detail.startswith(HTTP_LEVEL) else lost).append(entry)
            i = end
    return lost, http_level


# ---------------------------------------------------------------------- the test

def run_fuzz(url: str, seed: int, count: int, workers: int) -> Dict[str, Any]:
    generator = Generator(seed)
    cases = generator.cases(count)
    statuses: collections.Counter = collections.Counter()
    by_kind: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures: List[str] = []
    empty: List[str] = []
    slowest: List[Tuple[float, str]] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for case, (label, problem, empty_reply, seconds) in zip(cases, pool.map(lambda c: send(url, c), cases)):
            statuses[label] += 1
            by_kind[case.kind.split(":")[0]][label] += 1
            if problem:
                failures.append(f"{problem}\n    request: {case.describe()}")
            if empty_reply:
                empty.append(case.describe(120))
            slowest.append((seconds, case.describe(80)))
    elapsed = time.perf_counter() - started
    slowest.sort(reverse=True)
    return {"statuses": statuses, "by_kind": by_kind, "failures": failures, "empty": empty,
            "elapsed": elapsed, "slowest": slowest[:5], "count": len(cases)}


def test_thousands_of_random_and_malformed_requests_never_get_a_server_error(coach):
    print(f"\nfuzz: FUZZ_SEED={SEED} FUZZ_COUNT={COUNT} FUZZ_WORKERS={WORKERS} "
          f"(reproduce with these environment variables)")
    before = log_sizes(coach.logs)
    result = run_fuzz(coach.url, SEED, COUNT, WORKERS)

    print(f"fuzz: {result['count']} requests in {result['elapsed']:.1f} s "
          f"({result['count'] / result['elapsed']:.1f} per second)")
    print("fuzz: status codes:", dict(sorted(result["statuses"].items())))
    for kind, counts in sorted(result["by_kind"].items()):
        print(f"fuzz:   {kind:16} {dict(sorted(counts.items()))}")
    print(f"fuzz: well-formed requests answered with an empty list: {len(result['empty'])}")
    for seconds, described in result["slowest"]:
        print(f"fuzz: slow: {seconds:.1f} s {described}")

    # Still up: the health route answers and an ordinary message gets an ordinary reply.
    health = requests.get(coach.url + "/", timeout=30)
    assert health.status_code == 200, health.text
    replies = coach.say(f"fuzz-after-{uuid.uuid4().hex}", "how do i apologise to her")
    assert any(len(r.get("text") or "") > 40 for r in replies), replies

    lost, http_level = new_log_problems(coach.logs, before)
    retried = sum(log_text(path, before).count("trying once more") for path in coach.logs.glob("*.log"))
    print(f"fuzz: action server calls tried once more after a closed connection: {retried} "
          "(channels/safe_rest.py, retry_action_server_calls_once)")
    print(f"fuzz: exceptions in the servers' logs: {len(lost)} (and {len(http_level)} of Sanic's own "
          "for broken HTTP framing, answered 400)")
    for line in sorted(set(lost + http_level))[:20]:
        print("fuzz:   " + line)

    assert not result["failures"], (
        f"FUZZ_SEED={SEED}: {len(result['failures'])} bad answers, the first ones:\n"
        + "\n".join(result["failures"][:15]))
    assert sum(result["statuses"].values()) == result["count"]
    assert not lost, (
        f"FUZZ_SEED={SEED}: {len(lost)} exceptions in the servers (replies lost):\n"
        + "\n".join(sorted(set(lost))[:15]))


def test_a_negative_content_length_gets_400_and_does_not_hang_the_server(coach):
    """Sanic 21.12 read ``Content-Length: -1`` as a body length and looped forever, freezing the
    whole server (channels/safe_rest.py, ``refuse_negative_content_length``)."""
    body = b'{"sender": "negative-length", "message": "hi"}'
    for length in (b"-1", b"-5", b"-100000"):
        request = (b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: " + length + b"\r\n\r\n" + body)
        started = time.perf_counter()
        assert send_raw(coach.url, request) == "400"
        assert time.perf_counter() - started < 10
    assert requests.get(coach.url + "/", timeout=10).status_code == 200
    assert coach.say(f"after-negative-{uuid.uuid4().hex}", "hi")
