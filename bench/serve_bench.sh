#!/usr/bin/env bash
# The HTTP API under a dashboard's load, beside Datasette, while the pipeline ingests.
#
# A lakehouse with both real GDELT exports and the wikiticker day (refined, correlated) is served
# by `run` (its serve child, with the loopback simulator feeding GDELT and Wikimedia at the same
# time). wrk drives a fixed set of dashboard queries (the report's listings 6, 7 and 8, a gold
# top-k, a point lookup) at 1, 8 and 64 connections against our /api/sql (POST, bearer token,
# authorizer, audit) and against Datasette (pip, in build/datasette-venv) on the same database
# file in the same run; requests/s and p50/p99 per query, and the ratio. Then the pipeline's
# ingest rate (GDELT zips -> bronze -> silver, inflated copies of the real exports) into the
# served lakehouse with and without 64 connections of readers.
# Prints figures; never fails on time.
#   bench/serve_bench.sh [SECONDS_PER_RUN] [COPIES]    (defaults 5 s, 30 copies ~ 160k rows)
# Env: WG_BIN (default build/wikigdelt), WG_SHARED (default ../shared), BENCH_TMP.
# Installs what it needs on first use: wrk (Debian) and Datasette (PyPI, into build/datasette-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
copies=${2:-30}
bin=${WG_BIN:-$PWD/build/wikigdelt}
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
tmp=${BENCH_TMP:-$(mktemp -d /tmp/wg-bench-serve.XXXXXX)}
[ -x "$bin" ] || { echo "build first: make" >&2; exit 1; }
# wrk is the bench's own dependency (not the build's): installed here when missing.
if ! command -v wrk >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 ||
        { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null; } ||
        { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
fi
data="$shared/data"
ls "$data"/gdelt/*.export.CSV.zip >/dev/null || { echo "no exports under $data/gdelt" >&2; exit 1; }
venv=$PWD/build/datasette-venv
if [ ! -x "$venv/bin/datasette" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q datasette >/dev/null
fi
pids=()
cleanup() { local p; for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
home="$tmp/home"
W() { "$bin" --home "$home" "$@"; }

echo "building the lakehouse (both exports, the wikiticker day, refine, correlate) ..." >&2
rec="$data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
W ingest gdelt --file "$data/gdelt/" >/dev/null 2>&1
sport=$(free_port)
"$bin" --home "$tmp/simhome" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z --set simulate.wiki_at_end=close \
    simulate --port "$sport" --speed 0 --wiki-recording "$rec" >/dev/null 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$sport/gdeltv2/lastupdate.txt"
W ingest wiki --url "http://127.0.0.1:$sport/v2/stream/recentchange" --max-events "$(zcat "$rec" | wc -l)" >/dev/null 2>&1
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
W refine >/dev/null 2>&1
W correlate >/dev/null 2>&1
cp "$home/wikigdelt.db" "$tmp/snapshot.db"   # the ingest phase starts from here (its files are new to it)
token=$(W principal add bench 2>/dev/null | grep -oE '[0-9a-f]{64}' | tail -n 1)
W group add-member data_scientists bench >/dev/null 2>&1
W group add-member compliance bench >/dev/null 2>&1
pair_id=$(W sql --format csv "SELECT gdelt_silver_id FROM gold_events ORDER BY gdelt_silver_id LIMIT 1 OFFSET 500" | sed -n 2p)

# The dashboard's queries (listings 6-8 as the demo prints them, a gold top-k, a point lookup).
names=(listing6_heatmap listing7_timeline listing8_matrix gold_topk point_lookup)
queries=(
  "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) AS events FROM gold_events GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10"
  "SELECT DATE_TRUNC('hour', event_time) AS hour, ROUND(AVG(AvgTone), 3) AS sentiment, COUNT(*) AS events FROM gdelt_silver GROUP BY 1 ORDER BY 1 LIMIT 48"
  "SELECT g.EventCode, w.wiki, ROUND(AVG(c.cosine_sim), 3) AS similarity, COUNT(*) AS pairs FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN (SELECT DISTINCT title, wiki FROM wikimedia_silver) w ON c.title = w.title GROUP BY 1, 2 ORDER BY 4 DESC LIMIT 10"
  "SELECT EventID, wiki, title, ROUND(match_score, 3) AS match_score FROM correlated_gold_events WHERE rank = 1 ORDER BY match_score DESC LIMIT 20"
  "SELECT * FROM gold_events WHERE gdelt_silver_id = $pair_id"
)

# `run` serves the lakehouse (its serve child) while its sources ingest from the simulator. The
# server runs at normal priority here (serve.nice=0), like Datasette; the ingest phase below
# keeps the default (10), which is what keeps the pipeline's rate.
port=$(free_port)
sport=$(free_port)
"$bin" --home "$tmp/simhome2" --set simulate.gdelt_dir="$data/gdelt" --set simulate.gdelt_slots=400 \
    --set simulate.wiki_recording="$rec" --set simulate.wiki_time_origin=2024-07-16T00:00:00Z \
    simulate --port "$sport" --speed 300 >/dev/null 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$sport/gdeltv2/lastupdate.txt"
"$bin" --home "$home" --set serve.address="127.0.0.1:$port" --set serve.nice=0 run --gdelt-url "http://127.0.0.1:$sport/gdeltv2/" \
    --wiki-url "http://127.0.0.1:$sport/v2/stream/recentchange" --interval 2 >"$tmp/run.log" 2>&1 &
runpid=$!
pids+=($runpid)
wait_http "http://127.0.0.1:$port/healthz"
dport=$(free_port)
"$venv/bin/datasette" serve "$home/wikigdelt.db" --port "$dport" --plugins-dir bench/datasette_plugins \
    --setting sql_time_limit_ms 10000 --setting max_returned_rows 1000 >"$tmp/datasette.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$dport/-/versions.json"

mkdir -p "$tmp/lua"
: >"$tmp/results"
for i in "${!names[@]}"; do
    q=${queries[$i]}
    python3 - "$q" "$token" "$tmp/lua/${names[$i]}.lua" "$tmp/lua/${names[$i]}.path" <<'PY'
import json, sys, urllib.parse
q, token, lua, path = sys.argv[1:5]
body = json.dumps({"sql": q})
open(lua, "w").write('wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n'
                     'wrk.headers["Authorization"] = "Bearer %s"\n' % (json.dumps(body), token))
open(path, "w").write("/wikigdelt.json?" + urllib.parse.urlencode({"sql": q, "_shape": "arrays"}))
PY
    # Both answer the same rows (checked once before timing).
    a=$(curl -fs -X POST -H "Authorization: Bearer $token" --data-binary "{\"sql\": $(python3 -c 'import json,sys;print(json.dumps(sys.argv[1]))' "$q")}" "http://127.0.0.1:$port/api/sql" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["rows"]))')
    b=$(curl -fs "http://127.0.0.1:$dport$(cat "$tmp/lua/${names[$i]}.path")" | python3 -c 'import json,sys;print(len(json.load(sys.stdin)["rows"]))')
    echo "  ${names[$i]}: $a rows from wikigdelt, $b from Datasette" >&2
done
wrk_run() { # SERVER NAME CONNS URL [SCRIPT]
    local t=2 out
    [ "$3" -eq 1 ] && t=1
    if [ -n "${5:-}" ]; then out=$(wrk -t"$t" -c"$3" -d"${secs}s" --timeout 20s --latency -s "$5" "$4" 2>&1)
    else out=$(wrk -t"$t" -c"$3" -d"${secs}s" --timeout 20s --latency "$4" 2>&1); fi
    python3 - "$1" "$2" "$3" "$out" >>"$tmp/results" <<'PY'
import re, sys
server, name, conns, out = sys.argv[1:5]
def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
p50 = re.search(r"\s50%\s+(\S+)", out)
p99 = re.search(r"\s99%\s+(\S+)", out)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
errs = re.search(r"Socket errors:.*timeout (\d+)", out)
print(server, name, conns, rps.group(1) if rps else "nan", ms(p50.group(1)) if p50 else "nan",
      ms(p99.group(1)) if p99 else "nan", bad.group(1) if bad else 0, errs.group(1) if errs else 0)
PY
}
echo "timing: ${#names[@]} queries x 1/8/64 connections x 2 servers x ${secs} s ..." >&2
for i in "${!names[@]}"; do
    for c in 1 8 64; do
        wrk_run wikigdelt "${names[$i]}" "$c" "http://127.0.0.1:$port/api/sql" "$tmp/lua/${names[$i]}.lua"
        wrk_run datasette "${names[$i]}" "$c" "http://127.0.0.1:$dport$(cat "$tmp/lua/${names[$i]}.path")"
        # Let both drain what wrk left in flight before the next run.
        curl -s -m 60 -o /dev/null "http://127.0.0.1:$port/healthz" || true
        curl -s -m 60 -o /dev/null "http://127.0.0.1:$dport/-/versions.json" || true
    done
done
ingested=$(W sql --format csv "SELECT (SELECT COUNT(*) FROM gdelt_bronze) + (SELECT COUNT(*) FROM wikimedia_bronze)" | sed -n 2p)
kill "$runpid"; wait "$runpid" 2>/dev/null || true

# The ingest rate: a fixed job (inflated exports: zip -> bronze -> silver) into the served
# lakehouse, alone and under 64 connections of readers cycling through the dashboard queries.
python3 bench/gdelt_inflate.py --copies "$copies" --out "$tmp/zips" "$data"/gdelt/*.export.CSV.zip >/dev/null 2>&1
rows=$(python3 -c 'import sys,zipfile,glob;print(sum(zipfile.ZipFile(p).read(zipfile.ZipFile(p).namelist()[0]).count(b"\n") for p in glob.glob(sys.argv[1]+"/*.zip")))' "$tmp/zips")
python3 - "$token" "$tmp/lua/mixed.lua" "${queries[@]}" <<'PY'
import json, sys
token, lua, qs = sys.argv[1], sys.argv[2], sys.argv[3:]
bodies = ",\n".join(json.dumps(json.dumps({"sql": q})) for q in qs)
open(lua, "w").write('local bodies = {%s}\nlocal i = 0\nrequest = function()\n  i = i %% #bodies + 1\n'
                     '  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %s"}, bodies[i])\nend\n'
                     % (bodies, token))
PY
ingest_job() { # HOME -> seconds
    local h=$1 t0 t1
    t0=$(date +%s.%N)
    "$bin" --home "$h" ingest gdelt --file "$tmp/zips" >/dev/null 2>&1
    "$bin" --home "$h" refine gdelt >/dev/null 2>&1
    t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
}
: >"$tmp/ingest"
for round in 1 2; do
    for mode in alone readers; do
        h="$tmp/ingest-$mode-$round"
        mkdir -p "$h"
        cp "$tmp/snapshot.db" "$h/wikigdelt.db"
        "$bin" --home "$h" principal add bench2 >/dev/null 2>&1
        "$bin" --home "$h" sql "SELECT 1" >/dev/null 2>&1
        p=$(free_port)
        "$bin" --home "$h" serve --port "$p" >/dev/null 2>&1 &
        spid=$!
        wait_http "http://127.0.0.1:$p/healthz"
        wpid=""
        if [ "$mode" = readers ]; then
            t2=$("$bin" --home "$h" principal rotate bench2 2>/dev/null | grep -oE '[0-9a-f]{64}' | tail -n 1)
            "$bin" --home "$h" group add-member data_scientists bench2 >/dev/null 2>&1
            sed "s/$token/$t2/" "$tmp/lua/mixed.lua" >"$tmp/lua/mixed2.lua"
            wrk -t2 -c64 -d600s --latency -s "$tmp/lua/mixed2.lua" "http://127.0.0.1:$p/api/sql" >"$tmp/wrk-ingest-$round.log" 2>&1 &
            wpid=$!
            sleep 1
        fi
        s=$(ingest_job "$h")
        [ -n "$wpid" ] && { kill -INT "$wpid"; wait "$wpid" 2>/dev/null || true; }
        kill "$spid"; wait "$spid" 2>/dev/null || true
        echo "$mode $s $(grep -E 'Requests/sec' "$tmp/wrk-ingest-$round.log" 2>/dev/null | awk '{print $2}' | tail -1)" >>"$tmp/ingest"
        rm -rf "$h"
    done
done

python3 - "$tmp/results" "$tmp/ingest" "$rows" "$secs" "$ingested" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    "$("$venv/bin/datasette" --version)" "$(wrk -v 2>&1 | head -1)" <<'PY'
import collections, sys
res, ing, rows, secs, ingested, cores, load, dsv, wrkv = sys.argv[1:10]
R = collections.defaultdict(dict)
order = []
for line in open(res):
    s, name, c, rps, p50, p99, bad, to = line.split()
    R[(name, int(c))][s] = (float(rps), float(p50), float(p99), int(bad), int(to))
    if name not in order:
        order.append(name)
print("HTTP API vs Datasette (%s), same queries, same database, while `run` ingests; %s s per run, wrk (%s)" % (dsv, secs, wrkv))
print("%-18s %5s | %10s %9s %9s | %10s %9s %9s | %7s %s" % ("query", "conns", "ours req/s", "p50 ms", "p99 ms",
      "dsette r/s", "p50 ms", "p99 ms", "ratio", "p99 ours <= theirs"))
ratios = []
for name in order:
    for c in (1, 8, 64):
        o, d = R[(name, c)].get("wikigdelt"), R[(name, c)].get("datasette")
        if not o or not d:
            continue
        ratio = o[0] / d[0] if d[0] else float("inf")
        if 0 < ratio < float("inf"):
            ratios.append(ratio)
        note = "yes" if o[2] <= d[2] else "no"
        if o[3] or d[3]:
            note += " (non-2xx: ours %d, theirs %d)" % (o[3], d[3])
        print("%-18s %5d | %10.0f %9.2f %9.2f | %10.0f %9.2f %9.2f | %6.1fx %s" % (name, c, o[0], o[1], o[2], d[0], d[1], d[2], ratio, note))
if ratios:
    import math
    print("geometric mean ratio %.1fx, lowest %.1fx" % (math.exp(sum(map(math.log, ratios)) / len(ratios)), min(ratios)))
print("rows ingested by `run` during the timing (bronze, both sources): %s" % ingested)
runs = collections.defaultdict(list)
for line in open(ing):
    parts = line.split()
    runs[parts[0]].append(float(parts[1]))
rows = int(rows)
if runs.get("alone") and runs.get("readers"):
    a, r = min(runs["alone"]), min(runs["readers"])
    print("ingest (inflated exports, zip -> bronze -> silver, %d rows) into the served lakehouse:" % rows)
    print("  alone:                   %8.0f rows/s (best of %s s)" % (rows / a, ", ".join("%.2f" % x for x in runs["alone"])))
    print("  with 64 reader conns:    %8.0f rows/s (best of %s s) -> %.1f%% of alone" % (rows / r, ", ".join("%.2f" % x for x in runs["readers"]), 100 * a / r))
print("machine: %s cores, load average %s after (other jobs on the machine move the figures)" % (cores, load))
PY
