#!/usr/bin/env bash
# The include graph between src/ folders has no arrow from a lower layer to a higher one (and none
# sideways between folders of one layer): prints every offending #include and exits 1, or prints
# the folder-to-folder edges and exits 0. Layers, lowest first (docs/ARCHITECTURE.md):
#   core | format, store | observe | source, embed | refine | correlate | govern, export | serve | ask | cli | main.c
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A rank=([core]=0 [format]=1 [store]=1 [observe]=2 [source]=3 [embed]=3 [refine]=4 [correlate]=5
                 [govern]=6 [export]=6 [serve]=7 [ask]=8 [cli]=9 [main.c]=10)
bad=0
declare -A edges=()
while IFS= read -r f; do
    from=${f#src/}; from=${from%%/*}
    [ -n "${rank[$from]+x}" ] || { echo "include_layers: $f: folder '$from' has no layer (add it here and to docs/ARCHITECTURE.md)"; bad=1; continue; }
    while IFS= read -r to; do
        [ "$to" = "$from" ] && continue
        if [ -z "${rank[$to]+x}" ]; then
            echo "include_layers: $f includes $to/...: folder '$to' has no layer"; bad=1
        elif [ "${rank[$to]}" -ge "${rank[$from]}" ]; then
            echo "include_layers: $f includes $to/... ($from is not above $to)"; bad=1
        else
            edges["$from -> $to"]=1
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/[^"]*".*/\1/p' "$f")
done < <(find src -name '*.[ch]' | sort)
if [ $bad -ne 0 ]; then exit 1; fi
printf '%s\n' "${!edges[@]}" | sort
echo "include_layers: no include from a lower folder to a higher one"
