#!/usr/bin/env bash
# Builds and runs bench/int8_micro.c (one core): int8 VNNI zmm/ymm vs bf16 vs sgemm, GOP/s.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
mkdir -p "$build"
cc -O2 -march=native -std=c11 -D_GNU_SOURCE -o "$build/int8_micro" bench/int8_micro.c $(pkg-config --cflags --libs openblas)
for i in 1 2; do echo "# round $i"; "$build/int8_micro"; done
