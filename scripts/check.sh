#!/usr/bin/env bash
# The test command: bootstrap, build, unit tests (cmocka) and integration tests (real binary,
# real loopback servers), then the same again under AddressSanitizer + UBSan.
# Tests that need ../shared (real data, model files) skip when it is absent; skips are counted
# and named in the summary. With CI=true (.ci/run) a missing ../shared or any skip is a failure.
# The last line is "N passed, N failed, N skipped" (unit tests and integration tests together).
#   scripts/check.sh            everything
#   scripts/check.sh --fast     the normal build only (no sanitizer pass)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ci=0
case "${CI:-}" in true|1|yes) ci=1 ;; esac
scripts/bootstrap.sh || { echo "check: bootstrap failed" >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
export WG_SHARED=${WG_SHARED:-$(cd "$root/.." && pwd)/shared}
if [ ! -d "$WG_SHARED/data" ]; then
    if [ $ci -eq 1 ]; then echo "check: CI=true and no shared data at $WG_SHARED (../shared): failing" >&2; exit 1; fi
    echo "check: no shared data at $WG_SHARED; tests that need it will skip" >&2
    WG_SHARED=""
fi

builds=(build)
[ "${1:-}" = "--fast" ] || builds+=(build-asan)
pass=0 fail=0 skip=0
failed=0   # other passes (valgrind, fuzz) set failed=1 and add a summary line
summary=()
for b in "${builds[@]}"; do
    echo "=== $b ==="
    if [ "$b" = build ]; then make -s -j"$jobs" all unit || exit 1
    else make -s -j"$jobs" asan || exit 1; fi
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # cmocka prints "[  PASSED  ] N test(s).", "[  FAILED  ] N test(s)..." and one
    # "[  SKIPPED ] test_name" line per skipped test.
    for t in "$b"/tests/test_*; do
        [ -x "$t" ] || continue
        out=$("$t" 2>&1); rc=$?
        printf '%s\n' "$out"
        p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
        f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
        pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
        while read -r s; do
            [ -n "$s" ] || continue
            skip=$((skip + 1)); summary+=("skipped: $(basename "$t") $s [unit, $b]")
        done < <(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' | sort -u)
        if [ $rc -ne 0 ]; then
            [ -z "$f" ] && fail=$((fail + 1))   # crashed before cmocka's summary
            summary+=("failed:  $(basename "$t") (exit $rc) [unit, $b]")
        fi
    done
    log=$(mktemp)
    WG_BIN="$root/$b/wikigdelt" WG_BUILD="$root/$b" CI=0 tests/integration/run.sh 2>&1 | tee "$log"
    counts=$(tail -n 1 "$log")
    if [[ "$counts" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
        pass=$((pass + BASH_REMATCH[1])); fail=$((fail + BASH_REMATCH[2])); skip=$((skip + BASH_REMATCH[3]))
    else
        fail=$((fail + 1)); summary+=("failed:  integration runner ($b) ended without its counts")
    fi
    while read -r l; do summary+=("$l [integration, $b]"); done < <(grep -E '^(failed|skipped): ' "$log")
    rm -f "$log"
done
# --- valgrind: the unit tests again under memcheck, from a build without -march=native (which
# valgrind cannot decode); without ../shared, so the recordings' long loops stay with ASan above.
if [ "${1:-}" != "--fast" ]; then
    echo "=== valgrind (unit) ==="
    make -s -j"$jobs" BUILD=build-valgrind OPT="-O1 -g" unit || exit 1
    for t in build-valgrind/tests/test_*; do
        [ -x "$t" ] || continue
        WG_SHARED="" valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            "$t" >"$t.valgrind.log" 2>&1 || { failed=1; summary+=("FAIL valgrind $t (see $t.valgrind.log)"); }
    done
fi
# --- fuzz: every libFuzzer target for a few seconds (scripts/fuzz.sh --short), after replaying
# the committed crash inputs; scripts/fuzz.sh --long is the long run (docs/release.md).
if [ "${1:-}" != "--fast" ]; then
    echo "=== fuzz (short) ==="
    scripts/fuzz.sh --short || { failed=1; summary+=("FAIL fuzz (inputs in build-fuzz/crashes/)"); }
fi
echo "=== summary ==="
for l in "${summary[@]:-}"; do [ -n "$l" ] && echo "$l"; done
if [ $ci -eq 1 ] && [ $skip -gt 0 ]; then echo "check: CI=true and $skip test(s) skipped: failing"; fi
if [ $fail -gt 0 ] || [ $failed -ne 0 ] || { [ $ci -eq 1 ] && [ $skip -gt 0 ]; }; then st=1; echo "check: FAILED"; else st=0; echo "check: all passed"; fi
echo "$pass passed, $fail failed, $skip skipped"
exit $st
