#!/usr/bin/env python3
"""Ordered checksums of every table of a lakehouse, for comparing two runs over the same input:
one line per table, "table rows sha256". Columns that differ between equal runs by nature are
left out: times of processing (*_at, ts), surrogate keys named `id` (the order in which equal
rows were inserted) and per-run bookkeeping. Rows are compared in the order
of all remaining columns, so insertion order does not matter, but every value does.
    lake_checksum.py HOME/wikigdelt.db"""
import hashlib, re, sqlite3, sys

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
# per-run bookkeeping: how the work was cut into transactions (and the requests the test made
# to the HTTP API), not what the pipeline produced
SKIP_TABLES = {"event_log", "govern_audit", "sqlite_sequence", "schema_migrations", "gdelt_silver_batches",
               "expectation_counts", "embedding_cache", "sqlite_stat1", "sqlite_stat4",
               # metrics: fetches, reconnects, latencies and API requests depend on timing; the
               # counters of rows taken in and checked move with their batch and must add up
               "obs_metrics", "obs_histograms"}
TIME_COL = re.compile(r"(_at|^ts|^first_seen|^attempts|^id)$", re.I)
# aggregates of the bookkeeping tables: they must still add up to the same totals
AGGREGATES = {
    # (gold and bursts re-read their open windows' rows after a restart, so their input counts differ)
    "obs_metrics": "SELECT name, labels, value FROM obs_metrics WHERE name IN ('wikigdelt_flow_input_rows_total',"
                   " 'wikigdelt_expectation_checked_rows_total', 'wikigdelt_expectation_failures_total')"
                   " AND labels NOT IN ('flow=\"gold\"', 'flow=\"bursts\"') ORDER BY 1, 2",
    "expectation_counts": "SELECT flow, rule, action, SUM(checked), SUM(failed) FROM expectation_counts GROUP BY 1, 2, 3",
    "gdelt_silver_batches": "SELECT SUM(rows_read), SUM(rows_valid), SUM(rows_written), SUM(rows_warned),"
                            " SUM(rows_dropped), SUM(rows_quarantined), SUM(rows_duplicate) FROM gdelt_silver_batches",
}
# correlated_gold_events keeps each event's top k pairs by match_score, and breaks ties by insertion
# order (src/correlate/gold_flow.c, rank_pairs: d.id < c.id), which depends on how the work was
# cut into steps. So `rank` is left out (it follows from match_score) and, of the pairs at an
# event's lowest kept score (one may have had a pruned twin), only their number and score are
# compared; every other pair exactly.
TIED = 0


def gold_pairs(cols):
    global TIED
    cols = [c for c in cols if c != "rank"]
    by_event = {}
    for row in db.execute('SELECT gdelt_silver_id, match_score, %s FROM correlated_gold_events'
                          % ", ".join('"%s"' % c for c in cols)):
        by_event.setdefault(row[0], []).append(row)
    out = []
    for ev in sorted(by_event):
        rows = by_event[ev]
        low = min(r[1] for r in rows)
        at_low = [r for r in rows if r[1] == low]
        # a pair at the cutoff may have had a twin that was pruned: whichever stayed is fine
        TIED += len(at_low)
        out.append((ev, "at the cutoff", low, len(at_low)))
        rows = [r for r in rows if r[1] != low]
        out += sorted((r[2:] for r in rows), key=repr)
    return out


tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
for t in tables:
    if t in SKIP_TABLES:
        if t in AGGREGATES:
            rows = sorted(db.execute(AGGREGATES[t]).fetchall(), key=repr)
            print(t, "(totals)", len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
        continue
    cols = [r[1] for r in db.execute('PRAGMA table_info("%s")' % t) if not TIME_COL.search(r[1])]
    sel = ", ".join('"%s"' % c for c in cols)
    h = hashlib.sha256()
    n = 0
    # observe's checkpoints mark which rows had their latency measured (gold pair ids differ when
    # a restart re-emits a pruned pair): bookkeeping, not output
    where = " WHERE flow NOT LIKE 'observe.%'" if t == "checkpoints" else ""
    rows = gold_pairs(cols) if t == "correlated_gold_events" else \
        db.execute('SELECT %s FROM "%s"%s ORDER BY %s' % (sel, t, where, sel))
    for row in rows:
        h.update(repr(row).encode())
        h.update(b"\n")
        n += 1
    print(t, n, h.hexdigest()[:16])
print("(gold pairs at an event's cutoff, compared by number and score: %d)" % TIED, file=sys.stderr)
