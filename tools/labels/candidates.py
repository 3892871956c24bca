#!/usr/bin/env python3
"""Draw candidate pairs for the held-out test set (tests/data/labels_test*.tsv).

This only PROPOSES pairs; every label in the set was decided by reading the pair
(see tests/data/README.md, "Held-out test set"). No embedding, cosine score or
`eval` output is used here.

Inputs are two JSON dumps of a pipeline home that ingested and refined both real
GDELT exports and the wiki recordings, then ran `correlate --drain`:

  wikigdelt --home H sql --format json "select g.EventID, g.event_text, s.SOURCEURL,
      s.Actor1Name, s.Actor2Name, s.ActionGeo_FullName, g.event_time, s.EventCode,
      s.event_description
      from gold_events g join gdelt_silver s on s.GLOBALEVENTID=g.EventID" > events.json

(the last two columns only for `compose.py --dev`; the wiki recordings matter only for
titles.json: for events.json, `ingest gdelt --file ../shared/data/gdelt/`, `refine` and
`--set embed.model_dir=NONE correlate --drain` suffice, since event_text does not depend on
the model)
  wikigdelt --home H sql --format json "select distinct wiki, title
      from wikimedia_silver where namespace=0 order by wiki, title" > titles.json

Usage: candidates.py [--seed N] events.json titles.json labels_eventids.tsv OUTDIR [EXCLUDE.tsv ...]
Writes OUTDIR/events.tsv (one event per article, the articles of labels_eventids.tsv and of
every EXCLUDE.tsv removed), OUTDIR/lexical.tsv (literal / actor-geo / rare-word candidates) and
OUTDIR/random.tsv (one random title per drawn event, shuffled, seed N, default 20261125).

The held-out test set was drawn with the default seed and no EXCLUDE file; the second batch of
the development set (2026-11-25, tests/data/README.md) with
  candidates.py --seed 20261126 events.json titles.json labels_eventids.tsv OUTDIR \
      labels_test_eventids.tsv
run while labels_eventids.tsv still held only the first 330 pairs.
"""
import json
import random
import re
import sys
from collections import defaultdict

SEED = 20261125
WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOP = set("""the a an of and or in on at to for by with from as is are was be it its
this that new man one two three first last year years says said after over into out up
down about more than not no can will may day week time news city state new""".split())


def words(text):
    return [w.lower() for w in WORD.findall(text or "")]


def main():
    args = sys.argv[1:]
    seed = SEED
    if args[:1] == ["--seed"]:
        seed = int(args[1])
        args = args[2:]
    if len(args) < 4:
        sys.exit(__doc__)
    events_path, titles_path, dev_ids_path, outdir = args[:4]
    events = json.load(open(events_path))
    titles = json.load(open(titles_path))
    # Every labelled set already drawn: its events and (below) its articles are left out.
    dev_ids = set()
    for path in [dev_ids_path] + args[4:]:
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            dev_ids.add(int(line.split("\t")[0]))
    dev_urls = {e["SOURCEURL"] for e in events if e["EventID"] in dev_ids}

    # One event per article (GDELT codes several per article and they share a slug);
    # keep the one whose composed text carries the most (longest), lowest id on ties.
    by_url = defaultdict(list)
    for e in events:
        if e["EventID"] in dev_ids or e["SOURCEURL"] in dev_urls:
            continue
        by_url[e["SOURCEURL"]].append(e)
    picked = []
    for url in sorted(by_url):
        evs = sorted(by_url[url], key=lambda e: (-len(e["event_text"]), e["EventID"]))
        picked.append(evs[0])
    picked.sort(key=lambda e: e["EventID"])

    # Title index: normalised word tuple -> titles; word document frequencies.
    phrase = defaultdict(set)
    title_df = defaultdict(int)
    for t in titles:
        ws = tuple(words(t["title"]))
        if not ws:
            continue
        phrase[ws].add(t["title"])
        for w in set(ws):
            title_df[w] += 1
    event_df = defaultdict(int)
    for e in picked:
        for w in set(words(e["event_text"])):
            event_df[w] += 1
    by_word = defaultdict(set)
    for t in titles:
        for w in set(words(t["title"])):
            by_word[w].add(t["title"])

    with open(f"{outdir}/events.tsv", "w") as f:
        for e in picked:
            f.write(f"{e['EventID']}\t{e['event_text']}\n")

    with open(f"{outdir}/lexical.tsv", "w") as f:
        for e in picked:
            text_words = words(e["event_text"])
            cands = {}
            # 1. literal occurrence: a title whose words occur as a phrase of the text.
            for n in range(1, 7):
                for i in range(len(text_words) - n + 1):
                    ws = tuple(text_words[i:i + n])
                    if n == 1 and (len(ws[0]) < 4 or ws[0] in STOP or ws[0].isdigit()):
                        continue
                    for t in phrase.get(ws, ()):
                        cands.setdefault(t, "literal")
            # 2. actor or location names (and the first part of a geo full name).
            names = [e["Actor1Name"], e["Actor2Name"], e["ActionGeo_FullName"]]
            if e["ActionGeo_FullName"]:
                names += [p.strip() for p in e["ActionGeo_FullName"].split(",")]
            for nm in names:
                ws = tuple(words(nm))
                for t in phrase.get(ws, ()):
                    cands.setdefault(t, "name")
            # 3. shared rare words (rare among titles and among events).
            for w in sorted(set(text_words)):
                if len(w) < 5 or w in STOP or w.isdigit():
                    continue
                if title_df.get(w, 0) == 0 or title_df[w] > 4 or event_df[w] > 6:
                    continue
                for t in by_word[w]:
                    cands.setdefault(t, "rare:" + w)
            for t, why in sorted(cands.items()):
                f.write(f"{e['EventID']}\t{why}\t{t}\t{e['event_text']}\n")

    rng = random.Random(seed)
    all_titles = sorted({t["title"] for t in titles})
    order = picked[:]
    rng.shuffle(order)
    with open(f"{outdir}/random.tsv", "w") as f:
        for e in order:
            f.write(f"{e['EventID']}\t{rng.choice(all_titles)}\t{e['event_text']}\n")


if __name__ == "__main__":
    main()
