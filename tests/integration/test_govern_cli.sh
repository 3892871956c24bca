# Governance through the command line on the real pipeline's tables (the 2024-07-15 GDELT export
# and the wikiticker day moved onto it by the loopback simulator, refined and correlated):
# principal add (the token printed once, only its SHA-256 stored), group add-member, grant and
# revoke, sql --as and describe --as with each group's rights; the report's listings 6, 7 and 8
# as every group that may read them give the same rows as plain `sql`; secure_gdelt masks per
# caller and is_executive follows membership; personal columns are masked; attacks are refused
# with the object or rule named, audited, and change nothing (every table's checksum).
source "$(dirname "$0")/lib.sh"
need_shared
data="$WG_SHARED/data"
rec="$data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
edits=$(zcat "$rec" | wc -l)

wg ingest gdelt --file "$data/gdelt/20240715000000.export.CSV.zip" >/dev/null
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
    --set simulate.wiki_at_end=close simulate --port "$port" --speed 0 --wiki-recording "$rec" \
    >"$WG_TMP/sim.log" 2>&1
for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
timeout 300 "$WG_BIN" --home "$WG_TMP/home" ingest wiki --url "http://127.0.0.1:$port/v2/stream/recentchange" \
    --max-events "$edits" >/dev/null 2>&1 || fail "ingest wiki from the simulator"
wg refine >/dev/null 2>&1
wg correlate --drain >/dev/null 2>&1
[ "$(q "SELECT COUNT(*) FROM correlated_gold_events")" -gt 100 ] || fail "pairs to query"

# Runs a command expecting exit status $1, keeping stderr in $WG_TMP/err.
expect_rc() {
    local want=$1; shift
    set +e
    "$@" >"$WG_TMP/out" 2>"$WG_TMP/err"
    local rc=$?
    set -e
    [ "$rc" = "$want" ] || fail "$* exited $rc, expected $want: $(cat "$WG_TMP/err")"
}
expect_refused() { # NAME SQL WORD: refused (exit 1) with WORD in the message
    expect_rc 1 wg sql --as "$1" "$2"
    grep -qi -- "$3" "$WG_TMP/err" || fail "sql --as $1 \"$2\": error does not name '$3': $(cat "$WG_TMP/err")"
}
checksums() {
    wg sql --format csv "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('govern_audit') ORDER BY name" | tail -n +2 |
        while read -r t; do printf '%s %s\n' "$t" "$(wg sql --format csv "SELECT * FROM \"$t\"" | sha256sum | cut -c1-16)"; done
}

# principals: the token is printed once (64 hex digits = 256 bits) and only its digest is kept
for p in bob dana carol erin; do
    wg principal add "$p" >"$WG_TMP/tok.$p" 2>"$WG_TMP/err"
    grep -qE '^[0-9a-f]{64}$' "$WG_TMP/tok.$p" || fail "principal add prints one 64-hex token: $(cat "$WG_TMP/tok.$p")"
    grep -q "will not be shown again" "$WG_TMP/err" || fail "principal add says the token is shown once"
done
tok=$(cat "$WG_TMP/tok.bob")
assert_eq "$(q "SELECT token_sha256 FROM govern_principals WHERE name = 'bob'")" "$(printf %s "$tok" | sha256sum | cut -d' ' -f1)" "stored digest is the token's SHA-256"
assert_eq "$(q "SELECT COUNT(*) FROM govern_principals WHERE instr(token_sha256, '$tok')")" "0" "the token itself is not stored"
expect_rc 1 wg principal add bob
grep -q "already exists" "$WG_TMP/err" || fail "adding a principal twice: $(cat "$WG_TMP/err")"
wg principal rotate erin >"$WG_TMP/tok.erin2" 2>/dev/null
[ "$(cat "$WG_TMP/tok.erin2")" != "$(cat "$WG_TMP/tok.erin")" ] || fail "rotate gives a new token"
assert_eq "$(q "SELECT rotated_at IS NOT NULL FROM govern_principals WHERE name = 'erin'")" "1" "rotation recorded"

wg group add-member business_users bob >/dev/null
wg group add-member data_scientists dana >/dev/null
wg group add-member compliance carol >/dev/null
wg group add-member business_users erin >/dev/null
wg group add-member executive erin >/dev/null
wg principal list | grep -E '^erin +business_users,executive ' >/dev/null || fail "principal list shows groups: $(wg principal list)"
wg group list | grep -A2 '^business_users' | grep -q 'members: bob,erin' || fail "group list shows members"
expect_rc 1 wg group add-member no_such_group bob
expect_rc 1 wg group add-member compliance nobody
expect_rc 2 wg group add-member compliance
expect_rc 2 wg grant select on gold_events business_users
expect_rc 2 wg grant insert on gold_events to business_users
expect_rc 1 wg grant select on no_such_table to business_users
expect_rc 1 wg sql --as nobody "SELECT 1"

before=$(checksums)

