# Upstream faults through the simulator's fault switches. GDELT: refused connections, 500, 429
# with Retry-After, a stall mid-body, a truncated zip, a wrong MD5, a file listed then gone.
# Wikimedia: 503 with Retry-After, a stall, a dropped connection, garbage (JSON that does not
# parse, invalid UTF-8, lines that make no event, an oversized event), duplicate and
# out-of-order event ids, clock jumps in event times. Each is survived, counted (event_log,
# ledger, quarantine), and leaves no partial row: bronze holds whole files and whole valid
# events only, silver has every good event once, `wikigdelt check` passes.
source "$(dirname "$0")/lib.sh"
need_shared
mkdir -p "$WG_TMP/gdelt"
ln -s "$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip" "$WG_TMP/gdelt/"
rows=1766
fast=(--set gdelt.retry_initial_ms=50 --set gdelt.retry_max_ms=5000 --set gdelt.retry_attempts=4
      --set gdelt.low_speed_seconds=1 --set gdelt.connect_timeout_ms=2000)
sim_pid=""
start_sim() { # start_sim PORT SETTINGS...: the simulator on PORT with the given --set options
    local port=$1; shift
    "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_generated_events=10 "$@" simulate --port "$port" \
        --gdelt-dir "$WG_TMP/gdelt" >>"$WG_TMP/sim.log" 2>&1 &
    sim_pid=$!; _wg_pids+=($sim_pid)
    wait_http "http://127.0.0.1:$port/gdeltv2/lastupdate.txt" 20
}
stop_sim() { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; }
poll() { # poll HOME PORT: one live poll of lastupdate.txt
    "$WG_BIN" --home "$1" "${fast[@]}" ingest gdelt --live --once --url "http://127.0.0.1:$2/gdeltv2/" >"$WG_TMP/poll.out" 2>"$WG_TMP/poll.err"
}
hq() { "$WG_BIN" --home "$1" sql --format csv "$2" | sed -n 2p; }
whole() { # whole HOME WHAT: the file is in bronze exactly once, whole, and check passes
    assert_eq "$(hq "$1" "SELECT status || ' ' || rows FROM gdelt_ledger")" "ingested $rows" "$2: ledger"
    assert_eq "$(hq "$1" "SELECT COUNT(*) || ' ' || COUNT(DISTINCT line_number) FROM gdelt_bronze")" "$rows $rows" "$2: bronze rows once"
    "$WG_BIN" --home "$1" check >/dev/null || fail "$2: check"
}

# --- refused: nothing listens on the port; then the simulator comes up there
port=$(free_port)
h="$WG_TMP/refused"
poll "$h" "$port" && fail "poll of a closed port succeeded"
grep -qi "refused\|couldn't connect\|could not connect" "$WG_TMP/poll.err" || fail "refused: error says $(cat "$WG_TMP/poll.err")"
assert_eq "$(hq "$h" "SELECT COUNT(*) FROM event_log WHERE kind = 'index_failed'")" "1" "refused: counted in event_log"
assert_eq "$(hq "$h" "SELECT COUNT(*) FROM gdelt_bronze")" "0" "refused: nothing in bronze"
start_sim "$port"
poll "$h" "$port" || fail "poll once the server is up: $(cat "$WG_TMP/poll.err")"
whole "$h" refused
stop_sim
echo "refused connection: survived, counted, then ingested once"

# --- transient faults on the export download: the first two attempts fail, the third succeeds
for fault in 500 truncate stall md5 404 429; do
    port=$(free_port); h="$WG_TMP/t-$fault"
    start_sim "$port" --set simulate.gdelt_fault=$fault --set simulate.gdelt_fault_count=2 \
        --set simulate.gdelt_retry_after=2 --set simulate.gdelt_stall_ms=8000
    start=$(date +%s.%N)
    poll "$h" "$port" || fail "$fault: poll failed: $(cat "$WG_TMP/poll.err")"
    took=$(echo "$(date +%s.%N) - $start" | bc)
    stop_sim
    whole "$h" "$fault"
    retries=$(hq "$h" "SELECT COUNT(*) FROM event_log WHERE kind = 'retry'")
    assert_eq "$retries" "2" "$fault: both failed attempts counted in event_log"
    reason=$(hq "$h" "SELECT message FROM event_log WHERE kind = 'retry' ORDER BY id LIMIT 1")
    case $fault in
        500) pat="status 500" ;; 404) pat="status 404" ;; 429) pat="status 429 (Retry-After 2 s)" ;;
        truncate) pat="truncated\|size mismatch" ;; stall) pat="timed out" ;; md5) pat="MD5 mismatch" ;;
    esac
    echo "$reason" | grep -q "$pat" || fail "$fault: retry reason '$reason' does not say '$pat'"
    if [ $fault = 429 ]; then
        # two waits of at least Retry-After (2 s) instead of the 50 ms backoff
        [ "$(echo "$took >= 4" | bc)" = 1 ] || fail "429: Retry-After not honoured (whole poll took ${took}s)"
    fi
    echo "$fault x2: survived in ${took}s; event_log: $reason"
done

