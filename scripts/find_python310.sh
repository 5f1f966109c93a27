#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs Python < 3.11), or fail loudly.
# Order: $PYTHON, pyenv's 3.10 versions, python3.10 on PATH, common system paths.
set -u
is310() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
    candidates+=("$(pyenv root)/versions/$v/bin/python")
  done
fi
for n in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  p=$(command -v "$n" 2>/dev/null) && candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if is310 "$c"; then echo "$c"; exit 0; fi
done
echo "No Python 3.10 found. Install Python 3.10 (e.g. 'pyenv install 3.10.13') or set PYTHON=/path/to/python3.10." >&2
exit 1
