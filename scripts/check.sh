#!/usr/bin/env bash
# The test command: bootstrap, build, unit tests (cmocka) and integration tests (real binary,
# real loopback servers), then the same again under AddressSanitizer + UBSan.
# Tests that need ../shared (real data, model files) skip when it is absent.
#   scripts/check.sh            everything
#   scripts/check.sh --fast     the normal build only (no sanitizer pass)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/bootstrap.sh || { echo "check: bootstrap failed" >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
export WG_SHARED=${WG_SHARED:-$(cd "$root/.." && pwd)/shared}
[ -d "$WG_SHARED/data" ] || { echo "check: no shared data at $WG_SHARED; tests that need it will skip" >&2; WG_SHARED=""; }

builds=(build)
[ "${1:-}" = "--fast" ] || builds+=(build-asan)
failed=0
summary=()
for b in "${builds[@]}"; do
    echo "=== $b ==="
    if [ "$b" = build ]; then make -s -j"$jobs" all unit || exit 1
    else make -s -j"$jobs" asan || exit 1; fi
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..." per binary.
    for t in "$b"/tests/test_*; do
        [ -x "$t" ] || continue
        if ! "$t"; then failed=1; summary+=("FAIL unit $b/$(basename "$t")"); fi
    done
    WG_BIN="$root/$b/wikigdelt" WG_BUILD="$root/$b" tests/integration/run.sh || { failed=1; summary+=("FAIL integration ($b)"); }
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
if [ $failed -ne 0 ]; then printf '%s\n' "${summary[@]}"; echo "check: FAILED"; exit 1; fi
echo "check: all passed"
