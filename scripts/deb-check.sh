#!/usr/bin/env bash
# CI: builds the Debian package, installs it on this machine (root), checks the hallpass user,
# runs the installed binary as that user on a store in /var/lib/hallpass (a demo school, a
# report from it, the server answering and stopping on SIGTERM), then purges the package and
# checks that the binary, the unit, the settings and the state are gone. The hallpass user
# stays after a purge, as Debian asks of system users.
# Usage: deb-check.sh [OUT], OUT the folder of make deb (default build-deb).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build-deb}"

fail() { echo "deb-check: $*" >&2; exit 1; }

deb="$(bash scripts/build-deb.sh "$out" | tail -1)"
echo "deb-check: lintian $deb"
lintian --fail-on error,warning "$deb"

export DEBIAN_FRONTEND=noninteractive
dpkg -i "$deb"
trap 'dpkg --purge hallpass >/dev/null 2>&1 || true' EXIT

getent passwd hallpass >/dev/null || fail "no hallpass user after install"
[ "$(stat -c %U /var/lib/hallpass)" = hallpass ] || fail "/var/lib/hallpass is not hallpass's"
grep -q '^HALLPASS_DB=/var/lib/hallpass/hallpass.db$' /etc/hallpass/hallpass.env ||
    fail "/etc/hallpass/hallpass.env does not name the store"
[ -f /lib/systemd/system/hallpass.service ] || fail "no unit installed"
[ -f /usr/share/man/man1/hallpass.1.gz ] || fail "no man page installed"

as_hallpass() { runuser -u hallpass -- "$@"; }
db=/var/lib/hallpass/hallpass.db
as_hallpass /usr/bin/hallpass demo --db "$db" --no-serve >/dev/null
as_hallpass /usr/bin/hallpass report rooms --db "$db" --format csv | head -3
[ "$(as_hallpass /usr/bin/hallpass report rooms --db "$db" --format csv | wc -l)" -gt 1 ] ||
    fail "the report of the demo store is empty"
# The server, whose HTTP module comes from the package's module folder.
log=$(mktemp)
# setpriv runs the server itself as hallpass (runuser would stand between it and the signal).
setpriv --reuid hallpass --regid hallpass --init-groups \
    /usr/bin/hallpass serve --db "$db" --listen 127.0.0.1:0 >"$log" 2>&1 &
server=$!
url=""
for _ in $(seq 50); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || fail "the installed serve did not start: $(cat "$log")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/session")" = 401 ] ||
    fail "the installed serve does not answer at $url"
kill -TERM "$server"
wait "$server" || fail "the installed serve did not stop cleanly on SIGTERM: $(cat "$log")"
rm -f "$log"
/usr/bin/hallpass --version | grep -Eq '^hallpass [0-9.]+ \(commit [^)]+\)$' ||
    fail "hallpass --version: $(/usr/bin/hallpass --version)"

dpkg --purge hallpass
trap - EXIT
for path in /usr/bin/hallpass /lib/systemd/system/hallpass.service \
    /usr/share/man/man1/hallpass.1.gz /etc/hallpass /var/lib/hallpass; do
    [ ! -e "$path" ] || fail "$path is left after dpkg --purge"
done
! dpkg-query -W hallpass >/dev/null 2>&1 || fail "dpkg still knows hallpass after --purge"
echo "deb-check: installed, used and purged $deb"
