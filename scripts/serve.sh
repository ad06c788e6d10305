#!/usr/bin/env bash
# Install gmg (editable) into .venv if needed and serve the endpoint on the
# checkout's files. Extra arguments go to `gmg serve` (e.g. --port 8080 --store ./store).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
bash scripts/fetch-assets.sh  # the query editor (warns and goes on without npm)
exec .venv/bin/gmg serve "$@"
