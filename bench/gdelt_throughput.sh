#!/usr/bin/env bash
# GDELT zip -> bronze -> silver throughput and peak memory over the real exports, inflated for
# volume (fresh ids, shifted times: bench/gdelt_inflate.py). Prints figures; never fails on time.
#   bench/gdelt_throughput.sh [COPIES]      (default 40 copies of each export: 212,200 rows)
# Env: WG_BIN (default build/wikigdelt), WG_SHARED (default ../shared), BENCH_TMP (default mktemp).
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-40}
bin=${WG_BIN:-$PWD/build/wikigdelt}
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
tmp=${BENCH_TMP:-$(mktemp -d /tmp/wg-bench-gdelt.XXXXXX)}
[ -x "$bin" ] || { echo "build first: make" >&2; exit 1; }
ls "$shared"/data/gdelt/*.export.CSV.zip >/dev/null || { echo "no exports under $shared/data/gdelt" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
python3 bench/gdelt_inflate.py --copies "$copies" --out "$tmp/zips" "$shared"/data/gdelt/*.export.CSV.zip
rows=$(python3 - "$tmp/zips" <<'PY'
import sys, zipfile, glob
print(sum(zipfile.ZipFile(p).read(zipfile.ZipFile(p).namelist()[0]).count(b"\n") for p in glob.glob(sys.argv[1] + "/*.zip")))
PY
)
zbytes=$(du -cb "$tmp"/zips/*.zip | tail -1 | cut -f1)
home="$tmp/home"
# One warm-up of the binary and the page cache, then the measured runs.
"$bin" --home "$tmp/warm" sql "SELECT 1" >/dev/null
cat "$tmp"/zips/*.zip >/dev/null
measure() { # label, command...: wall s, cpu s, peak RSS
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/time.$label" "$@" >/dev/null 2>"$tmp/log.$label"
    read -r wall user sys rss <"$tmp/time.$label"
    echo "$label $wall $user $sys $rss"
}
read -r _ w1 u1 s1 r1 < <(measure ingest "$bin" --home "$home" ingest gdelt --file "$tmp/zips")
read -r _ w2 u2 s2 r2 < <(measure refine "$bin" --home "$home" refine gdelt)
silver=$("$bin" --home "$home" sql --format csv "SELECT COUNT(*) FROM gdelt_silver" | sed -n 2p)
dbsize=$(du -cb "$home"/wikigdelt.db* | tail -1 | cut -f1)
python3 - "$rows" "$silver" "$zbytes" "$dbsize" "$w1" "$u1" "$s1" "$r1" "$w2" "$u2" "$s2" "$r2" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
rows, silver, zb, dbb = map(int, sys.argv[1:5])
w1, u1, s1 = map(float, sys.argv[5:8]); r1 = int(sys.argv[8])
w2, u2, s2 = map(float, sys.argv[9:12]); r2 = int(sys.argv[12])
print(f"GDELT zip -> bronze -> silver: {rows:,} rows in {zb/1e6:.1f} MB of zips; silver rows {silver:,}; database {dbb/1e6:.0f} MB")
print(f"  ingest (unzip + bronze): {w1:6.2f} s wall, {u1+s1:5.2f} s cpu -> {rows/w1:>10,.0f} rows/s wall, peak RSS {r1/1024:.1f} MiB")
print(f"  refine (bronze->silver): {w2:6.2f} s wall, {u2+s2:5.2f} s cpu -> {rows/w2:>10,.0f} rows/s wall, peak RSS {r2/1024:.1f} MiB")
w = w1 + w2; c = u1 + s1 + u2 + s2
print(f"  end to end             : {w:6.2f} s wall, {c:5.2f} s cpu -> {rows/w:>10,.0f} rows/s wall ({rows/c:,.0f} rows per cpu-second)")
print(f"  machine: {sys.argv[13]} cores, load average before the runs {sys.argv[14]} (other work on the machine slows wall time)")
PY
