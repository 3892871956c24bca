"""Compares the C engine's output (JSON lines from `wikigdelt embed [--tokens] --stdin`) with a
reference.
  compare.py tokens EXPECTED_IDS C_JSONL           every text's ids must be identical
  compare.py embed  EXPECTED.f32 C_JSONL MIN_COS [LABEL]   every pair's cosine >= MIN_COS
  compare.py vectors A_JSONL B_JSONL MIN_COS       two C outputs (e.g. bf16 against fp32)
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


def cosines(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
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
        return report_cos(texts, cosines(np.array(got, dtype=np.float64), ref.astype(np.float64)),
                          float(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else "embed vs reference")
    if mode == "vectors":
        texts, a = load_jsonl(sys.argv[2], "vector")
        _, b = load_jsonl(sys.argv[3], "vector")
        return report_cos(texts, cosines(np.array(a), np.array(b)), float(sys.argv[4]),
                          "vectors A vs B")
    return 2


if __name__ == "__main__":
    sys.exit(main())
