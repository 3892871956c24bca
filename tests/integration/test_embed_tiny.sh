#!/usr/bin/env bash
# The C encoder against a slow, obviously-correct reference (tests/reference/tiny_model.py) on a
# tiny random BERT written in the real model's file layout: fp32 must agree to cosine >= 0.99999,
# bf16 to >= 0.995, int8 (AVX512-VNNI) to >= 0.995 and to fp32, the same whatever the batching,
# with any product kept in bf16 (embed.int8_bf16); truncation at the model's max_seq_length; the
# cache returns identical vectors; the persisted cache is read back and keyed by precision;
# malformed model files are clear errors naming the file and tensor.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../reference/env.sh"
numpy_python
D=$WG_TMP/tiny
"$NP_PY" "$REF_TOOLS/tiny_model.py" make "$D"
cat > "$WG_TMP/texts.txt" <<'TXT'
the earthquake in myanmar
Taylor Swift!
zzz
list of cities, news of war and peace in kyiv; protesters at the parliament of the earth quake list of cities news war peace
q
Ünïcödé 北京 quake-proof
TXT
# fp32 pinned: the exact path, compared with the reference (the default is auto, tested below)
emb() { wg --set embed.backend=minilm --set embed.model_dir="$D" --set embed.precision=fp32 "$@"; }
emb embed --tokens --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/ids.jsonl"
# truncation at max_seq_length (32) with [SEP] kept last
long=$(sed -n 4p "$WG_TMP/ids.jsonl")
"$NP_PY" -c 'import json,sys; ids=json.loads(sys.argv[1])["input_ids"]; assert len(ids)==32 and ids[0]==2 and ids[-1]==3, ids' "$long" \
    || fail "long text not truncated to 32 ids: $long"
"$NP_PY" "$REF_TOOLS/tiny_model.py" ref "$D" "$WG_TMP/ids.jsonl" "$WG_TMP/ref.f32"
emb embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/fp32.jsonl"
"$NP_PY" "$REF_TOOLS/compare.py" embed "$WG_TMP/ref.f32" "$WG_TMP/fp32.jsonl" 0.99999 "fp32 vs slow reference" \
    || fail "fp32 encoder differs from the slow reference"
# one thread and tiny batches must give the same vectors
emb --set embed.threads=1 --set embed.batch_size=1 embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/fp32b.jsonl"
"$NP_PY" "$REF_TOOLS/compare.py" embed "$WG_TMP/ref.f32" "$WG_TMP/fp32b.jsonl" 0.99999 "fp32 (1 thread, batch 1) vs slow reference" \
    || fail "batching changes the vectors"
# the own AVX-512 fp32 kernel (embed.fp32_gemm = avx512) instead of OpenBLAS
emb --set embed.fp32_gemm=avx512 embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/own.jsonl"
"$NP_PY" "$REF_TOOLS/compare.py" embed "$WG_TMP/ref.f32" "$WG_TMP/own.jsonl" 0.99999 "fp32 (own kernel) vs slow reference" \
    || fail "the own fp32 kernel differs from the slow reference"
emb --set embed.precision=bf16 embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/bf16.jsonl"
"$NP_PY" "$REF_TOOLS/compare.py" embed "$WG_TMP/ref.f32" "$WG_TMP/bf16.jsonl" 0.995 "bf16 vs slow reference" \
    || fail "bf16 encoder too far from the reference"
# int8: s8 weights, u8 activations quantised per token; batching cannot change a token's
# quantisation, so one thread with batches of one text must give the very same vectors
emb --set embed.precision=int8 embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/int8.jsonl"
grep -q '"model":"all-MiniLM-L6-v2 (int8' "$WG_TMP/int8.jsonl" || fail "int8 not in the model name: $(head -c 200 "$WG_TMP/int8.jsonl")"
"$NP_PY" "$REF_TOOLS/compare.py" embed "$WG_TMP/ref.f32" "$WG_TMP/int8.jsonl" 0.995 "int8 vs slow reference" \
    || fail "int8 encoder too far from the reference"
