#!/usr/bin/env python3
"""Precision and recall of the gold pair rules AT VOLUME, from a stratified labelled sample.

The pool is every candidate pair of one full replay (cosine >= 0.20, best 20 per event by
match_score), stored in a gold store's correlated_gold_events. tests/data/labels_volume.tsv
holds, labelled by reading (tests/data/README.md, "Volume sample"), a stratified random sample
of that pool by match_score, plus a census of every pair where a related page is plausible at
all (CENSUS_KEYWORDS below). This script weights the labels back to the pool (stratified
Horvitz-Thompson estimates: a labelled pair of stratum h stands for N_h / n_h pool pairs) and
prints, for each rule

  cosine >= t        (t = 0.30 .. 0.60; at most the 5 best by cosine per event)
  match_score >= t   (t = 0.20 .. 0.80; at most the 5 best by match_score per event)

the pairs emitted (exact, from the pool), the estimated true pairs among them, the precision
with a rough 95% interval (Wilson's, on the Kish effective number of labelled pairs the rule
keeps, so that a stratum with no related pair in its sample still leaves an upper bound), the
estimated recall relative to all true pairs in the pool, and F1 on that basis.

Usage:
  volume_estimate.py --db POOL.db [--labels LABELS.tsv] [--ambiguous label|0|1]
      the estimate table (--ambiguous 0/1: the pairs marked ambiguous all 0 / all 1)
  volume_estimate.py --draw --db POOL.db                          re-draw the sample: prints
      the sampled pairs as TSV, shuffled, WITHOUT scores or strata (what the labeller read)
  volume_estimate.py --census --db POOL.db                        the census stratum's pairs

The pool db is opened read-only.
"""
import argparse
import math
import random
import re
import sqlite3
import sys
from collections import defaultdict

SEED = 20261125
TOP_PER_EVENT = 5

# name, SQL condition on the pool, sample size. Strata partition the pool.
STRATA = [
    ("ms_ge_0.5", "match_score >= 0.5", 60),
    ("ms_0.4_0.5", "match_score >= 0.4 AND match_score < 0.5", 50),
    ("ms_0.3_0.4", "match_score >= 0.3 AND match_score < 0.4", 50),
    ("ms_0.2_0.3", "match_score >= 0.2 AND match_score < 0.3", 30),
    ("ms_lt_0.2_cos_ge_0.4", "match_score < 0.2 AND cosine_sim >= 0.40", 30),
    ("ms_lt_0.2_cos_lt_0.4", "match_score < 0.2 AND cosine_sim < 0.40", 20),
]


