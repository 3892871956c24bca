#!/usr/bin/env bash
# Question-to-SQL latency of the assistant (model load excluded): every phrasing of
# tests/integration/ask_questions.txt, ROUNDS times, through `ask --batch --sql-only` (one process:
# the model and the templates' vectors are loaded once, then each question is timed from its text
# to its bound SQL: slot grammar, one MiniLM encoding, the similarity to every template example,
# SQL assembly). Prints p50 / p99 / max per embedder, and the one-off load time. Target: < 50 ms.
#   bench/ask_bench.sh [ROUNDS]        (default 5)
# Needs ../shared (or WG_SHARED) for a store to ask about, a built binary (WG_BIN, default
# build/wikigdelt) and the model (WG_REFERENCE_BUILD/model/all-MiniLM-L6-v2, default build/...).
set -euo pipefail
cd "$(dirname "$0")/.."
WG_BIN=${WG_BIN:-$PWD/build/wikigdelt}
WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared}
model=${WG_REFERENCE_BUILD:-$PWD/build}/model/all-MiniLM-L6-v2
rounds=${1:-5}
[ -d "$WG_SHARED/data" ] || { echo "bench: needs ../shared/data" >&2; exit 77; }
tmp=$(mktemp -d /tmp/wg-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$WG_BIN" --home "$tmp/home" ingest gdelt --file "$WG_SHARED/data/gdelt/" >/dev/null 2>&1
"$WG_BIN" --home "$tmp/home" refine >/dev/null 2>&1
grep '^? ' tests/integration/ask_questions.txt | sed 's/^? //' >"$tmp/one"
for _ in $(seq 1 "$rounds"); do cat "$tmp/one"; done >"$tmp/qs"
echo "load: $(uptime | sed 's/.*load average: //'); $(wc -l <"$tmp/one") phrasings x $rounds rounds"
run() { # label, settings...
    local label=$1 t0 t1
    shift
    t0=$(date +%s%N)
    # embed.cache_size=0: every question is encoded (the cache would answer the repeats)
    "$WG_BIN" --home "$tmp/home" --set embed.cache_size=0 "$@" ask --sql-only --batch "$tmp/qs" >"$tmp/out.jsonl" 2>/dev/null
    t1=$(date +%s%N)
    python3 - "$tmp/out.jsonl" "$label" "$(( (t1 - t0) / 1000000 ))" <<'PY'
import json, sys
ms = sorted(json.loads(l)["parse_ms"] for l in open(sys.argv[1]))
n = len(ms)
q = lambda p: ms[min(n - 1, int(p * n))]
total = float(sys.argv[3])
print(f"{sys.argv[2]:<34} question->SQL p50 {q(0.5):6.2f} ms  p99 {q(0.99):6.2f} ms  max {ms[-1]:6.2f} ms"
      f"  ({n} questions; process {total / 1000:.2f} s, of which load ~{max(0.0, total - sum(ms)) / 1000:.2f} s)")
PY
}
if [ -f "$model/model.safetensors" ]; then
    run "all-MiniLM-L6-v2 (embed.precision auto)" --set embed.model_dir="$model"
    run "all-MiniLM-L6-v2 (fp32)" --set embed.model_dir="$model" --set embed.precision=fp32
    run "all-MiniLM-L6-v2, 1 thread" --set embed.model_dir="$model" --set embed.threads=1
else
    echo "the model is absent ($model): fallback only"
fi
run "hash-ngram fallback" --set embed.backend=hash
