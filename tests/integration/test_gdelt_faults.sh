# GDELT download faults through the simulator's switches (simulate.gdelt_fault): a 404, a body
# too slow for gdelt.low_speed_*, a complete body of the wrong size, and a file that keeps
# failing after lastupdate.txt has moved past it: retried on later polls until
# gdelt.max_file_attempts, then left as failed; one that fails and then disappears from
# lastupdate.txt is still recovered by a later poll.
source "$(dirname "$0")/lib.sh"
need_shared
data="$WG_SHARED/data/gdelt"
a=20240715000000.export.CSV.zip
b=20250715000000.export.CSV.zip
fast=(--set gdelt.retry_attempts=2 --set gdelt.retry_initial_ms=20 --set gdelt.retry_max_ms=50)
sim_pid=""
stop_sim() { if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; sim_pid=""; fi; }
trap stop_sim EXIT
# Starts a simulator with extra settings (the previous one stopped first) on the same port
# every time: a file's URL in the ledger stays valid, as GDELT's do.
port=$(free_port)
start_sim() {
    stop_sim
    "$WG_BIN" --home "$WG_TMP/simhome" "$@" simulate --port "$port" --gdelt-dir "$data" >>"$WG_TMP/sim.log" 2>&1 &
    sim_pid=$!
    base="http://127.0.0.1:$port/gdeltv2/"
    wait_http "${base}lastupdate.txt"
}
ledger() { q "SELECT status || ' ' || attempts || ' ' || COALESCE(error, '-') FROM gdelt_ledger WHERE name = '$1'" | tr -d '"'; }
poll() { wg "${fast[@]}" "$@" ingest gdelt --live --once --url "$base" >"$WG_TMP/out" 2>"$WG_TMP/err" || fail "a failing file must not fail the poll: $(tail -n 3 "$WG_TMP/err")"; }

# --- 404 on every download: two attempts, then failed with the status in the ledger
start_sim --set simulate.speed=1 --set simulate.gdelt_fault=404
poll
grep -q "files ingested 0, skipped (already ingested) 0, failed 1" "$WG_TMP/out" || fail "404: $(cat "$WG_TMP/out")"
assert_eq "$(ledger $a)" "failed 2 GET ${base}$a: HTTP status 404" "404 recorded"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "0" "nothing in bronze"

# --- the failed file disappears from lastupdate.txt (the clock moved on: it announces $b now)
#     and the server is fine again: the next poll still fetches $a, as a retry, and $b
start_sim --set simulate.speed=100000
sleep 0.1
curl -fs "${base}lastupdate.txt" | grep -q "$a" && fail "lastupdate.txt should have moved past $a"
poll
grep -q "$a: retrying a file that failed earlier" "$WG_TMP/err" || fail "no retry of the vanished file: $(cat "$WG_TMP/err")"
assert_eq "$(ledger $a)" "ingested 3 -" "the vanished file recovered on its third attempt"
assert_eq "$(ledger $b)" "ingested 1 -" "the announced file"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "$((1766 + 3539))" "both files in bronze"

# --- slow: 1 KiB per 200 ms is ~5 KB/s; with gdelt.low_speed_bytes=20000 over 1 s the
#     download is abandoned as too slow; the same speed within the limits is fine
rm -rf "$WG_TMP/home"
start_sim --set simulate.speed=1 --set simulate.gdelt_fault=slow --set simulate.gdelt_slow_ms=200
poll --set gdelt.low_speed_bytes=20000 --set gdelt.low_speed_seconds=1
assert_eq "$(ledger $a | cut -d' ' -f1-2)" "failed 2" "too slow: failed after its attempts"
ledger $a | grep -qi "too slow\|speed\|timeout" || fail "the ledger should say the transfer was too slow: $(ledger $a)"
grep -q "retrying in" "$WG_TMP/err" || fail "a slow download is retried"
start_sim --set simulate.speed=1 --set simulate.gdelt_fault=slow --set simulate.gdelt_slow_ms=1
poll
assert_eq "$(ledger $a)" "ingested 3 -" "a slow but acceptable download is ingested"

# --- size mismatch: a complete body one byte longer than announced is refused by its size
rm -rf "$WG_TMP/home"
start_sim --set simulate.speed=1 --set simulate.gdelt_fault=size
poll
size=$(stat -c %s "$data/$a")
assert_eq "$(ledger $a)" "failed 2 size mismatch: announced $size bytes, received $((size + 1))" "size mismatch recorded"
assert_eq "$(q "SELECT size - expected_size FROM gdelt_ledger WHERE name = '$a'")" "1" "ledger keeps both sizes"

# --- max attempts: $a fails forever; after lastupdate.txt moved past it, each poll retries it
#     (2 attempts each) until gdelt.max_file_attempts = 6, then never again
rm -rf "$WG_TMP/home"
max=(--set gdelt.max_file_attempts=6)
start_sim --set simulate.speed=1 --set simulate.gdelt_fault=500
poll "${max[@]}"
assert_eq "$(ledger $a | cut -d' ' -f1-2)" "failed 2" "first poll"
start_sim --set simulate.speed=100000 --set simulate.gdelt_fault=500
sleep 0.1
for want in 4 6 6 6; do   # a retry past the cap would make it 8
    poll "${max[@]}"
    assert_eq "$(ledger $a | cut -d' ' -f1-2)" "failed $want" "attempts of $a after a poll"
done
# the server is fine again: $b (still announced) is ingested, $a stays given up
start_sim --set simulate.speed=100000
sleep 0.1
poll "${max[@]}"
grep -q "$a: retrying" "$WG_TMP/err" && fail "$a was retried after reaching gdelt.max_file_attempts"
assert_eq "$(ledger $a | cut -d' ' -f1-2)" "failed 6" "given up"
assert_eq "$(ledger $b | cut -d' ' -f1)" "ingested" "the other file"
echo ok
