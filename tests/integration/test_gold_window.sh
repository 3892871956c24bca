# The gold window with non-default settings: pipeline.bucket_seconds = 3600 and
# correlate.allowed_lateness_seconds = 600 on handwritten silver rows. Buckets are one hour; a
# bucket closes exactly when both streams' watermarks (largest event time minus the lateness)
# reach its end, not a second before; a row for a closed bucket is late; a row at the next
# bucket's first second is not. A negative lateness or a bucket size out of range is refused.
source "$(dirname "$0")/lib.sh"
db="$WG_TMP/home/wikigdelt.db"
set_=(--set pipeline.bucket_seconds=3600 --set correlate.allowed_lateness_seconds=600
      --set correlate.threshold=0.2 --set embed.backend=hash)
wg sql "SELECT 1" >/dev/null
n=0
# gdelt TIME ID TEXT / wiki TIME TITLE: one silver row (time_bucket as refine would write it)
add() {
    n=$((n + 1))
    python3 - "$db" "$n" "$@" <<'PY'
import sqlite3, sys
db, n, kind, t, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
bucket = t[:13] + ":00:00"
con = sqlite3.connect(db, timeout=10)
if kind == "gdelt":
    con.execute("INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, event_description, Actor1Name, ActionGeo_FullName,"
                " ActionGeo_Lat, ActionGeo_Long, SOURCEURL, event_time, time_bucket) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (n, "042", "Make a visit", what.upper(), what, 1.0, 2.0, f"https://example.com/{what.lower()}-visit/", t, bucket))
else:
    con.execute("INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, namespace, title, user, is_content)"
                " VALUES (?,?,?,?,?,?,?,1)", (f"e{n}", t, bucket, "enwiki", 0, what, f"u{n}"))
con.commit()
PY
}
corr() { wg "${set_[@]}" correlate >"$WG_TMP/out" 2>"$WG_TMP/err" || fail "correlate: $(cat "$WG_TMP/err")"; }
status() { q "SELECT COALESCE((SELECT status FROM gold_buckets WHERE time_bucket = '$1'), 'none')"; }

add gdelt "2024-07-15 10:10:00" Milwaukee
add wiki  "2024-07-15 10:20:00" Milwaukee
corr
assert_eq "$(q "SELECT group_concat(time_bucket, ' ') FROM gold_buckets")" "2024-07-15 10:00:00" "one-hour buckets"
assert_eq "$(q "SELECT title FROM correlated_gold_events WHERE EventID = 1")" "Milwaukee" "pair in the bucket"
assert_eq "$(status '2024-07-15 10:00:00')" "open" "open while the streams are inside it"

# Both streams move into the next hour, but the gdelt watermark is 1 s short of 11:00.
add gdelt "2024-07-15 11:09:59" Ottawa
add wiki  "2024-07-15 11:10:00" Ottawa
corr
assert_eq "$(status '2024-07-15 10:00:00')" "open" "one watermark 1 s before the bucket's end: still open"
assert_eq "$(q "SELECT value FROM checkpoints WHERE flow = 'gold.gdelt_watermark'")" "2024-07-15 10:59:59" "gdelt watermark = max time - 600 s"
# A wiki edit at 10:59 still joins the open bucket (not late).
add wiki "2024-07-15 10:59:00" Milwaukee
corr
assert_eq "$(q "SELECT COUNT(*) FROM gold_late")" "0" "an edit for an open bucket is not late"
assert_eq "$(q "SELECT edit_count FROM correlated_gold_events WHERE EventID = 1")" "2" "the edit counted"

# The gdelt watermark reaches 11:00:00 exactly: the bucket closes.
add gdelt "2024-07-15 11:10:00" Ottawa
corr
assert_eq "$(status '2024-07-15 10:00:00')" "closed" "both watermarks at the bucket's end: closed"
assert_eq "$(status '2024-07-15 11:00:00')" "open" "the next bucket stays open"
# Now 10:59:59 is late, 11:00:00 is not.
add wiki "2024-07-15 10:59:59" Milwaukee
add wiki "2024-07-15 11:00:00" Milwaukee
corr
assert_eq "$(q "SELECT COUNT(*) || ' ' || MIN(event_time) FROM gold_late")" "1 2024-07-15 10:59:59" "only the edit for the closed bucket is late"
assert_eq "$(q "SELECT edit_count FROM correlated_gold_events WHERE EventID = 1")" "2" "a late edit is not counted"

# The same rows with the default settings (4 h buckets, 4 h lateness): one bucket, nothing closed.
"$WG_BIN" --home "$WG_TMP/h2" sql "SELECT 1" >/dev/null
python3 - "$db" "$WG_TMP/h2/wikigdelt.db" <<'PY'
import sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
con = sqlite3.connect(dst)
con.execute("ATTACH ? AS s", (src,))
for t in ("gdelt_silver", "wikimedia_silver"):
    cols = ",".join(r[1] for r in con.execute(f"PRAGMA main.table_info({t})"))
    con.execute(f"INSERT INTO main.{t}({cols}) SELECT {cols} FROM s.{t}")
con.commit()
PY
"$WG_BIN" --home "$WG_TMP/h2" --set embed.backend=hash --set correlate.threshold=0.2 correlate >/dev/null 2>&1
assert_eq "$(qh "$WG_TMP/h2" "SELECT group_concat(time_bucket || ' ' || status, ', ') FROM gold_buckets")" "2024-07-15 08:00:00 open" "defaults: one 4-hour bucket, open"
assert_eq "$(qh "$WG_TMP/h2" "SELECT COUNT(*) FROM gold_late")" "0" "defaults: nothing late"

# Refused settings
expect_exit 2 wg --set correlate.allowed_lateness_seconds=-600 correlate
grep -q "correlate.allowed_lateness_seconds = '-600': must be 0.." "$WG_TMP/err" || fail "negative lateness: $(cat "$WG_TMP/err")"
expect_exit 2 wg --set pipeline.bucket_seconds=59 correlate
grep -q "pipeline.bucket_seconds = '59'" "$WG_TMP/err" || fail "bucket too small: $(cat "$WG_TMP/err")"
echo ok
