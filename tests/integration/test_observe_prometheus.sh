# GET /metrics and /readyz on the serve port (and on the standalone exporter, `metrics --listen`):
# a strict parse of the exposition, promtool's lint, and a real Prometheus (Debian's package)
# scraping the serve port on 127.0.0.1, whose HTTP API gives our series back with the values the
# store holds.
source "$(dirname "$0")/lib.sh"
need_shared
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/bootstrap.sh installs it)"
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/home" serve --address "127.0.0.1:$port" >"$WG_TMP/serve.log" 2>&1
wait_http "http://127.0.0.1:$port/healthz"
xport=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/home" metrics --listen "127.0.0.1:$xport" >"$WG_TMP/exporter.log" 2>&1
wait_http "http://127.0.0.1:$xport/metrics"

# 1. not ready before any source has committed a batch, with the reason
code=$(curl -s -o "$WG_TMP/ready0" -w '%{http_code}' "http://127.0.0.1:$port/readyz")
assert_eq "$code" 503 "readyz before any batch"
grep -q "has not committed a batch yet" "$WG_TMP/ready0" || fail "readyz reason: $(cat "$WG_TMP/ready0")"

# 2. data through every flow
wg ingest gdelt --file "$WG_SHARED/data/gdelt/" >/dev/null 2>&1
wg ingest wiki --file "$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz" >/dev/null 2>&1
wg refine >/dev/null 2>&1
code=$(curl -s -o "$WG_TMP/ready1" -w '%{http_code}' "http://127.0.0.1:$port/readyz")
assert_eq "$code" 200 "readyz after the sources wrote: $(cat "$WG_TMP/ready1")"
curl -fs -D "$WG_TMP/headers" "http://127.0.0.1:$port/metrics" >"$WG_TMP/metrics.txt"
grep -qi '^content-type: text/plain; version=0.0.4' "$WG_TMP/headers" || fail "exposition content type"
python3 "$(dirname "$0")/prom_strict.py" <"$WG_TMP/metrics.txt" >"$WG_TMP/samples.json" || fail "strict parse of /metrics"
promtool check metrics <"$WG_TMP/metrics.txt" || fail "promtool lint"
# a deliberately broken exposition is caught by the parser (the test can fail)
sed 's/^\(wikigdelt_flow_input_rows_total{[^}]*}\) .*/\1 12abc/' "$WG_TMP/metrics.txt" | python3 "$(dirname "$0")/prom_strict.py" >/dev/null 2>&1 \
    && fail "the strict parser accepted a bad value"
grep -q '^wikigdelt_sqlite_database_bytes [1-9]' "$WG_TMP/metrics.txt" || fail "database size gauge"
grep -q '^wikigdelt_record_latency_seconds_bucket{stream="wiki",stage="silver",from="receipt",le="+Inf"} 39244$' "$WG_TMP/metrics.txt" \
    || fail "a latency histogram per record"
grep -q '^wikigdelt_expectation_failures_total{flow="wikimedia_silver",rule="' "$WG_TMP/metrics.txt" || fail "expectation failures by rule"
# the standalone exporter serves the same store's metrics
curl -fs "http://127.0.0.1:$xport/metrics" | python3 "$(dirname "$0")/prom_strict.py" >"$WG_TMP/xsamples.json" || fail "strict parse of the exporter"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); k="wikigdelt_flow_output_rows_total{flow=\"wikimedia_silver\"}"; sys.exit(0 if a[k]==b[k] else 1)' \
    "$WG_TMP/samples.json" "$WG_TMP/xsamples.json" || fail "serve and exporter disagree"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$xport/readyz")
assert_eq "$code" 200 "exporter readyz"

# 3. a real Prometheus scrapes it
pport=$(free_port)
cat >"$WG_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: wikigdelt
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
bg prometheus --config.file="$WG_TMP/prometheus.yml" --storage.tsdb.path="$WG_TMP/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >"$WG_TMP/prometheus.log" 2>&1
wait_http "http://127.0.0.1:$pport/-/ready" 30
pq() { curl -fs "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")'; }
want=$(q "SELECT COUNT(*) FROM wikimedia_silver")
got=none
for i in $(seq 1 60); do
    got=$(pq 'wikigdelt_flow_output_rows_total{job="wikigdelt",flow="wikimedia_silver"}')
    [ "$got" = "$want" ] && break
    sleep 0.5
done
assert_eq "$got" "$want" "Prometheus has our silver output counter"
assert_eq "$(pq 'up{job="wikigdelt"}')" 1 "target up"
health=$(curl -fs "http://127.0.0.1:$pport/api/v1/targets" | python3 -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"][0]
print(t["health"], repr(t["lastError"]))')
assert_eq "$health" "up ''" "scrape without errors"
p99=$(pq 'histogram_quantile(0.99, sum by (le) (wikigdelt_record_latency_seconds_bucket{stream="gdelt",stage="silver",from="receipt"}))')
[ "$p99" != none ] || fail "histogram_quantile over our latency buckets"
echo "Prometheus: silver rows $got, gdelt receipt-to-silver p99 $p99 s"
# every query of the shipped Grafana dashboard parses and runs on this Prometheus
python3 - "$(dirname "$0")/../../docs/grafana-dashboard.json" "$pport" <<'PY' || fail "dashboard queries"
import json, sys, urllib.parse, urllib.request
d = json.load(open(sys.argv[1]))
n = 0
for p in d["panels"]:
    for t in p["targets"]:
        expr = t["expr"].replace("$__rate_interval", "1m").replace("$job", ".*")
        url = f"http://127.0.0.1:{sys.argv[2]}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            r = json.load(urllib.request.urlopen(url))
        except Exception as e:  # an HTTP 400 is a bad query
            sys.exit(f"panel {p['title']!r}: {expr}: {e}")
        assert r["status"] == "success", (p["title"], r)
        n += 1
print(f"dashboard: {n} queries ran")
PY
# the exporter counts its own requests
curl -fs "http://127.0.0.1:$port/metrics" >"$WG_TMP/metrics2.txt"
grep -q '^wikigdelt_http_requests_total{route="/metrics",status="200"} [1-9]' "$WG_TMP/metrics2.txt" \
    || fail "requests counted by route and status"
echo ok
