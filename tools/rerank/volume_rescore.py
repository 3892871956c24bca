# Rescores the volume pool with the reranker compiled in src/correlate/rerank_model.c and prints, for
# each threshold, the pairs it would emit there and the stratified estimate of the true ones.
#
# tools/labels/volume_estimate.py measures `match_score >= t` on the match_score stored in the
# pool, i.e. the reranker of the replay that made the pool. After a refit those scores are stale.
# Re-running the replay is one way (tests/data/README.md, "The pool"); this is the cheap one: the
# pool's pairs are scored again in Python with fit.py's features (the C rules, mirrored and
# checked equal by tests/unit/test_rerank.c), the pool's own cosine as cos_text and
# sentence-transformers for the per-field cosines and the product term, and the coefficients read
# from rerank_model.c.
# The strata and labels of tests/data/labels_volume.tsv stay as drawn (a sampling design can
# estimate any rule); a pair the new model would have put in an event's best 20 but the old one
# did not is not in the pool, so the emitted counts are a lower bound (at most 5 per event are
# emitted, so the effect is small).
#
# The country features know a page by its name in its wiki's language (country_names.h): the
# lookup is `wikigdelt --home HOME eval --country-names NAMES.tsv` of a home holding the
# wikiticker day (the pool's wikis), given by --country-names. Pairs that the candidate stage now
# proposes below the cosine (a country page of the event's country) are not in the pool, whose
# members are the cosine's best 20: count them on a replay (docs/gold.md).
#
# Usage:
#   build/venv/bin/python tools/rerank/volume_rescore.py MODEL_DIR \
#       --db POOL.db [--labels tests/data/labels_volume.tsv] [--country-names NAMES.tsv]
import argparse, os, re, sqlite3, sys
from collections import defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "../labels"))
import fit  # noqa: E402
import volume_estimate as ve  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--db", required=True, help="a copy of the pool store (opened read-only)")
    ap.add_argument("--labels", default="tests/data/labels_volume.tsv")
    ap.add_argument("--scores", help="also write EventID, wiki, title, cosine, rescored to this TSV")
    ap.add_argument("--country-names", help="`wikigdelt eval --country-names` output (without it,"
                    " titles are country pages by their English names only, the rules before)")
    a = ap.parse_args()
    if a.country_names: fit.LOCAL = fit.read_country_names(a.country_names)
    b, w, pw = fit.compiled_model()  # the tables of src/correlate/rerank_model.c
    corder = [fit.FEATURES.index(f) for f in fit.C_ORDER]

    db = ve.open_pool(a.db)
    info = ve.pool_rows(db)
    # the events as fit.load reads them
    con = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    ids = sorted({v["key"][0] for v in info.values()})
    tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "volume_rescore_%d.tsv" % os.getpid())
    with open(tmp, "w") as f:
        for e in ids: f.write("%d\tx\t0\n" % e)
    events = {ev["id"]: ev for ev, _, _ in fit.load(a.db, tmp)}
    os.unlink(tmp)
    emb = fit.Embedder(a.model_dir)
    titles = sorted({v["key"][2].replace("_", " ") for v in info.values()})
    tvec = dict(zip(titles, emb(titles)))
    fields = {e: fit.field_texts(ev) for e, ev in events.items()}
    fvec = {e: (emb(fs) if fs else np.zeros((0, 384))) for e, fs in fields.items()}
    evec = {e: emb([fit.compose(ev)])[0] for e, ev in events.items()}  # for the product term
    for v in info.values():
        ev = events[v["key"][0]]
        title = v["key"][2].replace("_", " ")
        fc = fvec[v["key"][0]] @ tvec[title]
        slug = fit.url_words(ev["url"])
        x = np.array(fit.features(ev, title, v["cos"], list(fc), fc[-1] if slug else 0.0, v["key"][1]))
        v["new"] = 1 / (1 + np.exp(-(b + x[corder] @ w + (evec[v["key"][0]] * tvec[title]) @ pw)))
    if a.scores:
        with open(a.scores, "w", encoding="utf-8") as f:
            for v in info.values():
                f.write("%d\t%s\t%s\t%.6f\t%.6f\n" % (*v["key"], v["cos"], v["new"]))
    by_event = defaultdict(list)
    for pid, v in info.items(): by_event[v["key"][0]].append(pid)
    for pids in by_event.values():
        for k, pid in enumerate(sorted(pids, key=lambda p: (-info[p]["new"], p))):
            info[pid]["nrank"] = k

    N = defaultdict(int)
    for v in info.values(): N[v["stratum"]] += 1
    by_key = {v["key"]: v for v in info.values()}
    units = defaultdict(list)
    for key, (y, stratum) in ve.read_labels(a.labels).items():
        units[stratum].append((y, by_key[key]))
    names = ["census"] + [h for h, _, _ in ve.STRATA]
    weight = {h: N[h] / len(units[h]) for h in names}

    def total(sel):
        t = sw = sw2 = 0.0
        for h in names:
            for y, v in units[h]:
                if sel(v):
                    t += weight[h] * y; sw += weight[h]; sw2 += weight[h] ** 2
        return t, (sw * sw / sw2 if sw2 else 0.0)

    pool_true, _ = total(lambda v: True)
    print("pool %d pairs, %d events; estimated related pairs %.1f" % (len(info), len(by_event), pool_true))
    print("%-12s %5s %8s %7s %7s %15s %7s %6s" % ("rule", ">=t", "emitted", "true", "prec",
                                                 "prec 95% CI", "recall", "F1"))
    rules = [("cosine", "cos", "crank", t / 100) for t in (36, 38, 40, 42, 44)]
    rules += [("rescored", "new", "nrank", t / 100) for t in list(range(20, 40)) + list(range(40, 81, 5))]
    for name, field, rank, t in rules:
        sel = lambda v, field=field, rank=rank, t=t: v[field] >= t and v[rank] < ve.TOP_PER_EVENT
        emitted = sum(1 for v in info.values() if sel(v))
        true, neff = total(sel)
        p = true / emitted if emitted else 0.0
        lo, hi = ve.wilson(p, neff)
        r = true / pool_true if pool_true else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print("%-12s %5.2f %8d %7.1f %7.4f [%6.4f,%6.4f] %7.3f %6.3f" % (name, t, emitted, true,
                                                                       p, lo, hi, r, f1))


if __name__ == "__main__":
    main()
