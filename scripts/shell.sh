#!/usr/bin/env bash
# Terminal chat: starts an action server in the background and rasa shell in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/rasa run actions --actions actions --port "${ACTION_PORT:-5055}" > /dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
.venv/bin/rasa shell --model models --endpoints endpoints.yml
