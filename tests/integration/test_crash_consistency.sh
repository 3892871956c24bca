# Crash consistency of the whole pipeline: `run` (GDELT poller, SSE listener, refine loop,
# correlate --follow, the HTTP API, and every other part run supervises) against the simulator, killed with
# SIGKILL - the supervisor and all its parts at once, as a power cut would - at random moments,
# then restarted; after the last restart has drained the input, every table (bronze, silver,
# quarantine, gold, the ledger, the checkpoints, the stream state) has the same ordered checksum
# as an uninterrupted run over the same input (tests/integration/lake_checksum.py: all columns
# but processing times; bookkeeping tables compared by their totals).
# test_sigterm.sh runs the same with graceful stops (mode=TERM).
#   WG_LONG=1             50 kills (default 5)
#   WG_CRASH_SEED=N       replay the kill times of a failed run (the seed is printed)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
need_shared
mode=${mode:-KILL}
kills=${WG_CRASH_KILLS:-5}
[ "${WG_LONG:-0}" = 1 ] && kills=${WG_CRASH_KILLS:-50}
seed=${WG_CRASH_SEED:-$(( (RANDOM << 15) | RANDOM ))}
echo "$mode test: seed $seed, $kills stops (replay with WG_CRASH_SEED=$seed${WG_LONG:+ WG_LONG=$WG_LONG})"

rec="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
total=39244
mkdir -p "$WG_TMP/gdelt"
ln -s "$WG_SHARED/data/gdelt/20240715000000.export.CSV.zip" "$WG_TMP/gdelt/"
port=$(free_port)
# The input is fixed: one export (published from the start, every poll announces it) and the
# wikiticker day moved onto that export's day, closed at its end (a reconnect resumes after the
# last stored event and gets nothing more).
bg "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
    --set simulate.wiki_at_end=close simulate --port "$port" --speed 1 --gdelt-dir "$WG_TMP/gdelt" \
    --wiki-recording "$rec" >"$WG_TMP/sim.log" 2>&1
wait_http "http://127.0.0.1:$port/gdeltv2/lastupdate.txt" 20
# the day's stream lasts about as long as the kills (1.35 s apart on average), so that they land
# while everything is moving: ~7 s for 5 kills, ~55 s for 50
speed=$(( 86400 * 10 / (kills * 135 * 8 / 100 + 20) ))
gurl="http://127.0.0.1:$port/gdeltv2/"
wurl="http://127.0.0.1:$port/v2/stream/recentchange?speed=$speed"
sport=$(free_port)
sets=(--set wiki.batch_events=300 --set wiki.backoff_initial_ms=50 --set gdelt.retry_initial_ms=50
      --set gdelt.silver_batch_rows=500 --set serve.address=127.0.0.1:$sport)

python3 "$here/pipeline_kill.py" --signal "$mode" --seed "$seed" --stops "$kills" --total "$total" \
    --health "http://127.0.0.1:$sport/healthz" \
    "$WG_BIN" "$WG_TMP/ref" "$WG_TMP/crash" -- "${sets[@]}" run --gdelt-url "$gurl" --wiki-url "$wurl" --interval 1 \
    || fail "pipeline run (seed $seed)"
# the input has ended: the same final drain for both (every open window closed)
for h in ref crash; do
    "$WG_BIN" --home "$WG_TMP/$h" refine >/dev/null 2>&1 || fail "final refine ($h)"
    "$WG_BIN" --home "$WG_TMP/$h" correlate --drain >/dev/null 2>&1 || fail "final correlate --drain ($h)"
    python3 "$here/lake_checksum.py" "$WG_TMP/$h/wikigdelt.db" >"$WG_TMP/$h.sums"
    "$WG_BIN" --home "$WG_TMP/$h" check >"$WG_TMP/$h.check" || fail "check ($h): $(grep FAIL "$WG_TMP/$h.check")"
done
assert_eq "$("$WG_BIN" --home "$WG_TMP/ref" sql --format csv "SELECT COUNT(*) FROM wikimedia_bronze" | sed -n 2p)" "$total" "reference ingested the whole day"
if ! diff "$WG_TMP/ref.sums" "$WG_TMP/crash.sums" >"$WG_TMP/diff"; then
    cat "$WG_TMP/diff"
    fail "tables differ from the uninterrupted run (seed $seed)"
fi
echo "$(wc -l <"$WG_TMP/ref.sums") tables equal to the uninterrupted run's:"
grep -E "^(gdelt_bronze|gdelt_silver|gdelt_ledger|wikimedia_bronze|wikimedia_silver|correlated_gold_events|gold_events|checkpoints) " "$WG_TMP/crash.sums" | sed 's/^/  /'
echo ok
