#!/usr/bin/env python3
"""Offline tuning of the gold cascade's first stage (correlate.prefilter.*), figures only.

Given a lakehouse home where the exact join ran (correlate.prefilter = off, e.g. kept by
`GOLD_E2E_KEEP=DIR bench/gold_e2e.sh --set correlate.prefilter=off ...`; its embedding_cache
holds the model's vectors) and a store holding the static vocabulary table (gold_static_vocab,
built by any prefilter-on run), recomputes the titles' (and, for comparison, the events') static
vectors like src/embed/static_vocab.c does and prints, per (threshold, top_n), the fraction of the
exact join's pairs whose title the first stage keeps (pair recall) and the fraction of distinct
titles it sends to the model. Whole windows at once: the incremental flow keeps a superset (per
batch top-n), so its recall is at least this.

  gold_cascade_recall.py HOME_DB VOCAB_DB MODEL_DIR [--asym] [--one-bucket] [--grid T,../N,..]
      [--weights zipf|uniform] [--center] [--pca N] [--parts] [--kind pooled|input]
      [--ridge LAMBDA] [--labels tests/data/labels.tsv]
  --asym        events by their model vectors (what the flow does); default: static both sides
  --one-bucket  every event and title in ONE window (a full-volume stand-in), exact pairs
                recomputed from the cached model vectors (top-5 >= 0.40); implies --asym
  the others    the alternatives compared in docs/gold.md (Performance)
"""
import argparse
import sqlite3
import sys

import numpy as np
from tokenizers import Tokenizer

FIRST_WORD_ID = 1996


