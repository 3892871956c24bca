#!/usr/bin/env python3
"""Write a by-text labels file from its by-GLOBALEVENTID twin, and check the set.

The labelled pairs are kept by GLOBALEVENTID (labels_eventids.tsv, labels_test_eventids.tsv,
written by hand from the candidates of candidates.py); the by-text file is derived from it so
that both hold the same pairs in the same order, comments included. The event text is
gold_events.event_text, i.e. the composition of the default correlate.event_text_fields, from a
home that ingested and refined both real exports and ran `correlate --drain` (events.json as in
candidates.py; with --dev it must also carry s.EventCode and s.event_description).

Checks: every event exists; no GLOBALEVENTID and no SOURCEURL of the EXCLUDE set (the other
labelled set: they must stay disjoint); every title is a recorded main-namespace title
(titles.json); no pair twice.

--dev CAMEO.eventcodes.txt: write the development set (labels.tsv). Its texts were composed,
and tests/integration/test_gold_real.sh still composes them, from silver rows whose
event_description is the raw description of ../shared/data/lookups/CAMEO.eventcodes.txt
(trailing blank included, so e.g. "Yield, not specified below ." rather than the refine
flow's "Yield."); that test checks labels.tsv against exactly that, so the description part of
each text is taken from the lookup file, the rest from gold_events.event_text.

Usage:
  compose.py events.json titles.json labels_eventids.tsv labels_test_eventids.tsv labels_test.tsv
  compose.py --dev CAMEO.eventcodes.txt events.json titles.json labels_test_eventids.tsv \\
      labels_eventids.tsv labels.tsv
"""
import json
import sys

TAIL = ", not specified below"
TEST_HEADER = ("# event_text\ttitle\trelated   (held-out TEST set, the same pairs as "
               "labels_test_eventids.tsv by composed event text; see tests/data/README.md)")
DEV_HEADER = "# event_text\ttitle\trelated   (gold labelled development set; see tests/data/README.md)"


def data_lines(path):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            yield line.split("\t")


def blank(s):
    return s is None or not s.strip()


def description(s):
    """As src/correlate/event_text.c appends a CAMEO description."""
    if len(s) > len(TAIL) and s.lower().endswith(TAIL):
        return s[:-len(TAIL)]
    return s


def lookup_text(e, cameo):
    """The composed text with the description taken from the CAMEO lookup file."""
    text = e["event_text"]
    if not blank(e.get("event_description")):
        head = description(e["event_description"])
        if not text.startswith(head):
            raise ValueError(f"{e['EventID']}: event_text does not start with its description")
        rest = text[len(head):]
    else:
        rest = ". " + text if text else ""
    desc = cameo.get(e["EventCode"])
    if blank(desc):
        return rest[2:] if rest.startswith(". ") else rest
    return description(desc) + rest


def main():
    args = sys.argv[1:]
    cameo = None
    if args[:1] == ["--dev"]:
        cameo = {}
        for line in open(args[1], encoding="utf-8"):
            code, _, desc = line.rstrip("\n").partition("\t")
            if code.isdigit():
                cameo[code] = desc
        args = args[2:]
    if len(args) != 5:
        sys.exit(__doc__)
    events_path, titles_path, exclude_path, ids_path, text_path = args
    events = {e["EventID"]: e for e in json.load(open(events_path))}
    titles = {t["title"] for t in json.load(open(titles_path))}
    excl_ids = {int(f[0]) for f in data_lines(exclude_path)}
    excl_urls = {events[i]["SOURCEURL"] for i in excl_ids}
    seen, errors, n, related = set(), [], 0, 0
    out = open(text_path, "w", encoding="utf-8")
    for line in open(ids_path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            if line.startswith("# EventID"):
                line = DEV_HEADER if cameo is not None else TEST_HEADER
            out.write(line + "\n")
            continue
        eid, title, lab = line.split("\t")
        e = events.get(int(eid))
        if e is None:
            errors.append(f"{eid}: no such event")
            continue
        if int(eid) in excl_ids or e["SOURCEURL"] in excl_urls:
            errors.append(f"{eid}: event or article in {exclude_path}")
        if title not in titles:
            errors.append(f"{eid}: title not recorded: {title}")
        if lab not in ("0", "1"):
            errors.append(f"{eid}: label not 0 or 1: {lab}")
        if (eid, title) in seen:
            errors.append(f"{eid}: pair twice: {title}")
        seen.add((eid, title))
        text = lookup_text(e, cameo) if cameo is not None else e["event_text"]
        out.write(f"{text}\t{title}\t{lab}\n")
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
