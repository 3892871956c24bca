"""Pair-level differences between two `wikigdelt eval --scores` files of the same labels (e.g.
int8 against fp32): how far each pair's cosine and reranker score moved, and which pairs changed
side at the cosine and the reranker thresholds.
  precision_flips.py BASE.tsv OTHER.tsv [COSINE_THRESHOLD=0.40] [RERANK_THRESHOLD=0.45]
Also prints, for BASE, how many pairs sit within the mean |shift| of each threshold and a
bootstrap standard deviation of F1 (2,000 resamples of the pairs, seed 1): the yardsticks for
"within noise"."""
import csv
import random
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        r = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(r)
        return [(float(x[0]), int(x[1]), x[2], x[3], float(x[4]) if x[4] else None) for x in r]


def f1(rows, key, t):
    tp = sum(1 for r in rows if key(r) is not None and key(r) >= t and r[1])
    fp = sum(1 for r in rows if key(r) is not None and key(r) >= t and not r[1])
    fn = sum(1 for r in rows if r[1]) - tp
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    ct = float(sys.argv[3]) if len(sys.argv) > 3 else 0.40
    rt = float(sys.argv[4]) if len(sys.argv) > 4 else 0.45
    if len(a) != len(b) or any(x[1:4] != y[1:4] for x, y in zip(a, b)):
        sys.exit("the two score files do not hold the same pairs in the same order")
    dc = [y[0] - x[0] for x, y in zip(a, b)]
    dm = [y[4] - x[4] for x, y in zip(a, b) if x[4] is not None and y[4] is not None]
    mc = sum(abs(d) for d in dc) / len(dc)
    mm = sum(abs(d) for d in dm) / max(1, len(dm))
    print(f"  pairs {len(a)}: |cosine shift| mean {mc:.4f}, max {max(map(abs, dc)):.4f}, "
          f"signed mean {sum(dc) / len(dc):+.5f}; |score shift| mean {mm:.4f}, "
          f"max {max(map(abs, dm)) if dm else 0:.4f} ({len(dm)} candidates in both)")
    for name, key, t, d in (("cosine", lambda r: r[0], ct, mc), ("reranked", lambda r: r[4], rt, mm)):
        flips = [(x, y) for x, y in zip(a, b)
                 if (key(x) is not None and key(x) >= t) != (key(y) is not None and key(y) >= t)]
        print(f"  {name} at {t:.2f}: {len(flips)} pair(s) changed side", end="")
        for x, y in flips:
            fmt = lambda v: "-" if v is None else f"{v:.4f}"  # noqa: E731
            print(f"; [{'related' if x[1] else 'unrelated'}] {x[3]!r} {fmt(key(x))} -> {fmt(key(y))}", end="")
        print()
        near = sum(1 for r in a if key(r) is not None and t - d <= key(r) < t + d)
        random.seed(1)
        boot = sorted(f1([random.choice(a) for _ in a], key, t) for _ in range(2000))
        m = sum(boot) / len(boot)
        sd = (sum((v - m) ** 2 for v in boot) / len(boot)) ** 0.5
        print(f"    base: F1 {f1(a, key, t):.4f}, {near} pair(s) within {d:.4f} of {t:.2f}, "
              f"bootstrap sd of F1 {sd:.3f}")


if __name__ == "__main__":
    main()
