"""Benchmark: training time, server start-up time and per-message latency over REST with the
action server in the loop. Prints figures and writes reports/benchmark.md. Not a test.

Usage: .venv/bin/python scripts/bench.py [--conversations 30] [--skip-train]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import free_port, wait_for  # noqa: E402

RASA = str(ROOT / ".venv" / "bin" / "rasa")
SCRIPTS = [
    ["hi", "i cheated on my wife and she found out last week",
     "she keeps acting like im a monster, it was one night", "how do i apologise properly",
     "thanks"],
    ["hello", "i lied to my best friend about the money",
     "honestly i was broke and desperate, what else could i do",
     "its been a month, when will he get over it", "bye"],
    ["hey", "my girlfriend wants space", "how do i give her space without disappearing",
     "should i let her see my phone", "what can i do to show ive changed"],
    ["my colleague found out i took credit for her work",
     "my boss was pressuring me so it wasnt really my fault", "how do i apologise at work",
     "am i talking to a bot", "ok thanks"],
]


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.machine()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args()
    figures = {}

    model_dir = ROOT / "models"
    if not args.skip_train:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([RASA, "train", "--quiet", "--force", "--out", out], cwd=ROOT,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            figures["training time (s)"] = f"{time.perf_counter() - start:.0f}"

    rasa_port, action_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        endpoints = Path(tmp) / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
        actions = subprocess.Popen([RASA, "run", "actions", "--actions", "actions", "--port",
                                    str(action_port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        start = time.perf_counter()
        server = subprocess.Popen([RASA, "run", "--model", str(model_dir), "--port", str(rasa_port),
                                   "--interface", "127.0.0.1", "--endpoints", str(endpoints)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{rasa_port}"
            wait_for(url + "/", server)
            figures["server start-up to first answer (s)"] = f"{time.perf_counter() - start:.1f}"
            wait_for(f"http://127.0.0.1:{action_port}/health", actions)
            latencies, errors = [], 0
            for n in range(args.conversations):
                sender = uuid.uuid4().hex
                for message in SCRIPTS[n % len(SCRIPTS)]:
                    t0 = time.perf_counter()
                    response = requests.post(f"{url}/webhooks/rest/webhook",
                                             json={"sender": sender, "message": message}, timeout=60)
                    latencies.append((time.perf_counter() - t0) * 1000)
                    if response.status_code != 200 or not response.json():
                        errors += 1
            figures["messages"] = str(len(latencies))
            figures["errors"] = str(errors)
            figures["latency p50 (ms)"] = f"{statistics.median(latencies):.0f}"
            figures["latency p95 (ms)"] = f"{percentile(latencies, 95):.0f}"
            figures["latency max (ms)"] = f"{max(latencies):.0f}"
        finally:
            server.terminate()
            actions.terminate()
            server.wait(30)
            actions.wait(30)

    lines = [f"# Benchmark ({date.today().isoformat()})", "",
             f"Machine: {machine()}. One conversation at a time over the REST channel, "
             "action server in the loop.", "", "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in figures.items()]
    text = "\n".join(lines) + "\n"
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "benchmark.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
