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
.venv/bin/python scripts/evaluate.py > /dev/null
sed -n '1,40p' reports/nlu_evaluation.md

echo "== safety evaluation (held-out safety set)"
# Floor against regressions while the safety issue's targets (100% recall, <= 3% false alarms)
# are worked towards; the current figures are in reports/safety_evaluation.md.
.venv/bin/python scripts/evaluate_safety.py --min-recall 0.85 --max-false-alarms 0.20 2>/dev/null \
  | grep -v '^\s*$' | grep -E '^(- |#)' || { echo "safety evaluation below its floor"; exit 1; }

echo "== pytest"
.venv/bin/python -m pytest -q tests
