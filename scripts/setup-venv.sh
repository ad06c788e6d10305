#!/usr/bin/env bash
# Make .venv with gmg installed editable (with the test tools), once.
# Shared by serve.sh and test.sh so that both use one install mode: the
# checkout's code and data files, never a copy in site-packages. A lock makes a
# second run wait for the first instead of reinstalling under it, and a stamp
# skips pip entirely while pyproject.toml and the Python version are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
STAMP=.venv/.gmg-installed
LOG=.venv/.gmg-install.log

exec 9>.venv.lock
flock 9

want="editable [test]; $("$PYTHON" --version 2>&1); pyproject $(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ -x .venv/bin/gmg ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi

echo "setting up .venv (gmg installed editable, with the test tools; takes a minute the first time)" >&2
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
rm -f "$STAMP"
# pip's output goes to a log, shown only when the install fails
if ! .venv/bin/python -m pip install --disable-pip-version-check -e '.[test]' >"$LOG" 2>&1; then
    grep -v "is ignored: it is neither a file nor a directory" "$LOG" >&2 || true
    echo "error: installing gmg into .venv failed (full log: $LOG)" >&2
    exit 1
fi
echo "$want" >"$STAMP"
