"""The safety guard's own cost per message (matching on an already-parsed message, as in the
pipeline, where SpacyNLP has parsed it already), and the learned safety detector's
(components/safety_classifier.py, trained here as `rasa train` trains it). Prints figures; not
a test.

Usage: .venv/bin/python scripts/bench_guard.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import spacy
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from components.safety_guard import SafetyGuard  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = []
    for name in ("safety_eval.yml", "safety_eval_fresh.yml"):
        data = yaml.safe_load((ROOT / "tests" / "safety" / name).read_text())
        texts += [p["text"] for p in data["positives"]] + [n["text"] for n in data["negatives"]]
    nlp = spacy.load(ROOT / "build" / "spacy" / "en_trust_coach_md", disable=["parser"])
    docs = list(nlp.pipe(texts))
    start = time.perf_counter()
    guard = SafetyGuard(SafetyGuard.get_default_config())
    guard.findings(docs[0])
    compile_s = time.perf_counter() - start
    times = []
    for _ in range(args.repeat):
        for doc in docs:
            t0 = time.perf_counter()
            guard.findings(doc)
            times.append((time.perf_counter() - t0) * 1000)
    print(f"messages: {len(docs)} x {args.repeat}; rules compiled in {compile_s:.1f} s")
    report("guard", times)

    from rasa.shared.nlu.training_data.loading import load_data

    from components.safety_classifier import (Detector, neutral_words, project_config,
                                              read_example_sets, training_examples)

    config = project_config()
    start = time.perf_counter()
    examples = training_examples(load_data(str(ROOT / "data" / "nlu")))
    detector = Detector(config["C"], config["vector_weight"], neutral_words(config)).fit(
        nlp, examples + read_example_sets(config["example_sets"]))
    print(f"learned detector trained on {len(examples)} + development-set examples "
          f"in {time.perf_counter() - start:.1f} s")
    times = []
    for _ in range(args.repeat):
        for text in texts:
            t0 = time.perf_counter()
            detector.probabilities(nlp, [text])
            times.append((time.perf_counter() - t0) * 1000)
    report("learned detector", times)


def report(name, times):
    times = sorted(times)
    print(f"{name} per message: mean {statistics.mean(times):.3f} ms, "
          f"p50 {times[len(times) // 2]:.3f} ms, p95 {times[int(len(times) * 0.95)]:.3f} ms, "
          f"max {times[-1]:.3f} ms")


if __name__ == "__main__":
    main()
