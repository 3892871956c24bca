#!/usr/bin/env bash
# Embedding throughput: the C engine (fp32 exact, bf16 and int8) beside sentence-transformers on PyTorch
# and ONNX Runtime fp32, on the same 10,000 short texts from ../shared/data (all distinct GDELT
# texts: actor names, places, URL slugs; the rest Wikipedia titles), same thread count, in one run.
# Sets up its peers itself (scripts/setup-reference.sh). Prints figures; asserts nothing.
# Usage: [REPEAT=2] bench/embed.sh [N_TEXTS] [THREADS]    (results also in bench/out/embed-*.txt)
#   WG_REFERENCE_BUILD=DIR takes the peers' venv and model from DIR (as the tests do) instead of
#   setting them up in this build dir.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-10000}
threads=${2:-$(nproc)}
repeat=${REPEAT:-2}   # rounds, engines interleaved; the summary takes each engine's best round
build=${BUILD:-build}
shared=${WG_SHARED:-$(cd "$root/.." && pwd)/shared}
export WG_SHARED=$shared
make -s BUILD="$build" bench   # the binary and build/bench/*, with the Makefile's flags and packages
ref=${WG_REFERENCE_BUILD:-$root/$build}
scripts/setup-reference.sh "$ref"
py=$ref/venv/bin/python
model=$ref/model/all-MiniLM-L6-v2
onnx=$ref/model/all-MiniLM-L6-v2.onnx
mkdir -p bench/out
texts=bench/out/embed-texts-$n.txt
python3 tests/reference/texts.py "$shared" gdelt > "$texts.tmp"
python3 tests/reference/texts.py "$shared" wiki "$(( n - $(wc -l < "$texts.tmp") ))" >> "$texts.tmp"
head -n "$n" "$texts.tmp" > "$texts" && rm -f "$texts.tmp"
out=bench/out/embed-$(date -u +%Y%m%dT%H%M%SZ).txt
{
echo "# bench/embed.sh $n texts, $threads threads, $(date -u '+%F %T') UTC, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "# the machine may be shared: compare the lines of one run with each other"
for round in $(seq 1 "$repeat"); do
    echo "# round $round"
    "$build/bench/embed_bench" "$texts" embed.model_dir="$model" embed.threads="$threads" embed.precision=fp32 2>/dev/null
    "$build/bench/embed_bench" "$texts" embed.model_dir="$model" embed.threads="$threads" embed.precision=bf16 2>/dev/null
    "$build/bench/embed_bench" "$texts" embed.model_dir="$model" embed.threads="$threads" embed.precision=int8 2>/dev/null
    "$py" bench/embed_peers.py onnx "$texts" "$model" "$onnx" 64 "$threads" 2>/dev/null
    "$py" bench/embed_peers.py torch "$texts" "$model" "$onnx" 64 "$threads" 2>/dev/null
done
} | tee "$out"
python3 - "$out" <<'PY'
import re, sys
rates, cpu_rates = {}, {}
for line in open(sys.argv[1]):
    m = re.search(r'^engine="([^"]+)".*sentences_per_s=([\d.]+)', line)
    if m:
        rates[m.group(1)] = max(rates.get(m.group(1), 0.0), float(m.group(2)))
    m = re.search(r'^engine="([^"]+)".*sentences_per_cpu_s=([\d.]+)', line)
    if m:
        cpu_rates[m.group(1)] = max(cpu_rates.get(m.group(1), 0.0), float(m.group(2)))
c32 = next((v for k, v in rates.items() if "(fp32" in k), None)
cbf = next((v for k, v in rates.items() if "(bf16" in k), None)
ci8 = next((v for k, v in rates.items() if "(int8" in k), None)
ort = next((v for k, v in rates.items() if "onnxruntime" in k), None)
pt = next((v for k, v in rates.items() if "torch" in k), None)
def r(a, b): return f"{a / b:.2f}x" if a and b else "n/a"
print("best of rounds, sentences/s: " + ", ".join(f"{k}: {v:.0f}" for k, v in rates.items()))
print(f"C fp32 vs ONNX Runtime fp32: {r(c32, ort)} (target >= 1.2x); vs PyTorch: {r(c32, pt)} (target >= 2x)")
print(f"C bf16 vs ONNX Runtime fp32: {r(cbf, ort)} (target >= 2.5x)")
print(f"C int8 vs C bf16: {r(ci8, cbf)}; vs C fp32: {r(ci8, c32)}")
print("best of rounds, C engine sentences per CPU second (steadier on a shared machine): " +
      ", ".join(f"{k}: {v:.0f}" for k, v in cpu_rates.items()))
PY
