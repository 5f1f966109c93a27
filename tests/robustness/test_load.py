"""Load: 50 conversations of 20 turns each, all at once, over REST, with the real action server.

Each conversation is what a person might say: a greeting, what happened, defensive and
excuse-making messages, how-to questions, "tell me more", "where does that come from?", a
rehearsal started and stopped, in some a safety message (and the answer to "Are you safe right
now?"), thanks and goodbye. Every turn must get 200 and a non-empty list of replies; the latency
of each turn is measured and p50 / p95 / max printed (pytest -s).
"""
from __future__ import annotations

import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Tuple

import requests

from actions.rehearsal import load_scenarios
from tests.measures import percentile

CONVERSATIONS = int(os.environ.get("LOAD_CONVERSATIONS") or 50)
TURNS = 20
SEED = int(os.environ.get("LOAD_SEED") or 7)

GREETINGS = ["hi", "hello", "hey there", "good evening", "hi, i need some help"]
BETRAYALS = [
    "i cheated on my wife and she found out two days ago",
    "my girlfriend found out i've been texting my ex behind her back",
    "i lied to my husband about our savings for a year",
    "i told my best friend's secret to people at work",
    "my coworker found out i took credit for her project",
    "my brother found out i borrowed money from our parents and lied about it",
]
DEFENSIVE = [
    "she's making a mountain out of a molehill",
    "why do i have to keep justifying myself, he acts like im on trial",
    "honestly she's blowing it way out of proportion",
    "what about all the things they did to me",
]
EXCUSES = [
    "i'd had a few drinks, it meant nothing",
    "it only happened because we were basically roommates by then",
    "i was so stressed at work, i wasn't thinking straight",
    "it was only a few texts, nothing physical happened",
]
RUSHING = [
    "i said sorry weeks ago, when will things go back to normal",
    "how long until she just forgives me",
]
HOW_TO = [
    "how do i apologise to her",
    "how much detail should i tell him about the affair",
    "how do i end contact with the other person",
    "she keeps asking the same questions over and over, what do i do",
    "should i give her my phone passcode",
    "he says he needs space, how much space do i give",
    "how do i rebuild trust with actions not words",
]
MORE = ["tell me more", "can you tell me more about that", "what else"]
SOURCE = ["where does that come from?", "what's your source for that"]
PRACTICE = ["help me practise what i'll say", "can i rehearse the conversation with you"]
ANSWERS = [
    "I'm so sorry. I lied to you and that was my choice, nobody else's.",
    "you have every right to be angry, take all the time you need",
    "i was stressed and lonely, it just happened",
]
SAFETY = [
    "he hit me when he found out, im scared to go home",
    "she said she would kill me if i ever lied again",
    "sometimes i think everyone would be better off if i was dead",
]
SAFE_NOW = ["/safe_now", "yes i'm safe right now"]
THANKS = ["thanks, that helps", "thank you"]
GOODBYE = ["ok bye for now", "goodbye", "thanks, bye"]


def script(rng: random.Random, number: int, scenarios: List[str]) -> List[str]:
    """Twenty turns; every fourth conversation has a safety message (and says it is safe)."""
    turns = [
        rng.choice(GREETINGS), rng.choice(BETRAYALS), rng.choice(DEFENSIVE), rng.choice(EXCUSES),
        rng.choice(HOW_TO), rng.choice(MORE), rng.choice(SOURCE), rng.choice(RUSHING),
        rng.choice(PRACTICE), f'/start_rehearsal{{"scenario": "{rng.choice(scenarios)}"}}',
        rng.choice(ANSWERS), rng.choice(ANSWERS), "stop",
    ]
    if number % 4 == 0:
        turns += [rng.choice(SAFETY), rng.choice(SAFE_NOW)]
    else:
        turns += [rng.choice(DEFENSIVE), rng.choice(HOW_TO)]
    turns += [rng.choice(HOW_TO), rng.choice(MORE), rng.choice(SOURCE), rng.choice(THANKS),
              rng.choice(GOODBYE)]
    assert len(turns) == TURNS
    return turns


_local = threading.local()


def post(url: str, sender: str, message: str) -> Tuple[float, int, object]:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    started = time.perf_counter()
    try:
        response = _local.session.post(f"{url}/webhooks/rest/webhook",
                                       json={"sender": sender, "message": message}, timeout=180)
    except requests.RequestException as error:
        return time.perf_counter() - started, 0, repr(error)
    seconds = time.perf_counter() - started
    try:
        return seconds, response.status_code, response.json()
    except ValueError:
        return seconds, response.status_code, response.text[:300]


def converse(url: str, number: int, turns: List[str]) -> List[Dict]:
    sender = f"load-{number}-{uuid.uuid4().hex[:12]}"
    results = []
    for turn, message in enumerate(turns):
        seconds, status, replies = post(url, sender, message)
        results.append({"conversation": number, "turn": turn, "message": message,
                        "seconds": seconds, "status": status, "replies": replies})
    return results


def texts(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies if isinstance(r, dict))


def test_fifty_conversations_at_once_all_get_replies(coach):
    rng = random.Random(SEED)
    scenarios = sorted(load_scenarios())
    scripts = [script(rng, n, scenarios) for n in range(CONVERSATIONS)]
    coach.say(f"load-warmup-{uuid.uuid4().hex}", "hi")  # the first message loads the models

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        conversations = list(pool.map(lambda n: converse(coach.url, n, scripts[n]), range(CONVERSATIONS)))
    elapsed = time.perf_counter() - started

    turns = [t for conversation in conversations for t in conversation]
    latencies = [t["seconds"] for t in turns]
    print(f"\nload: {CONVERSATIONS} conversations x {TURNS} turns = {len(turns)} requests, "
          f"{CONVERSATIONS} at once, in {elapsed:.1f} s ({len(turns) / elapsed:.1f} per second)")
    print(f"load: latency p50 {percentile(latencies, 50) * 1000:.0f} ms, "
          f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")

    errors = [t for t in turns if t["status"] != 200 or not isinstance(t["replies"], list)
              or not t["replies"] or not all(r.get("text") or r.get("custom") or r.get("buttons")
                                             for r in t["replies"])]
    for t in errors[:10]:
        print(f"load: error: conversation {t['conversation']} turn {t['turn']} {t['message']!r}: "
              f"{t['status']} {str(t['replies'])[:300]}")
    assert not errors, f"{len(errors)} of {len(turns)} turns without a proper reply"

    # The safety messages got emergency help, even under load.
    for t in turns:
        if t["message"] in SAFETY:
            said = texts(t["replies"])
            assert "emergency number" in said and "findahelpline.com" in said, said
    # Each rehearsal was started and then stopped.
    for conversation in conversations:
        stop = next(t for t in conversation if t["message"] == "stop")
        assert "Stopped" in texts(stop["replies"]), stop
