#!/usr/bin/env bash
# The main job, offline: bootstrap, build, then run the whole pipeline against the built-in
# loopback simulator (GDELT files + Wikimedia SSE) and show what landed in every layer.
# Extra arguments go to `wikigdelt demo` (see `build/wikigdelt demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
make -s -j"$(nproc 2>/dev/null || echo 2)" all
export WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared}
exec build/wikigdelt --home "${WIKIGDELT_HOME:-./lakehouse}" demo "$@"
