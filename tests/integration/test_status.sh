# `status` shows what is in the store: the checkpoints with their values, every catalogued table
# with its layer and row count, the data-quality totals per rule (checked, failed, valid %) and
# the recent warnings and errors (a failed file); a store it cannot read is an error.
source "$(dirname "$0")/lib.sh"
need_shared
a=20240715000000.export.CSV
mkdir -p "$WG_TMP/in"
unzip -p "$WG_SHARED/data/gdelt/$a.zip" | awk -F'\t' -v OFS='\t' 'NR == 30 { $27 = "999" } NR == 40 { $57 = "123.5" } { print }' >"$WG_TMP/in/$a"
(cd "$WG_TMP/in" && zip -q "$a.zip" "$a" && rm "$a")
head -c 5000 "$WG_SHARED/data/gdelt/20250715000000.export.CSV.zip" >"$WG_TMP/in/20990101000000.export.CSV.zip"
wg ingest gdelt --file "$WG_TMP/in" >/dev/null 2>&1 || true   # exit 1: one file is broken
wg refine >/dev/null
wg status >"$WG_TMP/status"
cat "$WG_TMP/status"
has() { grep -Eq "$1" "$WG_TMP/status" || fail "status lacks /$1/"; }
has "^home: $WG_TMP/home$"
has "^checkpoints \(flow, value, updated\):$"
has "^  gdelt_silver 1766 [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+$"
has "^tables \(name, layer, rows\):$"
has "^  gdelt_bronze +bronze +1766$"
has "^  gdelt_silver +silver +1764$"
has "^  gdelt_quarantine +quarantine +2$"
has "^  gdelt_ledger +ledger +2$"
has "^  wikimedia_silver +silver +0$"
# every catalogued table (but the system ones) is listed with a count, none with -1 (a failed count)
assert_eq "$(grep -Ec '^  [a-z_]+ +[a-z]+ +[0-9]+$' "$WG_TMP/status")" \
          "$(q "SELECT COUNT(*) FROM catalog_tables WHERE layer NOT IN ('system')")" "every table with its row count"
has "^data quality \(flow, rule, action, checked, failed, valid %\):$"
has "^  gdelt_silver event_code quarantine 1766 1 99\.94$"
has "^  gdelt_silver lat_long quarantine 1766 1 99\.94$"
has "^  gdelt_silver id quarantine 1766 0 100\.00$"
has "^recent warnings and errors \(ts, flow, kind, message\):$"
has "^  [0-9-]+ [0-9:.]+ gdelt_source file_failed 20990101000000\.export\.CSV\.zip failed after 1 attempt\(s\): not a valid zip archive"
# an empty home: the sections say (none)
"$WG_BIN" --home "$WG_TMP/empty" status >"$WG_TMP/empty.out"
assert_eq "$(grep -c '^  (none)$' "$WG_TMP/empty.out")" "3" "checkpoints, quality and events empty"
# a store that is not a database: an error, exit 1
mkdir -p "$WG_TMP/junk" && echo "not sqlite" >"$WG_TMP/junk/wikigdelt.db"
expect_exit 1 "$WG_BIN" --home "$WG_TMP/junk" status
# a section whose query fails is an error, not a silently missing section
"$WG_BIN" --home "$WG_TMP/broken" sql "SELECT 1" >/dev/null
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE expectation_counts'); c.commit()" "$WG_TMP/broken/wikigdelt.db"
expect_exit 1 "$WG_BIN" --home "$WG_TMP/broken" status
grep -q "expectation_counts" "$WG_TMP/err" || fail "the failing section should be named: $(cat "$WG_TMP/err")"
echo ok