# the report's dashboard queries: the same rows as plain sql for every group that may read them
L6="SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) as events FROM gold_events GROUP BY 1,2"
L7="SELECT DATE_TRUNC('hour', event_time) as hour, AVG(AvgTone) as sentiment FROM gdelt_silver GROUP BY 1"
L8="SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) as similarity FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1,2"
for l in L6 L7 L8; do
    wg sql --format csv "${!l}" >"$WG_TMP/$l.owner"
    [ "$(wc -l <"$WG_TMP/$l.owner")" -ge 2 ] || fail "$l has rows"
done
for who in "bob L6" "erin L6" "dana L6" "dana L7" "dana L8" "carol L6" "carol L7" "carol L8"; do
    set -- $who
    wg sql --as "$1" --format csv "${!2}" >"$WG_TMP/$2.$1" || fail "$2 as $1"
    cmp -s "$WG_TMP/$2.owner" "$WG_TMP/$2.$1" || fail "$2 as $1 differs from plain sql"
done
expect_refused bob "$L7" gdelt_silver
expect_refused bob "$L8" gdelt_silver

# secure_gdelt (listing 9) masks per caller; is_executive follows membership of executive
named=$(q "SELECT COUNT(*) FROM gdelt_silver WHERE Actor1Name IS NOT NULL")
[ "$named" -gt 100 ] || fail "events with an actor name"
assert_eq "$(wg sql --as carol --format csv "SELECT COUNT(*) FROM secure_gdelt WHERE Actor = (SELECT Actor1Name FROM gdelt_silver s WHERE s.EventID = secure_gdelt.EventID)" | sed -n 2p)" "$named" "compliance sees the names"
assert_eq "$(wg sql --as bob --format csv "SELECT COUNT(*), SUM(Actor = 'REDACTED') FROM secure_gdelt" | sed -n 2p)" "1766,1766" "a business user sees REDACTED"
assert_eq "$(wg sql --as dana --format csv "SELECT DISTINCT Actor FROM secure_gdelt" | sed -n 2p)" "REDACTED" "a data scientist sees REDACTED"
assert_eq "$(wg sql --as erin --format csv "SELECT DISTINCT is_executive FROM secure_gdelt" | tail -n +2)" "1" "executive member"
assert_eq "$(wg sql --as bob --format csv "SELECT DISTINCT is_executive FROM secure_gdelt" | tail -n +2)" "0" "not an executive"
wg group add-member executive bob >/dev/null
assert_eq "$(wg sql --as bob --format csv "SELECT DISTINCT is_executive FROM secure_gdelt" | tail -n +2)" "1" "joined executive"
wg group remove-member executive bob >/dev/null
assert_eq "$(wg sql --as bob --format csv "SELECT DISTINCT is_executive FROM secure_gdelt" | tail -n +2)" "0" "left executive"
assert_eq "$(wg sql --as bob --format csv "SELECT current_user()" | sed -n 2p)" "bob" "current_user()"

# Wikipedia user names and comments: masked outside compliance, in tables and views
users=$(q "SELECT COUNT(user) FROM wikimedia_silver")
[ "$users" -gt 1000 ] || fail "edits with a user"
assert_eq "$(wg sql --as carol --format csv "SELECT COUNT(user), COUNT(comment) > 0 FROM wikimedia_silver" | sed -n 2p)" "$users,1" "compliance reads user names"
assert_eq "$(wg sql --as dana --format csv "SELECT COUNT(user), COUNT(comment), COUNT(title) > 0 FROM wikimedia_silver" | sed -n 2p)" "0,0,1" "data scientists: user and comment masked"
assert_eq "$(wg sql --as dana --format csv "SELECT COUNT(raw) FROM wikimedia_bronze" | sed -n 2p)" "0" "data scientists: raw events (with users) masked"
assert_eq "$(wg sql --as bob --format csv "SELECT COUNT(*) = SUM(user = 'REDACTED' AND comment = 'REDACTED') FROM business_wiki_edits" | sed -n 2p)" "1" "business view redacts users"
assert_eq "$(wg sql --as carol --format csv "SELECT SUM(user = 'REDACTED') FROM business_wiki_edits" | sed -n 2p)" "0" "compliance sees users in the view"
[ "$(wg sql --as bob --format csv "SELECT COUNT(*) FROM business_gold" | sed -n 2p)" = "$(q "SELECT COUNT(*) FROM correlated_gold_events")" ] || fail "business_gold has every pair"

# describe --as
wg describe --as bob --extended secure_gdelt | grep -q "REDACTED for everyone else" || fail "describe --as a granted view"
expect_rc 1 wg describe --as bob gdelt_silver
grep -q gdelt_silver "$WG_TMP/err" || fail "describe --as names the table"
wg describe --as dana wikimedia_silver | grep -q "^user " || fail "describe --as dana wikimedia_silver"
wg sql --as bob "DESCRIBE TABLE business_gold" | grep -q "^match_score" || fail "DESCRIBE TABLE via sql --as"
expect_rc 1 wg sql --as bob "DESCRIBE TABLE gdelt_silver"

