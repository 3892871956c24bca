# Other model classes on the reranker's task, under fit.py's protocol: do they lift the worst
# set's cross-validated F1 enough to be worth building in C? (docs/experiments/gold-accuracy.md,
# "Third round"). Not part of the deployed fit; nothing here is read by the C code.
#
#   lr        fit.py's logistic regression on the second round's features (the baseline)
#   gbm       gradient-boosted trees (scikit-learn) on all 18 features
#   product   the deployed features plus the element-wise product of the event-text and title
#             embeddings, reduced by PCA to K dimensions: a learned, weighted cosine
#   cross     a cross-encoder fine-tuned from all-MiniLM-L6-v2 (transformers, CPU; minutes per
#             fold) on (event text, title)
#
# Usage (HOME as for fit.py: both GDELT exports and the wiki recordings ingested and refined):
#   build/venv/bin/python tools/rerank/model_classes.py HOME/wikigdelt.db MODEL \
#       [--classes lr,gbm,product,cross] [--seeds 3] [--epochs 3]
# Fit sets: the development set and the story sets' dev parts; held-out parts scored once with
# the model fitted on all of them at the CV's threshold. The volume bound is not applied here.
import argparse, os, sys, time
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit as F  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/data")
FIT = [("dev", "labels_eventids.tsv", None), ("s24", "labels_story_2024.tsv", "dev"),
       ("s25", "labels_story_2025.tsv", "dev")]
HELD = [("test", "labels_test_eventids.tsv", None), ("s24", "labels_story_2024.tsv", "heldout"),
        ("s25", "labels_story_2025.tsv", "heldout")]


def folds(sets, seed, k=5):
    """fit.py's grouped split over the union of the sets."""
    return F.grouped_folds(np.concatenate([s.groups for s in sets]), seed, k)


def protocol(name, sets, held, make, X, Xh, seeds):
    """Out-of-fold scores per seed -> the worst-set rule's threshold -> held-out F1."""
    y = np.concatenate([s.y for s in sets])
    cand = np.concatenate([s.cand for s in sets])
    runs = []
    for seed in seeds:
        sc = np.full(len(y), -1.0)
        for tr, te in folds(sets, seed):
            trc, tec = tr[cand[tr]], te[cand[te]]
            sc[tec] = make().fit(X(trc), y[trc]).predict_proba(X(tec))[:, 1]
        runs.append(sc)
    rows = F.worst_choices(sets, runs)
    w, mean, sd, t, per = max(((r[1], r[2], r[3], r[0], r[4]) for r in rows), key=lambda r: (r[0], r[1]))
    ci = np.where(cand)[0]
    m = make().fit(X(ci), y[ci])
    out = []
    for i, st in enumerate(held):
        s = np.where(st.cand, m.predict_proba(Xh(i))[:, 1], -1.0)
        out.append(F.prf((s >= t).astype(int), st.y)[2])
    print(f"{name:24s} worst-set CV F1 {w:.4f} (sd {sd:.4f}) mean {mean:.4f} at {t:.2f}; "
          + " ".join(f"{st.name} {per[i][2]:.3f}" for i, st in enumerate(sets))
          + "; held out: " + " ".join(f"{st.name} {f:.3f}" for st, f in zip(held, out)), flush=True)


