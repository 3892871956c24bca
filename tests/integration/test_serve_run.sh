# serve as a supervised part of `run`: the API answers on serve.address while the sources ingest,
# a principal's query sees the rows as they land, and a serve child killed with -9 is restarted
# by the supervisor and answers again. Without ../shared the simulator generates its data.
source "$(dirname "$0")/lib.sh"
sport=$(free_port)
port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/sim" --set simulate.speed=600 simulate --port "$sport"
wait_http "http://127.0.0.1:$sport/gdeltv2/lastupdate.txt" 60
tok=$(wg principal add ds 2>/dev/null | grep -oE '[0-9a-f]{64}' | tail -n 1)
wg group add-member data_scientists ds >/dev/null
bg "$WG_BIN" --home "$WG_TMP/home" --set serve.address="127.0.0.1:$port" run \
    --gdelt-url "http://127.0.0.1:$sport/gdeltv2/" --wiki-url "http://127.0.0.1:$sport/v2/stream/recentchange" \
    --interval 1 --duration 40
wait_http "http://127.0.0.1:$port/healthz" 60
count() {
    curl -s -H "Authorization: Bearer $tok" -d '{"sql": "SELECT COUNT(*) FROM wikimedia_bronze"}' \
        "http://127.0.0.1:$port/api/sql" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"][0][0])'
}
n1=$(count)
sleep 4
n2=$(count)
[ "$n2" -gt "$n1" ] || fail "the API does not see the rows landing ($n1 then $n2)"
victim=$(pgrep -f -- "--home $WG_TMP/home serve" | head -n 1 || true)
[ -n "$victim" ] || fail "no serve child under run"
kill -9 "$victim"
sleep 1
for i in $(seq 1 100); do
    pid=$(pgrep -f -- "--home $WG_TMP/home serve" | head -n 1 || true)
    [ -n "$pid" ] && [ "$pid" != "$victim" ] && curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.2
done
[ -n "$pid" ] && [ "$pid" != "$victim" ] || fail "the serve child was not restarted"
n3=$(count)
[ "$n3" -ge "$n2" ] || fail "the restarted server answers ($n3)"
grep -q "serve exited" "$WG_TMP/home/logs/"*.log 2>/dev/null || true
echo "rows seen through the API: $n1, $n2, after the restart $n3"
