#!/usr/bin/env bash
# Fetch the query page's editor: YASGUI (MIT; SPARQL highlighting, completion, syntax
# checks) at a pinned version, check the tarball against its pinned integrity hash,
# and unpack its prebuilt bundle into server/gmg/web/assets/yasgui/ (gitignored; the
# wheel carries it). npm is needed here only, at set-up: gmg never needs Node.js to run.
# Without these files the query page still works, as a plain form.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="@triply/yasgui"
VERSION="4.2.28"
INTEGRITY="sha512-HN1neZqERSGoDyk/Fg40nI+F0tHnaBxjqizhN0mur2Kj0oJsklBsFMRk/M+wW+ohy8dSEn7AgX3H0pPrV/wmVg=="
DEST="server/gmg/web/assets/yasgui"

if [ -f "$DEST/VERSION" ] && [ "$(cat "$DEST/VERSION")" = "$VERSION" ]; then
    exit 0  # already fetched
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "warning: npm (Node.js) not found: the query page works as a plain form without its editor;" \
         "install Node.js and run scripts/fetch-assets.sh to get the editor" >&2
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
actual="sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")"
if [ "$actual" != "$INTEGRITY" ]; then
    echo "error: $PACKAGE@$VERSION does not match its pinned integrity hash (got $actual): not installed" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$work" package/build/yasgui.min.js package/build/yasgui.min.css package/LICENSE.txt
rm -rf "$DEST"
mkdir -p "$DEST"
# the bundle names a source map we do not ship: drop the reference, so browsers ask for nothing missing
sed '$ s|^//# sourceMappingURL=.*$||' "$work/package/build/yasgui.min.js" > "$DEST/yasgui.min.js"
cp "$work/package/build/yasgui.min.css" "$DEST/"
cp "$work/package/LICENSE.txt" "$DEST/LICENSE.txt"
echo "$VERSION" > "$DEST/VERSION"
echo "fetched $PACKAGE@$VERSION into $DEST"
