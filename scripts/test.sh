#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
# Used as is by the README and by .ci/run. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Java and the OWL API (the library Protégé is built on) for the ontology checks.
if [ "$(id -u)" -eq 0 ]; then
    bash scripts/install-system-deps.sh
elif command -v sudo >/dev/null 2>&1; then
    sudo bash scripts/install-system-deps.sh
else
    echo "warning: not root and no sudo: install default-jdk-headless, libowlapi-java, chromium and chromium-driver yourself" >&2
fi

bash scripts/fetch-assets.sh  # the query editor (warns and goes on without npm)
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

set +e
.venv/bin/python -m pytest --durations=20 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
    exit 1
fi
exit "$status"
