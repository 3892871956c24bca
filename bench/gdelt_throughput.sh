#!/usr/bin/env bash
# GDELT zip -> bronze -> silver throughput and peak memory over the real exports, inflated for
# volume (fresh ids, shifted times: bench/gdelt_inflate.py). Prints figures; never fails on time.
#   bench/gdelt_throughput.sh [COPIES] [RUNS]   (default 40 copies of each export = 212,200 rows;
#                                                3 runs, each into a fresh home; best and median)
# Env: WG_BIN (default build/wikigdelt), WG_SHARED (default ../shared), BENCH_TMP (default mktemp).
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-40}
runs=${2:-3}
bin=${WG_BIN:-$PWD/build/wikigdelt}
shared=${WG_SHARED:-$(cd .. && pwd)/shared}
tmp=${BENCH_TMP:-$(mktemp -d /tmp/wg-bench-gdelt.XXXXXX)}
[ -x "$bin" ] || { echo "build first: make" >&2; exit 1; }
ls "$shared"/data/gdelt/*.export.CSV.zip >/dev/null || { echo "no exports under $shared/data/gdelt" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
python3 bench/gdelt_inflate.py --copies "$copies" --out "$tmp/zips" "$shared"/data/gdelt/*.export.CSV.zip 2>/dev/null
rows=$(python3 - "$tmp/zips" <<'PY'
import sys, zipfile, glob
n = 0
for p in glob.glob(sys.argv[1] + "/*.zip"):
    z = zipfile.ZipFile(p)
    n += z.read(z.namelist()[0]).count(b"\n")
print(n)
PY
)
zbytes=$(du -cb "$tmp"/zips/*.zip | tail -1 | cut -f1)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$bin" --home "$tmp/warm" sql "SELECT 1" >/dev/null   # warm the binary and the page cache
cat "$tmp"/zips/*.zip >/dev/null
: >"$tmp/results"
for r in $(seq 1 "$runs"); do
    home="$tmp/home$r"
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t1" "$bin" --home "$home" ingest gdelt --file "$tmp/zips" >/dev/null 2>&1
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t2" "$bin" --home "$home" refine gdelt >/dev/null 2>&1
    silver=$("$bin" --home "$home" sql --format csv "SELECT COUNT(*) FROM gdelt_silver" | sed -n 2p)
    dbsize=$(du -cb "$home"/wikigdelt.db* | tail -1 | cut -f1)
    echo "$(cat "$tmp/t1") $(cat "$tmp/t2") $silver $dbsize" >>"$tmp/results"
    rm -rf "$home"
done
python3 - "$rows" "$zbytes" "$tmp/results" "$(nproc)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
rows, zb = int(sys.argv[1]), int(sys.argv[2])
runs = [list(map(float, l.split())) for l in open(sys.argv[3]) if l.strip()]
print(f"GDELT zip -> bronze -> silver: {rows:,} rows in {zb/1e6:.1f} MB of zips, {len(runs)} runs"
      f" (silver rows {int(runs[0][8]):,}, database {runs[0][9]/1e6:.0f} MB)")
def show(label, wall, cpu, rss):
    print(f"  {label:<24} best {rows/min(wall):>9,.0f} rows/s, median {rows/statistics.median(wall):>9,.0f} rows/s"
          f" (wall {min(wall):.2f}..{max(wall):.2f} s; cpu {min(cpu):.2f} s -> {rows/min(cpu):,.0f} rows per cpu-s;"
          f" peak RSS {max(rss)/1024:.1f} MiB)")
show("ingest (unzip+bronze)", [r[0] for r in runs], [r[1]+r[2] for r in runs], [r[3] for r in runs])
show("refine (bronze->silver)", [r[4] for r in runs], [r[5]+r[6] for r in runs], [r[7] for r in runs])
show("end to end", [r[0]+r[4] for r in runs], [r[1]+r[2]+r[5]+r[6] for r in runs], [max(r[3], r[7]) for r in runs])
print(f"  machine: {sys.argv[4]} cores; load average {sys.argv[5]} before, {sys.argv[6]} after"
      " (other jobs on the machine slow the wall figures)")
PY
