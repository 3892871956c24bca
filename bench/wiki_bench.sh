#!/usr/bin/env bash
# Replay throughput of the Wikimedia source: events/s into wikimedia_bronze, into
# wikimedia_silver, and both together, with peak RSS, from the real recordings.
# The 39,244-event wikiticker day is inflated by the simulator (simulate.wiki_loops: each loop
# has fresh meta.ids and times moved past the previous loop) into one raw SSE file, then
# replayed with `ingest wiki --file`. Also measured: the plain wikiticker .json.gz (mapping
# included) and the live path (SSE over loopback HTTP from the simulator).
#   bench/wiki_bench.sh [LOOPS]      (default 5 -> 196,220 events)
# Needs ../shared (or WG_SHARED) and a built binary (WG_BIN, default build/wikigdelt).
# Figures are wall-clock rates; the one-pass lines also give events per CPU-second, which is
# steadier when other processes share the machine (the uptime load is printed first).
set -euo pipefail
cd "$(dirname "$0")/.."
WG_BIN=${WG_BIN:-$PWD/build/wikigdelt}
WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared}
loops=${1:-5}
rec="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
[ -f "$rec" ] || { echo "bench: needs $rec" >&2; exit 77; }
tmp=$(mktemp -d /tmp/wg-bench.XXXXXX)
sim_pid=
trap '[ -n "$sim_pid" ] && kill $sim_pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$WG_BIN" --home "$tmp/sim" --set simulate.wiki_loops="$loops" --set simulate.wiki_at_end=close \
    simulate --port "$port" --speed 0 --wiki-recording "$rec" >"$tmp/sim.log" 2>&1 &
sim_pid=$!
for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
curl -s "http://127.0.0.1:$port/v2/stream/recentchange" >"$tmp/inflated.events"
n=$(grep -c '^data: ' "$tmp/inflated.events")
echo "load: $(uptime | sed 's/.*load average: //')"
echo "inflated recording: $n events, $(du -m "$tmp/inflated.events" | cut -f1) MB of SSE text"

# run NAME CMD...: wall seconds and peak RSS of one command
run() {
    local name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    read -r secs rss user sys <"$tmp/time"
    echo "$name $secs $rss $(python3 -c "print(round($user+$sys, 2))")"
}
rate() { python3 -c "import sys; n,s=int(sys.argv[1]),float(sys.argv[2]); print(f'{n/s:,.0f}' if s>0 else 'inf')" "$1" "$2"; }

report_inline() { # label events line
    read -r _ secs rss cpu <<<"$3"
    printf '%-34s %8d events  bronze+silver in one pass (--refine) %9s ev/s (%.2fs wall; %s ev per CPU-s; peak RSS %d MB)\n' \
        "$1" "$2" "$(rate "$2" "$secs")" "$secs" "$(rate "$2" "$cpu")" $((rss/1024))
}
report() { # label events bronze_line silver_line
    read -r _ bs brss _ <<<"$3"; read -r _ ss srss _ <<<"$4"
    tot=$(python3 -c "print($bs+$ss)")
    printf '%-34s %8d events  bronze %9s ev/s (%.2fs, %d MB)  silver %9s ev/s (%.2fs, %d MB)  both %9s ev/s\n' \
        "$1" "$2" "$(rate "$2" "$bs")" "$bs" $((brss/1024)) "$(rate "$2" "$ss")" "$ss" $((srss/1024)) "$(rate "$2" "$tot")"
}

b=$(run bronze "$WG_BIN" --home "$tmp/h1" --set wiki.batch_events=5000 ingest wiki --file "$tmp/inflated.events")
s=$(run silver "$WG_BIN" --home "$tmp/h1" refine wiki)
report "inflated SSE file (x$loops)" "$n" "$b" "$s"

i=$(run inline "$WG_BIN" --home "$tmp/h1i" --set wiki.batch_events=5000 ingest wiki --refine --file "$tmp/inflated.events")
report_inline "inflated SSE file (x$loops)" "$n" "$i"

b=$(run bronze "$WG_BIN" --home "$tmp/h2" --set wiki.batch_events=5000 ingest wiki --file "$rec")
s=$(run silver "$WG_BIN" --home "$tmp/h2" refine wiki)
report "wikiticker .json.gz (mapped)" 39244 "$b" "$s"

i=$(run inline "$WG_BIN" --home "$tmp/h2i" --set wiki.batch_events=5000 ingest wiki --refine --file "$rec")
report_inline "wikiticker .json.gz (mapped)" 39244 "$i"

b=$(run live "$WG_BIN" --home "$tmp/h3" --set wiki.batch_events=5000 ingest wiki \
    --url "http://127.0.0.1:$port/v2/stream/recentchange" --max-events "$n")
s=$(run silver "$WG_BIN" --home "$tmp/h3" refine wiki)
report "live SSE from the simulator" "$n" "$b" "$s"

i=$(run inline "$WG_BIN" --home "$tmp/h3i" --set wiki.batch_events=5000 ingest wiki --refine \
    --url "http://127.0.0.1:$port/v2/stream/recentchange" --max-events "$n")
report_inline "live SSE from the simulator" "$n" "$i"
