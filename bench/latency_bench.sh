#!/usr/bin/env bash
# End-to-end latency and the cost of the metrics.
#
# 1. Latency: `run` against the loopback simulator replaying the real recordings (the wikiticker
#    day for Wikimedia, the two GDELT exports as one slot per 15 simulated minutes) at live
#    speed, 10x and 100x, for DURATION seconds each. Then `status --format json` gives the
#    sliding-window p50/p95/p99 from receipt (and from the source's own time) to the commit of
#    the silver rows and of the gold rows, per stream. The correlate loop runs every
#    --interval seconds (default 1), so receipt-to-gold is bounded below by that.
# 2. Overhead: the same replay (ingest of both recordings with small SSE-sized batches, refine,
#    correlate) with observe.enabled = 1 and = 0, REPEAT times each; the CPU seconds (user+sys,
#    steadier than wall time on a shared machine) and the throughput of the best run of each.
#
#   bench/latency_bench.sh [DURATION] [REPEAT]      (default 60 s, 3)
# Needs ../shared (or WG_SHARED) and a built binary (WG_BIN, default build/wikigdelt). It uses
# the fallback embedder unless embed.model_dir is given through WG_BENCH_SET
# (e.g. WG_BENCH_SET="embed.model_dir=build/model/all-MiniLM-L6-v2"). Prints figures; never
# fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
WG_BIN=${WG_BIN:-$PWD/build/wikigdelt}
WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared}
duration=${1:-60}
repeat=${2:-3}
rec="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
gdir="$WG_SHARED/data/gdelt"
[ -f "$rec" ] && [ -d "$gdir" ] || { echo "bench: needs $rec and $gdir" >&2; exit 77; }
tmp=$(mktemp -d /tmp/wg-latbench.XXXXXX)
pids=()
cleanup() { local p; for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
sets=()
[ -n "${WG_BENCH_SET:-}" ] && sets=(--set "$WG_BENCH_SET")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
echo "load: $(uptime | sed 's/.*load average: //')"

echo
echo "== end-to-end latency (run for $duration s per speed; sliding window = the whole run)"
printf "%-6s %-28s %8s %8s %8s %8s\n" speed "stream: from -> to" records p50_s p95_s p99_s
for speed in 1 10 100; do
    home="$tmp/lat$speed"
    port=$(free_port)
    # the wiki replay starts at the first GDELT slot's time, as in the demo
    "$WG_BIN" --home "$tmp/sim$speed" --set simulate.gdelt_slots=96 \
        --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
        simulate --port "$port" --speed "$speed" --gdelt-dir "$gdir" --wiki-recording "$rec" >"$tmp/sim$speed.log" 2>&1 &
    pids+=($!)
    for i in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    "$WG_BIN" --home "$home" "${sets[@]}" --set serve.enabled=false --set observe.window_seconds=$((duration + 600)) \
        --set observe.progress_seconds=0 \
        run --gdelt-url "http://127.0.0.1:$port/gdeltv2/" --wiki-url "http://127.0.0.1:$port/v2/stream/recentchange" \
        --interval 1 --duration "$duration" >"$tmp/run$speed.log" 2>&1 || true
    kill "${pids[-1]}" 2>/dev/null || true
    "$WG_BIN" --home "$home" status --format json >"$tmp/status$speed.json"
    python3 - "$speed" "$tmp/status$speed.json" <<'PY'
import json, sys
speed, d = sys.argv[1], json.load(open(sys.argv[2]))
for flow in ("wikimedia_silver", "gdelt_silver", "gold"):
    f = next((x for x in d["flows"] if x["flow"] == flow), None)
    if not f or "latency_seconds" not in f:
        print(f"{speed+'x':<6} {flow:<28} (no records)")
        continue
    lat = f["latency_seconds"]
    for key in sorted(k for k in lat if k != "stage"):
        stream, frm = key.split("_from_")
        v = lat[key]
        label = f"{stream}: {frm} -> {lat['stage']}"
        print(f"{speed+'x':<6} {label:<28} {v['n']:>8} {v['p50']:>8.3g} {v['p95']:>8.3g} {v['p99']:>8.3g}")
PY
done

echo
for batch in 1000 100; do
echo "== metrics overhead (same replay, observe.enabled 1 vs 0, wiki.batch_events=$batch; best of $repeat)"
replay() { # replay ENABLED N -> "cpu_seconds wall_seconds"
    local home="$tmp/ovh$1_$2_$batch"
    rm -rf "$home"
    /usr/bin/time -f "%e %U %S" -o "$tmp/t" bash -c '
        set -e
        W=("$0" --home "$1" --set observe.enabled="$2" --set wiki.batch_events="$5")
        "${W[@]}" ingest gdelt --file "$3" >/dev/null 2>&1
        "${W[@]}" ingest wiki --file "$4" --refine >/dev/null 2>&1
        "${W[@]}" refine >/dev/null 2>&1
        "${W[@]}" correlate >/dev/null 2>&1' "$WG_BIN" "$home" "$1" "$gdir" "$rec" "$batch"
    read -r wall user sys <"$tmp/t"
    python3 -c "print(round($user + $sys, 3), $wall)"
}
best_on= best_off=
for r in $(seq 1 "$repeat"); do
    for enabled in 1 0; do
        read -r cpu wall < <(replay "$enabled" "$r")
        echo "run $r observe.enabled=$enabled: cpu $cpu s, wall $wall s"
        if [ "$enabled" = 1 ]; then
            best_on=$(python3 -c "import sys; a=sys.argv[1]; print(min(float(a), float(sys.argv[2])) if a else sys.argv[2])" "$best_on" "$cpu")
        else
            best_off=$(python3 -c "import sys; a=sys.argv[1]; print(min(float(a), float(sys.argv[2])) if a else sys.argv[2])" "$best_off" "$cpu")
        fi
    done
done
events=$(( 39244 + 5305 ))
python3 - "$best_on" "$best_off" "$events" <<'PY'
import sys
on, off, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"records {n}: with metrics {n/on:,.0f} records per CPU-second, without {n/off:,.0f};"
      f" throughput cost {100*(on-off)/off:+.1f}% (best runs: {on:.3f} vs {off:.3f} CPU-s)")
PY
done