# attacks, each refused with the object or the rule named
expect_refused bob "SELECT * FROM gold_events WHERE EventID IN (SELECT EventID FROM gdelt_silver)" gdelt_silver
expect_refused bob "WITH x AS (SELECT Actor1Name FROM gdelt_silver) SELECT * FROM x" gdelt_silver
expect_refused bob "WITH secure_gdelt AS (SELECT Actor1Name AS Actor FROM gdelt_silver) SELECT * FROM secure_gdelt" secure_gdelt
expect_refused bob "SELECT title FROM correlated_gold_events UNION SELECT Actor1Name FROM gdelt_silver" gdelt_silver
expect_refused bob "SELECT c.title, s.Actor1Name FROM correlated_gold_events c JOIN gdelt_silver s USING (EventID)" gdelt_silver
expect_refused bob "SELECT * FROM gdelt_quality" gdelt_quality
expect_refused dana "SELECT * FROM govern_audit" govern_audit
expect_refused dana "SELECT sql FROM sqlite_master" sqlite_master
expect_refused dana "SELECT * FROM pragma_table_info('govern_principals')" pragma
expect_refused dana "ATTACH DATABASE '$WG_TMP/x.db' AS x" ATTACH
expect_refused dana "PRAGMA writable_schema = 1" writable_schema
expect_refused carol "DELETE FROM gdelt_silver" DELETE
expect_refused carol "INSERT INTO govern_members VALUES ('compliance', 'bob', 'x')" INSERT
expect_refused carol "CREATE TABLE x(a)" "CREATE TABLE"
expect_refused carol "CREATE TEMP TRIGGER t AFTER INSERT ON gold_events BEGIN SELECT 1; END" TRIGGER
expect_refused carol "SELECT load_extension('$WG_TMP/x.so')" load_extension
expect_rc 2 wg sql --as carol "SELECT 1; DELETE FROM gdelt_silver"
grep -q "one statement" "$WG_TMP/err" || fail "stacked statements: $(cat "$WG_TMP/err")"
start=$(date +%s)
expect_rc 1 wg --set serve.query_timeout_ms=500 sql --as dana "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r"
grep -q "time limit" "$WG_TMP/err" || fail "endless query stopped by the time limit: $(cat "$WG_TMP/err")"
expect_rc 1 wg --set serve.query_timeout_ms=500 sql --as bob "SELECT COUNT(*) FROM gold_events a, gold_events b, gold_events c"
grep -q "time limit" "$WG_TMP/err" || fail "cross join stopped: $(cat "$WG_TMP/err")"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "time limits took too long"
expect_rc 1 wg --set serve.max_limit=10 sql --as dana --format csv "SELECT EventID FROM gdelt_silver"
grep -q "more than 10 rows" "$WG_TMP/err" || fail "row limit: $(cat "$WG_TMP/err")"

# nothing above changed a table (the audit log aside)
after=$(checksums)
[ "$before" = "$after" ] || fail "tables changed: $(diff <(echo "$before") <(echo "$after"))"

# grant and revoke take effect at once
wg revoke select on layer:gold from business_users >/dev/null
expect_refused bob "$L6" gold_events
wg grant select on layer:gold to business_users >/dev/null
wg sql --as bob --format csv "$L6" | cmp -s - "$WG_TMP/L6.owner" || fail "L6 after granting back"
wg grant select on gdelt_silver to business_users >/dev/null
wg sql --as bob --format csv "$L7" | cmp -s - "$WG_TMP/L7.owner" || fail "L7 after a table grant"
wg revoke select on gdelt_silver from business_users >/dev/null
expect_refused bob "$L7" gdelt_silver

# the audit log: readable by compliance only; the refusals are there with their reasons
[ "$(wg sql --as carol --format csv "SELECT COUNT(*) FROM govern_audit WHERE outcome = 'refused' AND client = 'cli'" | sed -n 2p)" -ge 18 ] || fail "refusals audited"
assert_eq "$(wg sql --as carol --format csv "SELECT reason FROM govern_audit WHERE sql LIKE 'WITH secure_gdelt AS%'" | sed -n 2p | grep -c secure_gdelt)" "1" "audited reason names the object"
assert_eq "$(q "SELECT COUNT(*) FROM govern_audit WHERE principal = 'dana' AND reason LIKE '%time limit%'")" "1" "timeout audited"
assert_eq "$(q "SELECT outcome FROM govern_audit WHERE sql = 'SELECT 1; DELETE FROM gdelt_silver'")" "refused" "stacked statements audited as refused"
expect_refused bob "SELECT * FROM govern_audit" govern_audit
wg --set govern.audit.max_rows=5 sql --as carol "SELECT 1" >/dev/null
assert_eq "$(q "SELECT COUNT(*) FROM govern_audit")" "5" "audit pruned to govern.audit.max_rows"


# a removed principal has no rights left
wg principal remove bob >/dev/null
expect_rc 1 wg sql --as bob "SELECT 1"
expect_rc 1 wg principal remove bob
echo ok
