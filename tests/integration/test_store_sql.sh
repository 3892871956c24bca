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

# Many processes opening one fresh store at once (the pipeline's children and a user's query
# do): every one must get in, none may fail with "database is locked" while another switches
# the new database to WAL or migrates it.
for round in 1 2 3 4 5 6 7 8; do
    h="$WG_TMP/race$round"
    pids=()
    for j in 1 2 3 4 5 6; do
        "$WG_BIN" --home "$h" sql --format csv "SELECT COUNT(*) FROM checkpoints" >/dev/null 2>>"$WG_TMP/race.err" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || fail "concurrent open of a fresh store failed: $(sort -u "$WG_TMP/race.err")"; done
done
echo ok
