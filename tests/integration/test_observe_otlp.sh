# OTLP push: a receiver written for the test with PyPI's opentelemetry-proto decodes what
# `metrics --push` sends (OTLP/HTTP, JSON encoding) and the test checks names, types, units and
# attributes; a collector that is down costs a counted failure and nothing else.
source "$(dirname "$0")/lib.sh"
need_shared
here=$(cd "$(dirname "$0")" && pwd)
"$here/otlp_venv.sh" || fail "cannot set up build/venv-otlp (opentelemetry-proto from PyPI)"
py="$here/../../build/venv-otlp/bin/python"
wg ingest gdelt --file "$WG_SHARED/data/gdelt/" >/dev/null 2>&1
wg ingest wiki --file "$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz" >/dev/null 2>&1
wg refine >/dev/null 2>&1
port=$(free_port)
bg "$py" "$here/otlp_receiver.py" "$port" "$WG_TMP/received.ndjson"
for i in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

# 1. one push, decoded strictly
wg --set otel.endpoint="http://127.0.0.1:$port" metrics --push --once 2>"$WG_TMP/push.err" || fail "push: $(cat "$WG_TMP/push.err")"
silver=$(q "SELECT COUNT(*) FROM wikimedia_silver")
python3 - "$WG_TMP/received.ndjson" "$silver" <<'PY' || fail "OTLP content"
import json, socket, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 1, recs
r = recs[0]
assert "error" not in r, r
assert r["content_type"].startswith("application/json")
res = r["resources"][0]
a = res["attributes"]
assert a["service.name"] == "wikigdelt", a
assert a.get("service.version"), a
assert a["host.name"] == socket.gethostname(), a
m = {x["name"]: x for x in res["metrics"]}
def point(name, **want):
    for p in m[name]["points"]:
        if all(p["attributes"].get(k) == v for k, v in want.items()):
            return p
    raise AssertionError(f"{name} {want}: no point in {m[name]['points']}")
rows = m["wikigdelt_flow_output_rows"]
assert rows["type"] == "sum" and rows["monotonic"] and rows["temporality"] == 2 and rows["unit"] == "1", rows
assert point("wikigdelt_flow_output_rows", flow="wikimedia_silver")["value"] == int(sys.argv[2])
lag = m["wikigdelt_flow_lag_seconds"]
assert lag["type"] == "gauge" and lag["unit"] == "s", lag
h = m["wikigdelt_record_latency_seconds"]
assert h["type"] == "histogram" and h["unit"] == "s" and h["temporality"] == 2, h
p = point("wikigdelt_record_latency_seconds", stream="wiki", stage="silver", **{"from": "receipt"})
assert p["count"] == int(sys.argv[2]) and sum(p["buckets"]) == p["count"], p
assert len(p["buckets"]) == len(p["bounds"]) + 1
assert m["wikigdelt_flow_bytes"]["unit"] == "By"
assert m["wikigdelt_sqlite_database_bytes"]["unit"] == "By"
assert point("wikigdelt_expectation_failures", flow="wikimedia_silver", action="warn")["value"] > 0
print("OTLP: %d metrics, resource %s" % (len(m), a))
PY

# 2. a collector that is down: the push fails, is counted, and the loop keeps going
dead=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/home" --set otel.endpoint="http://127.0.0.1:$dead" metrics --push --interval 0.2 2>"$WG_TMP/dead.err"
pusher=$!
sleep 2
kill -0 "$pusher" || fail "the push loop stopped when the collector was down"
failures=$(q "SELECT CAST(value AS INTEGER) FROM obs_metrics WHERE name='wikigdelt_otlp_exports_total' AND labels='outcome=\"failure\"'")
[ "${failures:-0}" -ge 3 ] || fail "failed pushes counted: ${failures:-none}"
grep -q "OTLP push failed (counted" "$WG_TMP/dead.err" || fail "the failure is logged"
echo "ok: $failures failed pushes counted"