def weights_for(ids, kind):
    if kind == "uniform":
        return np.ones(len(ids), dtype=np.float32)
    ids = np.asarray(ids)
    rank = np.where(ids >= FIRST_WORD_ID, ids - FIRST_WORD_ID + 2, 1)
    return np.log1p(rank).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("home_db")
    ap.add_argument("vocab_db")
    ap.add_argument("model_dir")
    ap.add_argument("--kind", default="pooled")
    ap.add_argument("--weights", default="zipf")
    ap.add_argument("--pca", type=int, default=0)
    ap.add_argument("--center", action="store_true")
    ap.add_argument("--asym", action="store_true", help="events by their model vectors (embedding_cache), titles static")
    ap.add_argument("--grid", default="")
    ap.add_argument("--ridge", type=float, default=0,
                    help="map title static vectors through a ridge fit to the model's title vectors"
                         " (fitted on every other cached title; an experiment)")
    ap.add_argument("--one-bucket", action="store_true",
                    help="every event and distinct title in ONE window (a full-volume bucket); the exact"
                         " pairs are recomputed from the cached model vectors (top-5 >= 0.40); implies --asym")
    ap.add_argument("--parts", action="store_true", help="an event scores max over its whole text and each of its fields")
    ap.add_argument("--labels", default="")
    a = ap.parse_args()

    if a.kind == "input":
        from safetensors.numpy import load_file
        t = load_file(f"{a.model_dir}/model.safetensors")
        name = [k for k in t if k.endswith("word_embeddings.weight")][0]
        table = t[name].astype(np.float32)
    else:
        v = sqlite3.connect(a.vocab_db)
        row = v.execute("SELECT vocab_size, dim, vectors FROM gold_static_vocab WHERE kind = ?",
                        (a.kind,)).fetchone()
        if not row:
            sys.exit(f"{a.vocab_db}: no gold_static_vocab row of kind {a.kind}")
        table = np.frombuffer(row[2], dtype="<f2").astype(np.float32).reshape(row[0], row[1])
    table /= np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    if a.center:
        table -= table[FIRST_WORD_ID:].mean(0)
        table /= np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    tok = Tokenizer.from_file(f"{a.model_dir}/tokenizer.json")
    tok.no_truncation()
    tok.no_padding()

    def embed(texts):
        out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
        for i, enc in enumerate(tok.encode_batch(texts)):
            ids = enc.ids[1:-1][:126]
            if not ids:
                continue
            w = weights_for(ids, a.weights)
            out[i] = (w[:, None] * table[ids]).sum(0)
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-12)

    proj = None
    if a.pca:
        # Principal axes of the vocabulary table itself (as Model2Vec does).
        c = table - table.mean(0)
        _, _, vt = np.linalg.svd(c[FIRST_WORD_ID:], full_matrices=False)
        proj = vt[: a.pca].T

    def reduce(x):
        if proj is None:
            return x
        y = x @ proj
        return y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)

    db = sqlite3.connect(a.home_db)
    model_vec = {}
    if a.one_bucket:
        a.asym = True
    if a.asym:
        for text, blob in db.execute("SELECT text, vector FROM embedding_cache WHERE model LIKE '%fp32%'"):
            model_vec[text] = np.frombuffer(blob, dtype="<f4")
    events = db.execute("SELECT gdelt_silver_id, time_bucket, event_text FROM gold_events"
                        " WHERE status <> 'late'").fetchall()
    titles = db.execute("SELECT DISTINCT time_bucket, wiki, title FROM wikimedia_silver"
                        " WHERE is_content = 1 AND title <> ''").fetchall()
    pairs = db.execute("SELECT gdelt_silver_id, title_time_bucket, wiki, title"
                       " FROM correlated_gold_events").fetchall()
    if a.one_bucket:
        events = [(sid, "all", t) for sid, _, t in events if t in model_vec]
        seen = set()
        titles2 = []
        for _, wiki, title in titles:
            if (wiki, title) not in seen and title.replace("_", " ") in model_vec:
                seen.add((wiki, title))
                titles2.append(("all", wiki, title))
        titles = titles2
        ev_m = np.stack([model_vec[t] for _, _, t in events])
        ti_m = np.stack([model_vec[t.replace("_", " ")] for _, _, t in titles])
        pairs, exact_sims = [], []
        for i0 in range(0, len(events), 1024):
            sc = ev_m[i0:i0 + 1024] @ ti_m.T
            top = np.argsort(-sc, axis=1)[:, :5]
            for r in range(sc.shape[0]):
                for j in top[r]:
                    if sc[r, j] >= 0.40:
                        exact_sims.append(sc[r, j])
                        pairs.append((events[i0 + r][0], "all", titles[j][1], titles[j][2]))
    W = None
    if a.ridge:
        train = [t.replace("_", " ") for i, (_, _, t) in enumerate(titles) if i % 2 == 0
                 and t.replace("_", " ") in model_vec][:15000]
        X = embed(train)
        Y = np.stack([model_vec[t] for t in train])
        W = np.linalg.solve(X.T @ X + a.ridge * np.eye(X.shape[1]), X.T @ Y)
        print(f"ridge map fitted on {len(train)} titles")
    by_bucket_e, by_bucket_t = {}, {}
    for sid, b, text in events:
        by_bucket_e.setdefault(b, []).append((sid, text))
    for b, wiki, title in titles:
        by_bucket_t.setdefault(b, []).append((wiki, title))
    pair_set = {}
    for sid, b, wiki, title in pairs:
        pair_set.setdefault(b, []).append((sid, (wiki, title)))
    thresholds = [0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]
    top_ns = [5, 10, 20, 50, 100, 200]
    if a.grid:
        th, tn = a.grid.split("/")
        thresholds = [float(x) for x in th.split(",")]
        top_ns = [int(x) for x in tn.split(",")]
    kept = np.zeros((len(thresholds), len(top_ns)))
    selected = np.zeros((len(thresholds), len(top_ns)))
    n_titles = n_pairs = 0
    pair_sims = []
    n_ascii = [0]
    kept_ascii = np.zeros((len(thresholds), len(top_ns)))
    for b, tl in by_bucket_t.items():
        ev = by_bucket_e.get(b, [])
        n_titles += len(tl)
        if not ev:
            continue
        tv = reduce(embed([t.replace("_", " ") for _, t in tl]))
        if W is not None:
            tv = tv @ W
            tv /= np.maximum(np.linalg.norm(tv, axis=1, keepdims=True), 1e-12)
        if a.asym:
            evv = np.stack([model_vec[t] for _, t in ev])
        else:
            evv = reduce(embed([t for _, t in ev]))
        s = evv @ tv.T  # events x titles
        if a.parts:
            owner, texts = [], []
            for i, (_, t) in enumerate(ev):
                for part in t.split(". "):
                    owner.append(i)
                    texts.append(part)
            ps = reduce(embed(texts)) @ tv.T
            owner = np.array(owner)
            for i in range(len(ev)):
                s[i] = np.maximum(s[i], ps[owner == i].max(0))
        order = np.argsort(-s, axis=1)
        rank = np.empty_like(order)
        rows = np.arange(s.shape[0])[:, None]
        rank[rows, order] = np.arange(s.shape[1])[None, :]
        ei = {sid: i for i, (sid, _) in enumerate(ev)}
        ti = {k: j for j, k in enumerate(tl)}
        pp = [(ei[sid], ti[k]) for sid, k in pair_set.get(b, []) if sid in ei and k in ti]
        n_pairs += len(pp)
        pe = np.array([p[0] for p in pp], dtype=int)
        pt = np.array([p[1] for p in pp], dtype=int)
        if len(pp):
            pair_sims.extend(s[pe, pt].tolist())
            ascii_mask = np.array([tl[j][1].isascii() for j in pt])
            n_ascii[0] += ascii_mask.sum()
            for i, th in enumerate(thresholds):
                for j, n in enumerate(top_ns):
                    ok = (s[pe, pt] >= th) & (rank[pe, pt] < n)
                    kept_ascii[i, j] += (ok & ascii_mask).sum()
        for i, th in enumerate(thresholds):
            for j, n in enumerate(top_ns):
                ok = (s >= th) & (rank < n)
                selected[i, j] += ok.any(axis=0).sum()
                if len(pp):
                    kept[i, j] += ok[pe, pt].sum()
    print(f"kind {a.kind}, weights {a.weights}, pca {a.pca or 'none'}: {n_titles} distinct"
          f" window titles, {len(events)} events, {n_pairs} exact pairs")
    if pair_sims:
        q = np.quantile(pair_sims, [0.01, 0.05, 0.5])
        print(f"static cosine of exact pairs: 1% {q[0]:.3f}, 5% {q[1]:.3f}, median {q[2]:.3f}")
    if a.one_bucket:
        q = np.quantile(exact_sims, [0.5, 0.9])
        print(f"model cosine of exact pairs: median {q[0]:.3f}, 90% {q[1]:.3f}")
    print("threshold " + " ".join(f"  top_n={n:<4d}     " for n in top_ns))
    for i, th in enumerate(thresholds):
        cells = " ".join(f"R {kept[i, j] / max(n_pairs, 1):.3f} T {selected[i, j] / n_titles:.3f}"
                         for j in range(len(top_ns)))
        print(f"  {th:.2f}    {cells}")
    print(f"ASCII titles only ({n_ascii[0]} pairs):")
    for i, th in enumerate(thresholds):
        print(f"  {th:.2f}    " + " ".join(f"R {kept_ascii[i, j] / max(n_ascii[0], 1):.3f}        " for j in range(len(top_ns))))
    print("(R: exact pairs kept by the first stage; T: fraction of distinct titles embedded)")
    if a.labels:
        pos = []
        for line in open(a.labels, encoding="utf-8"):
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) >= 3 and f[2].strip() == "1":
                pos.append((f[0], f[1]))
        if a.asym:
            pos = [p for p in pos if p[0] in model_vec]
            ev = np.stack([model_vec[p[0]] for p in pos])
        else:
            ev = reduce(embed([p[0] for p in pos]))
        tv = reduce(embed([p[1].replace("_", " ") for p in pos]))
        sims = (ev * tv).sum(1)
        if a.asym:
            print("  (against the events' model vectors from embedding_cache)")
        print(f"labels.tsv positives ({len(pos)}): first-stage cosine >= " + ", ".join(
            f"{th:.2f}: {np.mean(sims >= th):.3f}" for th in thresholds))


if __name__ == "__main__":
    main()
