# kill -9 in the middle of `ingest gdelt --file DIR` and of `refine gdelt`, then restart: the
# store ends exactly as an uninterrupted run over the same files leaves it (every column of the
# ledger, bronze, silver, quarantine, batches, expectation counts and checkpoints but generated
# ids and wall-clock times). Each kill is proven to land mid-work: the process was alive when
# SIGKILL was sent (it died of it) and only part of the work was committed.
source "$(dirname "$0")/lib.sh"
need_shared
python3 "$(dirname "$0")/../../bench/gdelt_inflate.py" --copies 12 --out "$WG_TMP/zips" \
    "$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip" "$WG_SHARED/data/gdelt/20250715000000.export.CSV.zip" 2>/dev/null
total=$(( 12 * (1766 + 3539) ))
db="$WG_TMP/home/wikigdelt.db"
wg sql "SELECT 1" >/dev/null   # create the store first so the watcher can open it

# Runs "$@" and SIGKILLs it as soon as SQL query $1 (run by a watcher on its own connection)
# returns a value >= 1. The watcher starts the command itself, so it is already polling when the
# command begins. Prints "killed V" (V: the query's value at the kill) when the process was still
# running at the kill and died of it; fails the test otherwise.
kill_when() {
    local query=$1 out; shift
    out=$(python3 - "$db" "$query" "$@" <<'PY'
import os, signal, sqlite3, subprocess, sys, time
db, query, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
con = sqlite3.connect(db, timeout=0.05)
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 60
result = "timeout"
while time.time() < deadline:
    if proc.poll() is not None:
        result = "finished"
        break
    try:
        v = con.execute(query).fetchone()[0]
    except sqlite3.Error:
        v = 0
    if v and v >= 1:
        proc.send_signal(signal.SIGKILL)
        result = f"killed {v}"
        break
    time.sleep(0.002)
rc = proc.wait()
if result.startswith("killed") and rc != -signal.SIGKILL:
    result = f"finished with {rc} before the kill"
print(result)
PY
)
    [[ "$out" == killed* ]] || fail "the kill did not land mid-work: $out"
    echo "${out#killed }"
}

# --- the uninterrupted run over the same files
ref="$WG_TMP/ref"
"$WG_BIN" --home "$ref" ingest gdelt --file "$WG_TMP/zips" >/dev/null 2>&1
"$WG_BIN" --home "$ref" --set gdelt.silver_batch_rows=2000 refine gdelt >/dev/null 2>&1
assert_eq "$(qh "$ref" "SELECT COUNT(*) FROM gdelt_silver")" "$total" "uninterrupted run: every event in silver"
batches=$(qh "$ref" "SELECT COUNT(*) FROM gdelt_silver_batches")

# --- ingest: kill once at least one file is committed
at=$(kill_when "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'" \
        "$WG_BIN" --home "$WG_TMP/home" ingest gdelt --file "$WG_TMP/zips")
done_files=$(q "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'")
echo "ingest: killed with $at file(s) seen committed, $done_files of 24 committed"
[ "$done_files" -ge 1 ] && [ "$done_files" -lt 24 ] || fail "ingest kill not mid-work: $done_files of 24 files committed"
assert_eq "$(q "SELECT COUNT(*) = SUM(rows IS NOT NULL) FROM gdelt_ledger")" "1" "ledger readable after kill"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "$(q "SELECT COALESCE(SUM(rows),0) FROM gdelt_ledger WHERE status='ingested'")" \
          "bronze holds exactly the rows of the files marked ingested"
wg ingest gdelt --file "$WG_TMP/zips" >"$WG_TMP/o1" 2>/dev/null
assert_same_table gdelt_ledger "$db" "$ref/wikigdelt.db" file_id first_seen updated_at
assert_same_table gdelt_bronze "$db" "$ref/wikigdelt.db" bronze_id file_id ingested_at

# --- refine: small batches; kill once a batch is committed
at=$(kill_when "SELECT COUNT(*) FROM gdelt_silver_batches" \
        "$WG_BIN" --home "$WG_TMP/home" --set gdelt.silver_batch_rows=2000 refine gdelt)
done_batches=$(q "SELECT COUNT(*) FROM gdelt_silver_batches")
echo "refine: killed with $at batch(es) seen committed, $done_batches of $batches committed"
[ "$done_batches" -ge 1 ] && [ "$done_batches" -lt "$batches" ] || fail "refine kill not mid-work: $done_batches of $batches batches"
assert_eq "$(q "SELECT COUNT(*)")" "1" "store readable"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "$(q "SELECT COALESCE(SUM(rows_written),0) FROM gdelt_silver_batches")" \
          "silver holds exactly the committed batches"
assert_eq "$(q "SELECT COALESCE(MAX(last_bronze_id),0) FROM gdelt_silver_batches")" "$(q "SELECT COALESCE(MAX(value+0),0) FROM checkpoints WHERE flow='gdelt_silver'")" \
          "checkpoint = last committed batch"
wg --set gdelt.silver_batch_rows=2000 refine gdelt >/dev/null
assert_same_table gdelt_silver "$db" "$ref/wikigdelt.db" silver_id bronze_id
assert_same_table gdelt_quarantine "$db" "$ref/wikigdelt.db" quarantine_id bronze_id batch_id quarantined_at
assert_same_table gdelt_silver_batches "$db" "$ref/wikigdelt.db" batch_id finished_at
assert_same_table expectation_counts "$db" "$ref/wikigdelt.db" id ts batch_id
assert_same_table checkpoints "$db" "$ref/wikigdelt.db" updated_at
# ids too: bronze ids are reused after a rollback, so silver points at the same bronze rows
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver s JOIN gdelt_bronze b USING (bronze_id) WHERE instr(b.raw_line, s.GLOBALEVENTID || char(9)) = 1")" "$total" "every silver row points at its bronze line"
# Flow progress rows carry timings: the same batches with the same rows in and out, and the rest
# of the event log identical.
progress="SELECT flow, json_extract(details, '\$.batch_id'), json_extract(details, '\$.input_rows'), json_extract(details, '\$.output_rows') FROM event_log WHERE kind = 'flow_progress' ORDER BY 1, 2"
assert_eq "$(sqlite3 "$db" "$progress" | md5sum)" "$(sqlite3 "$ref/wikigdelt.db" "$progress" | md5sum)" "flow progress: the same batches, rows in and out"
[ "$(sqlite3 "$db" "SELECT COUNT(*) FROM event_log WHERE kind = 'flow_progress'")" -gt 0 ] || fail "no flow progress rows"
DUMP_WHERE="kind <> 'flow_progress'" assert_same_table event_log "$db" "$ref/wikigdelt.db" id ts
echo ok
