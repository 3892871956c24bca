# kill -9 in the middle of `ingest gdelt --file DIR` and of `refine gdelt`, then restart: every
# row arrives exactly once in bronze and in silver (the ledger row, the bronze rows, and the silver
# batch with its checkpoint each commit in one transaction).
source "$(dirname "$0")/lib.sh"
need_shared
python3 "$(dirname "$0")/../../bench/gdelt_inflate.py" --copies 12 --out "$WG_TMP/zips" \
    "$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip" "$WG_SHARED/data/gdelt/20250715000000.export.CSV.zip" 2>/dev/null
total=$(( 12 * (1766 + 3539) ))
db="$WG_TMP/home/wikigdelt.db"
wg sql "SELECT 1" >/dev/null   # create the store first so the watcher can open it

# Runs "$@" and SIGKILLs it as soon as SQL query $1 (run by a watcher on its own connection)
# returns a value >= 1. The watcher starts the command itself, so it is already polling when the
# command begins. Prints "killed", or "finished" when the command completed first.
kill_when() {
    local query=$1; shift
    python3 - "$db" "$query" "$@" <<'PY'
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
        result = "killed"
        break
    time.sleep(0.002)
proc.wait()
print(result)
PY
}

# --- ingest: kill once at least one file is committed
r1=$(kill_when "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'" \
        "$WG_BIN" --home "$WG_TMP/home" ingest gdelt --file "$WG_TMP/zips")
echo "ingest: $r1 with $(q "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'") of 24 files committed"
assert_eq "$(q "SELECT COUNT(*) = SUM(rows IS NOT NULL) FROM gdelt_ledger")" "1" "ledger readable after kill"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "$(q "SELECT COALESCE(SUM(rows),0) FROM gdelt_ledger WHERE status='ingested'")" \
          "bronze holds exactly the rows of the files marked ingested"
wg ingest gdelt --file "$WG_TMP/zips" >"$WG_TMP/o1" 2>/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "$total" "every row in bronze after the restart"
assert_eq "$(q "SELECT COUNT(*) FROM (SELECT DISTINCT source_file, line_number FROM gdelt_bronze)")" "$total" "no bronze row twice"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_ledger WHERE status='ingested'")" "24" "all files in the ledger"

# --- refine: small batches; kill once a batch is committed
r2=$(kill_when "SELECT COUNT(*) FROM gdelt_silver_batches" \
        "$WG_BIN" --home "$WG_TMP/home" --set gdelt.silver_batch_rows=2000 refine gdelt)
echo "refine: $r2 after $(q "SELECT COUNT(*) FROM gdelt_silver_batches") batches"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "$(q "SELECT COALESCE(SUM(rows_written),0) FROM gdelt_silver_batches")" \
          "silver holds exactly the committed batches"
assert_eq "$(q "SELECT COALESCE(MAX(last_bronze_id),0) FROM gdelt_silver_batches")" "$(q "SELECT COALESCE(MAX(value+0),0) FROM checkpoints WHERE flow='gdelt_silver'")" \
          "checkpoint = last committed batch"
wg --set gdelt.silver_batch_rows=2000 refine gdelt >/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "$total" "every event in silver after the restart"
assert_eq "$(q "SELECT COUNT(DISTINCT GLOBALEVENTID) FROM gdelt_silver")" "$total" "no event twice"
assert_eq "$(q "SELECT SUM(rows_read) || ' ' || SUM(rows_duplicate) FROM gdelt_silver_batches")" "$total 0" "each bronze row refined once"
echo ok
