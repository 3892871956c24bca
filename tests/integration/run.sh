#!/usr/bin/env bash
# Runs every tests/integration/test_*.sh against the binary in $WG_BIN. Each test gets a fresh
# $WG_TMP, the shared data path in $WG_SHARED (empty when absent) and sources lib.sh.
# Exit 0 = pass, 77 = skipped (prints why), anything else = fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${WG_BIN:?WG_BIN must point at the wikigdelt binary}"
export WG_BIN WG_SHARED="${WG_SHARED:-}" WG_BUILD="${WG_BUILD:-$(dirname "$WG_BIN")}"
pass=0 fail=0 skip=0
failed_names=()
only="${1:-}"
for t in "$here"/test_*.sh; do
    name=$(basename "$t" .sh)
    [ -n "$only" ] && [[ "$name" != *"$only"* ]] && continue
    export WG_TMP
    WG_TMP=$(mktemp -d /tmp/wg-it.XXXXXX)
    start=$(date +%s)
    bash "$t" > "$WG_TMP.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 0 ]; then pass=$((pass+1)); echo "[ PASS ] $name (${secs}s)"
    elif [ $rc -eq 77 ]; then skip=$((skip+1)); echo "[ SKIP ] $name: $(tail -n 1 "$WG_TMP.log")"
    else fail=$((fail+1)); failed_names+=("$name"); echo "[ FAIL ] $name (${secs}s), last lines:"; tail -n 30 "$WG_TMP.log" | sed 's/^/    /'; fi
    # Leave nothing behind: servers the test started are stopped by its own trap.
    rm -rf "$WG_TMP" "$WG_TMP.log"
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