# --- permanent faults: every attempt fails; the ledger says why, bronze has nothing of the
# file; once the server is sound again the next poll ingests it whole
for fault in truncate md5 404; do
    port=$(free_port); h="$WG_TMP/p-$fault"
    start_sim "$port" --set simulate.gdelt_fault=$fault
    poll "$h" "$port"   # the poll itself succeeds: the file's failure is in the ledger
    stop_sim
    assert_eq "$(hq "$h" "SELECT status || ' ' || rows || ' ' || attempts FROM gdelt_ledger")" "failed 0 4" "$fault: ledger says failed after 4 attempts"
    assert_eq "$(hq "$h" "SELECT COUNT(*) FROM gdelt_bronze")" "0" "$fault: no partial file in bronze"
    assert_eq "$(hq "$h" "SELECT COUNT(*) FROM event_log WHERE kind = 'file_failed'")" "1" "$fault: failure in event_log"
    echo "$fault (every attempt): $(hq "$h" "SELECT error FROM gdelt_ledger" | cut -c1-120)"
    port=$(free_port)
    start_sim "$port"
    poll "$h" "$port" || fail "$fault: poll once sound"
    stop_sim
    whole "$h" "$fault recovered"
done

# --- Wikimedia: every fault on one stream of the wikiticker day, 4000 events
port=$(free_port)
start_sim "$port" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
    --set simulate.wiki_recording="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
n=4000
q1="status=503&retry_after=1&stall_after=1500&stall_ms=2500&drop_after=2500&garbage_every=400"
q2="duplicate_every=97&reorder_every=89&clock_jump_every=101&speed=0"
url="http://127.0.0.1:$port/v2/stream/recentchange?$q1&$q2"
h="$WG_TMP/wiki"
start=$(date +%s.%N)
"$WG_BIN" --home "$h" --set wiki.stall_timeout_ms=1000 --set wiki.backoff_initial_ms=100 \
    --set wiki.max_event_bytes=1048576 ingest wiki --url "$url" --max-events $((n + 200)) --duration 60 --refine >"$WG_TMP/wiki.out" 2>"$WG_TMP/wiki.err" \
    || fail "wiki ingest under faults: $(tail -3 "$WG_TMP/wiki.err")"
took=$(echo "$(date +%s.%N) - $start" | bc)
stop_sim
ev() { hq "$h" "SELECT COUNT(*) FROM event_log WHERE kind = '$1'"; }
echo "wiki: ${took}s; event_log: http_error $(ev http_error), stall $(ev stall), disconnect $(ev disconnect), quarantine $(ev quarantine)"
[ "$(ev http_error)" -ge 1 ] || fail "503 not counted in event_log"
[ "$(ev stall)" -ge 1 ] || fail "stall not counted in event_log"
[ "$(ev disconnect)" -ge 1 ] || fail "dropped connection not counted in event_log"
[ "$(echo "$took >= 1" | bc)" = 1 ] || fail "503 Retry-After 1 s not honoured"
hq "$h" "SELECT group_concat(reason || ':' || c, ', ') FROM (SELECT reason, COUNT(*) c FROM wikimedia_quarantine GROUP BY 1)" >"$WG_TMP/reasons"
echo "wiki quarantine: $(cat "$WG_TMP/reasons")"
grep -qi "utf-8" "$WG_TMP/reasons" || fail "invalid UTF-8 not quarantined"
grep -qi "json" "$WG_TMP/reasons" || fail "unparsable JSON not quarantined"
grep -qi "large\|long\|size" "$WG_TMP/reasons" || fail "oversized event not quarantined"
assert_eq "$(hq "$h" "SELECT COUNT(*) FROM wikimedia_bronze WHERE NOT json_valid(raw)")" "0" "only whole valid events in bronze"
b=$(hq "$h" "SELECT COUNT(*) FROM wikimedia_bronze")
d=$(hq "$h" "SELECT COUNT(DISTINCT meta_id) FROM wikimedia_bronze")
s=$(hq "$h" "SELECT COUNT(*) || ' ' || COUNT(DISTINCT event_id) FROM wikimedia_silver")
echo "wiki bronze $b events ($d distinct meta.id: the duplicates as received), silver $s"
[ "$b" -gt "$d" ] || fail "the duplicated and re-sent events were not received (bronze $b, distinct $d)"
assert_eq "$s" "$d $d" "silver holds every distinct event once"
# the clock-jumped events (a day back) are in silver with their own time, or quarantined by a rule: never lost silently
jumped=$(hq "$h" "SELECT COUNT(*) FROM wikimedia_silver WHERE event_time < '2024-07-14 12:00:00'")
jq=$(hq "$h" "SELECT COUNT(*) FROM wikimedia_quarantine WHERE stage != 'ingest' OR reason LIKE '%time%'")
[ $((jumped + jq)) -ge 1 ] || fail "no clock-jumped event in silver or quarantine"
echo "clock jumps: $jumped events a day back in silver, $jq quarantined by a rule"
"$WG_BIN" --home "$h" check >"$WG_TMP/check" || fail "check after wiki faults: $(grep FAIL "$WG_TMP/check")"
echo ok
