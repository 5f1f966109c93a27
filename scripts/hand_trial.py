"""A hand trial: realistic conversations, written blind, sent through the real coach (action
server + Rasa REST), each turn scored by topic. Prints every turn and the score.

Usage: .venv/bin/python scripts/hand_trial.py [tests/hand_trials/trial6.yml] [--out FILE]

A turn is right when the guidance card the coach gave answers the turn's topic
(tests/hand_trials/topics.yml), or, for a turn that starts a flow or is small talk, when the
model gave the intent the trial's writer labelled. Slow on purpose (real servers): a measure
printed for the README, not a test.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import start_coach  # noqa: E402


def card_matches(card: str, pattern: str) -> bool:
    if pattern.endswith("_"):
        return card.startswith(pattern)
    if pattern.startswith("_"):
        return card.endswith(pattern)
    return card == pattern


def right(turn: dict, topics: dict, flows: set, card, kinds, intent) -> bool:
    if turn.get("intent") in flows and intent == turn.get("intent"):
        return True
    topic = topics[turn["topic"]]
    if topic.get("safety"):
        return "safety_resources" in kinds
    if topic.get("intents"):
        return intent in topic["intents"]
    return bool(card) and any(card_matches(card, p) for p in topic.get("cards", []))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trial", nargs="?", default=str(ROOT / "tests" / "hand_trials" / "trial6.yml"))
    parser.add_argument("--out")
    args = parser.parse_args()
    os.chdir(ROOT)
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    spec = yaml.safe_load((ROOT / "tests" / "hand_trials" / "topics.yml").read_text(encoding="utf-8"))
    topics, flows = spec["topics"], set(spec["flow_intents"])
    trial = yaml.safe_load(Path(args.trial).read_text(encoding="utf-8"))
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        sys.exit("hand_trial: no trained model in models/; run `make train` first")
    agent = Agent.load(str(models[-1]))  # the intent, read beside the conversation
    logs = Path(tempfile.mkdtemp())
    coach = start_coach(logs)
    lines, score, total = [], 0, 0
    try:
        for conversation in trial["conversations"]:
            user = uuid.uuid4().hex
            lines.append(f"\n== {conversation['id']} ({conversation.get('relationship')}) "
                         f"{conversation['situation']}")
            for turn in conversation["turns"]:
                intent = (asyncio.run(agent.parse_message(turn["text"])).get("intent") or {}).get("name")
                replies = coach.say(user, turn["text"])
                payloads = [r.get("custom") or {} for r in replies]
                kinds = [p.get("type") for p in payloads]
                card = next((p["card"] for p in payloads if p.get("card")), None)
                ok = right(turn, topics, flows, card, kinds, intent)
                score, total = score + ok, total + 1
                lines.append(f"{'OK' if ok else 'XX'}  want {turn['topic']}/{turn.get('intent')} "
                             f"got {card}/{intent}  :: {turn['text'][:150]}")
    finally:
        coach.stop()
        shutil.rmtree(logs, ignore_errors=True)
    lines.append(f"\nscore {score}/{total}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
