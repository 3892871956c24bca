# GDELT file mode over the real exports: row counts from SOURCES.tsv, idempotence (a second
# ingest and refine add nothing), the report's queries through `sql --format csv`, a corrupted
# copy whose bad rows land in the quarantine with their rule, and bad files recorded in the ledger.
source "$(dirname "$0")/lib.sh"
need_shared
data="$WG_SHARED/data/gdelt"
# One text value, unquoted (CSV would quote the tabs of a raw line).
qjson() { "$WG_BIN" --home "$1" sql --format json "$2" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(list(r[0].values())[0])'; }
expected_rows() { awk -F'\t' -v f="gdelt/$1" '$1 == f { print $6 }' "$WG_SHARED/data/SOURCES.tsv"; }
a=20240715000000.export.CSV.zip
b=20250715000000.export.CSV.zip
assert_eq "$(expected_rows $a)" "1766" "SOURCES.tsv row count of $a"
assert_eq "$(expected_rows $b)" "3539" "SOURCES.tsv row count of $b"

# --- both real exports, one by one, then again (skipped)
wg ingest gdelt --file "$data/$a" >"$WG_TMP/out1"
grep -q "files ingested 1, skipped (already ingested) 0, failed 0, rows 1766" "$WG_TMP/out1" || fail "first ingest: $(cat "$WG_TMP/out1")"
wg ingest gdelt --file "$data/$b" >/dev/null
assert_eq "$(q "SELECT rows FROM gdelt_ledger WHERE name='$a'")" "$(expected_rows $a)" "ledger rows of $a"
assert_eq "$(q "SELECT rows FROM gdelt_ledger WHERE name='$b'")" "$(expected_rows $b)" "ledger rows of $b"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze WHERE source_file='$a'")" "1766" "bronze rows of $a"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze WHERE source_file='$b'")" "3539" "bronze rows of $b"
assert_eq "$(q "SELECT md5 FROM gdelt_ledger WHERE name='$a'")" "$(md5sum "$data/$a" | cut -d' ' -f1)" "ledger md5"
assert_eq "$(q "SELECT MIN(line_number) || '-' || MAX(line_number) FROM gdelt_bronze WHERE source_file='$a'")" "1-1766" "line numbers"
# bronze keeps the raw line byte for byte
assert_eq "$(qjson "$WG_TMP/home" "SELECT raw_line FROM gdelt_bronze WHERE source_file='$a' AND line_number=7")" \
          "$(unzip -p "$data/$a" | sed -n 7p)" "raw line 7"

wg ingest gdelt --file "$data" >"$WG_TMP/out2"   # the directory: both already in the ledger
grep -q "files ingested 0, skipped (already ingested) 2" "$WG_TMP/out2" || fail "directory re-ingest: $(cat "$WG_TMP/out2")"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_bronze")" "5305" "bronze unchanged after re-ingest"

wg refine gdelt >"$WG_TMP/out3"
grep -q "read 5305, written 5305, warned 0, dropped 0, quarantined 0" "$WG_TMP/out3" || fail "refine: $(cat "$WG_TMP/out3")"
wg refine gdelt >"$WG_TMP/out4"
grep -q "read 0, written 0" "$WG_TMP/out4" || fail "second refine must add nothing: $(cat "$WG_TMP/out4")"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "5305" "silver = exactly the valid rows"
assert_eq "$(q "SELECT COUNT(DISTINCT GLOBALEVENTID) FROM gdelt_silver")" "5305" "no duplicate events"
assert_eq "$(q "SELECT valid_rate FROM gdelt_quality")" "1.0" "valid rate of the real exports"

# typed columns, derived columns, the contract's names
assert_eq "$(q "SELECT EventID || '|' || event_time || '|' || time_bucket || '|' || EventCode || '|' || event_description || '|' || event_root_description || '|' || typeof(AvgTone) || '|' || typeof(ActionGeo_Lat) FROM gdelt_silver WHERE GLOBALEVENTID=1187173785")" \
          "1187173785|2024-07-15 00:00:00|2024-07-15 00:00:00|042|Make a visit|CONSULT|real|real" "typed silver row"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver WHERE event_root_description='PROTEST' AND EventRootCode='14'")" \
          "$({ unzip -p "$data/$a"; unzip -p "$data/$b"; } | awk -F'\t' '$29 == "14"' | wc -l | tr -d ' ')" "protest events"

# --- the report's queries, as written
wg sql --format csv "SELECT DATE_TRUNC('hour', event_time) as hour, AVG(AvgTone) as sentiment FROM gdelt_silver GROUP BY 1" >"$WG_TMP/sent.csv"
assert_eq "$(sed -n 1p "$WG_TMP/sent.csv")" "hour,sentiment" "sentiment header"
assert_eq "$(wc -l <"$WG_TMP/sent.csv" | tr -d ' ')" "3" "two hours of sentiment"
grep -q "^2024-07-15 00:00:00,-2.67" "$WG_TMP/sent.csv" || fail "sentiment of 2024-07-15: $(cat "$WG_TMP/sent.csv")"
# The verbatim query with CURRENT_DATE() on a home whose events are dated relative to today:
# protests 3 days ago count, a protest 10 days ago and a non-protest yesterday do not.
hdate="$WG_TMP/hdate"
"$WG_BIN" --home "$hdate" sql "SELECT 1" >/dev/null
python3 - "$hdate/wikigdelt.db" <<'PY'
import sqlite3, sys, datetime as dt
now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
rows = [(1, "145", "XX", 3), (2, "141", "XX", 3), (3, "141", "YY", 10), (4, "042", "ZZ", 1), (5, "143", "WW", 2)]
con = sqlite3.connect(sys.argv[1])
for gid, code, cc, days in rows:
    t = (now - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")
    con.execute("INSERT INTO gdelt_silver(GLOBALEVENTID, EventCode, ActionGeo_CountryCode, event_time, time_bucket) VALUES (?,?,?,?,?)", (gid, code, cc, t, t[:10] + " 00:00:00"))
con.commit()
PY
"$WG_BIN" --home "$hdate" sql --format csv "SELECT ActionGeo_CountryCode, COUNT(*) FROM gdelt_silver WHERE EventCode LIKE '14%' AND event_time > DATE_SUB(CURRENT_DATE(), 7) GROUP BY 1 ORDER BY 2 DESC" >"$WG_TMP/protest.csv"
assert_eq "$(tr '\n' ' ' < "$WG_TMP/protest.csv")" "ActionGeo_CountryCode,COUNT(*) XX,2 WW,1 " "protests of the last 7 days by CURRENT_DATE()"
# the same protest count over the data's own last 7 days gives rows
wg sql --format csv "SELECT ActionGeo_CountryCode, COUNT(*) FROM gdelt_silver WHERE EventCode LIKE '14%' AND event_time > DATE_SUB('2025-07-16', 7) GROUP BY 1 ORDER BY 2 DESC" >"$WG_TMP/protest2.csv"
[ "$(wc -l <"$WG_TMP/protest2.csv")" -gt 2 ] || fail "protest counts by country: $(cat "$WG_TMP/protest2.csv")"
# heatmap: the 5 busiest locations; their counts equal the raw files' (columns 57, 58), and the
# top one is the same place
wg sql --format csv "SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) FROM gdelt_silver WHERE ActionGeo_Lat IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5" >"$WG_TMP/heat.csv"
{ unzip -p "$data/$a"; unzip -p "$data/$b"; } | awk -F'\t' '$57 != "" { n[$57 + 0 "," $58 + 0]++ } END { for (k in n) print n[k] "," k }' \
    | sort -t, -k1,1nr > "$WG_TMP/heat.raw"
assert_eq "$(sed 1d "$WG_TMP/heat.csv" | cut -d, -f3 | tr '\n' ' ')" "$(head -n 5 "$WG_TMP/heat.raw" | cut -d, -f1 | tr '\n' ' ')" "heatmap: the 5 largest counts"
top=$(sed -n 2p "$WG_TMP/heat.csv")
grep -q "^$(head -n 1 "$WG_TMP/heat.raw" | cut -d, -f1),$(awk -F, '{ print $1 + 0 "," $2 + 0 }' <<<"$top")$" "$WG_TMP/heat.raw" || fail "heatmap: top location $top not in the raw files' counts"
wg describe gdelt_silver | grep -q "GLOBALEVENTID" || fail "describe gdelt_silver"
# every location country code of the real data has a FIPS 10-4 name
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver s WHERE ActionGeo_CountryCode IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gdelt_fips_countries f WHERE f.code = s.ActionGeo_CountryCode)")" "0" "FIPS names cover the data"
assert_eq "$(q "SELECT f.name FROM gdelt_silver s JOIN gdelt_fips_countries f ON f.code = s.ActionGeo_CountryCode GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")" "United States" "top country"
wg describe --extended gdelt_quarantine | grep -q "raw line" || fail "describe shows quarantine descriptions"

# --- a corrupted copy (fresh home): each broken line is quarantined with its rule and raw line
h2="$WG_TMP/h2"
mkdir -p "$WG_TMP/bad"
unzip -p "$data/$a" | awk -F'\t' -v OFS='\t' '
    NR == 5  { NF = 40 }                    # wrong column count
    NR == 10 { $1 = "12AB" }                # bad id
    NR == 20 { $2 = "20231399" }            # bad date (SQLDATE)
    NR == 25 { $60 = "2024071500" }         # bad date (DATEADDED too short)
    NR == 30 { $27 = "999" }                # unknown EventCode
    NR == 40 { $57 = "123.5" }              # ActionGeo_Lat out of range
    NR == 50 { $35 = "-250.1" }             # AvgTone out of range
    { print }' >"$WG_TMP/bad/20240715000000.export.CSV"
(cd "$WG_TMP/bad" && zip -q corrupted.export.CSV.zip 20240715000000.export.CSV && rm 20240715000000.export.CSV)
"$WG_BIN" --home "$h2" ingest gdelt --file "$WG_TMP/bad/corrupted.export.CSV.zip" >/dev/null
"$WG_BIN" --home "$h2" refine gdelt >"$WG_TMP/out5"
grep -q "read 1766, written 1759, warned 0, dropped 0, quarantined 7" "$WG_TMP/out5" || fail "refine corrupted: $(cat "$WG_TMP/out5")"
q2() { qh "$h2" "$1"; }
assert_eq "$(q2 "SELECT group_concat(line_number || ':' || rule, ' ') FROM (SELECT * FROM gdelt_quarantine ORDER BY line_number)")" \
          "5:column_count 10:id 20:date 25:date 30:event_code 40:lat_long 50:avg_tone" "quarantine rules by line"
assert_eq "$(qjson "$h2" "SELECT raw_line FROM gdelt_quarantine WHERE line_number=30")" \
          "$(unzip -p "$WG_TMP/bad/corrupted.export.CSV.zip" | sed -n 30p)" "quarantine keeps the raw line"
q2 "SELECT detail FROM gdelt_quarantine WHERE rule='event_code'" | grep -q "999" || fail "detail names the bad code"
assert_eq "$(q2 "SELECT rows_valid || '/' || rows_read FROM gdelt_quality")" "1759/1766" "valid count"
assert_eq "$(q2 "SELECT SUM(failed) FROM expectation_counts WHERE flow='gdelt_silver' AND rule='date'")" "3" "date failures counted (the 40-column row lacks DATEADDED too)"
# warn keeps the unknown code, drop discards the bad tone (another fresh home)
h3="$WG_TMP/h3"
"$WG_BIN" --home "$h3" ingest gdelt --file "$WG_TMP/bad/corrupted.export.CSV.zip" >/dev/null
"$WG_BIN" --home "$h3" --set expect.gdelt_silver.event_code=warn --set expect.gdelt_silver.avg_tone=drop refine gdelt >"$WG_TMP/out6"
grep -q "read 1766, written 1760, warned 1, dropped 1, quarantined 5" "$WG_TMP/out6" || fail "warn/drop actions: $(cat "$WG_TMP/out6")"
set +e
"$WG_BIN" --home "$h3" --set expect.gdelt_silver.id=explode refine gdelt 2>"$WG_TMP/err"; rc=$?
set -e
assert_eq "$rc" "2" "bad action setting is a usage error, before anything runs"
grep -q "expect.gdelt_silver.id" "$WG_TMP/err" || fail "error names the setting: $(cat "$WG_TMP/err")"

# fail: refine stops with exit 1 naming the rule; the batch rolls back, so silver, the
# quarantine, the expectation counts and the checkpoint are exactly as before; without the fail
# setting the next refine goes on from the same checkpoint
h5="$WG_TMP/h5"
"$WG_BIN" --home "$h5" ingest gdelt --file "$data/$b" >/dev/null
"$WG_BIN" --home "$h5" refine gdelt >/dev/null
"$WG_BIN" --home "$h5" ingest gdelt --file "$WG_TMP/bad/corrupted.export.CSV.zip" >/dev/null
snap() { qh "$h5" "SELECT (SELECT COUNT(*) FROM gdelt_silver) || ' ' || (SELECT COUNT(*) FROM gdelt_quarantine) || ' ' || (SELECT COUNT(*) FROM expectation_counts) || ' ' || (SELECT COUNT(*) FROM gdelt_silver_batches) || ' ' || (SELECT value FROM checkpoints WHERE flow = 'gdelt_silver')"; }
before=$(snap)
assert_eq "$before" "3539 0 6 1 3539" "state before the failing refine"
expect_exit 1 "$WG_BIN" --home "$h5" --set expect.gdelt_silver.event_code=fail refine gdelt
grep -q "event_code" "$WG_TMP/err" || fail "the failure should name the rule: $(cat "$WG_TMP/err")"
assert_eq "$(snap)" "$before" "fail: silver, quarantine, counts, batches and checkpoint unchanged"
"$WG_BIN" --home "$h5" refine gdelt >"$WG_TMP/out7"
grep -q "read 1766, written 1759, warned 0, dropped 0, quarantined 7" "$WG_TMP/out7" || fail "refine after the failure: $(cat "$WG_TMP/out7")"
assert_eq "$(qh "$h5" "SELECT value FROM checkpoints WHERE flow = 'gdelt_silver'")" "$((3539 + 1766))" "checkpoint moves on"

# --- bad files: recorded as failed in the ledger, the others still ingested, exit 1
mkdir -p "$WG_TMP/mixed"
head -c 5000 "$data/$b" >"$WG_TMP/mixed/20990101000000.export.CSV.zip"   # truncated zip
unzip -p "$data/$a" | awk "NR <= 100" >"$WG_TMP/mixed/20990101001500.export.CSV"  # plain CSV is fine
h4="$WG_TMP/h4"
set +e
"$WG_BIN" --home "$h4" ingest gdelt --file "$WG_TMP/mixed" >"$WG_TMP/out7" 2>"$WG_TMP/err7"; rc=$?
set -e
assert_eq "$rc" "1" "a failed file makes file mode exit 1"
q4() { qh "$h4" "$1"; }
assert_eq "$(q4 "SELECT status FROM gdelt_ledger WHERE name='20990101000000.export.CSV.zip'")" "failed" "truncated zip recorded"
q4 "SELECT error FROM gdelt_ledger WHERE name='20990101000000.export.CSV.zip'" | grep -qi "zip" || fail "ledger error says why"
assert_eq "$(q4 "SELECT rows FROM gdelt_ledger WHERE name='20990101001500.export.CSV'")" "100" "the good file still ingested"
set +e
wg ingest gdelt --file "$WG_TMP/does-not-exist" 2>"$WG_TMP/err8"; rc=$?
wg ingest gdelt --live --backfill 1 2 2>/dev/null; rc2=$?
set -e
assert_eq "$rc" "1" "missing path is a runtime error"
grep -q "does-not-exist" "$WG_TMP/err8" || fail "error names the path"
assert_eq "$rc2" "2" "conflicting modes are a usage error"
echo ok
