# The assistant's safety and explain on the real data (the store of ask_lib.sh):
# - asking as a business user never returns silver rows: every phrasing of ask_questions.txt is
#   asked as a business_users member; an answer that reads a silver or bronze table is refused,
#   the schema answers name only objects the group may read, and gold answers still come back;
#   a data_scientists member gets the silver rows (the control);
# - the LLM backend (a fake OpenAI-compatible server this test starts on 127.0.0.1) is asked only
#   for what the parser cannot map, is given the visible schema with descriptions and the key
#   from ask.llm.key_file; its SQL is shown; a write is refused and not run, a read of an
#   ungranted table is refused for the business user, a granted read runs;
# - over HTTP, POST /api/ask and /api/explain answer with the caller's rights (403 on refusal);
# - explain: the report's listing 8 with its join predicate removed (cross product), listing 8 as
#   written (a join on the unindexed generated EventID), a function on an indexed column, SELECT *
#   of a wide table, a full scan, a join of mismatched types: each warning names the problem, and
#   --run shows the rewrite returning the same rows (the cross product: the corrected rows) faster.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ask_lib.sh"
source "$(dirname "$0")/serve_lib.sh"
need_shared
here=$(cd "$(dirname "$0")" && pwd)
ask_build_store
sets=$(ask_model_sets)
wg principal add bob >/dev/null 2>&1
wg group add-member business_users bob >/dev/null
wg principal add carol >/dev/null 2>&1
wg group add-member data_scientists carol >/dev/null

