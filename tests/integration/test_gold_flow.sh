# The gold flow through the CLI on silver rows this test writes itself into the silver tables
# (handwritten rows that follow the data contract): `correlate` emits pairs and closes windows,
# the report's correlation-matrix and heatmap queries run via `sql`, the mismatch view,
# `describe`, `eval` and the CLI's exit codes.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "needs the sqlite3 shell"
db="$WG_TMP/home/wikigdelt.db"

wg sql "SELECT 1" >/dev/null   # creates the home and runs the migrations

# A store whose silver tables are gone (dropped by hand): a clear runtime error, not a crash.
nosilver=$WG_TMP/nosilver
"$WG_BIN" --home "$nosilver" sql "SELECT 1" >/dev/null
sqlite3 "$nosilver/wikigdelt.db" "DROP VIEW IF EXISTS gdelt_quality; DROP TABLE gdelt_silver; DROP TABLE wikimedia_silver;"
set +e
"$WG_BIN" --home "$nosilver" correlate >"$WG_TMP/out" 2>"$WG_TMP/err"; rc=$?
set -e
assert_eq "$rc" "1" "correlate without silver tables"
grep -q "refine" "$WG_TMP/err" || fail "error should say to run refine: $(cat "$WG_TMP/err")"
set +e
wg correlate --bogus 2>/dev/null; rc=$?
set -e
assert_eq "$rc" "2" "bad usage exits 2"

sqlite3 "$db" <<'SQL'
INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, event_description, Actor1Name, Actor2Name, ActionGeo_FullName,
  ActionGeo_CountryCode, ActionGeo_Lat, ActionGeo_Long, AvgTone, SOURCEURL, event_time, time_bucket) VALUES
 (1187173981, '042', 'Make a visit', 'MILWAUKEE', NULL, 'Milwaukee, Wisconsin, United States', 'US', 43.04, -87.91, -3.1,
  'https://example.com/news/trump-arrives-in-milwaukee-for-republican-national-convention/', '2024-07-15 00:00:00', '2024-07-15 00:00:00'),
 (1187174182, '020', 'Make an appeal or request', 'OTTAWA', NULL, 'Ottawa, Ontario, Canada', 'CA', 45.42, -75.7, 1.2,
  'https://example.com/lrt-from-tunneys-pasture-to-rideau-closes-monday/', '2024-07-15 00:15:00', '2024-07-15 00:00:00'),
 (1187174183, '020', 'Make an appeal or request', 'OTTAWA', NULL, 'Ottawa, Ontario, Canada', 'CA', 45.42, -75.7, 0.5,
  'https://example.com/ottawa-city-council-budget/', '2024-07-15 00:20:00', '2024-07-15 00:00:00');
INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, namespace, title, user, is_content) VALUES
 ('e1', '2024-07-15 00:05:00', '2024-07-15 00:00:00', 'enwiki', 0, 'Milwaukee', 'a', 1),
 ('e2', '2024-07-15 00:06:00', '2024-07-15 00:00:00', 'enwiki', 0, 'Milwaukee', 'b', 1),
 ('e3', '2024-07-15 00:07:00', '2024-07-15 00:00:00', 'enwiki', 0, 'Ottawa', 'c', 1),
 ('e4', '2024-07-15 00:08:00', '2024-07-15 00:00:00', 'frwiki', 0, 'Ottawa', 'd', 1),
 ('e5', '2024-07-15 00:09:00', '2024-07-15 00:00:00', 'enwiki', 0, 'Catalan orthography', 'e', 1),
 ('e6', '2024-07-15 00:10:00', '2024-07-15 00:00:00', 'enwiki', 2, 'User:Milwaukee', 'f', 0);
SQL

