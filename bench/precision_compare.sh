#!/usr/bin/env bash
# What a reduced precision costs in accuracy (docs/embed.md, "Choosing the precision"):
#   1. vector agreement: the texts of the labelled sets (dev tests/data/labels.tsv and held-out
#      tests/data/labels_test.tsv: composed event texts and titles), the field texts the reranker
#      embeds for their events (actor names, place-name parts) and the shared GDELT texts, embedded
#      in fp32, bf16 and int8, compared with each other and with sentence-transformers (PyTorch);
#   2. `wikigdelt eval` on the dev and the held-out test set (EventID form: cosine-only and
#      reranked, default thresholds) in each precision, and which pairs changed side against fp32
#      (bench/precision_flips.py). Evaluating the test set here measures; nothing is tuned on it.
#   bench/precision_compare.sh MODEL_DIR [REFERENCE_PYTHON]
# REFERENCE_PYTHON: a python with sentence-transformers (e.g. build/venv/bin/python);
# without it step 1 compares the C precisions only. Needs ../shared (WG_SHARED). Prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: bench/precision_compare.sh MODEL_DIR [REFERENCE_PYTHON]}
refpy=${2:-}
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" all >/dev/null
bin="$PWD/$BUILD/wikigdelt"
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
tmp=$(mktemp -d /tmp/wg-precision.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
home=$tmp/home
for f in "$shared"/data/gdelt/20240715000000.export.CSV.zip "$shared"/data/gdelt/20250715000000.export.CSV.zip; do
    "$bin" --home "$home" ingest gdelt --file "$f" >/dev/null 2>&1
done
"$bin" --home "$home" refine >/dev/null 2>&1
precisions=(fp32 bf16 int8)

echo "# 1. vector agreement"
labels=(tests/data/labels.tsv tests/data/labels_test.tsv)
{ grep -hv '^#' "${labels[@]}" | cut -f1; grep -hv '^#' "${labels[@]}" | cut -f2; } | awk 'NF && !seen[$0]++' > "$tmp/label_texts.txt"
ids=$(grep -hv '^#' tests/data/labels_eventids.tsv tests/data/labels_test_eventids.tsv | cut -f1 | sort -u | paste -sd, -)
"$bin" --home "$home" sql --format csv "SELECT Actor1Name AS t FROM gdelt_silver WHERE GLOBALEVENTID IN ($ids)
    UNION SELECT Actor2Name FROM gdelt_silver WHERE GLOBALEVENTID IN ($ids)
    UNION SELECT ActionGeo_FullName FROM gdelt_silver WHERE GLOBALEVENTID IN ($ids)" | tail -n +2 |
    python3 -c 'import csv, sys
for row in csv.reader(sys.stdin):
    for part in (row[0].split(",") if row else []):
        if part.strip(): print(part.strip())' > "$tmp/fields.txt"
{ cat "$tmp/label_texts.txt" "$tmp/fields.txt"; python3 tests/reference/texts.py "$shared" gdelt; } | awk 'NF && !seen[$0]++' > "$tmp/texts.txt"
nlab=$(wc -l < "$tmp/label_texts.txt")
echo "texts: $(wc -l < "$tmp/texts.txt") distinct (the first $nlab: the labelled sets' event texts and titles)"
for p in "${precisions[@]}"; do
    "$bin" --home "$tmp/emb" --set embed.backend=minilm --set embed.model_dir="$model" --set embed.precision=$p \
        embed --stdin < "$tmp/texts.txt" > "$tmp/$p.jsonl" 2>/dev/null
    head -n "$nlab" "$tmp/$p.jsonl" > "$tmp/$p.lab.jsonl"
done
py=${refpy:-python3}
for p in bf16 int8; do
    echo "$p vs fp32, all texts:";      "$py" tests/reference/compare.py vectors "$tmp/$p.jsonl" "$tmp/fp32.jsonl" 0 | sed 's/^/  /'
    echo "$p vs fp32, labelled texts:"; "$py" tests/reference/compare.py vectors "$tmp/$p.lab.jsonl" "$tmp/fp32.lab.jsonl" 0 | sed 's/^/  /'
done
if [ -n "$refpy" ]; then
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$refpy" tests/reference/st_reference.py embed "$model" "$tmp/texts.txt" "$tmp/ref.f32" 2>/dev/null
    for p in "${precisions[@]}"; do
        "$refpy" tests/reference/compare.py embed "$tmp/ref.f32" "$tmp/$p.jsonl" 0 "$p vs sentence-transformers" | sed 's/^/  /'
    done
fi

echo "# 2. eval (cosine at correlate.threshold, reranked at correlate.rerank.threshold: the defaults)"
for set in dev test; do
    f=tests/data/labels_eventids.tsv; [ $set = test ] && f=tests/data/labels_test_eventids.tsv
    for p in "${precisions[@]}"; do
        "$bin" --home "$home" --set embed.model_dir="$model" --set embed.precision=$p \
            eval --scores "$tmp/s_${set}_$p.tsv" "$f" > "$tmp/e_${set}_$p.txt" 2>/dev/null
        echo "$set $p:"
        grep -E "candidate stage|configured threshold" "$tmp/e_${set}_$p.txt" | sed 's/^ */  /'
    done
    for p in bf16 int8; do
        echo "$set $p against fp32:"
        python3 bench/precision_flips.py "$tmp/s_${set}_fp32.tsv" "$tmp/s_${set}_$p.tsv"
    done
done
