# Masking and the dashboard queries over HTTP. The same query through secure_gdelt returns the
# actor names for compliance and REDACTED for a business user, and is_executive follows
# membership of executive; Wikipedia user names and comments are masked outside compliance. The
# report's listings 6, 7 and 8 answered by /api/sql (JSON, CSV and ndjson) for the groups that
# may read them have the same rows as `wikigdelt sql`, and are refused (403) for the others.
# /api/tables/{name} describes what the caller may read and shows a view's SQL only to callers
# who may read what is under it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
serve_fixture

export TOK_BIZ TOK_EXEC TOK_DS TOK_COMP
TOK_BIZ=$(new_principal biz business_users)
TOK_EXEC=$(new_principal boss business_users executive)
TOK_DS=$(new_principal ds data_scientists)
TOK_COMP=$(new_principal comp compliance)

# The listings as the demo prints them (report listings 6, 7, 8), and the owner's answers.
export L6="SELECT ActionGeo_Lat, ActionGeo_Long, COUNT(*) AS events FROM gold_events GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 200"
export L7="SELECT DATE_TRUNC('hour', event_time) AS hour, ROUND(AVG(AvgTone), 3) AS sentiment, COUNT(*) AS events FROM gdelt_silver GROUP BY 1 ORDER BY 1"
export L8="SELECT g.EventCode, w.wiki, ROUND(AVG(c.cosine_sim), 3) AS similarity, COUNT(*) AS pairs FROM correlated_gold_events c JOIN gdelt_silver g ON c.EventID = g.EventID JOIN (SELECT DISTINCT title, wiki FROM wikimedia_silver) w ON c.title = w.title GROUP BY 1, 2 ORDER BY 4 DESC, 1, 2"
for l in 6 7 8; do v="L$l"; wg sql --format json "${!v}" > "$WG_TMP/owner_$l.json"; done
wg sql --format json "SELECT EventID, Actor1Name FROM gdelt_silver ORDER BY EventID" > "$WG_TMP/owner_actors.json"
export WG_OUT="$WG_TMP"

serve_up
PYTHONPATH="$(dirname "$0")" python3 - <<'PY' || fail "masking / listings"
import csv, io, json, os, sys
from serve_client import request, sql
T = {g: os.environ["TOK_" + g] for g in ("BIZ", "EXEC", "DS", "COMP")}
out = os.environ["WG_OUT"]
failures = []
def check(cond, msg):
    if not cond:
        failures.append(msg)
    print("  %s %s" % ("ok  " if cond else "FAIL", msg))

print("secure_gdelt")
q = "SELECT EventID, Actor, is_executive FROM secure_gdelt ORDER BY EventID"
owner = {r["EventID"]: r["Actor1Name"] for r in json.load(open(out + "/owner_actors.json"))}
named = sum(1 for v in owner.values() if v)
res = {}
for g in T:
    st, body, _ = sql(T[g], q, limit=100000)
    res[g] = (st, body)
st, body = res["COMP"]
check(st == 200 and body["row_count"] == len(owner), "compliance reads secure_gdelt (%s rows)" % body.get("row_count"))
check(all(r[1] == owner[r[0]] for r in body["rows"]) and named > 100, "compliance sees the %d actor names" % named)
for g in ("BIZ", "EXEC"):
    st, body = res[g]
    check(st == 200 and body["row_count"] == len(owner), "%s reads secure_gdelt" % g)
    check(all(r[1] == "REDACTED" for r in body["rows"]), "%s sees REDACTED for every actor" % g)
check(all(r[2] == 0 for r in res["BIZ"][1]["rows"]), "is_executive = 0 for a business user")
check(all(r[2] == 1 for r in res["EXEC"][1]["rows"]), "is_executive = 1 for a member of executive")
check(all(r[2] == 0 for r in res["COMP"][1]["rows"]), "is_executive = 0 for compliance (not in executive)")
st, body, _ = sql(T["BIZ"], "SELECT current_user() AS me, is_member('business_users') AS b, is_member('compliance') AS c")
check(st == 200 and body["rows"] == [["biz", 1, 0]], "current_user() and is_member() answer for the caller: %s" % body.get("rows"))

