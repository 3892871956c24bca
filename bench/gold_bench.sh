#!/usr/bin/env bash
# Builds and runs the gold benchmarks (bench/gold_bench.c) against the objects of a build.
#   bench/gold_bench.sh [join|flow|all] [--events N] [--titles N] [--edits N] [--set key=value]...
# Defaults: a full 4-hour bucket at real volume (20,000 events x 100,000 titles) for the join,
# 20,000 events and 100,000 content edits for the flow.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" all >/dev/null
export WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared} WG_LABELS=${WG_LABELS:-$PWD/tests/data/labels.tsv}
pk="sqlite3 libcurl jansson libzip libmicrohttpd openblas libutf8proc openssl zlib"
objs=$(find "$BUILD/obj/src" -name '*.o' ! -path '*/src/main.o')
mkdir -p "$BUILD/bench"
gcc -O2 -march=native -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -Isrc $(pkg-config --cflags $pk) \
    -o "$BUILD/bench/gold_bench" bench/gold_bench.c $objs $(pkg-config --libs $pk) -lm -pthread
exec "$BUILD/bench/gold_bench" "$@"
