# Exactly once across crashes: the ingest (with the silver flow inline) is killed with SIGKILL
# at random moments while streaming the 39,244-event wikiticker recording from the simulator, and
# restarted, several times; at the end the set of meta.id in silver equals the set in the
# recording, and bronze holds every event exactly once.
source "$(dirname "$0")/lib.sh"
need_shared
rec="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/simhome" simulate --port "$port" --speed 0 --wiki-recording "$rec" \
    >"$WG_TMP/sim.log" 2>&1
# about 7 s for the whole day at this speed, so that every kill lands mid-stream
url="http://127.0.0.1:$port/v2/stream/recentchange?speed=12000"
for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

# the recording's ids, from a file replay into another home
"$WG_BIN" --home "$WG_TMP/ref" ingest wiki --file "$rec" >/dev/null 2>&1
"$WG_BIN" --home "$WG_TMP/ref" sql --format csv "SELECT meta_id FROM wikimedia_bronze ORDER BY 1" >"$WG_TMP/expected"
total=$(($(wc -l <"$WG_TMP/expected") - 1))
assert_eq "$total" 39244 "recording size"

rounds=${WG_KILL_ROUNDS:-6}
for r in $(seq 1 "$rounds"); do
    delay=$(python3 -c "import random; print(round(random.uniform(0.2, 1.5), 2))")
    "$WG_BIN" --home "$WG_TMP/home" --set wiki.batch_events=300 --set wiki.backoff_initial_ms=50 \
        ingest wiki --url "$url" --refine >/dev/null 2>"$WG_TMP/ingest.log" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    b=$(q "SELECT COUNT(*) FROM wikimedia_bronze")
    d=$(q "SELECT COUNT(DISTINCT meta_id) FROM wikimedia_bronze")
    echo "round $r: killed after ${delay}s, bronze $b"
    assert_eq "$b" "$d" "no duplicate in bronze after kill $r"
done
left=$((total - $(q "SELECT COUNT(*) FROM wikimedia_bronze")))
if [ "$left" -gt 0 ]; then
    wg --set wiki.backoff_initial_ms=50 ingest wiki --url "$url" --max-events "$left" --refine >/dev/null 2>&1
fi
wg refine wiki >/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_bronze")" "$total" "bronze holds every event once"
wg sql --format csv "SELECT event_id FROM wikimedia_silver ORDER BY 1" | sed 1d >"$WG_TMP/got"
sed 1d "$WG_TMP/expected" | cmp -s - "$WG_TMP/got" || fail "silver meta.id set differs from the recording: $(sed 1d "$WG_TMP/expected" | diff - "$WG_TMP/got" | head -5)"
assert_eq "$(q "SELECT COUNT(*) FROM wikimedia_silver")" "$total" "silver rows"
