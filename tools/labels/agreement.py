#!/usr/bin/env python3
"""How far two readings of the labelling rule agree, and the pairs both readings agree on.

The labelled pairs (labels_eventids.tsv, the development set, and labels_test_eventids.tsv, the
held-out test set) were read once by the rule of tests/data/README.md ("reading 1").
labels_reading2.tsv holds a second reading of every one of them, made blind (shuffled, without
the first labels, from the rule's text alone), with three answers: 1, 0, or ? when the reader
could argue either way. This tool

- checks that the second reading covers every labelled pair exactly once, in the label files'
  order, with answers in {1, 0, ?} (so an edit of a label file that forgets it fails loudly);
- prints, per set and for both together, the confusion of the two readings, the observed
  agreement and Cohen's kappa (on the pairs reading 2 decided), and the F1 that reading 2 scores
  against reading 1 taken as the truth, with ? dropped, counted as 0 and counted as 1: the
  agreement two careful readers reach, i.e. the ceiling a scorer measured against one reading
  can be expected to approach;
- with --consensus PREFIX, writes PREFIX_dev.tsv and PREFIX_test.tsv: the pairs both readings
  decided alike, in the by-EventID format `wikigdelt eval` reads.

Usage:
  agreement.py labels_eventids.tsv labels_test_eventids.tsv labels_reading2.tsv [--consensus P]
"""
import sys


def read_labels(path):
    """[(EventID, title, related)] of a by-EventID labels file, in order, comments skipped."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[2] not in ("0", "1"):
                sys.exit(f"{path}:{n}: expected EventID<TAB>title<TAB>0|1")
            pairs.append((parts[0], parts[1], parts[2]))
    return pairs


def read_reading2(path):
    """{set: [(EventID, title, answer)]} in file order."""
    sets = {"dev": [], "test": []}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                sys.exit(f"{path}:{n}: expected set<TAB>EventID<TAB>title<TAB>label<TAB>note, "
                         f"got {len(parts)} fields")
            s, ev, title, ans, _note = parts
            if s not in sets:
                sys.exit(f"{path}:{n}: unknown set '{s}' (dev or test)")
            if ans not in ("0", "1", "?"):
                sys.exit(f"{path}:{n}: label '{ans}' is not 1, 0 or ?")
            sets[s].append((ev, title, ans))
    return sets


def check_alignment(name, first, second, path):
    if len(first) != len(second):
        sys.exit(f"{path}: {len(second)} '{name}' pairs, but the {name} label file has "
                 f"{len(first)}: re-read the added or removed pairs")
    for i, (a, b) in enumerate(zip(first, second), 1):
        if a[:2] != b[:2]:
            sys.exit(f"{path}: '{name}' pair {i} is {b[0]}/{b[1]}, the label file's is "
                     f"{a[0]}/{a[1]}: keep both files in the same order")


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def cohen_kappa(c):
    """(pairs both readings decided, observed agreement, Cohen's kappa) of a confusion
    {(reading 1, reading 2): count} over the answers 1 and 0 (? of either reading left out)."""
    n = sum(c.get((a, b), 0) for a in "10" for b in "10")
    if not n:
        return 0, 0.0, 1.0
    po = (c.get(("1", "1"), 0) + c.get(("0", "0"), 0)) / n
    pa = (c.get(("1", "1"), 0) + c.get(("1", "0"), 0)) / n
    pb = (c.get(("1", "1"), 0) + c.get(("0", "1"), 0)) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return n, po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def report(name, first, second):
    c = {(a, b): 0 for a in "10" for b in "10?"}
    for (_, _, a), (_, _, b) in zip(first, second):
        c[(a, b)] += 1
    print(f"{name}: {len(first)} pairs, reading 1 related {c[('1','1')] + c[('1','0')] + c[('1','?')]}")
    print(f"  reading 1 \\ reading 2     1     0     ?")
    for a, label in (("1", "related"), ("0", "unrelated")):
        print(f"  {label:<20} {c[(a,'1')]:5} {c[(a,'0')]:5} {c[(a,'?')]:5}")
    n, po, kappa = cohen_kappa(c)
    print(f"  decided by both: {n}; observed agreement {po:.3f}; Cohen's kappa {kappa:.3f}")
    tp, fp, fn = c[("1", "1")], c[("0", "1")], c[("1", "0")]
    q1, q0 = c[("1", "?")], c[("0", "?")]
    for how, (t, p_, n_) in (("? dropped", (tp, fp, fn)), ("? as 0", (tp, fp, fn + q1)),
                             ("? as 1", (tp + q1, fp + q0, fn))):
        p, r, f = f1(t, p_, n_)
        print(f"  reading 2 scored against reading 1, {how:<9}: precision {p:.3f}, recall {r:.3f},"
              f" F1 {f:.3f}")
    return c


def main(argv):
    consensus = None
    if "--consensus" in argv:
        i = argv.index("--consensus")
        if i + 1 >= len(argv):
            sys.exit("--consensus needs a PREFIX")
        consensus = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) != 3:
        sys.exit(__doc__.strip().split("Usage:")[1])
    dev, test = read_labels(argv[0]), read_labels(argv[1])
    second = read_reading2(argv[2])
    check_alignment("dev", dev, second["dev"], argv[2])
    check_alignment("test", test, second["test"], argv[2])
    report("development set", dev, second["dev"])
    report("held-out test set", test, second["test"])
    report("both", dev + test, second["dev"] + second["test"])
    if consensus:
        for name, first in (("dev", dev), ("test", test)):
            path = f"{consensus}_{name}.tsv"
            kept = [(e, t, a) for (e, t, a), (_, _, b) in zip(first, second[name]) if a == b]
            with open(path, "w", encoding="utf-8") as f:
                f.write("# EventID\ttitle\trelated   (pairs both readings decided alike; "
                        "tools/labels/agreement.py)\n")
                for e, t, a in kept:
                    f.write(f"{e}\t{t}\t{a}\n")
            print(f"wrote {path}: {len(kept)} pairs, {sum(a == '1' for _, _, a in kept)} related")


if __name__ == "__main__":
    main(sys.argv[1:])