# The census stratum, labelled in full: the pairs where a related page is at all plausible.
# The random sample of the six score strata found almost no related pair (the window's titles
# are the 2015 wikiticker day's, the news is of 2024), so every pair that could be one was read:
#  - lexical: the title (without a trailing "(...)") occurs as whole words in the event's text;
#  - keyword: the title is one of the pool's 1,615 titles that a 2024-07-14/15 story could be
#    about (chosen by reading the title list, no scores), and the event's text has one of the
#    title's keywords (lower-case substring).
# The six score strata are then the rest of the pool; sampled pairs that fall in the census
# count there (a simple random sample of a stratum restricted to a subset is a simple random
# sample of that subset).
CENSUS_KEYWORDS = {
 ("enwiki","Recep Tayyip Erdoğan"): ["turk", "erdogan"],
 ("enwiki","Jacob Zuma"): ["south africa", "zuma", "anc "],
 ("enwiki","President of India"): ["india", "murmu"],
 ("enwiki","Mukesh Ambani"): ["ambani", "reliance", "mumbai"],
 ("enwiki","Buckingham Palace"): ["buckingham", "king charles", "palace"],
 ("enwiki","New York City"): ["new york city", "manhattan", "brooklyn", "queens", "bronx", "nyc", "new york, new york"],
 ("enwiki","New York Mets"): ["mets", "baseball", "mlb"],
 ("enwiki","Glasgow"): ["glasgow"],
 ("enwiki","Assam"): ["assam", "guwahati"],
 ("enwiki","Afghanistan"): ["afghan", "taliban", "kabul"],
 ("simplewiki","Afghanistan"): ["afghan", "taliban", "kabul"],
 ("enwiki","Peshawar"): ["peshawar", "khyber"],
 ("enwiki","Samir Geagea"): ["geagea", "lebanese forces"],
 ("nowiki","Jeremy Corbyn"): ["corbyn", "islington"],
 ("enwiki","Masjid al-Haram"): ["mecca", "makkah", "haram", "hajj", "kaaba"],
 ("enwiki","International Atomic Energy Agency"): ["iaea", "atomic", "nuclear"],
 ("enwiki","Member states of the International Atomic Energy Agency"): ["iaea", "atomic", "nuclear"],
 ("enwiki","Kim Kardashian"): ["kardashian"],
 ("enwiki","Joaquín Guzmán"): ["guzman", "chapo", "sinaloa"],
 ("enwiki","Los Zetas"): ["zetas", "cartel"],
 ("enwiki","List of leaders of North Korea"): ["kim jong", "north korea", "pyongyang"],
 ("enwiki","Ryugyong Hotel"): ["ryugyong", "pyongyang"],
 ("enwiki","Sundarbans National Park"): ["sundarban"],
 ("enwiki","Mumbai Harbour"): ["mumbai"],
 ("enwiki","Moreton Bay"): ["moreton"],
 ("enwiki","Transport for New South Wales"): ["transport", "train", "rail", "bus "],
 ("enwiki","Torres Strait Islanders"): ["torres", "indigenous", "aboriginal", "first nations"],
 ("enwiki","Same-sex marriage in New Zealand"): ["same-sex", "same sex", "gay", "marriage"],
 ("enwiki","Shaun King (activist)"): ["shaun king"],
 ("eswiki","Arnold Schwarzenegger"): ["schwarzenegger"],
 ("eswiki","Concacaf"): ["concacaf", "soccer", "copa", "football", "futbol"],
 ("enwiki","Los Angeles International Airport"): ["lax", "airport"],
 ("enwiki","Ninoy Aquino International Airport"): ["naia", "airport", "manila"],
 ("enwiki","United States Census Bureau"): ["census"],
 ("enwiki","Compton, California"): ["compton"],
 ("enwiki","Cincinnati Reds"): ["cincinnati", "reds", "baseball", "mlb"],
 ("enwiki","Sports in St. Louis"): ["st. louis", "st louis", "cardinals"],
 ("enwiki","Gillette Stadium"): ["gillette", "patriots", "foxborough"],
 ("enwiki","Religion in Canada"): ["church", "religio", "faith"],
 ("enwiki","Bangladesh–Pakistan relations"): ["bangladesh"],
 ("enwiki","Air pollution in Malaysia"): ["pollution", "haze", "air quality"],
 ("enwiki","Ellen Johnson Sirleaf"): ["liberia", "sirleaf"],
 ("enwiki","Bill Gates"): ["gates", "microsoft"],
 ("simplewiki","Bill Gates"): ["gates", "microsoft"],
 ("enwiki","Chinese Unification"): ["taiwan", "unification", "reunification"],
 ("enwiki","Yemeni Civil War (2015)"): ["yemen", "houthi"],
 ("enwiki","Penal labor in the United States"): ["prison labor", "inmate", "penal"],
 ("zhwiki","上海市"): ["shanghai"],
 ("ruwiki","Ростов-на-Дону"): ["rostov"],
 ("frwiki","Casablanca"): ["casablanca"],
 ("eswiki","Telefónica"): ["telefonica", "telefónica"],
 ("eswiki","Univision"): ["univision"],
 ("eswiki","República de Nagorno Karabaj"): ["karabakh", "armenia", "azerbaijan"],
 ("enwiki","Ghouta chemical attack"): ["ghouta", "chemical"],
 ("enwiki","Lebanese Civil War"): ["lebanese civil war"],
 ("enwiki","Vandalism"): ["vandal", "graffiti"],
}
WORD = re.compile(r"[^\W_]+")


def in_census(wiki, title, event_text):
    text = event_text.lower()
    words = WORD.findall(re.sub(r"\s*\(.*\)\s*$", "", title).lower())
    if words and " %s " % " ".join(words) in " %s " % " ".join(WORD.findall(text)):
        return True
    return any(k in text for k in CENSUS_KEYWORDS.get((wiki, title), ()))


