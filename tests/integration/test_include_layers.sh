#!/usr/bin/env bash
# The include graph of src/ keeps its layers (tools/include_layers.sh, docs/ARCHITECTURE.md): no
# #include from a lower folder to a higher one, e.g. the sources never include refine.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tools/include_layers.sh" > "$WG_TMP/layers" 2>&1 || fail "$(grep include_layers "$WG_TMP/layers")"
grep -q "^source -> refine" "$WG_TMP/layers" && fail "source includes refine"
grep -q "no include from a lower folder" "$WG_TMP/layers" || fail "no verdict: $(cat "$WG_TMP/layers")"
echo "include layers: ok ($(grep -c -- ' -> ' "$WG_TMP/layers") folder edges)"
