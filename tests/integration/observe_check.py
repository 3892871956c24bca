#!/usr/bin/env python3
"""Recomputes, straight from the store, what the observe module should have reported, and
compares it with `status --format json` and the metrics (test_observe_flows.sh).

  observe_check.py latency DB STATUS_JSON FLOW STREAM
      Per silver row of FLOW: commit time = batch_end of the flow_progress row whose batch id
      (bronze:first-last) holds its bronze_id; latency from receipt = commit - received_at,
      from source = commit - meta.dt. Prints p50/p95/p99 of both and fails when status's
      sliding-window percentiles are off by more than 10% + 50 ms (the fine buckets are 10%
      wide; nearest-rank on the same records otherwise).
"""
import json
import math
import sqlite3
import sys
from datetime import datetime, timezone


def epoch(text):
    text = text.replace("T", " ").replace("Z", "")
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()


def pct(values, q):
    values = sorted(values)
    rank = max(1, math.ceil(q * len(values)))
    return values[min(rank, len(values)) - 1]


def latency(db, status_path, flow, stream):
    con = sqlite3.connect(db)
    batches = []
    for (details,) in con.execute(
            "SELECT details FROM event_log WHERE kind='flow_progress' AND flow=? ORDER BY id", (flow,)):
        d = json.loads(details)
        first, last = d["batch_id"].split(":")[1].split("-")
        batches.append((int(first), int(last), epoch(d["batch_end"])))
    receipt, source = [], []
    for bronze_id, received_at, meta_dt in con.execute(
            "SELECT b.bronze_id, b.received_at, b.meta_dt FROM wikimedia_silver s"
            " JOIN wikimedia_bronze b ON b.bronze_id = s.bronze_id"):
        commit = next(t for f, l, t in batches if f <= bronze_id <= l)
        receipt.append(max(0.0, commit - epoch(received_at)))
        source.append(max(0.0, commit - epoch(meta_dt)))
    status = json.load(open(status_path))
    got = next(f for f in status["flows"] if f["flow"] == flow)["latency_seconds"]
    ok = True
    for name, values in (("receipt", receipt), ("source", source)):
        mine = got[f"{stream}_from_{name}"]
        if mine["n"] != len(values):
            print(f"{flow} {name}: status counts {mine['n']} records, the store has {len(values)}")
            ok = False
        for q in (0.50, 0.95, 0.99):
            want = pct(values, q)
            have = mine[f"p{int(q * 100)}"]
            line = f"{flow} from {name} p{int(q * 100)}: recomputed {want:.3f} s, status {have:.3f} s"
            print(line)
            if abs(have - want) > 0.10 * want + 0.05:
                print("  ^ off by more than 10% + 50 ms")
                ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "latency":
        latency(*sys.argv[2:6])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
