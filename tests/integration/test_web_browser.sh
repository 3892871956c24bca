# The pages in a real browser: headless Chromium (Debian's chromium, driven by playwright-core from
# npm) against `wikigdelt serve` on 127.0.0.1, with both real GDELT exports ingested and refined,
# the wikiticker day placed into their windows (silver_rows.py, as test_gold_real does) and
# correlated. One principal per group signs in through the page; tests/browser/pages.mjs checks
# masking, the heatmap, the timeline, the slider, a live gold row, the status page, console
# errors, phone width and load time, and saves screenshots under build/screenshots/.
source "$(dirname "$0")/lib.sh"
need_shared
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (scripts/bootstrap.sh installs them)"
[ -x "${WG_CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium is needed (scripts/bootstrap.sh installs it)"
command -v sqlite3 >/dev/null || fail "the sqlite3 shell is needed (scripts/bootstrap.sh installs it)"

# The pages (make web: npm ci from web/package-lock.json, then esbuild) and the test driver.
make -s -C "$repo" web >/dev/null
[ "$repo/tests/browser/node_modules/.package-lock.json" -nt "$repo/tests/browser/package-lock.json" ] ||
    (cd "$repo/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)

# Both GDELT exports through the real source and silver flow; a short Wikimedia recording through
# the wiki flows (so the status page has every flow); the wikiticker day into each export's window.
db="$WG_TMP/home/wikigdelt.db"
wg ingest gdelt --file "$WG_SHARED/data/gdelt/" >/dev/null
wg ingest wiki --file "$WG_SHARED/data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson" >/dev/null
wg refine >/dev/null
python3 "$here/silver_rows.py" "$db" "$WG_SHARED/data" wiki 2024-07-15 d2024
python3 "$here/silver_rows.py" "$db" "$WG_SHARED/data" wiki 2025-07-15 d2025
model=()
if [ -n "${WG_REFERENCE_BUILD:-}" ] && [ -f "$WG_REFERENCE_BUILD/model/all-MiniLM-L6-v2/model.safetensors" ]; then
    model=(--set "embed.model_dir=$WG_REFERENCE_BUILD/model/all-MiniLM-L6-v2")
fi
burst=(--set correlate.burst.min_edits=3 --set correlate.burst.max_gap_seconds=600 --set correlate.burst.recent_seconds=900)
wg "${model[@]}" "${burst[@]}" correlate --drain | tail -n 2
[ "$(q "SELECT COUNT(*) FROM correlated_gold_events")" -gt 50 ] || fail "too few pairs to test the explorer"

# One principal per group (the executive also reads what business users read).
tokens="{"
for g in compliance business_users data_scientists executive; do
    t=$(wg principal add "web_$g" 2>/dev/null | head -n 1)
    [ ${#t} -ge 64 ] || fail "principal add printed no token for web_$g"
    wg group add-member "$g" "web_$g" >/dev/null
    tokens+="\"$g\": \"$t\","
done
wg group add-member business_users web_executive >/dev/null
tokens="${tokens%,}}"

port=$(free_port)
bg "$WG_BIN" --home "$WG_TMP/home" --set "serve.web_dir=$repo/build/web" serve --port "$port" >"$WG_TMP/serve.log" 2>&1
wait_http "http://127.0.0.1:$port/healthz" 20

shots="${WG_SCREENSHOTS:-$repo/build/screenshots}"
# A sanitizer build serves several times slower: the page waits and the load bound stretch x4.
slow=1
ldd "$WG_BIN" 2>/dev/null | grep -q 'libasan' && slow=4
WG_SLOW=$slow WG_URL="http://127.0.0.1:$port" WG_HOME="$WG_TMP/home" WG_TOKENS="$tokens" WG_SHOTS="$shots" \
    node "$repo/tests/browser/pages.mjs" || { tail -n 20 "$WG_TMP/serve.log"; fail "browser checks"; }
ls "$shots"/*.png >/dev/null || fail "no screenshots saved"
echo ok