print("Wikipedia user names and comments")
q = "SELECT user, comment FROM business_wiki_edits WHERE user IS NOT NULL AND comment <> '' ORDER BY silver_id LIMIT 200"
st_c, comp, _ = sql(T["COMP"], q)
st_b, biz, _ = sql(T["BIZ"], q)
check(st_c == 200 and len(comp["rows"]) == 200 and all(r[0] != "REDACTED" for r in comp["rows"]), "compliance sees editors and comments")
check(st_b == 200 and all(r == ["REDACTED", "REDACTED"] for r in biz["rows"]), "a business user sees REDACTED")
st, ds, _ = sql(T["DS"], "SELECT user, comment FROM wikimedia_silver ORDER BY silver_id LIMIT 200")
st2, cs, _ = sql(T["COMP"], "SELECT user, comment FROM wikimedia_silver ORDER BY silver_id LIMIT 200")
check(st == 200 and st2 == 200 and any(r[0] for r in cs["rows"]), "silver read by data scientists and compliance")
check(all(r[0] in (None, "REDACTED") and r[1] in (None, "REDACTED") for r in ds["rows"]), "a data scientist reads silver with user and comment masked")
st, _, _ = sql(T["BIZ"], "SELECT user FROM wikimedia_silver LIMIT 1")
check(st == 403, "a business user may not read wikimedia_silver (%d)" % st)

print("listings 6, 7, 8")
may = {"6": ("BIZ", "EXEC", "DS", "COMP"), "7": ("DS", "COMP"), "8": ("DS", "COMP")}
for l in ("6", "7", "8"):
    owner_rows = json.load(open("%s/owner_%s.json" % (out, l)))
    check(len(owner_rows) > 0, "listing %s has rows (%d)" % (l, len(owner_rows)))
    for g in T:
        st, body, _ = sql(T[g], os.environ["L" + l], limit=100000)
        if g in may[l]:
            cols = [c["name"] for c in body["columns"]]
            rows = [dict(zip(cols, r)) for r in body["rows"]]
            check(st == 200 and rows == owner_rows and not body["truncated"],
                  "listing %s as %s: %d rows, the same as sql" % (l, g, len(rows)))
            if g == "DS":
                st2, h, data = request("POST", "/api/sql", T[g], {"sql": os.environ["L" + l], "format": "ndjson"})
                nd = [json.loads(x) for x in data.decode().splitlines()]
                check(st2 == 200 and nd == owner_rows and h["content-type"].startswith("application/x-ndjson"),
                      "listing %s as ndjson: the same rows" % l)
                st3, h, data = request("POST", "/api/sql", T[g], {"sql": os.environ["L" + l], "format": "csv"})
                cr = list(csv.reader(io.StringIO(data.decode())))
                same = cr[0] == cols and len(cr) - 1 == len(owner_rows) and all(
                    [("" if v is None else str(v)) for v in o.values()] == [x if not isinstance(v, float) else x for x, v in zip(r, o.values())]
                    or all(abs(float(x) - v) < 1e-9 if isinstance(v, float) else x == ("" if v is None else str(v)) for x, v in zip(r, o.values()))
                    for r, o in zip(cr[1:], owner_rows))
                check(st3 == 200 and h["content-type"].startswith("text/csv") and same, "listing %s as CSV: the same rows" % l)
        else:
            err = body.get("error", "")
            check(st == 403 and ("gdelt_silver" in err or "wikimedia_silver" in err), "listing %s as %s: 403 naming the silver table (%d: %s)" % (l, g, st, err))

print("describe over HTTP")
st, h, data = request("GET", "/api/tables/secure_gdelt", T["BIZ"])
d = json.loads(data)
check(st == 200 and [c["name"] for c in d["columns"]] == ["EventID", "EventCode", "Actor", "is_executive"], "secure_gdelt's columns for a business user")
check(d.get("definition") is None, "a business user does not see secure_gdelt's SQL (it reads gdelt_silver)")
check(all(c.get("description") for c in d["columns"]), "columns carry the catalog's descriptions")
st, h, data = request("GET", "/api/tables/secure_gdelt", T["COMP"])
check(st == 200 and "is_member('compliance')" in (json.loads(data).get("definition") or ""), "compliance sees the view's SQL")
st, h, data = request("GET", "/api/tables/gdelt_silver", T["BIZ"])
check(st == 404, "gdelt_silver is not described to a business user (%d)" % st)
st, h, data = request("GET", "/api/tables/gold_events", T["BIZ"])
d = json.loads(data)
check(st == 200 and d["rows"] == len(json.load(open(out + "/owner_actors.json"))) and d["layer"] == "gold", "gold_events: layer and row count")
st, h, data = request("GET", "/api/whoami", T["EXEC"])
check(st == 200 and json.loads(data) == {"principal": "boss", "groups": ["business_users", "executive"]}, "whoami: %s" % data[:100])

if failures:
    print("\n".join("FAIL: " + f for f in failures), file=sys.stderr)
    sys.exit(1)
PY
serve_down
echo ok