def open_pool(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True)


def stratum_ids(db):
    """Pool row ids per stratum, in id order (so the draw is reproducible)."""
    out = {}
    for name, cond, _ in STRATA:
        out[name] = [r[0] for r in db.execute(
            "SELECT id FROM correlated_gold_events WHERE %s ORDER BY id" % cond)]
    total = db.execute("SELECT count(*) FROM correlated_gold_events").fetchone()[0]
    if sum(len(v) for v in out.values()) != total:
        sys.exit("strata do not partition the pool (%d rows)" % total)
    return out


def draw(db):
    rng = random.Random(SEED)
    ids = stratum_ids(db)
    sample = []
    for name, _, n in STRATA:
        sample += rng.sample(ids[name], n)
    rng.shuffle(sample)
    w = sys.stdout.write
    w("EventID\twiki\ttitle\tevent_text\tActor1Name\tActor2Name\tActionGeo_FullName\tSOURCEURL\n")
    for pid in sample:
        r = db.execute(
            "SELECT c.EventID, c.wiki, c.title, g.event_text, s.Actor1Name, s.Actor2Name,"
            " s.ActionGeo_FullName, s.SOURCEURL FROM correlated_gold_events c"
            " JOIN gold_events g ON g.EventID = c.EventID"
            " JOIN gdelt_silver s ON s.GLOBALEVENTID = c.EventID WHERE c.id = ?", (pid,)).fetchone()
        w("\t".join("" if v is None else str(v) for v in r) + "\n")


def read_labels(path, ambiguous="label"):
    """(EventID, wiki, title) -> (related, stratum). ambiguous = "0" or "1" overrides the label
    of the pairs whose comment starts with "ambiguous" (a sensitivity check)."""
    labels = {}
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            row = dict(zip(header, cols))
            key = (int(row["EventID"]), row["wiki"], row["title"])
            if key in labels:
                sys.exit("duplicate labelled pair %r" % (key,))
            if row["related"] not in ("0", "1"):
                sys.exit("bad related value %r for %r" % (row["related"], key))
            y = int(row["related"])
            if ambiguous != "label" and row.get("comment", "").startswith("ambiguous"):
                y = int(ambiguous)
            labels[key] = (y, row["stratum"])
    return labels


def pool_rows(db):
    """Every pool row with its final stratum and its rank by cosine and by match_score in its
    event (ties broken by id, so the ranks are deterministic)."""
    rows = db.execute("SELECT c.id, c.EventID, c.wiki, c.title, c.cosine_sim, c.match_score,"
                      " g.event_text FROM correlated_gold_events c"
                      " JOIN gold_events g ON g.EventID = c.EventID").fetchall()
    score_stratum = {pid: h for h, v in stratum_ids(db).items() for pid in v}
    info, by_event = {}, defaultdict(list)
    for pid, ev, wiki, title, cos, ms, text in rows:
        census = in_census(wiki, title, text or "")
        info[pid] = dict(key=(ev, wiki, title), cos=cos, ms=ms,
                         stratum="census" if census else score_stratum[pid])
        by_event[ev].append(pid)
    for pids in by_event.values():
        for k, pid in enumerate(sorted(pids, key=lambda p: (-info[p]["cos"], p))):
            info[pid]["crank"] = k
        for k, pid in enumerate(sorted(pids, key=lambda p: (-info[p]["ms"], p))):
            info[pid]["mrank"] = k
    return info


