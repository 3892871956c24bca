# The store and the sql/describe commands: migrations run once, SQL helpers behave as the
# report's Databricks SQL expects, and the CLI contract (exit 2 on bad usage, 1 on errors).
source "$(dirname "$0")/lib.sh"
assert_eq "$(q "SELECT date_trunc('hour', '2024-07-15 03:45:12')")" "2024-07-15 03:00:00" "date_trunc hour"
assert_eq "$(q "SELECT date_trunc('day', '2024-07-15T03:45:12Z')")" "2024-07-15 00:00:00" "date_trunc day"
assert_eq "$(q "SELECT date_trunc('week', '2024-07-17 10:00:00')")" "2024-07-15 00:00:00" "date_trunc week (Monday)"
assert_eq "$(q "SELECT date_sub('2024-03-01', 1)")" "2024-02-29" "date_sub over a leap day"
assert_eq "$(q "SELECT CURRENT_DATE() = date('now')")" "1" "CURRENT_DATE() as a function"
assert_eq "$(q "SELECT COUNT(*) FROM schema_migrations WHERE component='core'")" "1" "core migration recorded once"
wg sql "SELECT 1" >/dev/null   # second open must not re-run migrations
assert_eq "$(q "SELECT COUNT(*) FROM schema_migrations WHERE component='core'")" "1" "migrations run once"
# JSON output parses and carries types
wg sql --format json "SELECT 1 AS a, 'x,y' AS b, NULL AS c" | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r==[{"a":1,"b":"x,y","c":None}], r'
# CSV quoting
assert_eq "$(wg sql --format csv "SELECT 'a,\"b' AS v" | sed -n 2p)" '"a,""b"' "csv quoting"
# read-only: writes are refused with exit 1
set +e
wg sql "DELETE FROM checkpoints" 2>"$WG_TMP/err"; rc=$?
set -e
assert_eq "$rc" "1" "write through sql refused"
grep -q "readonly" "$WG_TMP/err" || fail "error should say the database is read-only: $(cat "$WG_TMP/err")"
set +e
wg sql --format xml "SELECT 1" 2>/dev/null; rc=$?
set -e
assert_eq "$rc" "2" "bad usage exits 2"
set +e
wg sql "SELEC 1" 2>"$WG_TMP/err"; rc=$?
set -e
assert_eq "$rc" "1" "syntax error exits 1"
grep -q "syntax error" "$WG_TMP/err" || fail "syntax error message: $(cat "$WG_TMP/err")"
wg describe --extended expectation_counts | grep -q "Rows the rule saw" || fail "describe shows column descriptions"
wg sql "DESCRIBE TABLE EXTENDED checkpoints" | grep -q "Detailed Table Information" || fail "DESCRIBE TABLE EXTENDED via sql"
echo ok
