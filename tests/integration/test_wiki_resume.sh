# The SSE client against the simulator: connections dropped every few events are resumed with
# Last-Event-ID (no event lost, none duplicated); a 503, a stall, garbage lines and oversized
# events are handled without stopping the stream.
source "$(dirname "$0")/lib.sh"
need_shared
rec="$WG_SHARED/data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson"
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_heartbeat_ms=200 \
    simulate --port "$port" --speed 0 --wiki-recording "$rec" >"$WG_TMP/sim.log" 2>&1
url="http://127.0.0.1:$port/v2/stream/recentchange"
# the stream never ends, so readiness is checked on a path that answers 404 at once
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

# 1. drop the connection every 7 events: 15 connections, every event exactly once
out=$(wg --set wiki.backoff_initial_ms=50 --set wiki.batch_events=5 \
      ingest wiki --url "$url?drop_after=7" --max-events 100 2>"$WG_TMP/err1")
echo "$out" | grep -q "events 100, quarantined 0" || fail "drop/resume: $out"
conns=$(echo "$out" | sed -n 's/.*connections \([0-9]*\).*/\1/p')
[ "$conns" -ge 15 ] || fail "expected >= 15 connections, got $conns"
grep -q "with Last-Event-ID" "$WG_TMP/err1" || fail "reconnects should send Last-Event-ID"
assert_eq "$(q "SELECT COUNT(*) || ' ' || COUNT(DISTINCT meta_id) FROM wikimedia_bronze")" "100 100" "each event once in bronze"
wg refine wiki >/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_silver")" 100 "each event once in silver"
# contents, not just counts: the same 100 events taken in one connection give the same rows
ref="$WG_TMP/ref"
"$WG_BIN" --home "$ref" ingest wiki --url "$url" --max-events 100 >/dev/null 2>&1
"$WG_BIN" --home "$ref" refine wiki >/dev/null
assert_same_table wikimedia_bronze "$WG_TMP/home/wikigdelt.db" "$ref/wikigdelt.db" bronze_id received_at
assert_same_table wikimedia_silver "$WG_TMP/home/wikigdelt.db" "$ref/wikigdelt.db" silver_id bronze_id

# 2. a restart resumes from the stored id: nothing new arrives, nothing is repeated
out=$(wg --set wiki.stall_timeout_ms=5000 ingest wiki --url "$url" --duration 1 2>/dev/null)
echo "$out" | grep -q "events 0," || fail "restart after the end should add nothing: $out"

# 3. faults on a fresh home: a 503 first, then a stall on the first stream, garbage every 10 events
rm -rf "$WG_TMP/home"
out=$(wg --set wiki.backoff_initial_ms=50 --set wiki.stall_timeout_ms=1000 \
      --set wiki.max_event_bytes=65536 --set wiki.max_line_bytes=65536 \
      ingest wiki --url "$url?status=503&stall_after=30&stall_ms=2500&garbage_every=10&garbage_bytes=100000" \
      --max-events 100 --refine 2>"$WG_TMP/err3") || fail "fault run failed: $(tail -3 "$WG_TMP/err3")"
echo "$out" | grep -q "http errors 1" || fail "the 503 should be counted: $out"
echo "$out" | grep -q "stalls 1" || fail "the stall should be detected: $out"
grep -q "answered HTTP 503" "$WG_TMP/err3" || fail "503 should be logged"
assert_eq "$(q "SELECT COUNT(*) || ' ' || COUNT(DISTINCT meta_id) FROM wikimedia_bronze")" "$(q "SELECT COUNT(*) || ' ' || COUNT(*) FROM wikimedia_bronze")" "no duplicates"
# events taken = bronze + quarantined = 100; every quarantined one is garbage with a reason
b=$(q "SELECT COUNT(*) FROM wikimedia_bronze")
qn=$(q "SELECT COUNT(*) FROM wikimedia_quarantine WHERE stage='ingest'")
assert_eq "$((b + qn))" 100 "bronze + quarantine"
[ "$qn" -ge 3 ] || fail "garbage should be quarantined, got $qn"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_quarantine WHERE reason NOT LIKE 'invalid JSON%' AND reason NOT LIKE 'invalid UTF-8%' AND reason NOT LIKE '%than 65536 bytes'")" 0 "reasons"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_silver")" "$b" "refined inline"
# finish the stream: all 100 recorded events, each once
wg --set wiki.backoff_initial_ms=50 ingest wiki --url "$url" --max-events $((100 - b)) >/dev/null 2>&1
wg refine wiki >/dev/null
assert_eq "$(q "SELECT COUNT(*) || ' ' || COUNT(DISTINCT event_id) FROM wikimedia_silver")" "100 100" "all events after the faults"

# 4. since: catch up from a time when no id is stored
rm -rf "$WG_TMP/home"
wg ingest wiki --url "$url" --since 2023-07-29T07:53:00Z --max-events 5 >/dev/null 2>&1
assert_eq "$(q "SELECT MIN(meta_dt) >= '2023-07-29T07:53:00Z' FROM wikimedia_bronze")" 1 "since honoured"

# 5. simulate.wiki_time_origin moves the recording's times (meta.dt, timestamp, ids' timestamps)
port2=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/simhome2" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
    simulate --port "$port2" --speed 0 --wiki-recording "$rec" >"$WG_TMP/sim2.log" 2>&1
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port2/" && break; sleep 0.1; done
rm -rf "$WG_TMP/home"
wg ingest wiki --url "http://127.0.0.1:$port2/v2/stream/recentchange" --max-events 100 --refine >/dev/null 2>&1
assert_eq "$(q "SELECT MIN(event_time) || ' ' || MAX(event_time) FROM wikimedia_silver")" "2024-07-15 00:00:00 2024-07-15 00:02:20" "times moved to the origin"
assert_eq "$(q "SELECT json_extract(raw, '\$.timestamp') FROM wikimedia_bronze ORDER BY bronze_id LIMIT 1")" 1721001600 "timestamp moved"
assert_eq "$(q "SELECT json_extract(sse_id, '\$[0].timestamp') FROM wikimedia_bronze ORDER BY bronze_id LIMIT 1")" 1721001600000 "id timestamp moved"
