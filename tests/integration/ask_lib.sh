# Builds the store the assistant's tests ask about (sourced after lib.sh): both GDELT exports, the
# wikiticker day served by the loopback simulator with its clock moved to 2024-07-15, the enwiki
# recording, a GDELT file with three bad rows (quarantined), refined, and correlated with the
# demo's looser burst rule so that breaking_news_bursts has rows. Uses the real model when the
# reference build has it (WG_REFERENCE_BUILD, default build/), else the fallback embedder.
ask_model_dir() { echo "${WG_REFERENCE_BUILD:-$(cd "$(dirname "$WG_BIN")/.." && pwd)/build}/model/all-MiniLM-L6-v2"; }
ask_model_sets() {
    local m; m=$(ask_model_dir)
    if [ -f "$m/model.safetensors" ]; then echo "--set embed.model_dir=$m"; else echo "--set embed.backend=hash"; fi
}
ask_build_store() {
    local data="$WG_SHARED/data" rec="$WG_SHARED/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
    local edits port sets
    sets=$(ask_model_sets)
    edits=$(zcat "$rec" | wc -l)
    wg ingest gdelt --file "$data/gdelt/" >/dev/null
    port=$(free_port)
    bg "$WG_BIN" --home "$WG_TMP/simhome" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z \
        --set simulate.wiki_at_end=close simulate --port "$port" --speed 0 --wiki-recording "$rec" >"$WG_TMP/sim.log" 2>&1
    local i; for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    timeout 300 "$WG_BIN" --home "$WG_TMP/home" ingest wiki --url "http://127.0.0.1:$port/v2/stream/recentchange" \
        --max-events "$edits" >/dev/null || fail "ingest wiki from the simulator"
    wg ingest wiki --file "$data/wikimedia/recentchange_enwiki_20230729T0751Z.ndjson" >/dev/null
    python3 - "$data/gdelt/20240715000000.export.CSV.zip" "$WG_TMP/20240716000000.export.CSV" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
lines = z.read(z.namelist()[0]).decode().splitlines()[:6]
out = []
for i, l in enumerate(lines):
    f = l.split('\t')
    f[0] = str(990000000 + i)
    if i == 0: f = f[:30]              # too few columns
    elif i == 1: f[1] = '20241345'     # no such date
    elif i == 2: f[0] = 'notanumber'   # bad id
    out.append('\t'.join(f))
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
PY
    wg ingest gdelt --file "$WG_TMP/20240716000000.export.CSV" >/dev/null
    wg refine >/dev/null
    local burst="--set correlate.burst.min_edits=3 --set correlate.burst.max_gap_seconds=600 --set correlate.burst.recent_seconds=900"
    # shellcheck disable=SC2086
    wg $sets $burst correlate >/dev/null 2>&1
    # shellcheck disable=SC2086
    wg $sets $burst correlate --drain >/dev/null 2>&1
}
