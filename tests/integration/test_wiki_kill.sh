# Exactly once across crashes: the ingest (with the silver flow inline) streams the 39,244-event
# wikiticker recording from the simulator and is killed with SIGKILL mid-stream, several times,
# then finishes. Every kill is proven to land mid-work: the process is alive, it committed new
# events in this round and the stream is not finished; it dies of the SIGKILL. At the end every
# table the ingest touches equals an uninterrupted run over the same stream (all columns but
# generated ids and times; the expectation counts summed per rule, as batch boundaries move).
source "$(dirname "$0")/lib.sh"
need_shared
rec="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/simhome" simulate --port "$port" --speed 0 --wiki-recording "$rec" \
    >"$WG_TMP/sim.log" 2>&1
# about 7 s for the whole day at this speed, so that every kill lands mid-stream
url="http://127.0.0.1:$port/v2/stream/recentchange?speed=12000"
for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
total=39244
opts=(--set wiki.batch_events=300 --set wiki.backoff_initial_ms=50)

# the uninterrupted run over the same stream
ref="$WG_TMP/ref"
"$WG_BIN" --home "$ref" "${opts[@]}" ingest wiki --url "$url" --max-events "$total" --refine >/dev/null 2>"$WG_TMP/ref.log" \
    || fail "uninterrupted ingest failed: $(tail -n 3 "$WG_TMP/ref.log")"
"$WG_BIN" --home "$ref" refine wiki >/dev/null
assert_eq "$(qh "$ref" "SELECT COUNT(*) FROM wikimedia_bronze")" "$total" "uninterrupted run: recording size"
assert_eq "$(qh "$ref" "SELECT COUNT(*) FROM wikimedia_silver")" "$total" "uninterrupted run: silver"

wg sql "SELECT 1" >/dev/null
rounds=${WG_KILL_ROUNDS:-6}
for r in $(seq 1 "$rounds"); do
    before=$(q "SELECT COUNT(*) FROM wikimedia_bronze")
    # kill after this round committed at least 300 more events, plus a random extra delay
    extra=$(python3 -c "import random; print(round(random.uniform(0, 0.6), 2))")
    "$WG_BIN" --home "$WG_TMP/home" "${opts[@]}" ingest wiki --url "$url" --refine >/dev/null 2>"$WG_TMP/ingest.log" &
    pid=$!
    for i in $(seq 1 400); do
        [ "$(q "SELECT COUNT(*) FROM wikimedia_bronze")" -ge $((before + 300)) ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.025
    done
    sleep "$extra"
    kill -0 "$pid" 2>/dev/null || fail "round $r: the ingest exited before its kill: $(tail -n 3 "$WG_TMP/ingest.log")"
    kill -9 "$pid"
    rc=0; wait "$pid" || rc=$?
    assert_eq "$rc" "137" "round $r: the ingest died of SIGKILL"
    b=$(q "SELECT COUNT(*) FROM wikimedia_bronze")
    echo "round $r: killed with bronze $before -> $b of $total"
    [ "$b" -gt "$before" ] && [ "$b" -lt "$total" ] || fail "round $r: kill not mid-stream (bronze $before -> $b of $total)"
    assert_eq "$b" "$(q "SELECT COUNT(DISTINCT meta_id) FROM wikimedia_bronze")" "no duplicate in bronze after kill $r"
done
left=$((total - $(q "SELECT COUNT(*) FROM wikimedia_bronze")))
wg "${opts[@]}" ingest wiki --url "$url" --max-events "$left" --refine >/dev/null 2>&1
wg refine wiki >/dev/null

db="$WG_TMP/home/wikigdelt.db"
assert_same_table wikimedia_bronze "$db" "$ref/wikigdelt.db" bronze_id received_at
assert_same_table wikimedia_silver "$db" "$ref/wikigdelt.db" silver_id bronze_id
assert_same_table wikimedia_quarantine "$db" "$ref/wikigdelt.db" quarantine_id bronze_id received_at
assert_same_table wikimedia_stream_state "$db" "$ref/wikigdelt.db" updated_at
assert_same_table checkpoints "$db" "$ref/wikigdelt.db" updated_at
sums="SELECT flow || ' ' || rule || ' ' || action || ' ' || SUM(checked) || ' ' || SUM(failed) FROM expectation_counts GROUP BY flow, rule, action ORDER BY 1"
want=$("$WG_BIN" --home "$ref" sql --format csv "$sums" | sed 1d)
[ "$(echo "$want" | wc -l)" -ge 7 ] || fail "the uninterrupted run has no expectation counts: $want"
assert_eq "$(qall "$sums")" "$want" "expectation counts summed per rule"
kinds="SELECT group_concat(k, ' ') FROM (SELECT DISTINCT flow || '/' || level || '/' || kind AS k FROM event_log ORDER BY 1)"
assert_eq "$(q "$kinds")" "$(qh "$ref" "$kinds")" "the same kinds of event-log entries"
# silver points at the bronze row of the same event
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_silver s JOIN wikimedia_bronze b USING (bronze_id) WHERE s.event_id = b.meta_id")" "$total" "silver rows point at their bronze rows"
echo ok
