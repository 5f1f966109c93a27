#!/usr/bin/env bash
# Train when there is no model or the newest model is older than anything it is trained from.
set -euo pipefail
cd "$(dirname "$0")/.."
# The safety sets the learned safety detector is trained on (config.yml, SafetyClassifier).
example_sets() {
  .venv/bin/python -c 'import yaml
for step in yaml.safe_load(open("config.yml"))["pipeline"]:
    print("\n".join(step.get("example_sets", [])))' | grep '^tests/' || true
}
# Everything the model is trained from.
sources() {
  echo config.yml domain.yml data components knowledge/neutral_words.yml \
    build/spacy/en_trust_coach_md/meta.json data_candidates $(example_sets)
}
# A removed training file is a change too: the list of files trained from is kept beside the model.
inputs() {
  find $(sources) -type f ! -name '*.pyc' 2>/dev/null | sort
}
newest_model=$(ls -t models/*.tar.gz 2>/dev/null | head -n 1 || true)
if [ -n "$newest_model" ] && [ "${FORCE_TRAIN:-0}" != "1" ]; then
  changed=$(find $(sources) -type f -newer "$newest_model" ! -name '*.pyc' 2>/dev/null | head -n 1)
  if [ -z "$changed" ] && [ -f models/.trained_from ] && ! inputs | cmp -s - models/.trained_from; then
    changed="the list of training files"
  fi
  if [ -z "$changed" ]; then
    echo "train: $newest_model is up to date"
    exit 0
  fi
  echo "train: $changed changed since $newest_model; retraining"
fi
start=$(date +%s)
.venv/bin/rasa train --quiet --fixed-model-name trust-coach
inputs > models/.trained_from
echo "train: done in $(( $(date +%s) - start ))s"