"$NP_PY" "$REF_TOOLS/compare.py" vectors "$WG_TMP/int8.jsonl" "$WG_TMP/fp32.jsonl" 0.995 \
    || fail "int8 encoder too far from fp32"
emb --set embed.precision=int8 --set embed.threads=1 --set embed.batch_size=1 embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/int8b.jsonl"
cmp -s "$WG_TMP/int8.jsonl" "$WG_TMP/int8b.jsonl" || fail "int8: batching changes the vectors"
# every product of a layer back in bf16, one at a time and all four (the accuracy escape hatch)
for keep in qkv attn_out ffn_in ffn_out "qkv,attn_out,ffn_in,ffn_out"; do
    emb --set embed.precision=int8 --set embed.int8_bf16="$keep" embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/int8k.jsonl"
    "$NP_PY" "$REF_TOOLS/compare.py" embed "$WG_TMP/ref.f32" "$WG_TMP/int8k.jsonl" 0.995 "int8, bf16 $keep, vs slow reference" \
        || fail "int8 with $keep in bf16 too far from the reference"
done
grep -q '"model":"all-MiniLM-L6-v2 (int8, bf16 qkv+attn_out+ffn_in+ffn_out)"' "$WG_TMP/int8k.jsonl" || fail "int8_bf16 not in the model name"
set +e; emb --set embed.precision=int8 --set embed.int8_bf16=ffn embed "x" > /dev/null 2> "$WG_TMP/err"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "embed.int8_bf16 = ffn" "$WG_TMP/err" || fail "bad embed.int8_bf16: exit $rc, $(cat "$WG_TMP/err")"
set +e; emb --set embed.precision=int4 embed "x" > /dev/null 2> "$WG_TMP/err"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "embed.precision = 'int4': must be one of auto|fp32|bf16|int8" "$WG_TMP/err" || fail "bad embed.precision: exit $rc, $(cat "$WG_TMP/err")"
# embed.precision = auto (the default): the fastest kernel this CPU runs natively, never an
# emulated one; the name says the precision chosen, and the vectors are that precision's
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { case " $flags " in *" $1 "*) return 0 ;; esac; return 1; }
if has avx512_vnni && has avx512bw; then want=int8; elif has avx512_bf16; then want=bf16; else want=fp32; fi
wg --set embed.backend=minilm --set embed.model_dir="$D" embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/default.jsonl"
emb --set embed.precision=auto embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/auto.jsonl"
emb --set embed.precision=$want embed --stdin < "$WG_TMP/texts.txt" > "$WG_TMP/want.jsonl"
grep -q "\"model\":\"all-MiniLM-L6-v2 ($want)\"" "$WG_TMP/default.jsonl" \
    || fail "default precision: expected $want on this CPU, got $(head -c 120 "$WG_TMP/default.jsonl")"
cmp -s "$WG_TMP/default.jsonl" "$WG_TMP/want.jsonl" || fail "default (auto) vectors differ from explicit $want"
cmp -s "$WG_TMP/auto.jsonl" "$WG_TMP/want.jsonl" || fail "embed.precision=auto vectors differ from explicit $want"
wg --set embed.model_dir="$D" model info > "$WG_TMP/info" 2>/dev/null
grep -q "auto picks here: $want" "$WG_TMP/info" || fail "model info: $(cat "$WG_TMP/info")"
grep -q "backend: all-MiniLM-L6-v2 ($want)" "$WG_TMP/info" || fail "model info backend: $(cat "$WG_TMP/info")"
echo "embed.precision = auto resolves to $want"
# cache / de-duplication: the same text gives the identical vector within a call
emb embed "the earthquake" "zzz" "the earthquake" "the earthquake" "the earthquake" "zzz" > "$WG_TMP/dup.jsonl"
[ "$(sed 's/.*"vector"://' "$WG_TMP/dup.jsonl" | sort -u | wc -l)" = 2 ] || fail "the same text gave different vectors"
# persisted cache: a second process finds the vector in the store's embedding_cache; to prove it
# is read (not recomputed), the stored vector is altered and must come back altered
emb embed --cache "the earthquake" "zzz" > "$WG_TMP/c1.jsonl"
[ "$(q "SELECT COUNT(*) FROM embedding_cache WHERE model = 'all-MiniLM-L6-v2 (fp32)'")" = 2 ] || fail "embedding_cache not filled"
emb embed --cache "the earthquake" > "$WG_TMP/c2.jsonl"
[ "$(sed -n 1p "$WG_TMP/c1.jsonl")" = "$(cat "$WG_TMP/c2.jsonl")" ] || fail "persisted vector differs"
# (`wikigdelt sql` is read-only: alter the row through Python's sqlite3 module)
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE embedding_cache SET vector = zeroblob(1536) WHERE text = ?", ("zzz",)); c.commit()' \
    "$WG_TMP/home/wikigdelt.db"
