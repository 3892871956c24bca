#!/usr/bin/env bash
# What governance costs per query (bench/govern_bench.c): session bind, govern_prepare against a
# plain prepare, and prepare + run of the dashboard queries, governed and plain, as a data
# scientist and a business user, on a lakehouse built from ../shared (the 2024-07-15 GDELT export
# and the wikiticker day moved onto it by the loopback simulator), or on --home DIR.
#   bench/govern_bench.sh [--home DIR] [--iterations N]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
home="" iters=2000
while [ $# -gt 0 ]; do
    case "$1" in
        --home) home=$2; shift 2 ;;
        --iterations) iters=$2; shift 2 ;;
        *) echo "usage: bench/govern_bench.sh [--home DIR] [--iterations N]" >&2; exit 2 ;;
    esac
done
make -s BUILD="$BUILD" all >/dev/null
pk="sqlite3 libcurl jansson libzip libmicrohttpd openblas libutf8proc openssl zlib icu-uc"
objs=$(find "$BUILD/obj/src" -name '*.o' ! -path '*/src/main.o')
mkdir -p "$BUILD/bench"
gcc -O2 -march=native -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -Isrc $(pkg-config --cflags $pk) \
    -o "$BUILD/bench/govern_bench" bench/govern_bench.c $objs $(pkg-config --libs $pk) -lm -pthread
bin="$PWD/$BUILD/wikigdelt"
tmp=$(mktemp -d /tmp/wg-govern-bench.XXXXXX)
sim=""
trap '[ -n "$sim" ] && kill "$sim" 2>/dev/null; rm -rf "$tmp"' EXIT
if [ -z "$home" ]; then
    shared=${WG_SHARED:-$(cd .. && pwd)/shared}
    [ -d "$shared/data" ] || { echo "needs ../shared (or WG_SHARED) for the data, or --home DIR" >&2; exit 1; }
    home="$tmp/home"
    rec="$shared/data/wikiticker/wikiticker-2015-09-12-sampled.json.gz"
    "$bin" --home "$home" ingest gdelt --file "$shared/data/gdelt/20240715000000.export.CSV.zip" >/dev/null 2>&1
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" --home "$tmp/simhome" --set simulate.wiki_time_origin=2024-07-15T00:00:00Z --set simulate.wiki_at_end=close \
        simulate --port "$port" --speed 0 --wiki-recording "$rec" >/dev/null 2>&1 &
    sim=$!
    for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    "$bin" --home "$home" ingest wiki --url "http://127.0.0.1:$port/v2/stream/recentchange" --max-events "$(zcat "$rec" | wc -l)" >/dev/null 2>&1
    "$bin" --home "$home" refine >/dev/null 2>&1
    "$bin" --home "$home" correlate --drain >/dev/null 2>&1
fi
for who in "bench_ds data_scientists" "bench_bu business_users"; do
    set -- $who
    "$bin" --home "$home" principal remove "$1" >/dev/null 2>&1 || true
    "$bin" --home "$home" principal add "$1" >/dev/null 2>&1
    "$bin" --home "$home" group add-member "$2" "$1" >/dev/null
    "$BUILD/bench/govern_bench" "$home/wikigdelt.db" "$1" "$iters"
    "$bin" --home "$home" principal remove "$1" >/dev/null
done