def wilson(p, n, z=1.96):
    """Wilson score interval for a proportion p observed on n (effective) units."""
    if n <= 0:
        return 0.0, 1.0
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="a copy of the pool store (opened read-only)")
    ap.add_argument("--labels", default="tests/data/labels_volume.tsv")
    ap.add_argument("--draw", action="store_true")
    ap.add_argument("--census", action="store_true")
    ap.add_argument("--ambiguous", choices=("label", "0", "1"), default="label",
                    help="count the pairs marked ambiguous as labelled (default), or all 0 / all 1")
    a = ap.parse_args()
    db = open_pool(a.db)
    if a.draw:
        draw(db)
        return
    info = pool_rows(db)
    if a.census:
        # what the labeller read for the census stratum: no scores, title order
        print("EventID\twiki\ttitle")
        for v in sorted((v for v in info.values() if v["stratum"] == "census"),
                        key=lambda v: (v["key"][2], v["key"][0])):
            print("%d\t%s\t%s" % v["key"])
        return

    N = defaultdict(int)
    for v in info.values():
        N[v["stratum"]] += 1
    by_key = {v["key"]: v for v in info.values()}
    labels = read_labels(a.labels, a.ambiguous)
    units = defaultdict(list)            # stratum -> [(related, pool row)]
    for key, (y, stratum) in labels.items():
        v = by_key.get(key)
        if v is None:
            sys.exit("labelled pair not in the pool: %r" % (key,))
        if v["stratum"] != stratum:
            sys.exit("pair %r is in stratum %s of the pool, labelled as %s"
                     % (key, v["stratum"], stratum))
        units[stratum].append((y, v))
    if len(units["census"]) != N["census"]:
        sys.exit("census stratum: %d pairs in the pool, %d labelled"
                 % (N["census"], len(units["census"])))
    names = ["census"] + [h for h, _, _ in STRATA]
    weight = {h: N[h] / len(units[h]) for h in names if units[h]}
    missing = [h for h in names if N[h] and not units[h]]
    if missing:
        sys.exit("no labelled pair in stratum %s" % ", ".join(missing))

    def total(sel):
        """Stratified estimate of the related pairs among the rows sel() keeps, and the Kish
        effective number of labelled units behind it."""
        t, sw, sw2 = 0.0, 0.0, 0.0
        for h in names:
            for y, v in units[h]:
                if sel(v):
                    t += weight[h] * y
                    sw += weight[h]
                    sw2 += weight[h] ** 2
        return t, (sw * sw / sw2 if sw2 else 0.0)

    print("pool: %d pairs, %d events; labelled: %d pairs, %d related"
          % (len(info), len({v["key"][0] for v in info.values()}), len(labels),
             sum(y for y, _ in labels.values())))
    print("%-22s %7s %6s %8s %9s" % ("stratum", "N", "n", "related", "weight"))
    for h in names:
        print("%-22s %7d %6d %8d %9.1f" % (h, N[h], len(units[h]),
                                           sum(y for y, _ in units[h]), weight[h]))
    pool_true, _ = total(lambda v: True)
    print("estimated related pairs in the pool: %.1f" % pool_true)
    print("(a stratum with 0 related of n labelled can still hold up to ~3N/n: the interval"
          " below is Wilson's on the Kish effective n of the labelled pairs a rule keeps)\n")

    rules = [("cosine", "cos", "crank", t / 100) for t in range(30, 61, 2)]
    rules += [("match_score", "ms", "mrank", t / 100) for t in range(20, 81, 5)]
    print("%-12s %5s %8s %7s %7s %15s %7s %6s %6s" % (
        "rule", ">=t", "emitted", "true", "prec", "prec 95% CI", "recall", "F1", "n_eff"))
    best = None
    for name, field, rank, t in rules:
        def sel(v, field=field, rank=rank, t=t):
            return v[field] >= t and v[rank] < TOP_PER_EVENT
        emitted = sum(1 for v in info.values() if sel(v))
        true, neff = total(sel)
        p = true / emitted if emitted else 0.0
        lo, hi = wilson(p, neff)
        r = true / pool_true if pool_true else 0.0
        f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
        mark = "  <- current default" if (name, t) in (("cosine", 0.40), ("match_score", 0.30)) else ""
        print("%-12s %5.2f %8d %7.1f %7.4f [%6.4f,%6.4f] %7.3f %6.3f %6.1f%s"
              % (name, t, emitted, true, p, lo, hi, r, f1, neff, mark))
        if best is None or f1 > best[0]:
            best = (f1, name, t, p, r)
    print("\nbest estimated F1: %s >= %.2f: F1 %.3f (P %.4f, R %.3f)" % (
        best[1], best[2], best[0], best[3], best[4]))


if __name__ == "__main__":
    main()
