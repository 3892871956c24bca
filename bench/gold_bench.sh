#!/usr/bin/env bash
# Builds and runs the gold benchmarks (bench/gold_bench.c) against the objects of a build.
#   bench/gold_bench.sh [join|flow|all] [--events N] [--titles N] [--edits N] [--set key=value]...
# Defaults: a full 4-hour bucket at real volume (20,000 events x 100,000 titles) for the join,
# 20,000 events and 100,000 content edits for the flow.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" bench >/dev/null   # with the Makefile's flags and packages
export WG_SHARED=${WG_SHARED:-$(cd .. && pwd)/shared} WG_LABELS=${WG_LABELS:-$PWD/tests/data/labels.tsv}
exec "$BUILD/bench/gold_bench" "$@"
