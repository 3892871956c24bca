#!/usr/bin/env bash
# Builds a source tarball (make dist) from a fresh directory, as a user would: unpack, make,
# run the unit tests, check that --version reports the tarball's version. No git, no ../shared
# (the unit tests that need the recorded data skip).
#   scripts/distcheck.sh build/wikigdelt-VERSION.tar.gz
set -euo pipefail
tarball=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
dir=$(echo "$tmp"/wikigdelt-*)
version=$(cat "$dir/VERSION")
cd "$dir"
env -u WG_SHARED make -s -j"$(nproc 2>/dev/null || echo 2)" all unit
got=$(build/wikigdelt --version)
[ "$got" = "wikigdelt $version" ] || { echo "distcheck: --version says '$got', want 'wikigdelt $version'" >&2; exit 1; }
failed=0
for t in build/tests/test_*; do
    env -u WG_SHARED "$t" >"$tmp/unit.log" 2>&1 || { echo "distcheck: FAIL $t" >&2; tail -20 "$tmp/unit.log" >&2; failed=1; }
done
make -s install DESTDIR="$tmp/root" PREFIX=/usr
for f in usr/bin/wikigdelt usr/share/man/man1/wikigdelt.1 usr/lib/systemd/system/wikigdelt.service; do
    [ -e "$tmp/root/$f" ] || { echo "distcheck: make install did not write $f" >&2; failed=1; }
done
[ $failed -eq 0 ] || exit 1
echo "distcheck: $(basename "$tarball") builds, passes its unit tests and installs"
