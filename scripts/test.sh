#!/usr/bin/env bash
# Every test: data validation, unit and end-to-end tests (pytest), conversation tests
# (rasa test --fail-on-prediction-errors) and the NLU evaluation on the held-out split.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/train_if_needed.sh
export PYTHONWARNINGS=ignore TF_CPP_MIN_LOG_LEVEL=3

echo "== rasa data validate"
.venv/bin/rasa data validate --fail-on-warnings --quiet

echo "== conversation tests"
.venv/bin/rasa test core --stories tests/conversations --model models --out results/core \
  --fail-on-prediction-errors --quiet

echo "== NLU evaluation (held-out split)"
# The target is F1 >= 0.90 for each core intent; the gate is a regression floor of 0.85 (the
# report marks every core intent under 0.90).
.venv/bin/python scripts/evaluate.py --min-f1 0.85 > /dev/null
sed -n '1,40p' reports/nlu_evaluation.md

echo "== safety evaluation (the safety test sets)"
# A hard test: 100% recall on tests/safety/safety_eval*.yml. The target for false alarms is 3%
# (2.3% and 2.6% when last measured, see reports/safety_evaluation.md); the gate is 5%, so that a retrained
# model's one or two extra false alarms do not hide the recall result. The former unseen sets
# are gated at 95% recall and 15% false alarms (a regression floor: 5.5% and 8.3% when last
# measured); the current unseen set is reported, not gated.
.venv/bin/python scripts/evaluate_safety.py --min-recall 1.0 --max-false-alarms 0.05 2>/dev/null \
  | grep -v '^\s*$' | grep -E '^(- |#)' || { echo "safety evaluation below its floor"; exit 1; }

echo "== pytest"
# tests/robustness (fuzzing, load, action server restart) take several minutes of load on the
# machine: `make robustness` runs them.
.venv/bin/python -m pytest -q tests --ignore=tests/robustness
