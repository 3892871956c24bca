# GDELT live and backfill modes against the loopback simulator: lastupdate.txt polling with the
# simulated clock advancing, faults (wrong MD5, HTTP 500, truncated body, refused connection)
# retried with backoff then recorded in the ledger, a later poll recovering the failed file,
# backfill over masterfilelist.txt by time range, and the catch-up of a gap between polls.
source "$(dirname "$0")/lib.sh"
need_shared
data="$WG_SHARED/data/gdelt"
a=20240715000000.export.CSV.zip
b=20250715000000.export.CSV.zip
fast_retry=(--set gdelt.retry_attempts=3 --set gdelt.retry_initial_ms=20 --set gdelt.retry_max_ms=100)

# Background processes are tracked here rather than with lib.sh's bg, because some of them are
# stopped (and reaped) by the test itself before it ends.
sim_pid="" live_pid=""
stop_all() { local p; for p in $sim_pid $live_pid; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT
# Starts a simulator with extra settings; sets $base. Stops the previous one first.
start_sim() {
    if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    local port
    port=$(free_port)
    "$WG_BIN" --home "$WG_TMP/simhome" "$@" simulate --port "$port" --gdelt-dir "$data" &
    sim_pid=$!
    base="http://127.0.0.1:$port/gdeltv2/"
    wait_http "${base}lastupdate.txt"
}

# --- speed 1: only the first slot is published; live picks it up once
start_sim --set simulate.speed=1
curl -fs "${base}lastupdate.txt" | grep -q "$a" || fail "lastupdate announces the first slot"
[ "$(curl -fs "${base}lastupdate.txt" | wc -l)" = 3 ] || fail "lastupdate has export, mentions and gkg lines"
curl -fs "${base}masterfilelist.txt" | grep -q "$b" && fail "second slot must not be published yet"
wg ingest gdelt --live --once --url "$base" >"$WG_TMP/o1"
grep -q "files ingested 1, .* rows 1766" "$WG_TMP/o1" || fail "live once: $(cat "$WG_TMP/o1")"
wg ingest gdelt --live --once --url "$base" >"$WG_TMP/o2"
grep -q "files ingested 0, skipped (already ingested) 1" "$WG_TMP/o2" || fail "second poll skips: $(cat "$WG_TMP/o2")"
assert_eq "$(q "SELECT mode || ' ' || status || ' ' || rows || ' ' || (md5 = expected_md5) || ' ' || (size = expected_size) FROM gdelt_ledger WHERE name='$a'")" \
          "live ingested 1766 1 1" "ledger row of a live file"

# --- every download corrupted (wrong MD5): retried, then recorded as failed; the poll still succeeds
start_sim --set simulate.speed=100000 --set simulate.gdelt_fault=md5
wg "${fast_retry[@]}" ingest gdelt --live --once --url "$base" >"$WG_TMP/o3" 2>"$WG_TMP/e3" || fail "a bad file must not fail the poll: $(cat "$WG_TMP/e3")"
grep -q "failed 1" "$WG_TMP/o3" || fail "md5 fault counted: $(cat "$WG_TMP/o3")"
assert_eq "$(q "SELECT status || ' ' || attempts FROM gdelt_ledger WHERE name='$b'")" "failed 3" "md5 failure after 3 attempts"
q "SELECT error FROM gdelt_ledger WHERE name='$b'" | grep -q "MD5 mismatch: announced $(md5sum "$data/$b" | cut -d' ' -f1)" || fail "ledger error names the MD5"
grep -q "retrying in" "$WG_TMP/e3" || fail "retries are logged"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze WHERE source_file='$b'")" "0" "nothing of a failed file in bronze"

# --- HTTP 500 twice then fine: the next poll retries the failed file and ingests it
start_sim --set simulate.speed=100000 --set simulate.gdelt_fault=500 --set simulate.gdelt_fault_count=2
wg "${fast_retry[@]}" ingest gdelt --live --once --url "$base" >"$WG_TMP/o4" 2>"$WG_TMP/e4"
grep -q "HTTP status 500" "$WG_TMP/e4" || fail "500 logged: $(cat "$WG_TMP/e4")"
assert_eq "$(q "SELECT status || ' ' || attempts || ' ' || rows || ' ' || COALESCE(error, '-') FROM gdelt_ledger WHERE name='$b'")" \
          "ingested 6 3539 -" "recovered after 500s"

# --- truncated body once, in backfill mode over masterfilelist.txt (fresh home)
start_sim --set simulate.speed=100000 --set simulate.gdelt_fault=truncate --set simulate.gdelt_fault_count=1
h2="$WG_TMP/h2"
"$WG_BIN" --home "$h2" "${fast_retry[@]}" ingest gdelt --backfill 20240715 20240715 --url "$base" >"$WG_TMP/o5" 2>"$WG_TMP/e5"
grep -q "files ingested 1, skipped (already ingested) 0, failed 0, rows 1766, retries 1" "$WG_TMP/o5" || fail "backfill one day: $(cat "$WG_TMP/o5")"
grep -q "truncated body" "$WG_TMP/e5" || fail "truncation logged: $(cat "$WG_TMP/e5")"
"$WG_BIN" --home "$h2" ingest gdelt --backfill 2024-07-01T00:00:00Z 2025-12-31 --url "$base" >"$WG_TMP/o6" 2>/dev/null
grep -q "files ingested 1, skipped (already ingested) 1, failed 0, rows 3539" "$WG_TMP/o6" || fail "backfill wider range: $(cat "$WG_TMP/o6")"
"$WG_BIN" --home "$h2" ingest gdelt --backfill 20200101 20201231 --url "$base" >"$WG_TMP/o7" 2>/dev/null
grep -q "files ingested 0, skipped (already ingested) 0" "$WG_TMP/o7" || fail "empty range: $(cat "$WG_TMP/o7")"
"$WG_BIN" --home "$h2" refine gdelt >/dev/null
assert_eq "$(qh "$h2" "SELECT COUNT(*) FROM gdelt_silver")" "5305" "silver after backfill"

# --- nobody listening: the index fetch fails after its retries, exit 1 with a clear message
dead="http://127.0.0.1:$(free_port)/gdeltv2/"
set +e
wg "${fast_retry[@]}" ingest gdelt --live --once --url "$dead" >/dev/null 2>"$WG_TMP/e8"; rc=$?
set -e
assert_eq "$rc" "1" "refused connection exits 1 in --once mode"
grep -q "lastupdate.txt" "$WG_TMP/e8" || fail "error names the URL: $(cat "$WG_TMP/e8")"

# --- continuous live mode follows the simulated clock (one slot per 900 simulated s, x300 here:
#     3 s per slot, so a slow start (ASan, a loaded machine) still sees the first slot alone)
start_sim --set simulate.speed=300
h3="$WG_TMP/h3"
"$WG_BIN" --home "$h3" ingest gdelt --live --interval 0.3 --refine --url "$base" &
live_pid=$!
for _ in $(seq 1 100); do
    # The live process may still be creating the store: a failing query just means "not yet".
    n=$("$WG_BIN" --home "$h3" sql --format csv "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'" 2>/dev/null | sed -n 2p || true)
    [ "${n:-0}" = 2 ] && break
    sleep 0.2
done
assert_eq "${n:-0}" "2" "live mode picked up the second slot when it was published"
kill -TERM "$live_pid"
wait "$live_pid" || fail "live mode exits 0 on SIGTERM"
live_pid=""
assert_eq "$(qh "$h3" "SELECT COUNT(*) FROM gdelt_silver")" "5305" "live --refine fills silver"

# --- generated slots: consecutive 15-minute exports inflated from the real ones
start_sim --set simulate.speed=100000 --set simulate.gdelt_slots=4
h4="$WG_TMP/h4"
"$WG_BIN" --home "$h4" ingest gdelt --backfill 20240715 20240715 --url "$base" --refine >"$WG_TMP/o9" 2>/dev/null
grep -q "files ingested 4, .* rows 10610" "$WG_TMP/o9" || fail "generated slots: $(cat "$WG_TMP/o9")"
assert_eq "$(qh "$h4" "SELECT group_concat(n, ' ') FROM (SELECT COUNT(DISTINCT GLOBALEVENTID) AS n FROM gdelt_silver GROUP BY event_time ORDER BY event_time)")" \
          "1766 3539 1766 3539" "one slot per 15 minutes, fresh ids"

# --- catch-up: a poll after a gap also fetches the exports published while no poll ran (one slot
#     per simulated 900 s at x900: one per second). Home h5 catches up on all of them; home h6
#     may reach back only one slot, and the older part of the gap is named in event_log.
start_sim --set simulate.speed=900 --set simulate.gdelt_slots=40
h5="$WG_TMP/h5" h6="$WG_TMP/h6"
wg_home() { local h=$1; shift; "$WG_BIN" --home "$h" "$@"; }
wg_home "$h5" ingest gdelt --live --once --url "$base" >/dev/null 2>&1 || fail "first poll (h5)"
wg_home "$h6" ingest gdelt --live --once --url "$base" >/dev/null 2>&1 || fail "first poll (h6)"
first5=$(qh "$h5" "SELECT MAX(name) FROM gdelt_ledger")
sleep 5
wg_home "$h5" ingest gdelt --live --once --url "$base" >"$WG_TMP/o10" 2>"$WG_TMP/e10" || fail "catch-up poll: $(cat "$WG_TMP/e10")"
grep -q "catching up" "$WG_TMP/e10" || fail "the poll after the gap says it catches up: $(cat "$WG_TMP/e10")"
slots="SELECT (strftime('%s', MAX(substr(name,1,4)||'-'||substr(name,5,2)||'-'||substr(name,7,2)||' '||substr(name,9,2)||':'||substr(name,11,2))) - strftime('%s', MIN(substr(name,1,4)||'-'||substr(name,5,2)||'-'||substr(name,7,2)||' '||substr(name,9,2)||':'||substr(name,11,2)))) / 900 + 1 FROM gdelt_ledger"
n5=$(qh "$h5" "SELECT COUNT(*) FROM gdelt_ledger WHERE status = 'ingested'")
[ "$n5" -ge 4 ] || fail "at least four slots after five simulated hours' worth of seconds, got $n5"
assert_eq "$(qh "$h5" "$slots")" "$n5" "no slot missing between the first poll and the one after the gap"
assert_eq "$(qh "$h5" "SELECT MIN(name) FROM gdelt_ledger")" "$first5" "nothing older than the first poll"
assert_eq "$(qh "$h5" "SELECT COUNT(*) FROM gdelt_ledger WHERE mode = 'live'")" "2" "the two announced files came live"
assert_eq "$(qh "$h5" "SELECT COUNT(*) FROM gdelt_ledger WHERE mode = 'backfill'")" "$((n5 - 2))" "the gap came through masterfilelist"
[ "$(qh "$h5" "SELECT datetime(value, 'unixepoch', 'utc') FROM checkpoints WHERE flow = 'gdelt.live_through'" | tr -d ' :-')" = "$(qh "$h5" "SELECT substr(MAX(name), 1, 14) FROM gdelt_ledger")" ] ||
    fail "gdelt.live_through is the newest slot: $(qh "$h5" "SELECT value FROM checkpoints WHERE flow = 'gdelt.live_through'")"
# bronze in time order: each file's rows after the previous file's
assert_eq "$(qh "$h5" "SELECT COUNT(*) FROM (SELECT source_file AS f, MIN(bronze_id) AS lo FROM gdelt_bronze GROUP BY 1) a JOIN (SELECT source_file AS f, MIN(bronze_id) AS lo FROM gdelt_bronze GROUP BY 1) b ON a.f < b.f AND a.lo > b.lo")" "0" "bronze in slot order"
wg_home "$h6" --set gdelt.live.catchup_hours=0.25 ingest gdelt --live --once --url "$base" >/dev/null 2>"$WG_TMP/e11" || fail "limited catch-up poll: $(cat "$WG_TMP/e11")"
n6=$(qh "$h6" "SELECT COUNT(*) FROM gdelt_ledger WHERE status = 'ingested'")
assert_eq "$n6" "3" "with catchup_hours 0.25: the first slot, one slot of the gap, the newest"
assert_eq "$(qh "$h6" "SELECT COUNT(*) FROM event_log WHERE kind = 'catchup_limited' AND message LIKE '%--backfill%'")" "1" "the older part of the gap named in event_log"
# --- a catch-up whose masterfilelist.txt cannot be read: the newest file still comes in, the
#     poll fails naming the list, and the checkpoint stays at the first slot for the next poll
start_sim --set simulate.speed=900 --set simulate.gdelt_slots=40 --set simulate.gdelt_masterfilelist=0
h7="$WG_TMP/h7"
wg_home "$h7" ingest gdelt --live --once --url "$base" >/dev/null 2>&1 || fail "first poll (h7)"
through7=$(qh "$h7" "SELECT value FROM checkpoints WHERE flow = 'gdelt.live_through'")
[ -n "$through7" ] || fail "the first poll sets gdelt.live_through"
sleep 3
wg_home "$h7" "${fast_retry[@]}" ingest gdelt --live --once --url "$base" >"$WG_TMP/o12" 2>"$WG_TMP/e12" &&
    fail "a catch-up that cannot read masterfilelist.txt must fail the poll"
grep -q "catching up: .*masterfilelist.txt" "$WG_TMP/e12" || fail "the error names the list: $(tail -n 3 "$WG_TMP/e12")"
assert_eq "$(qh "$h7" "SELECT COUNT(*) FROM gdelt_ledger WHERE status = 'ingested' AND mode = 'live'")" "2" "the newest file still ingested"
assert_eq "$(qh "$h7" "SELECT COUNT(*) FROM gdelt_ledger WHERE mode = 'backfill'")" "0" "nothing of the gap"
assert_eq "$(qh "$h7" "SELECT value FROM checkpoints WHERE flow = 'gdelt.live_through'")" "$through7" "the checkpoint stays for the next poll"

echo ok
