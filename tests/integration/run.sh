#!/usr/bin/env bash
# Runs every tests/integration/test_*.sh against the binary in $WG_BIN (conventions:
# tests/README.md). Each test gets a fresh $WG_TMP, the shared data path in $WG_SHARED (empty
# when absent) and sources lib.sh. Exit 0 = pass, 77 = skipped (the reason on the last line of
# its output), anything else = fail.
#   run.sh [FILTER]   only the tests whose name contains FILTER
# Skipped tests are counted and named. With CI=true a skip is a failure: CI has ../shared and
# the reference setup, so nothing may skip there. The last line is "N passed, N failed, N skipped".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${WG_BIN:?WG_BIN must point at the wikigdelt binary}"
export WG_BIN WG_SHARED="${WG_SHARED:-}" WG_BUILD="${WG_BUILD:-$(dirname "$WG_BIN")}"
ci=0
case "${CI:-}" in true|1|yes) ci=1 ;; esac
pass=0 fail=0 skip=0
failed_names=() skipped=()
only="${1:-}"
for t in "$here"/test_*.sh; do
    name=$(basename "$t" .sh)
    [ -n "$only" ] && [[ "$name" != *"$only"* ]] && continue
    export WG_TMP
    WG_TMP=$(mktemp -d /tmp/wg-it.XXXXXX)
    start=$(date +%s)
    { bash "$t" > "$WG_TMP.log" 2>&1; } 2>/dev/null   # no "Terminated" note when lib.sh ends a test from a subshell
    rc=$?
    # fail/skip called inside a subshell record the status (lib.sh) and terminate the test.
    [ $rc -ne 0 ] && [ -s "$WG_TMP/.wg_exit_code" ] && rc=$(cat "$WG_TMP/.wg_exit_code")
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 0 ]; then pass=$((pass+1)); echo "[ PASS ] $name (${secs}s)"
    elif [ $rc -eq 77 ]; then
        why=$(tail -n 1 "$WG_TMP.log")
        skip=$((skip+1)); skipped+=("$name: $why")
        echo "[ SKIP ] $name: $why"
    else
        fail=$((fail+1)); failed_names+=("$name")
        # the failing checks by name (a long test's tail may not hold them), then the tail
        echo "[ FAIL ] $name (${secs}s, exit $rc), failing checks:"
        grep -E '^ *(FAIL|not ok)\b' "$WG_TMP.log" | head -n 10 | sed 's/^/    /'
        echo "    last lines:"
        tail -n 30 "$WG_TMP.log" | sed 's/^/    /'
    fi
    # Leave nothing behind: servers the test started are stopped by its own trap.
    rm -rf "$WG_TMP" "$WG_TMP.log"
done
echo "=== integration summary ==="
for n in "${failed_names[@]:-}"; do [ -n "$n" ] && echo "failed:  $n"; done
for n in "${skipped[@]:-}"; do [ -n "$n" ] && echo "skipped: $n"; done
if [ $ci -eq 1 ] && [ $skip -gt 0 ]; then echo "CI=true: a skipped test is a failure"; fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && { [ $ci -eq 0 ] || [ $skip -eq 0 ]; }
