#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
# Used as is by the README and by .ci/run. Extra arguments go to pytest.
#
# As root (or with sudo) it first installs the Debian packages of
# scripts/install-system-deps.sh: a JDK and the OWL API for the ontology
# checks, Chromium and its driver for the tests of the pages. Set
# GMG_SKIP_SYSTEM_DEPS=1 to skip that; the tests that need them then skip,
# naming what is missing (under CI they fail instead).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${GMG_SKIP_SYSTEM_DEPS:-}" = 1 ]; then
    echo "GMG_SKIP_SYSTEM_DEPS=1: not installing Java, the OWL API or Chromium" >&2
elif [ "$(id -u)" -eq 0 ]; then
    bash scripts/install-system-deps.sh
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo bash scripts/install-system-deps.sh
else
    echo "note: not root and no password-less sudo: the tests needing Java or Chromium run only if" \
         "default-jdk-headless, libowlapi-java, chromium and chromium-driver are installed" >&2
fi

bash scripts/setup-venv.sh
bash scripts/fetch-assets.sh  # the query editor (warns and goes on without npm)

set +e
.venv/bin/python -m pytest --durations=20 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
    exit 1
fi
exit "$status"
