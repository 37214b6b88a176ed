#!/usr/bin/env bash
# Builds the Debian package from a copy of the committed and changed files in OUT/src (so that
# dpkg-buildpackage writes nothing beside the checkout), leaves the .deb in OUT/ and prints its
# path. Usage: build-deb.sh [OUT], OUT defaulting to build-deb.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-build-deb}")"
version="$(sed -n 's/^project(hallpass VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
src="$out/src/hallpass-$version"

rm -rf "$out"
mkdir -p "$src"
# The tracked files as they are now, changes included, and new files not yet ignored.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$src"
# The copy has no git history, so the checkout tells the build its commit.
HALLPASS_COMMIT="$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)"
export HALLPASS_COMMIT

(cd "$src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) || {
    tail -40 "$out/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
    exit 1
}
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
ls "$out"/hallpass_*.deb
