# Delta export read back by real engines: both GDELT exports and the wikiticker day in silver
# (written as the gold tests write them), gold correlated and drained, then every exportable table
# exported in small batches (several commits, Parquet checkpoints) and compared row by row, column
# by column with the lakehouse through delta-rs, pyarrow and DuckDB, and through Spark (delta-spark,
# local mode) with the report's heatmap and correlation-matrix queries. Exactly once: a stop just
# before and just after a Delta commit (the export's test hook), then a rerun, leaves every row
# once; new silver rows are appended by the next run as a new version.
source "$(dirname "$0")/lib.sh"
need_shared
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
"$root/scripts/setup-lake.sh" "$WG_BUILD" --spark || fail "setup-lake failed"
py="$WG_BUILD/venv-lake/bin/python"
db="$WG_TMP/home/wikigdelt.db"
out="$WG_TMP/delta"
wg sql "SELECT 1" >/dev/null
python3 "$here/silver_rows.py" "$db" "$WG_SHARED/data" gdelt 20240715000000.export.CSV.zip
python3 "$here/silver_rows.py" "$db" "$WG_SHARED/data" wiki 2024-07-15 d2024
wg correlate >/dev/null
python3 "$here/silver_rows.py" "$db" "$WG_SHARED/data" gdelt 20250715000000.export.CSV.zip
python3 "$here/silver_rows.py" "$db" "$WG_SHARED/data" wiki 2025-07-15 d2025
wg correlate --drain >/dev/null
closed=$(q "SELECT COUNT(*) FROM gold_events WHERE closed_at IS NOT NULL")
pairs=$(q "SELECT COUNT(*) FROM correlated_gold_events")
[ "$closed" -gt 0 ] && [ "$pairs" -gt 0 ] || fail "no closed gold events ($closed) or pairs ($pairs) to export"

# A stop right after the first Delta commit of gdelt_silver, before export_state records it.
set +e
WIKIGDELT_EXPORT_FAULT=after_commit wg --set export.delta.batch_rows=2000 export delta --table gdelt_silver --to "$out"
rc=$?
set -e
assert_eq "$rc" "3" "the test hook stopped the export after its commit"
assert_eq "$(ls "$out/gdelt_silver/_delta_log/" | grep -c '\.json$')" "1" "one commit landed"
assert_eq "$(q "SELECT COUNT(*) FROM export_state")" "0" "and was not recorded"
# A stop just before the second commit: its Parquet files are written but never committed.
set +e
WIKIGDELT_EXPORT_FAULT=before_commit WIKIGDELT_EXPORT_FAULT_SEQ=3 wg --set export.delta.batch_rows=2000 export delta --table gdelt_silver --to "$out" >"$WG_TMP/o1" 2>&1
rc=$?
set -e
assert_eq "$rc" "3" "the test hook stopped the export before a commit"
grep -q "recovered its mark 2000" "$WG_TMP/o1" || { cat "$WG_TMP/o1"; fail "the unrecorded commit was not recovered"; }
assert_eq "$(q "SELECT seq || ' ' || mark || ' ' || delta_version FROM export_state WHERE table_name = 'gdelt_silver'")" "2 4000 1" "recovered commit 1, then committed 2"
orphans=$(find "$out/gdelt_silver" -name '*.parquet' | wc -l)
# The rerun finishes: every row once, in 3 commits, whatever was left behind.
wg --set export.delta.batch_rows=2000 --set export.delta.checkpoint_interval=2 export delta --to "$out" >"$WG_TMP/o2"
cat "$WG_TMP/o2"
grep -q "^gdelt_silver -> .*: 1 commits, 1305 rows" "$WG_TMP/o2" || fail "gdelt_silver rerun should add exactly the last 1305 rows"
[ -f "$out/wikimedia_silver/_delta_log/_last_checkpoint" ] || fail "no checkpoint after 40 wikimedia commits"
[ -f "$out/wikimedia_silver/_delta_log/00000000000000000038.checkpoint.parquet" ] || fail "checkpoint 38 missing"
"$py" "$here/delta_check.py" "$db" "$out" gdelt_silver wikimedia_silver gold_events correlated_gold_events \
    --commits gdelt_silver=3 --commits wikimedia_silver=40 | tee "$WG_TMP/check1"
[ "$orphans" -gt 0 ] || fail "the stopped batch left no uncommitted files (test hook did not fire mid-batch)"

# Nothing new: no commit. New silver rows: one more version, appended once.
wg export delta --to "$out" >"$WG_TMP/o3"
grep -q "^gdelt_silver -> .*: 0 commits, 0 rows" "$WG_TMP/o3" || fail "an export with nothing new committed something"
sqlite3 "$db" "INSERT INTO gdelt_silver (GLOBALEVENTID, SQLDATE, AvgTone, EventCode, event_time, time_bucket)
               VALUES (999000001, 20250716, -1.5, '141', '2025-07-16 01:02:03', '2025-07-16 00:00:00'),
                      (999000002, 20250716, NULL, NULL, NULL, NULL)"
wg export delta --table gdelt_silver --to "$out" | grep -q ": 1 commits, 2 rows, 2 files" || fail "2 new rows, 2 partitions (a date and NULL)"
"$py" "$here/delta_check.py" "$db" "$out" gdelt_silver --commits gdelt_silver=4

# Spark reads every table with the same rows and types; the report's queries agree.
"$py" "$here/delta_check.py" "$db" "$out" gdelt_silver wikimedia_silver gold_events correlated_gold_events --spark 2>"$WG_TMP/spark.err" | tee "$WG_TMP/check2" \
    || { tail -20 "$WG_TMP/spark.err"; fail "spark check"; }
grep -q "ok spark correlation matrix" "$WG_TMP/check2" || fail "the correlation matrix was not compared on Spark"

# Bad input: an unknown table, and a Delta directory changed behind our back, are clear errors.
set +e
wg export delta --table gold_late --to "$out" 2>"$WG_TMP/e1"; rc1=$?
rm "$out/gdelt_silver/_delta_log/00000000000000000003.json"
wg export delta --table gdelt_silver --to "$out" 2>"$WG_TMP/e2"; rc2=$?
set -e
assert_eq "$rc1" "1" "unknown table exit status"
grep -q "gold_late cannot be exported" "$WG_TMP/e1" || fail "unknown table message: $(cat "$WG_TMP/e1")"
assert_eq "$rc2" "1" "rewound table exit status"
grep -q "changed or replaced outside wikigdelt" "$WG_TMP/e2" || fail "rewound table message: $(cat "$WG_TMP/e2")"
echo "export delta: exactly once across stops, read back by delta-rs, pyarrow, DuckDB and Spark"
