#!/usr/bin/env bash
# libFuzzer runs of every target in tests/fuzz/ (docs/release.md, "Fuzzing").
#   scripts/fuzz.sh --short [TARGET...]       each target FUZZ_SECONDS (default 8) s: CI
#   scripts/fuzz.sh --long [SECONDS] [TARGET...]  each target SECONDS (default 3600), corpus kept
#   scripts/fuzz.sh --regress                 only replay the committed crash inputs
# Builds build-fuzz/ with clang (make fuzz), seeds build-fuzz/corpus/<target>/ from ../shared/data
# (tests/fuzz/make_corpus.py), first replays tests/fuzz/regress/<target>/* (inputs that once
# crashed: each must now pass), then fuzzes. A crash leaves its input in build-fuzz/crashes/ and
# fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:---short}; shift || true
secs=${FUZZ_SECONDS:-8}
if [ "$mode" = --long ]; then
    secs=3600
    if [[ "${1:-}" =~ ^[0-9]+$ ]]; then secs=$1; shift; fi
elif [ "$mode" != --short ] && [ "$mode" != --regress ]; then
    echo "usage: scripts/fuzz.sh --short|--long [SECONDS]|--regress [TARGET...]" >&2; exit 2
fi
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" fuzz >/dev/null || { echo "fuzz: build failed (make fuzz)" >&2; exit 1; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd build-fuzz/fuzz && ls fuzz_*))
[ -d build-fuzz/corpus ] || python3 tests/fuzz/make_corpus.py "$shared" build-fuzz/corpus
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in "${targets[@]}"; do
    bin=build-fuzz/fuzz/$t
    [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; failed=1; continue; }
    log=build-fuzz/logs/$t.log
    mkdir -p build-fuzz/logs build-fuzz/crashes/"$t" build-fuzz/grown/"$t" build-fuzz/corpus/"$t"
    reg=(tests/fuzz/regress/"$t"/*)
    if [ -e "${reg[0]}" ]; then
        if ! "$bin" "${reg[@]}" >"$log" 2>&1; then
            echo "[ FAIL ] $t: a committed regression input crashes again"; tail -n 30 "$log" | sed 's/^/    /'
            failed=1; continue
        fi
    fi
    [ "$mode" = --regress ] && { echo "[ PASS ] $t regressions (${#reg[@]})"; continue; }
    start=$(date +%s)
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix=build-fuzz/crashes/"$t"/ build-fuzz/grown/"$t" build-fuzz/corpus/"$t" >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ $rc -ne 0 ]; then
        failed=1
        echo "[ FAIL ] $t after $(( $(date +%s) - start ))s: $(ls -t build-fuzz/crashes/"$t" | head -n 1)"
        grep -m 3 -E "ERROR|oracle failed|runtime error" "$log" | sed 's/^/    /'
    else
        echo "[ PASS ] $t: ${runs:-?} inputs in $(( $(date +%s) - start ))s, ${cov:-cov ?}"
    fi
done
[ $failed -eq 0 ] && echo "fuzz: no crash" || { echo "fuzz: FAILED (inputs in build-fuzz/crashes/, logs in build-fuzz/logs/)"; exit 1; }
