#!/usr/bin/env bash
# End-to-end replay through bronze, silver and gold at full speed, with the real CLI:
#   the 2024-07-15 GDELT export (`ingest gdelt --file`) and the wikiticker day of edits served by
#   the loopback simulator at full speed with its time origin moved to that day (`simulate`,
#   `ingest wiki --url`), then `refine` and `correlate`, then the 2025-07-15 export (no edits in
#   its window: the simulator cannot replay the same day again into one store, its event ids
#   are the same) and `correlate --drain`.
# Prints, per step, the seconds it took, and the end-to-end rate in source events/s (GDELT events
# + Wikipedia edits) and in GDELT events/s, plus the gold flow's own figures and peak memory.
#   bench/gold_e2e.sh [--set key=value]...      (e.g. --set embed.model_dir=DIR)
# GOLD_E2E_KEEP=DIR keeps the lakehouse home there afterwards (to compare runs' pairs, e.g. the
# cascade prefilter against the exact join: bench/gold_cascade_compare.sh).
# GOLD_E2E_VOCAB_FROM=DB copies the cascade's static vocabulary (gold_static_vocab, built once per
# model) from another store first, so the figures are the steady state; without it the first
# `correlate` builds it and prints the one-time cost.
# Needs ../shared (WG_SHARED) and a build with the silver flows.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" all >/dev/null
bin="$PWD/$BUILD/wikigdelt"
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
home=$(mktemp -d /tmp/wg-gold-e2e.XXXXXX)
sets=("$@")
pids=()
cleanup() {
    for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
    if [ -n "${GOLD_E2E_KEEP:-}" ] && [ -d "$home/lake" ]; then rm -rf "$GOLD_E2E_KEEP"; mv "$home/lake" "$GOLD_E2E_KEEP"; fi
    rm -rf "$home"
}
trap cleanup EXIT
wg() { "$bin" --home "$home/lake" "${sets[@]}" "$@"; }
now() { date +%s.%N; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
ticker="$shared/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
edits=$(zcat "$ticker" | wc -l)
declare -A rows   # counted before the clock starts
for day in 2024-07-15 2025-07-15; do rows[$day]=$(unzip -p "$shared/data/gdelt/${day//-/}000000.export.CSV.zip" | wc -l); done
if [ -n "${GOLD_E2E_VOCAB_FROM:-}" ]; then
    wg sql "SELECT 1" >/dev/null
    sqlite3 "$home/lake/wikigdelt.db" "ATTACH '$GOLD_E2E_VOCAB_FROM' AS v; INSERT INTO gold_static_vocab SELECT * FROM v.gold_static_vocab"
fi
# The simulator stands in for Wikimedia: it is started, and has loaded its recording, before the
# clock starts (its start-up is the source's cost, not the pipeline's). Readiness is asked on a
# plain endpoint: a stream request never completes, so it cannot say "ready".
sim_day=2024-07-15
"$bin" --home "$home/sim" --set simulate.wiki_recording="$ticker" \
    --set simulate.wiki_speed=0 --set simulate.wiki_time_origin="${sim_day}T00:00:00Z" \
    --set simulate.wiki_at_end=close simulate --port "$port" >/dev/null 2>&1 &
pids+=($!)
ready=0
for i in $(seq 1 300); do
    curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/gdeltv2/lastupdate.txt" && { ready=1; break; }
    sleep 0.1
done
[ $ready = 1 ] || { echo "the simulator did not come up on port $port" >&2; exit 1; }
total_start=$(now)
events=0
for day in 2024-07-15 2025-07-15; do
    with_wiki=0; [ "$day" = "$sim_day" ] && with_wiki=1
    zip="$shared/data/gdelt/${day//-/}000000.export.CSV.zip"
    n=${rows[$day]}; events=$((events + n))
    t0=$(now); wg ingest gdelt --file "$zip" >/dev/null; t1=$(now)
    printf '%s: ingest gdelt %d events: %.2f s\n' "$day" "$n" "$(echo "$t1 - $t0" | bc)"
    if [ $with_wiki = 1 ]; then
    t0=$(now); wg ingest wiki --url "http://127.0.0.1:$port/v2/stream/recentchange" --max-events "$edits" >/dev/null; t1=$(now)
    printf '%s: ingest wiki %d edits: %.2f s\n' "$day" "$edits" "$(echo "$t1 - $t0" | bc)"
    kill "${pids[-1]}" 2>/dev/null || true; wait "${pids[-1]}" 2>/dev/null || true
    fi
    t0=$(now); wg refine >/dev/null; t1=$(now)
    printf '%s: refine: %.2f s\n' "$day" "$(echo "$t1 - $t0" | bc)"
    t0=$(now); /usr/bin/time -f '%U %S' -o "$home/cpu" "$bin" --home "$home/lake" "${sets[@]}" correlate >"$home/corr.txt"; t1=$(now)
    printf '%s: correlate: %.2f s (cpu %.2f s)\n' "$day" "$(echo "$t1 - $t0" | bc)" "$(awk '{print $1 + $2}' "$home/cpu")"
    sed 's/^/    /' "$home/corr.txt"
done
t0=$(now); /usr/bin/time -f '%M' -o "$home/rss" "$bin" --home "$home/lake" "${sets[@]}" correlate --drain >"$home/corr.txt"; t1=$(now)
printf 'final correlate --drain: %.2f s (peak RSS %d MB)\n' "$(echo "$t1 - $t0" | bc)" "$(( $(cat "$home/rss") / 1024 ))"
sed 's/^/    /' "$home/corr.txt"
total=$(echo "$(now) - $total_start" | bc)
printf 'end to end: %.2f s for %d GDELT events + %d edits: %.0f source events/s, %.0f GDELT events/s\n' \
    "$total" "$events" "$edits" "$(echo "($events + $edits) / $total" | bc -l)" "$(echo "$events / $total" | bc -l)"
