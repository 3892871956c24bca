#!/usr/bin/env python3
"""How far the two blind readings of the story label sets agree.

The story sets (labels_story_2024.tsv, labels_story_2025.tsv) were written and labelled by one
reader ("reading 1"); labels_story_reading2.tsv holds a second reading of every pair, made blind
(shuffled, from the GDELT fields and the rule's text alone, without the first reader's labels,
kinds, notes or story ids), with a label (1, 0, ?) and a judgement of the title's spelling
(y: an English Wikipedia article had exactly this title on the event's day; n: it did not, with
the reader's spelling in the note; ?: unsure). This tool checks that reading 2 covers every pair
of the given sets exactly once and prints, per set and for all together: the confusion of the
two readings, observed agreement and Cohen's kappa (pairs both decided), the F1 that reading 2
scores against reading 1 with reading 2's ? counted as 0, dropped, counted as 1, and the
spelling judgements (the n titles listed).

Usage: agreement_story.py READING2.tsv SET.tsv [SET.tsv ...]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agreement import cohen_kappa, f1  # noqa: E402  (the same figures as the older sets')


def rows(path, ncols):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) < ncols:
                sys.exit(f"{path}:{n}: expected at least {ncols} tab-separated columns")
            out.append((n, p))
    return out


def report(name, pairs):
    conf = {}
    for a, b in pairs:
        conf[(a, b)] = conf.get((a, b), 0) + 1
    n, po, kappa = cohen_kappa(conf)
    figs = []
    for q in ("0", None, "1"):
        tp = fp = fn = 0
        for a, b in pairs:
            if a not in "01":
                continue
            if b == "?":
                if q is None:
                    continue
                b = q
            tp += a == "1" and b == "1"
            fp += a == "0" and b == "1"
            fn += a == "1" and b == "0"
        figs.append(f1(tp, fp, fn)[2])
    print(f"{name}: {len(pairs)} pairs; reading1 1/0/? = "
          f"{sum(a=='1' for a,_ in pairs)}/{sum(a=='0' for a,_ in pairs)}/{sum(a=='?' for a,_ in pairs)}; "
          f"reading2 1/0/? = {sum(b=='1' for _,b in pairs)}/{sum(b=='0' for _,b in pairs)}/{sum(b=='?' for _,b in pairs)}")
    print("  confusion (reading1 x reading2): " +
          ", ".join(f"{a}{b}={conf.get((a, b), 0)}" for a in "10?" for b in "10?"))
    print(f"  both decided {n}: agreement {po:.3f}, kappa {kappa:.3f}; "
          f"F1 of reading 2 against reading 1, ? as 0 / dropped / as 1: "
          f"{figs[0]:.3f} / {figs[1]:.3f} / {figs[2]:.3f}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    r2 = {}
    for n, p in rows(sys.argv[1], 4):
        key = (p[0], p[1])
        if key in r2:
            sys.exit(f"{sys.argv[1]}:{n}: pair {key} read twice")
        if p[2] not in ("0", "1", "?") or p[3] not in ("y", "n", "?"):
            sys.exit(f"{sys.argv[1]}:{n}: label must be 1/0/? and spelling y/n/?")
        r2[key] = (p[2], p[3], p[4] if len(p) > 4 else "")
    allpairs, used = [], set()
    spell = {"y": 0, "n": 0, "?": 0}
    wrong = []
    for path in sys.argv[2:]:
        pairs = []
        for n, p in rows(path, 4):
            key = (p[1], p[2])
            if key not in r2:
                sys.exit(f"{path}:{n}: pair {key} has no second reading")
            used.add(key)
            lab2, sp, note = r2[key]
            pairs.append((p[3], lab2))
            spell[sp] += 1
            if sp == "n":
                wrong.append(f"{p[2]} ({note})" if note else p[2])
        report(path.rsplit("/", 1)[-1], pairs)
        allpairs += pairs
    extra = set(r2) - used
    if extra:
        sys.exit(f"{len(extra)} second-reading pairs match no set, e.g. {sorted(extra)[0]}")
    if len(sys.argv) > 3:
        report("all", allpairs)
    print(f"spelling (reading 2): y {spell['y']}, n {spell['n']}, ? {spell['?']}")
    for w in wrong:
        print(f"  n: {w}")


if __name__ == "__main__":
    main()