# ---- governance ----
grep '^? ' "$here/ask_questions.txt" | sed 's/^? //' >"$WG_TMP/qs"
# shellcheck disable=SC2086
wg $sets --set ask.relative_to=data ask --as bob --batch "$WG_TMP/qs" >"$WG_TMP/bob.jsonl" 2>/dev/null
python3 - "$WG_TMP/bob.jsonl" "$WG_TMP/home/wikigdelt.db" <<'PY' || fail "business user"
import json, re, sqlite3, sys
ans = [json.loads(l) for l in open(sys.argv[1])]
db = sqlite3.connect(f"file:{sys.argv[2]}?mode=ro", uri=True)
layer = dict(db.execute("SELECT table_name, layer FROM catalog_tables"))
hidden = {t for t, l in layer.items() if l in ("silver", "bronze", "quarantine", "ledger", "system")}
refused = answered = gold = 0
for a in ans:
    sql = a.get("sql", "")
    reads = set(re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", sql))
    if a.get("intent", "").startswith("schema"):
        for row in a.get("rows", []):
            assert row[0] not in hidden, ("schema answer shows a hidden object", a["question"], row[0])
        continue
    if reads & hidden:
        assert "rows" not in a and a.get("refused"), ("silver rows returned to a business user", a["question"], sql)
        refused += 1
    elif "rows" in a:
        answered += 1
        gold += any(t in reads for t in ("correlated_gold_events", "gold_mismatch", "breaking_news_gold"))
print(f"business user: {refused} answers refused (silver/bronze/system), {answered} answered from granted objects ({gold} gold)")
assert refused >= 60 and gold >= 10, (refused, gold)
PY
# shellcheck disable=SC2086
out=$(wg $sets ask --as bob "How many protest events were there?" 2>/dev/null) && fail "a refused answer exits 1"
grep -q "^-- refused: .*bob may not read gdelt_silver" <<<"$out" || fail "the refusal is shown: $out"
assert_eq "$(q "SELECT outcome || ' ' || sql FROM govern_audit WHERE principal = 'bob' AND route = 'ask --as' ORDER BY rowid DESC LIMIT 1")" \
    "refused SELECT COUNT(*) AS events FROM gdelt_silver g WHERE g.EventRootCode = ?1" "ask --as is audited with its SQL"
# shellcheck disable=SC2086
wg $sets ask --as carol --format csv "How many protest events were there?" 2>/dev/null | grep -qx "$(q "SELECT COUNT(*) FROM gdelt_silver WHERE EventRootCode = '14'")" \
    || fail "a data scientist reads silver"
# shellcheck disable=SC2086
wg $sets ask --as nobody "how many events" >/dev/null 2>&1 && fail "an unknown principal is refused"

# ---- the LLM backend ----
echo "sk-test-key-123" >"$WG_TMP/key"
python3 "$here/fake_llm.py" "$WG_TMP/llm.log" >"$WG_TMP/llm.port" 2>"$WG_TMP/llm.err" &
_wg_pids+=($!)
for i in $(seq 1 100); do [ -s "$WG_TMP/llm.port" ] && break; sleep 0.1; done
llm="--set ask.llm.url=http://127.0.0.1:$(cat "$WG_TMP/llm.port")/v1/chat/completions --set ask.llm.model=fake-7b --set ask.llm.key_file=$WG_TMP/key"
# a mapped question never reaches the LLM, nor does a request to write
# shellcheck disable=SC2086
wg $sets $llm ask "please delete the negative events" >/dev/null 2>&1
# shellcheck disable=SC2086
wg $sets $llm ask "How many protest events were there?" >/dev/null 2>&1
[ ! -s "$WG_TMP/llm.log" ] || fail "the parser's questions stay local"
# a granted read runs, its SQL shown
# shellcheck disable=SC2086
out=$(wg $sets $llm ask "what is the average cosine similarity per wiki" 2>/dev/null) || fail "LLM read: $out"
echo "$out"
grep -q "^-- SQL proposed by the LLM backend (fake-7b):" <<<"$out" || fail "LLM SQL shown"
grep -q "^SELECT wiki, ROUND(AVG(cosine_sim), 4) AS avg_cosine FROM correlated_gold_events GROUP BY wiki ORDER BY wiki;" <<<"$out" || fail "the SQL"
grep -q "^enwiki *| $(q "SELECT ROUND(AVG(cosine_sim), 4) FROM correlated_gold_events WHERE wiki = 'enwiki'")" <<<"$out" || fail "its result"
python3 - "$WG_TMP/llm.log" <<'PY' || fail "the request"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["auth"] == "Bearer sk-test-key-123", r["auth"]
assert r["body"]["model"] == "fake-7b"
sysmsg = r["body"]["messages"][0]["content"]
assert "TABLE correlated_gold_events" in sysmsg and "cosine_sim" in sysmsg and "TABLE gdelt_silver" in sysmsg, sysmsg[:400]
PY
# a write (a question the parser cannot map, answered by the model with a DELETE): shown, refused, not run
before=$(q "SELECT COUNT(*) FROM gdelt_silver")
# shellcheck disable=SC2086
out=$(wg $sets $llm ask "a tidy overview of URL domains" 2>/dev/null) && fail "a refused LLM answer exits 1"
echo "$out"
grep -q "^DELETE FROM gdelt_silver WHERE AvgTone < 0;" <<<"$out" || fail "the refused SQL is shown"
grep -q "^-- refused: " <<<"$out" || fail "the write is refused"
assert_eq "$(q "SELECT COUNT(*) FROM gdelt_silver")" "$before" "nothing was deleted"
# the business user: the schema it is given omits what it cannot read; a silver read is refused
: >"$WG_TMP/llm.log"
# shellcheck disable=SC2086
out=$(wg $sets $llm ask --as bob "which event has the longest SOURCEURL" 2>/dev/null) && fail "refused for bob"
echo "$out"
grep -q "^SELECT GLOBALEVENTID, length(SOURCEURL) AS n FROM gdelt_silver" <<<"$out" && grep -q "^-- refused: .*gdelt_silver" <<<"$out" || fail "bob's LLM read of silver"
python3 -c 'import json,sys; m=json.loads(open(sys.argv[1]).readline())["body"]["messages"][0]["content"]; assert "TABLE gdelt_silver" not in m and "TABLE correlated_gold_events" in m' "$WG_TMP/llm.log" \
    || fail "bob's schema lists only what bob may read"
# shellcheck disable=SC2086
wg $sets $llm ask --format json "which event has the longest SOURCEURL" 2>/dev/null | python3 -c '
import json, sys; a = json.load(sys.stdin); assert a["llm_sql"].startswith("SELECT GLOBALEVENTID") and len(a["rows"]) == 3, a' || fail "the owner runs it"

# ---- explain ----
listing8="SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) as similarity FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w ON c.title = w.title GROUP BY 1,2"
nopred="SELECT g.EventCode, w.wiki, AVG(c.cosine_sim) as similarity FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN wikimedia_silver w GROUP BY 1,2"
check_explain() { # SQL KIND SAME(1: same rows and faster | =: same rows | 0: faster | -: not run) [pattern in the warning]
    wg --set explain.timeout_ms=8000 explain --run --format json "$1" >"$WG_TMP/ex.json" || fail "explain $1"
    python3 - "$WG_TMP/ex.json" "$2" "$3" "${4:-}" <<'PY' || fail "explain: $1"
import json, sys
r = json.load(open(sys.argv[1])); kind, same, pat = sys.argv[2], sys.argv[3], sys.argv[4]
w = [x for x in r["warnings"] if x["kind"] == kind]
assert w, (kind, r["warnings"])
assert pat in w[0]["message"], (pat, w[0]["message"])
if same != "-":
    assert r.get("rewrite_kind") == kind, r
    if same != "=":  # "=": same rows, the time only printed (a query that is quick either way)
        assert r["after_ms"] < r["before_ms"], ("the rewrite is not faster", r["before_ms"], r["after_ms"])
    if same in ("1", "="):
        assert r.get("same_rows") is True, r
print(f"{kind:<20} before {r.get('before_ms', 0):9.1f} ms ({r.get('before_rows')} rows{', stopped' if r.get('before_timed_out') else ''})"
      f"  after {r.get('after_ms', 0):7.1f} ms ({r.get('after_rows')} rows)  same rows: {r.get('same_rows', '-')}")
PY
}
check_explain "$nopred" cross_join 0 "Join it on c.title = w.title"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["rewrite"] == sys.argv[2]' "$WG_TMP/ex.json" "${nopred/JOIN wikimedia_silver w/JOIN wikimedia_silver w ON c.title = w.title}" \
    || fail "the rewrite is listing 8 with its predicate"
check_explain "$listing8" join_unindexed = "Join on g.GLOBALEVENTID instead"
check_explain "SELECT c.title, g.Actor1Name FROM correlated_gold_events c LEFT JOIN gdelt_silver g ON g.EventID = c.EventID" join_unindexed 1 "g.EventID"
check_explain "SELECT COUNT(*) FROM wikimedia_silver WHERE date(time_bucket) = '2023-07-29' AND is_content = 1" function_on_index 1 "time_bucket >= '2023-07-29' AND time_bucket < '2023-07-30'"
check_explain "SELECT wiki, COUNT(*) FROM wikimedia_silver WHERE substr(time_bucket, 1, 13) = '2024-07-15 04' GROUP BY 1" function_on_index 1 "time_bucket < '2024-07-15 05'"
check_explain "SELECT * FROM gdelt_silver" select_star_wide 1 "all 67 columns of gdelt_silver"
check_explain "SELECT COUNT(*) FROM gdelt_silver WHERE ActionGeo_CountryCode = 'US'" full_scan - "CREATE INDEX gdelt_silver_ActionGeo_CountryCode ON gdelt_silver(ActionGeo_CountryCode)"
check_explain "SELECT COUNT(*) FROM correlated_gold_events c JOIN gdelt_silver g ON g.SOURCEURL = c.EventID" join_type_mismatch - "g.SOURCEURL (TEXT) is compared with c.EventID (INTEGER)"
out=$(wg explain "SELECT title FROM wikimedia_silver WHERE title = 'Jeremy Corbyn'")
grep -q "^warnings: none" <<<"$out" && grep -q "looks wikimedia_silver up through wikimedia_silver_title" <<<"$out" || fail "a clean query: $out"
wg explain "DELETE FROM gdelt_silver" >/dev/null 2>&1 && fail "explain refuses a write"
out=$(wg explain --as bob "SELECT COUNT(*) FROM gdelt_silver" 2>&1) && fail "explain --as: refused"
grep -q "refused: .*bob may not read gdelt_silver" <<<"$out" || fail "explain --as bob: $out"
wg explain --as bob "SELECT COUNT(*) FROM correlated_gold_events c JOIN gold_events e ON e.EventID = c.EventID" | grep -q "^plan:" \
    || fail "explain --as bob of gold"

# ---- HTTP ----
tok_biz=$(new_principal biz business_users)
tok_ds=$(new_principal ds data_scientists)
# shellcheck disable=SC2086
serve_up $sets
post() { curl -s -o "$WG_TMP/http.json" -w '%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$SERVE_URL$2"; }
code=$(post "$tok_biz" /api/ask '{"question": "What is the mismatch rate?"}')
assert_eq "$code" "200" "ask over HTTP: $(cat "$WG_TMP/http.json")"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert a["intent"]=="gold_match_rate" and a["rows"][0][0]==int(sys.argv[2]), a' "$WG_TMP/http.json" "$(q "SELECT events FROM gold_mismatch")" \
    || fail "the answer's rows"
code=$(post "$tok_biz" /api/ask '{"question": "How many protest events were there?"}')
assert_eq "$code" "403" "a business user asking about silver"
grep -q '"refused":' "$WG_TMP/http.json" && ! grep -q '"rows"' "$WG_TMP/http.json" || fail "refused, no rows: $(cat "$WG_TMP/http.json")"
sleep 0.5 # the server writes its audit in batches
[ "$(q "SELECT COUNT(*) FROM govern_audit WHERE principal = 'biz' AND route = 'POST /api/ask' AND outcome = 'refused' AND sql LIKE '%gdelt_silver%'")" -ge 1 ] \
    || fail "/api/ask is audited"
code=$(post "$tok_ds" /api/ask '{"question": "How many protest events were there?"}')
assert_eq "$code" "200" "a data scientist asking about silver"
code=$(post "$tok_ds" /api/explain "{\"sql\": \"$listing8\", \"run\": true}")
assert_eq "$code" "200" "explain over HTTP: $(cat "$WG_TMP/http.json")"
grep -q '"kind":"join_unindexed"' "$WG_TMP/http.json" && grep -q '"same_rows":true' "$WG_TMP/http.json" || fail "explain over HTTP: $(cat "$WG_TMP/http.json")"
code=$(post "$tok_biz" /api/explain "{\"sql\": \"$listing8\"}")
assert_eq "$code" "403" "explain of silver for a business user"
code=$(post "$tok_biz" /api/ask '{"question": 42}')
assert_eq "$code" "400" "a bad body"
code=$(curl -s -o /dev/null -w '%{http_code}' -d '{"question": "x"}' "$SERVE_URL/api/ask")
assert_eq "$code" "401" "no token"
echo ok
