#!/usr/bin/env bash
# Set up if needed, train if needed, then start the action server, the Rasa server (REST and
# socket.io channels) and the widget demo page (127.0.0.1:$WIDGET_PORT). Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/train_if_needed.sh
PORT=${PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WIDGET_PORT=${WIDGET_PORT:-8080}
# Browser origins allowed to use the coach (socket.io and CORS): RASA_CORS, separated by spaces or
# commas, plus the demo page's own origins. Never "*".
DEMO_ORIGINS="http://127.0.0.1:$WIDGET_PORT http://localhost:$WIDGET_PORT"
RASA_CORS="$(echo "${RASA_CORS:-} $DEMO_ORIGINS" | tr ',' ' ' | xargs)"
export RASA_CORS
read -r -a cors_origins <<< "$RASA_CORS"
# Loopback unless told otherwise: the action server has no authentication, and the Rasa server
# belongs behind the site's proxy. ACTION_HOST / RASA_INTERFACE change them (e.g. 0.0.0.0 in a
# container, with the port kept private).
ACTION_HOST=${ACTION_HOST:-127.0.0.1}
RASA_INTERFACE=${RASA_INTERFACE:-127.0.0.1}
# Rasa's HTTP API (conversations, model, ...) stays off unless RASA_API_TOKEN is set; then it
# needs that token on every call.
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
  api_args=(--enable-api --auth-token "$RASA_API_TOKEN")
fi
mkdir -p logs
# A keep-alive longer than Sanic's 5 s: the Rasa server may hold a connection idle while it
# parses a long message, and a closed connection would lose that turn's reply.
SANIC_HOST="$ACTION_HOST" SANIC_KEEP_ALIVE_TIMEOUT=120 .venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" \
  > logs/actions.log 2>&1 &
actions_pid=$!
.venv/bin/python scripts/serve_widget.py --port "$WIDGET_PORT" --server "http://localhost:$PORT" \
  > logs/widget.log 2>&1 &
widget_pid=$!
trap 'kill $actions_pid $widget_pid 2>/dev/null || true' EXIT INT TERM
cat <<MSG

Trust Coach is starting (the model takes about half a minute to load).
  Chat over REST:   curl -s localhost:$PORT/webhooks/rest/webhook -d '{"sender":"me","message":"hi"}'
  socket.io:        http://localhost:$PORT/socket.io
  Web widget demo:  http://localhost:$WIDGET_PORT/   (inline: http://localhost:$WIDGET_PORT/inline.html)
  Allowed origins:  $RASA_CORS
  Terminal chat:    make shell (in another terminal)
Logs: logs/actions.log, logs/widget.log. Ctrl-C stops the coach.

MSG
.venv/bin/rasa run --model models --interface "$RASA_INTERFACE" --port "$PORT" \
  --endpoints endpoints.yml --credentials credentials.yml --cors "${cors_origins[@]}" \
  ${api_args[@]+"${api_args[@]}"}