class CrossEncoder:
    """all-MiniLM-L6-v2 with a fresh one-logit head, fine-tuned on (event text, title) pairs."""
    def __init__(self, model_dir, epochs):
        self.model_dir, self.epochs = model_dir, epochs

    def fit(self, pairs, y):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        torch.manual_seed(0)
        self.tok = AutoTokenizer.from_pretrained(self.model_dir)
        self.m = AutoModelForSequenceClassification.from_pretrained(self.model_dir, num_labels=1)
        opt = torch.optim.AdamW(self.m.parameters(), lr=4e-5, weight_decay=0.01)
        rng = np.random.RandomState(0)
        self.m.train()
        for _ in range(self.epochs):
            order = rng.permutation(len(pairs))
            for b in np.array_split(order, max(1, len(pairs) // 16)):
                enc = self.enc([pairs[i] for i in b])
                logit = self.m(**enc).logits.squeeze(-1)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logit, torch.tensor(y[b], dtype=torch.float32))
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.m.eval()
        return self

    def enc(self, pairs):
        return self.tok([a for a, _ in pairs], [b for _, b in pairs], padding=True,
                        truncation=True, max_length=96, return_tensors="pt")

    def predict_proba(self, pairs):
        import torch
        out = []
        with torch.no_grad():
            for i in range(0, len(pairs), 64):
                out.append(torch.sigmoid(self.m(**self.enc(pairs[i:i + 64])).logits.squeeze(-1)).numpy())
        p = np.concatenate(out) if out else np.zeros(0)
        return np.stack([1 - p, p], axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("model_dir")
    ap.add_argument("--classes", default="lr,gbm,product")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3, help="cross: fine-tuning epochs")
    a = ap.parse_args()
    from sklearn.decomposition import PCA
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    F.LOCAL = F.read_country_names(F.dump_country_names(a.db))
    emb = F.Embedder(a.model_dir)
    sets = [F.LabelSet(n, a.db, os.path.join(DATA, p), pt, emb, 0.20) for n, p, pt in FIT]
    held = [F.LabelSet(n, a.db, os.path.join(DATA, p), pt, emb, 0.20) for n, p, pt in HELD]
    seeds = range(a.seeds)
    dep = [F.FEATURES.index(f) for f in F.FEATURE_SETS["old9+name"]]
    every = [F.FEATURES.index(f) for f in F.FEATURE_SETS["all18"]]
    Xd = np.vstack([s.X[:, dep] for s in sets])
    Xa = np.vstack([s.X[:, every] for s in sets])
    for c in a.classes.split(","):
        if c == "lr":
            protocol("lr (second-round features)", sets, held, lambda: LogisticRegression(C=0.3, max_iter=5000),
                     lambda i: Xd[i], lambda i: held[i].X[:, dep], seeds)
        elif c == "gbm":
            for depth, it, lr in ((2, 300, 0.03), (3, 100, 0.05), (3, 200, 0.03)):
                protocol(f"gbm depth {depth} x{it}", sets, held,
                         lambda: HistGradientBoostingClassifier(max_depth=depth, max_iter=it, learning_rate=lr,
                                                                min_samples_leaf=20, l2_regularization=1.0),
                         lambda i: Xa[i], lambda i: held[i].X[:, every], seeds)
        elif c == "product":
            def products(st):
                e = emb([F.compose(ev) for ev, _t, _l in st.rows])
                t = emb([t for _ev, t, _l in st.rows])
                return e * t
            P = np.vstack([products(s) for s in sets])
            Ph = [products(s) for s in held]
            for k in (16, 32, 64):
                pca = PCA(k, random_state=0).fit(P)  # unsupervised, on the fit sets only
                Z = np.hstack([Xd, 10 * pca.transform(P)])
                Zh = [np.hstack([h.X[:, dep], 10 * pca.transform(p)]) for h, p in zip(held, Ph)]
                protocol(f"product, PCA {k}", sets, held, lambda: LogisticRegression(C=0.3, max_iter=5000),
                         lambda i: Z[i], lambda i: Zh[i], seeds)
        elif c == "cross":
            texts = [(F.compose(ev), t) for s in sets for ev, t, _l in s.rows]
            htexts = [[(F.compose(ev), t) for ev, t, _l in h.rows] for h in held]
            t0 = time.time()
            protocol(f"cross-encoder x{a.epochs}", sets, held,
                     lambda: CrossEncoder(a.model_dir, a.epochs),
                     lambda i: [texts[j] for j in i], lambda i: htexts[i], seeds)
            print(f"  ({time.time() - t0:.0f} s)")
        else:
            sys.exit(f"--classes: unknown class {c}")


if __name__ == "__main__":
    main()
