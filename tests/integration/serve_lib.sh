# Helpers for the serve tests (sourced after lib.sh): a lakehouse with the real recordings
# ingested, refined and correlated; principals in each group; the server on a free loopback port.

# Ingests the 2024-07-15 GDELT export and the wikiticker day (served by the loopback simulator
# with its times moved onto the export's day), refines and correlates (the hash fallback embedder
# is enough: the tests compare the API with `sql`, not the pairs' quality).
serve_fixture() {
    need_shared
    local data="$WG_SHARED/data" rec port edits
    rec="$data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
    wg ingest gdelt --file "$data/gdelt/20240715000000.export.CSV.zip" >/dev/null 2>&1
    port=$(free_port)
    bg "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
        --set simulate.wiki_at_end=close simulate --port "$port" --speed 0 --wiki-recording "$rec" \
        >"$WG_TMP/sim.log" 2>&1
    wait_http "http://127.0.0.1:$port/gdeltv2/lastupdate.txt" 20
    edits=$(zcat "$rec" | wc -l)
    timeout 300 "$WG_BIN" --home "$WG_TMP/home" ingest wiki --url "http://127.0.0.1:$port/v2/stream/recentchange" \
        --max-events "$edits" >/dev/null 2>&1 || fail "ingest wiki from the simulator"
    wg refine >/dev/null 2>&1
    wg correlate >/dev/null 2>&1
    [ "$(q "SELECT COUNT(*) FROM correlated_gold_events")" -gt 0 ] || fail "the fixture has no gold pairs"
}

# new_principal NAME GROUP... : creates NAME in the groups and prints its token.
new_principal() {
    local name=$1 out tok g
    shift
    out=$(wg principal add "$name" 2>&1) || fail "principal add $name: $out"
    tok=$(printf '%s\n' "$out" | grep -oE '\b[0-9a-f]{64}\b' | tail -n 1)
    [ -n "$tok" ] || fail "principal add printed no token: $out"
    for g in "$@"; do wg group add-member "$g" "$name" >/dev/null 2>&1 || fail "group add-member $g $name"; done
    printf '%s\n' "$tok"
}

# serve_up [--set K=V]... : starts `serve` on a free port; sets SERVE_URL and SERVE_PID.
serve_up() {
    local port
    port=$(free_port)
    "$WG_BIN" --home "$WG_TMP/home" "$@" serve --port "$port" >"$WG_TMP/serve.out" 2>"$WG_TMP/serve.err" &
    SERVE_PID=$!
    _wg_pids+=("$SERVE_PID")
    SERVE_URL="http://127.0.0.1:$port"
    wait_http "$SERVE_URL/healthz" 20
    export SERVE_URL
}

# Stops the server with SIGTERM; it must exit 0 with no sanitizer report (leaks included).
serve_down() {
    local rc=0
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || rc=$?
    if grep -q "Sanitizer" "$WG_TMP/serve.err"; then cat "$WG_TMP/serve.err" >&2; fail "the server reported a sanitizer error"; fi
    [ "$rc" -eq 0 ] || { tail -5 "$WG_TMP/serve.err" >&2; fail "the server exited with status $rc"; }
}

# A checksum of every table and view definition except the audit log (which the server writes).
lakehouse_checksum() {
    python3 - "$WG_TMP/home/wikigdelt.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
h = hashlib.sha256()
for name, kind, sql in db.execute("SELECT name, type, COALESCE(sql, '') FROM sqlite_schema ORDER BY name"):
    h.update(("%s|%s|%s\n" % (name, kind, sql)).encode())
    if kind != "table" or name == "govern_audit" or name.startswith("sqlite_"):
        continue
    q = name.replace('"', '""')
    try:
        rows = db.execute('SELECT * FROM "%s" ORDER BY rowid' % q).fetchall()
    except sqlite3.OperationalError:  # WITHOUT ROWID
        rows = sorted(db.execute('SELECT * FROM "%s"' % q).fetchall(), key=repr)
    for row in rows:
        h.update(repr(row).encode())
print(h.hexdigest())
PY
}
