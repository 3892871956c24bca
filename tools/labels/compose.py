#!/usr/bin/env python3
"""Write tests/data/labels_test.tsv from tests/data/labels_test_eventids.tsv, and check the set.

The labelled pairs are kept by GLOBALEVENTID (labels_test_eventids.tsv, written by hand from the
candidates of candidates.py); the by-text file is derived from it so that both hold the same
pairs in the same order, comments included. The event text is gold_events.event_text, i.e. the
composition of the default correlate.event_text_fields, from a home that ingested and refined
both real exports and ran `correlate --drain` (events.json as in candidates.py).

Checks: every event exists; no GLOBALEVENTID and no SOURCEURL of the development set
(labels_eventids.tsv); every title is a recorded main-namespace title (titles.json); no pair
twice.

Usage: compose.py events.json titles.json labels_eventids.tsv labels_test_eventids.tsv labels_test.tsv
"""
import json
import sys


def data_lines(path):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            yield line.split("\t")


def main():
    events_path, titles_path, dev_path, test_ids_path, test_text_path = sys.argv[1:6]
    events = {e["EventID"]: e for e in json.load(open(events_path))}
    titles = {t["title"] for t in json.load(open(titles_path))}
    dev_ids = {int(f[0]) for f in data_lines(dev_path)}
    dev_urls = {events[i]["SOURCEURL"] for i in dev_ids}
    seen, errors, n, related = set(), [], 0, 0
    out = open(test_text_path, "w", encoding="utf-8")
    for line in open(test_ids_path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            if line.startswith("# EventID"):
                line = ("# event_text\ttitle\trelated   (held-out TEST set, the same pairs as "
                        "labels_test_eventids.tsv by composed event text; see tests/data/README.md)")
            out.write(line + "\n")
            continue
        eid, title, lab = line.split("\t")
        e = events.get(int(eid))
        if e is None:
            errors.append(f"{eid}: no such event")
            continue
        if int(eid) in dev_ids or e["SOURCEURL"] in dev_urls:
            errors.append(f"{eid}: event or article in the development set")
        if title not in titles:
            errors.append(f"{eid}: title not recorded: {title}")
        if (eid, title) in seen:
            errors.append(f"{eid}: pair twice: {title}")
        seen.add((eid, title))
        out.write(f"{e['event_text']}\t{title}\t{lab}\n")
        n += 1
        related += lab == "1"
    out.close()
    print(f"pairs {n}, related {related}, unrelated {n - related}, events "
          f"{len({p[0] for p in seen})}, articles "
          f"{len({events[int(p[0])]['SOURCEURL'] for p in seen})}")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