wg --set correlate.threshold=0.2 correlate >"$WG_TMP/out"
cat "$WG_TMP/out"
grep -q "gdelt read 3 (late 0), wiki read 6 (content 5, late 0), new titles 4" "$WG_TMP/out" || fail "counts in correlate output"
grep -q "mismatch rate n/a" "$WG_TMP/out" || fail "no closed bucket yet"
assert_eq "$(q "SELECT title FROM correlated_gold_events WHERE EventID = 1187173981 AND rank = 1")" "Milwaukee" "best title"
assert_eq "$(q "SELECT edit_count FROM correlated_gold_events WHERE EventID = 1187173981 AND rank = 1")" "2" "edit count"
assert_eq "$(q "SELECT COUNT(*) FROM correlated_gold_events WHERE title = 'Catalan orthography'")" "0" "unrelated title"
assert_eq "$(q "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 1187174182 AND title = 'Ottawa'")" "2" "both wikis' Ottawa pages"

# The report's correlation matrix (EventCode x wiki) and heatmap, verbatim, through `sql`.
wg sql --format csv "SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) as similarity FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1,2" >"$WG_TMP/matrix"
cat "$WG_TMP/matrix"
grep -q '^020,frwiki,' "$WG_TMP/matrix" || fail "matrix has EventCode 020 x frwiki"
grep -q '^042,enwiki,' "$WG_TMP/matrix" || fail "matrix has EventCode 042 x enwiki"
wg sql --format csv "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) as events FROM gold_events GROUP BY 1,2" >"$WG_TMP/heat"
grep -q '^45.42,-75.7,2$' "$WG_TMP/heat" || fail "heatmap: $(cat "$WG_TMP/heat")"

# Streams move past the window; the bucket closes. A late edit for it is kept and counted.
sqlite3 "$db" "INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, event_description, ActionGeo_Lat, ActionGeo_Long, SOURCEURL, event_time, time_bucket) VALUES (5, '010', 'Make statement', 1, 2, 'https://example.com/unrelated-story-here/', '2024-07-15 09:00:00', '2024-07-15 08:00:00');
 INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, title, user, is_content) VALUES ('e7', '2024-07-15 09:00:00', '2024-07-15 08:00:00', 'enwiki', 'Human lung', 'g', 1);"
wg --set correlate.threshold=0.2 correlate >"$WG_TMP/out"
cat "$WG_TMP/out"
assert_eq "$(q "SELECT status FROM gold_buckets WHERE time_bucket = '2024-07-15 00:00:00'")" "closed" "first bucket closed"
sqlite3 "$db" "INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, title, user, is_content) VALUES ('e8', '2024-07-15 01:00:00', '2024-07-15 00:00:00', 'enwiki', 'Milwaukee', 'h', 1);"
wg --set correlate.threshold=0.2 correlate >"$WG_TMP/out"
grep -q "wiki read 1 (content 0, late 1)" "$WG_TMP/out" || fail "late edit counted in output: $(cat "$WG_TMP/out")"
assert_eq "$(q "SELECT COUNT(*) FROM gold_late WHERE stream = 'wiki'")" "1" "late edit kept"
assert_eq "$(q "SELECT COUNT(*) FROM event_log WHERE flow = 'gold' AND kind = 'late'")" "1" "late edit logged"
assert_eq "$(q "SELECT edit_count FROM correlated_gold_events WHERE EventID = 1187173981 AND rank = 1")" "2" "late edit not counted"
wg --set correlate.threshold=0.2 correlate --drain >"$WG_TMP/out"
grep -Eq "; mismatch rate 0\.0$" "$WG_TMP/out" || fail "mismatch rate reported: $(cat "$WG_TMP/out")"
assert_eq "$(q "SELECT open FROM gold_mismatch")" "0" "drained"

