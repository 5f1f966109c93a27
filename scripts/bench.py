"""Benchmark: the coach side by side with Rasa's stock example assistant (the one `rasa init`
creates, with the same Rasa install), both over the REST channel; the coach with its action
server in the loop. Prints figures and writes reports/benchmark.md. Not a test.

For each assistant: training time, server start-up time (process start to first answer), then
1, 10 and 50 concurrent conversations of multi-turn scripts: latency per message (p50, p95,
p99), messages per second and errors; and the peak memory (VmHWM) of the Rasa server and the
action server. Then the coach-to-stock ratios. Target: the coach's p50 and p95 at most 1.3 times
the stock assistant's, and zero errors at 50 concurrent conversations.

Usage: .venv/bin/python scripts/bench.py [--skip-train] [--levels 1,10,50] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.measures import machine, percentile  # noqa: E402
from tests.servers import free_port, wait_for  # noqa: E402

RASA = str(ROOT / ".venv" / "bin" / "rasa")
STOCK_DIR = ROOT / "build" / "stock_assistant"

# Realistic coach conversations: a situation, defensiveness and excuses, how-to questions,
# follow-ups, a safety message (answered from the domain), small talk.
COACH_SCRIPTS = [
    ["hi", "i cheated on my wife and she found out last week",
     "she keeps acting like im a monster, it was one night", "how do i apologise properly",
     "tell me more", "where does that come from", "how long will this take", "thanks"],
    ["hello", "i lied to my best friend about the money",
     "honestly i was broke and desperate, what else could i do",
     "its been a month, when will he get over it", "what should i say to him",
     "any other ideas", "ok", "bye"],
    ["hey", "my girlfriend wants space", "how do i give her space without disappearing",
     "should i let her see my phone", "what can i do to show ive changed",
     "she says she needs me to move out", "where did you get that", "thank you"],
    ["my colleague found out i took credit for her work",
     "my boss was pressuring me so it wasnt really my fault", "how do i apologise at work",
     "am i talking to a bot", "he hit me when he found out", "yes", "what can i do",
     "ok thanks"],
]
# The stock assistant's own intents (greet, mood, affirm, deny, bot_challenge, goodbye).
STOCK_SCRIPTS = [
    # Each turn follows the stock assistant's own stories and rules, so every message gets an
    # answer there too (an off-story "yes" after "goodbye" gets none, which counted as an error).
    ["hi", "i am feeling sad", "yes", "are you a bot?", "hello", "great", "bye", "hi"],
    ["hello there", "very good", "am I talking to a human?", "hey", "i'm unhappy", "of course",
     "goodbye", "hey"],
    ["hey", "so sad", "indeed", "are you a bot", "good morning", "I am great", "bye bye", "hello"],
]


@dataclass
class Assistant:
    name: str
    directory: Path
    scripts: List[List[str]]
    with_actions: bool
    figures: Dict[str, str] = field(default_factory=dict)
    levels: Dict[int, Dict[str, float]] = field(default_factory=dict)


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def prepare_stock(train: bool) -> Optional[float]:
    """`rasa init --no-prompt` (which creates the example project and trains it); its time."""
    if STOCK_DIR.exists() and list((STOCK_DIR / "models").glob("*.tar.gz")) and not train:
        return None
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    STOCK_DIR.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(STOCK_DIR)], cwd=STOCK_DIR,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def train_coach() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([RASA, "train", "--quiet", "--force", "--out", out], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def converse(url: str, script: List[str], latencies: List[float]) -> int:
    """One conversation, turn by turn; returns its number of errors."""
    sender = uuid.uuid4().hex
    errors = 0
    for message in script:
        t0 = time.perf_counter()
        try:
            response = requests.post(f"{url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": message}, timeout=120)
            ok = response.status_code == 200 and bool(response.json())
        except (requests.RequestException, ValueError):
            ok = False
        latencies.append((time.perf_counter() - t0) * 1000)
        errors += not ok
    return errors


def run_level(url: str, scripts: List[List[str]], concurrent: int, rounds: int) -> Dict[str, float]:
    """``concurrent`` conversations at once, ``rounds`` times over."""
    latencies: List[float] = []
    errors = 0
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        jobs = [pool.submit(converse, url, scripts[n % len(scripts)], latencies)
                for n in range(concurrent * rounds)]
        errors = sum(job.result() for job in jobs)
    wall = time.perf_counter() - start
    return {"messages": len(latencies), "errors": errors,
            "p50": statistics.median(latencies), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99), "per_second": len(latencies) / wall}


def measure(assistant: Assistant, levels: List[int], rounds: int) -> None:
    rasa_port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        endpoints = Path(tmp) / "endpoints.yml"
        actions = None
        if assistant.with_actions:
            action_port = free_port()
            endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
            actions = subprocess.Popen([RASA, "run", "actions", "--actions", "actions", "--port",
                                        str(action_port)], cwd=assistant.directory,
                                       env=dict(os.environ, SANIC_HOST="127.0.0.1"),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(f"http://127.0.0.1:{action_port}/health", actions)
        else:
            endpoints.write_text("")
        start = time.perf_counter()
        server = subprocess.Popen(
            [RASA, "run", "--model", "models", "--port", str(rasa_port), "--interface", "127.0.0.1",
             "--endpoints", str(endpoints), "--credentials", "credentials.yml"],
            cwd=assistant.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{rasa_port}"
            wait_for(url + "/", server)
            converse(url, ["hi"], [])  # the first message pays for lazy loading
            assistant.figures["start-up to first answer (s)"] = f"{time.perf_counter() - start:.1f}"
            converse(url, assistant.scripts[0], [])  # warm-up, not counted
            for level in levels:
                assistant.levels[level] = run_level(url, assistant.scripts, level, rounds)
                row = assistant.levels[level]
                print(f"{assistant.name}: {level:>2} concurrent: {row['messages']} messages, "
                      f"{row['errors']} errors, p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms, "
                      f"p99 {row['p99']:.0f} ms, {row['per_second']:.1f} msg/s", flush=True)
            assistant.figures["peak memory, Rasa server (MB)"] = f"{peak_memory_mb(server.pid):.0f}"
            if actions is not None:
                assistant.figures["peak memory, action server (MB)"] = f"{peak_memory_mb(actions.pid):.0f}"
        finally:
            server.terminate()
            server.wait(30)
            if actions is not None:
                actions.terminate()
                actions.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-train", action="store_true",
                        help="use the trained models (no training times)")
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--rounds", type=int, default=2,
                        help="how many times each level's conversations are run")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]

    coach = Assistant("coach", ROOT, COACH_SCRIPTS, with_actions=True)
    stock = Assistant("stock", STOCK_DIR, STOCK_SCRIPTS, with_actions=False)
    stock_train = prepare_stock(train=not args.skip_train)
    if stock_train is not None:
        stock.figures["training time (s)"] = f"{stock_train:.0f}"
    if not args.skip_train:
        coach.figures["training time (s)"] = f"{train_coach():.0f}"
    for assistant in (stock, coach):
        measure(assistant, levels, args.rounds)

    lines = [f"# Benchmark ({date.today().isoformat()})", "",
             f"Machine: {machine(detail=True)}. Generated by `make bench` (scripts/bench.py).", "",
             "The coach (action server in the loop) and Rasa's stock example assistant "
             "(`rasa init`, same Rasa install), one after the other, over the REST channel. "
             f"Each level runs its conversations {args.rounds} times; "
             f"coach conversations are {len(COACH_SCRIPTS[0])} turns, stock ones "
             f"{len(STOCK_SCRIPTS[0])}.", "",
             "| concurrent | assistant | messages | errors | p50 (ms) | p95 (ms) | p99 (ms) | msg/s |",
             "|---|---|---|---|---|---|---|---|"]
    for level in levels:
        for assistant in (coach, stock):
            row = assistant.levels[level]
            lines.append(f"| {level} | {assistant.name} | {row['messages']} | {row['errors']} | "
                         f"{row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} | "
                         f"{row['per_second']:.1f} |")
    lines += ["", "Coach-to-stock ratios (target: p50 and p95 at most 1.3):", "",
              "| concurrent | p50 | p95 | p99 |", "|---|---|---|---|"]
    for level in levels:
        c, s = coach.levels[level], stock.levels[level]
        lines.append(f"| {level} | {c['p50'] / s['p50']:.2f} | {c['p95'] / s['p95']:.2f} | "
                     f"{c['p99'] / s['p99']:.2f} |")
    lines += ["", "| figure | coach | stock |", "|---|---|---|"]
    for key in sorted(set(coach.figures) | set(stock.figures)):
        lines.append(f"| {key} | {coach.figures.get(key, '-')} | {stock.figures.get(key, '-')} |")
    text = "\n".join(lines) + "\n"
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "benchmark.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
