#!/usr/bin/env bash
# Set up if needed, train if needed, then start the action server and the Rasa server
# (REST and socket.io channels). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/train_if_needed.sh
PORT=${PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
mkdir -p logs
.venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" > logs/actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
cat <<MSG

Trust Coach is starting (the model takes about half a minute to load).
  Chat over REST:   curl -s localhost:$PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  socket.io:        http://localhost:$PORT/socket.io
  Terminal chat:    make shell (in another terminal)
Action server log: logs/actions.log. Ctrl-C stops the coach.

MSG
.venv/bin/rasa run --model models --port "$PORT" --endpoints endpoints.yml --credentials credentials.yml ${RASA_CORS:+--cors "$RASA_CORS"}
