#!/usr/bin/env bash
# Install gmg into a virtual environment of its own and serve the endpoint.
# Extra arguments go to `gmg serve` (e.g. --port 8080 --store ./store).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-assets.sh  # the query editor (warns and goes on without npm)
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet .
exec .venv/bin/gmg serve "$@"
