#!/usr/bin/env bash
# Builds and runs bench/int8_micro.c (one core): int8 VNNI zmm/ymm vs bf16 vs sgemm, GOP/s.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
make -s BUILD="$build" bench   # with the Makefile's flags and packages
for i in 1 2; do echo "# round $i"; "$build/bench/int8_micro"; done