# --follow: one long-lived process steps every interval with its state in memory; rows written
# while it runs are picked up; SIGTERM stops it cleanly (exit 0).
"$WG_BIN" --home "$WG_TMP/home" --set correlate.threshold=0.2 correlate --follow --interval 0.2 >"$WG_TMP/follow" 2>&1 &
fpid=$!
_wg_pids+=("$fpid")   # stopped at exit too if an assertion below fails first
sqlite3 -cmd ".timeout 10000" "$db" "INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, event_description, ActionGeo_Lat, ActionGeo_Long, SOURCEURL, event_time, time_bucket) VALUES (6, '010', 'Make statement', 3, 4, 'https://example.com/human-lung-transplant-record/', '2024-07-16 09:30:00', '2024-07-16 08:00:00');
 INSERT INTO wikimedia_silver(event_id, event_time, time_bucket, wiki, title, user, is_content) VALUES ('e9', '2024-07-16 09:00:00', '2024-07-16 08:00:00', 'enwiki', 'Human lung', 'g', 1);"
for i in $(seq 1 100); do
    [ "$(q "SELECT COUNT(*) FROM correlated_gold_events WHERE EventID = 6")" = "1" ] && break
    sleep 0.1
done
kill -TERM "$fpid"
set +e; wait "$fpid"; rc=$?; set -e
cat "$WG_TMP/follow"
assert_eq "$rc" "0" "follow stops cleanly on SIGTERM"
assert_eq "$(q "SELECT title FROM correlated_gold_events WHERE EventID = 6")" "Human lung" "follow picked up the new event"
grep -q "gdelt read 1 (late 0)" "$WG_TMP/follow" || fail "follow prints its steps"
set +e
wg correlate --follow --drain 2>/dev/null; rc=$?
set -e
assert_eq "$rc" "2" "--follow with --drain is a usage error"

# Catalog: every gold table and column is described.
assert_eq "$(q "SELECT COUNT(*) FROM sqlite_schema m, pragma_table_info(m.name) p LEFT JOIN catalog_columns c ON c.table_name = m.name AND c.column_name = p.name WHERE m.name IN (SELECT table_name FROM catalog_tables WHERE owner = 'gold') AND c.description IS NULL")" "0" "every gold column described"
assert_eq "$(q "SELECT COUNT(*) FROM sqlite_schema WHERE type IN ('table', 'view') AND (name LIKE 'gold%' OR name LIKE '%gold%' OR name LIKE 'breaking%') AND name NOT IN (SELECT table_name FROM catalog_tables)")" "0" "every gold table described"
wg describe --extended gold_events | grep -q "heatmap" || fail "describe gold_events"

# eval: a small file, a header line, and errors that name the line.
printf 'event\ttitle\trelated\nMake a visit. Milwaukee. trump arrives in milwaukee\tMilwaukee\t1\nMake a visit. Milwaukee. trump arrives in milwaukee\tCatalan orthography\t0\n' >"$WG_TMP/labels.tsv"
wg eval "$WG_TMP/labels.tsv" >"$WG_TMP/eval"
cat "$WG_TMP/eval"
grep -q "pairs: 2 (related 1, unrelated 1)" "$WG_TMP/eval" || fail "eval counts"
grep -q "best threshold .*F1 1.0000" "$WG_TMP/eval" || fail "eval best F1"
printf 'event\ttitle\trelated\na\tb\t1\nc\td\tmaybe\n' >"$WG_TMP/bad.tsv"
printf 'x\ty\t1\nc\td\n' >"$WG_TMP/bad2.tsv"
set +e
wg eval "$WG_TMP/bad.tsv" 2>"$WG_TMP/err"; rc=$?
set -e
assert_eq "$rc" "1" "a label that is not 0/1 exits 1"
grep -q "bad.tsv:3: related must be 0 or 1, got 'maybe'" "$WG_TMP/err" || fail "error names the line of 'maybe': $(cat "$WG_TMP/err")"
set +e
wg eval "$WG_TMP/bad2.tsv" 2>"$WG_TMP/err"; rc=$?
set -e
assert_eq "$rc" "1" "bad labels exit 1"
grep -q "bad2.tsv:2" "$WG_TMP/err" || fail "error names the line: $(cat "$WG_TMP/err")"
set +e
wg eval 2>/dev/null; rc=$?
set -e
assert_eq "$rc" "2" "eval without a file exits 2"
echo ok
