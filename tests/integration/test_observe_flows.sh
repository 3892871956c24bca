# Flow progress, latency and counters against the simulator at a known rate: what the event log,
# the metrics and `status` say agrees with what was sent and with the store.
source "$(dirname "$0")/lib.sh"
need_shared
rec="$WG_SHARED/data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson"
# The recording: 100 events over 135 s of meta.dt; at speed 20 the stream sends ~14.8 events/s.
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_heartbeat_ms=200 \
    simulate --port "$port" --speed 20 --wiki-recording "$rec" --gdelt-dir "$WG_SHARED/data/gdelt" \
    >"$WG_TMP/sim.log" 2>&1
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
url="http://127.0.0.1:$port/v2/stream/recentchange"

# 1. the SSE source with the silver flow inline, micro-batches of at most 300 ms
wg --set wiki.batch_ms=300 ingest wiki --url "$url" --max-events 100 --refine >"$WG_TMP/wiki.out" 2>"$WG_TMP/wiki.err" \
    || fail "ingest wiki: $(tail -3 "$WG_TMP/wiki.err")"
m() { wg metrics | python3 "$(dirname "$0")/prom_strict.py" >"$WG_TMP/samples.json" || fail "exposition not strict"; }
v() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(d.get(sys.argv[2], -1)))' "$WG_TMP/samples.json" "$1"; }
m
assert_eq "$(v 'wikigdelt_flow_output_rows_total{flow="wikimedia_bronze"}')" 100 "bronze output counter = events sent"
assert_eq "$(v 'wikigdelt_flow_input_rows_total{flow="wikimedia_silver"}')" 100 "silver input counter"
assert_eq "$(v 'wikigdelt_flow_output_rows_total{flow="wikimedia_silver"}')" "$(q "SELECT COUNT(*) FROM wikimedia_silver")" "silver output counter = silver rows"
assert_eq "$(v 'wikigdelt_record_latency_seconds_count{stream="wiki",stage="silver",from="receipt"}')" 100 "one latency per record"
assert_eq "$(v 'wikigdelt_flow_bytes_total{flow="wikimedia_bronze"}')" "$(v 'wikigdelt_flow_bytes_total{flow="wikimedia_bronze"}')" "bytes"
[ "$(v 'wikigdelt_flow_bytes_total{flow="wikimedia_bronze"}')" -gt "$(q "SELECT SUM(LENGTH(raw)) FROM wikimedia_bronze")" ] \
    || fail "bytes downloaded should exceed the events' JSON (SSE framing on top)"
[ "$(v 'wikigdelt_source_fetches_total{source="wiki",code="200"}')" -ge 1 ] || fail "the SSE connection's status is counted"
# expectation failures: the counter equals expectation_counts
assert_eq "$(v 'wikigdelt_expectation_checked_rows_total{flow="wikimedia_silver",rule="title_present",action="warn"}')" \
          "$(q "SELECT SUM(checked) FROM expectation_counts WHERE flow='wikimedia_silver' AND rule='title_present'")" "checked rows by rule"
# the event log: one flow_progress row per committed batch, rows summing to what was sent
assert_eq "$(q "SELECT SUM(json_extract(details,'\$.output_rows')) FROM event_log WHERE kind='flow_progress' AND flow='wikimedia_bronze'")" 100 "event log output rows"
assert_eq "$(q "SELECT SUM(json_extract(details,'\$.input_rows')) FROM event_log WHERE kind='flow_progress' AND flow='wikimedia_silver'")" 100 "event log silver input"
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND flow='wikimedia_bronze'")" \
          "$(v 'wikigdelt_flow_batches_total{flow="wikimedia_bronze"}')" "a row per batch"
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND (json_extract(details,'\$.batch_start') IS NULL OR json_extract(details,'\$.duration_seconds') IS NULL OR json_type(details,'\$.expectations') IS NULL)")" 0 "every row has start, duration, expectations"
# the rate the simulator sent at: 100 events over 135/20 = 6.75 s (first to last batch, +-25%)
rate=$(q "SELECT ROUND(SUM(json_extract(details,'\$.output_rows')) / ((julianday(MAX(json_extract(details,'\$.batch_end'))) - julianday(MIN(json_extract(details,'\$.batch_start')))) * 86400), 2) FROM event_log WHERE kind='flow_progress' AND flow='wikimedia_bronze'")
python3 -c "import sys; r=float(sys.argv[1]); sys.exit(0 if 14.8*0.75 <= r <= 14.8*1.25 else 1)" "$rate" \
    || fail "measured rate $rate events/s, sent 14.8 events/s"