emb embed --cache "zzz" | grep -q '"vector":\[0,0,0,' || fail "the persisted cache was not read"
emb --set embed.precision=bf16 embed --cache "zzz" | grep -q '"vector":\[0,0,0,' && fail "bf16 must not reuse fp32 vectors"
[ "$(q "SELECT COUNT(*) FROM embedding_cache")" = 3 ] || fail "bf16 vector not stored under its own model key"
emb --set embed.precision=int8 embed --cache "zzz" | grep -q '"vector":\[0,0,0,' && fail "int8 must not reuse fp32 vectors"
[ "$(q "SELECT COUNT(*) FROM embedding_cache WHERE model = 'all-MiniLM-L6-v2 (int8)'")" = 1 ] || fail "int8 vector not stored under its own model key"
# auto is keyed by the precision it resolves to: it reads that precision's row, adds no "auto" key
wg --set embed.backend=minilm --set embed.model_dir="$D" embed --cache "zzz" > "$WG_TMP/cauto.jsonl"
emb --set embed.precision=$want embed --cache "zzz" > "$WG_TMP/cwant.jsonl"
cmp -s "$WG_TMP/cauto.jsonl" "$WG_TMP/cwant.jsonl" || fail "auto did not share the cache of $want"
[ "$(q "SELECT COUNT(*) FROM embedding_cache WHERE model NOT IN ('all-MiniLM-L6-v2 (fp32)', 'all-MiniLM-L6-v2 (bf16)', 'all-MiniLM-L6-v2 (int8)')")" = 0 ] \
    || fail "a cache key other than the concrete precisions: $(q "SELECT group_concat(DISTINCT model) FROM embedding_cache")"
# malformed model files
for kind in dtype shape missing; do
    "$NP_PY" "$REF_TOOLS/tiny_model.py" corrupt "$D" "$kind"
    set +e
    emb embed "x" > /dev/null 2> "$WG_TMP/err"
    rc=$?
    set -e
    [ $rc -eq 1 ] || fail "corrupt ($kind): exit $rc, expected 1"
    grep -q "$D/model.safetensors" "$WG_TMP/err" || fail "corrupt ($kind): error does not name the file: $(cat "$WG_TMP/err")"
    grep -q "encoder.layer.1.intermediate.dense.weight" "$WG_TMP/err" || fail "corrupt ($kind): error does not name the tensor: $(cat "$WG_TMP/err")"
done
grep -q "is missing" "$WG_TMP/err" || fail "missing tensor not reported as missing"
"$NP_PY" "$REF_TOOLS/tiny_model.py" make "$D"
head -c 5000000 "$D/model.safetensors" > "$WG_TMP/cut" && mv "$WG_TMP/cut" "$D/model.safetensors"
set +e; emb embed "x" > /dev/null 2> "$WG_TMP/err"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "truncated" "$WG_TMP/err" || fail "truncated file: $(cat "$WG_TMP/err")"
# auto backend with a broken model falls back loudly instead of dying
wg --set embed.model_dir="$D" embed "x" > /dev/null 2> "$WG_TMP/err"
grep -q "FALLBACK" "$WG_TMP/err" || fail "auto backend with a broken model did not say it falls back"
echo "tiny model: all checks passed"
