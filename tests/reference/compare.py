"""Compares the C engine's output (JSON lines from `wikigdelt embed [--tokens] --stdin`) with a
reference.
  compare.py tokens EXPECTED_IDS C_JSONL           every text's ids must be identical
  compare.py embed  EXPECTED.f32 C_JSONL MIN_COS [LABEL]   every pair's cosine >= MIN_COS
  compare.py vectors A_JSONL B_JSONL MIN_COS       two C outputs (e.g. bf16 against fp32)
Every vector (the C engine's and the reference's) must have norm 1 within NORM_TOL: the engine
returns unit vectors, and the cosine is computed as a plain dot product, so a wrong scale is an
error rather than normalised away.
Prints a one-line summary; exit 1 on a mismatch (the first few are printed)."""
import json
import sys

import numpy as np


def load_jsonl(path, key):
    texts, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            texts.append(o["text"])
            rows.append(o[key])
    return texts, rows


# float32 unit vectors have norms within ~1e-7 of 1; 1e-5 leaves two orders of magnitude.
NORM_TOL = 1e-5


def check_norms(texts, v, what):
    n = np.linalg.norm(v, axis=1)
    bad = np.nonzero(np.abs(n - 1.0) > NORM_TOL)[0]
    print(f"{what}: norms {n.min():.7f}..{n.max():.7f}, off by more than {NORM_TOL}: {len(bad)}")
    for i in bad[:5]:
        print(f"  {texts[i]!r}: norm {n[i]:.7f}")
    return len(bad)


def cosines(a, b):
    return np.sum(a * b, axis=1)


def report_cos(texts, cos, min_cos, what):
    bad = np.nonzero(cos < min_cos)[0]
    print(f"{what}: {len(cos)} texts, min cosine {cos.min():.7f}, mean {cos.mean():.7f}, "
          f"below {min_cos}: {len(bad)}")
    for i in bad[:5]:
        print(f"  {texts[i]!r}: cosine {cos[i]:.7f}")
    return 1 if len(bad) else 0


def main():
    mode = sys.argv[1]
    if mode == "tokens":
        with open(sys.argv[2]) as f:
            expected = [list(map(int, line.split())) for line in f]
        texts, got = load_jsonl(sys.argv[3], "input_ids")
        if len(expected) != len(got):
            print(f"tokens: {len(got)} results for {len(expected)} texts")
            return 1
        bad = [i for i in range(len(got)) if got[i] != expected[i]]
        print(f"tokens: {len(got)} texts, {len(bad)} differ")
        for i in bad[:5]:
            print(f"  {texts[i]!r}\n    expected {expected[i]}\n    got      {got[i]}")
        return 1 if bad else 0
    if mode == "embed":
        texts, got = load_jsonl(sys.argv[3], "vector")
        ref = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, 384)
        if len(ref) != len(got):
            print(f"embed: {len(got)} vectors for {len(ref)} texts")
            return 1
        got, ref = np.array(got, dtype=np.float64), ref.astype(np.float64)
        what = sys.argv[5] if len(sys.argv) > 5 else "embed vs reference"
        bad = check_norms(texts, got, what + " (C)") + check_norms(texts, ref, what + " (reference)")
        return report_cos(texts, cosines(got, ref), float(sys.argv[4]), what) or (1 if bad else 0)
    if mode == "vectors":
        texts, a = load_jsonl(sys.argv[2], "vector")
        _, b = load_jsonl(sys.argv[3], "vector")
        a, b = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
        bad = check_norms(texts, a, "vectors A") + check_norms(texts, b, "vectors B")
        return report_cos(texts, cosines(a, b), float(sys.argv[4]), "vectors A vs B") or (1 if bad else 0)
    return 2


if __name__ == "__main__":
    sys.exit(main())
