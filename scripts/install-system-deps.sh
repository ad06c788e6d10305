#!/usr/bin/env bash
# Install the system packages the tests need: a JDK (java + javac) and the
# Debian build of the OWL API (the library Protégé is built on) for the OWL
# checks, Chromium with its WebDriver for the tests of the pages, and the
# Virtuoso Open Source 7 server (virtuoso-t, isql-vt) for the remote-store tests.
# Idempotent and non-interactive; run as root (or through sudo).
set -euo pipefail

PACKAGES=(default-jdk-headless libowlapi-java chromium chromium-driver virtuoso-opensource-7-bin)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system dependencies already installed: ${PACKAGES[*]}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install: ${missing[*]} (try: sudo $0)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they have never been fetched or when
# the first install attempt cannot find a package.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' -e '^auxfiles$')" ]; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
elif ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "installed: ${missing[*]}"
