#!/usr/bin/env python3
"""Inflate real GDELT 2.0 export zips for volume (benchmarks, the simulator, crash tests).

Copy k (1..N) of each source export gets fresh ids (GLOBALEVENTID + k * 10^10) and times shifted
by k * 15 minutes (DATEADDED, and the file's slot name), as ../shared/data/README.md allows:
real rows, never invented ones. Writes <slot>.export.CSV.zip files, one CSV member each, exactly
like GDELT publishes them.

usage: gdelt_inflate.py --copies N --out DIR SOURCE.zip [SOURCE.zip ...]
"""
import argparse
import datetime as dt
import io
import os
import sys
import zipfile

FMT = "%Y%m%d%H%M%S"


def shift(stamp: str, seconds: int) -> str:
    return (dt.datetime.strptime(stamp, FMT) + dt.timedelta(seconds=seconds)).strftime(FMT)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows = 0
    for src in a.sources:
        with zipfile.ZipFile(src) as z:
            member = z.namelist()[0]
            lines = z.read(member).decode("utf-8", "surrogateescape").splitlines()
        slot = os.path.basename(src)[:14]
        for k in range(1, a.copies + 1):
            out = io.StringIO()
            for line in lines:
                f = line.split("\t")
                if len(f) == 61:
                    f[0] = str(int(f[0]) + k * 10**10)
                    f[59] = shift(f[59], k * 900)
                out.write("\t".join(f) + "\n")
                rows += 1
            new_slot = shift(slot, k * 900)
            path = os.path.join(a.out, f"{new_slot}.export.CSV.zip")
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr(f"{new_slot}.export.CSV", out.getvalue().encode("utf-8", "surrogateescape"))
    print(f"{rows} rows in {a.copies * len(a.sources)} files under {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