echo "rate: $rate events/s (sent 14.8)"
# latency: status's sliding-window percentiles agree with a recomputation from the store, and
# receipt-to-silver stays under one micro-batch (300 ms) plus 500 ms of slack
wg status --format json >"$WG_TMP/status.json"
python3 "$(dirname "$0")/observe_check.py" latency "$WG_TMP/home/wikigdelt.db" "$WG_TMP/status.json" wikimedia_silver wiki \
    || fail "latency percentiles disagree with the store"
p99=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(f for f in d["flows"] if f["flow"]=="wikimedia_silver")["latency_seconds"]["wiki_from_receipt"]["p99"])' "$WG_TMP/status.json")
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 0.8 else 1)" "$p99" || fail "receipt-to-silver p99 $p99 s over 0.8 s"
wg status >"$WG_TMP/status.txt"
grep -q "^  wikimedia_silver" "$WG_TMP/status.txt" || fail "status text shows the flow"
grep -q "latency      wiki from receipt to silver" "$WG_TMP/status.txt" || fail "status text shows latency percentiles"

# 2. GDELT live, one poll: fetch statuses, bytes = the files' sizes, silver latency per record
wg ingest gdelt --live --once --url "http://127.0.0.1:$port/gdeltv2/" --refine >"$WG_TMP/gdelt.out" 2>"$WG_TMP/gdelt.err" \
    || fail "ingest gdelt: $(tail -3 "$WG_TMP/gdelt.err")"
m
assert_eq "$(v 'wikigdelt_flow_bytes_total{flow="gdelt_bronze"}')" "$(q "SELECT SUM(size) FROM gdelt_ledger WHERE status='ingested'")" "gdelt bytes = files"
assert_eq "$(v 'wikigdelt_flow_output_rows_total{flow="gdelt_bronze"}')" "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "gdelt bronze rows"
[ "$(v 'wikigdelt_source_fetches_total{source="gdelt",code="200"}')" -ge 2 ] || fail "lastupdate.txt and the zip are counted"
assert_eq "$(v 'wikigdelt_record_latency_seconds_count{stream="gdelt",stage="silver",from="receipt"}')" "$(q "SELECT COUNT(*) FROM gdelt_silver")" "gdelt silver latency per record"
# a file's 1,766 rows are over observe.latency_sample (1000): every 2nd row is measured, weighing 2
assert_eq "$(q "SELECT SUM(json_extract(details,'\$.latency.gdelt.receipt.n')) FROM event_log WHERE kind='flow_progress' AND flow='gdelt_silver'")" \
          "$(q "SELECT COUNT(*) FROM gdelt_silver")" "sampled latency still counts every record"
[ "$(q "SELECT MAX(json_extract(details,'\$.latency.gdelt.receipt.sampled')) FROM event_log WHERE kind='flow_progress' AND flow='gdelt_silver'")" -le 1000 ] \
    || fail "large batches are sampled"
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND flow='gdelt_bronze' AND json_extract(details,'\$.watermark') IS NOT NULL AND json_extract(details,'\$.lag_seconds') > 0")" \
          "$(q "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'")" "gdelt batches carry the slot as watermark and a lag"

# 3. gold and bursts, from the caller of the gold flow
wg correlate >/dev/null 2>"$WG_TMP/corr.err" || fail "correlate: $(tail -3 "$WG_TMP/corr.err")"
m
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND flow IN ('gold','bursts')")" 2 "gold and bursts rows"
assert_eq "$(v 'wikigdelt_record_latency_seconds_count{stream="gdelt",stage="gold",from="receipt"}')" \
          "$(q "SELECT COUNT(*) FROM gold_events")" "gold latency per event"
assert_eq "$(v 'wikigdelt_gold_pairs_total{}')" "$(q "SELECT COUNT(*) FROM correlated_gold_events")" "gold pairs emitted"
assert_eq "$(v 'wikigdelt_flow_input_rows_total{flow="gold"}')" "$(q "SELECT (SELECT COUNT(*) FROM gdelt_silver) + (SELECT COUNT(*) FROM wikimedia_silver)")" "gold input rows"

# 4. retention prunes old progress rows; observe.enabled=0 writes none
wg sql "SELECT 1" >/dev/null
before=$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress'")
sqlite3 "$WG_TMP/home/wikigdelt.db" "UPDATE event_log SET ts='2000-01-01 00:00:00' WHERE kind='flow_progress' AND flow='wikimedia_bronze'"
wg --set observe.retention_hours=1 ingest gdelt --file "$WG_SHARED/data/gdelt/" >/dev/null 2>&1
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress' AND flow='wikimedia_bronze'")" 0 "old rows pruned"
[ "$before" -gt 0 ] || fail "rows before"
n0=$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress'")
wg --set observe.enabled=0 refine >/dev/null 2>&1
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE kind='flow_progress'")" "$n0" "observe.enabled=0"
echo "ok"
