"""A tiny random BERT in the same layout as all-MiniLM-L6-v2 (config.json, vocab.txt,
model.safetensors, sentence_bert_config.json), and a slow, obviously-correct reference of the
encoder's maths (float64, one sequence at a time, no batching, no fusion) to check the C engine.
  tiny_model.py make DIR [SEED]
  tiny_model.py ref DIR IDS_JSONL OUT.f32      ids from `wikigdelt embed --tokens`
  tiny_model.py corrupt DIR KIND               rewrites DIR/model.safetensors with one defect:
                                               dtype | shape | missing (a tensor left out)
The hidden size is the pipeline's 384; everything else is small and deliberately irregular
(6 heads of 64, FFN 400 = 25 blocks of 16, 40 positions, truncation at 32)."""
import json
import math
import os
import struct
import sys

import numpy as np

HIDDEN, LAYERS, HEADS, INTER, MAX_POS, MAX_SEQ = 384, 2, 6, 400, 40, 32
WORDS = ["the", "earth", "##quake", "quake", "in", "my", "##an", "##mar", "protest", "##ers",
         "parliament", "taylor", "swift", "list", "of", "cities", "news", "war", "peace", "kyiv"]


def vocab():
    v = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    v += list("abcdefghijklmnopqrstuvwxyz0123456789.,!?-'")
    v += ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    v += WORDS
    return v


def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors:
        dt = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[arr.dtype]
        b = arr.tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def make(d, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(d, exist_ok=True)
    v = vocab()
    nvocab = len(v) + 3  # a few embedding rows no token uses, as real checkpoints have
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("\n".join(v) + "\n")
    cfg = {"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
           "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
           "intermediate_size": INTER, "max_position_embeddings": MAX_POS, "type_vocab_size": 2,
           "vocab_size": nvocab, "layer_norm_eps": 1e-12, "pad_token_id": 0}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(d, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": MAX_SEQ, "do_lower_case": False}, f)

    def w(*shape, scale=0.08):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    def ln(prefix):
        return [(prefix + ".weight", (1 + w(HIDDEN, scale=0.1)).astype(np.float32)),
                (prefix + ".bias", w(HIDDEN, scale=0.05))]

    t = [("embeddings.position_ids", np.arange(MAX_POS, dtype=np.int64).reshape(1, MAX_POS)),
         ("embeddings.word_embeddings.weight", w(nvocab, HIDDEN, scale=0.5)),
         ("embeddings.position_embeddings.weight", w(MAX_POS, HIDDEN, scale=0.2)),
         ("embeddings.token_type_embeddings.weight", w(2, HIDDEN, scale=0.2))]
    t += ln("embeddings.LayerNorm")
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for m in ("query", "key", "value"):
            t += [(p + f"attention.self.{m}.weight", w(HIDDEN, HIDDEN)),
                  (p + f"attention.self.{m}.bias", w(HIDDEN, scale=0.05))]
        t += [(p + "attention.output.dense.weight", w(HIDDEN, HIDDEN)),
              (p + "attention.output.dense.bias", w(HIDDEN, scale=0.05))]
        t += ln(p + "attention.output.LayerNorm")
        t += [(p + "intermediate.dense.weight", w(INTER, HIDDEN)),
              (p + "intermediate.dense.bias", w(INTER, scale=0.05)),
              (p + "output.dense.weight", w(HIDDEN, INTER)),
              (p + "output.dense.bias", w(HIDDEN, scale=0.05))]
        t += ln(p + "output.LayerNorm")
    write_safetensors(os.path.join(d, "model.safetensors"), t)
    return t


def corrupt(d, kind):
    t = make(d, 7)
    name = "encoder.layer.1.intermediate.dense.weight"
    if kind == "dtype":  # same bytes, declared as int32
        t = [(n, a.view(np.int32) if n == name else a) for n, a in t]
        with_i32(os.path.join(d, "model.safetensors"), t)
        return
    if kind == "shape":  # [400, 384] stored as [384, 400]
        t = [(n, a.reshape(HIDDEN, INTER) if n == name else a) for n, a in t]
    elif kind == "missing":
        t = [(n, a) for n, a in t if n != name]
    write_safetensors(os.path.join(d, "model.safetensors"), t)


def with_i32(path, tensors):
    header, blobs, off = {}, [], 0
    for name, arr in tensors:
        dt = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64", np.dtype(np.int32): "I32"}[arr.dtype]
        b = arr.tobytes()
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        dt = {"F32": np.float32, "I64": np.int64}[e["dtype"]]
        out[name] = np.frombuffer(data[b:end], dtype=dt).reshape(e["shape"]).astype(np.float64)
    return out


def layer_norm(x, g, b, eps):
    mean = x.mean()
    var = ((x - mean) ** 2).mean()
    return (x - mean) / math.sqrt(var + eps) * g + b


def gelu(x):
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def encode(W, cfg, ids):
    """BERT forward for one sequence, written out step by step; then mean pooling + L2 norm."""
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    d, eps = H // nh, cfg["layer_norm_eps"]
    L = len(ids)
    x = np.zeros((L, H))
    for i, tok in enumerate(ids):
        e = (W["embeddings.word_embeddings.weight"][tok] + W["embeddings.position_embeddings.weight"][i]
             + W["embeddings.token_type_embeddings.weight"][0])
        x[i] = layer_norm(e, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    for li in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{li}."

        def dense(inp, name):
            Wt, bt = W[p + name + ".weight"], W[p + name + ".bias"]
            return inp @ Wt.T + bt  # weights are stored [out, in]

        q, k, v = (dense(x, "attention.self." + m) for m in ("query", "key", "value"))
        ctx = np.zeros((L, H))
        for h in range(nh):
            sl = slice(h * d, (h + 1) * d)
            for i in range(L):
                scores = [float(np.dot(q[i, sl], k[j, sl])) / math.sqrt(d) for j in range(L)]
                m = max(scores)
                ex = [math.exp(s - m) for s in scores]
                z = sum(ex)
                for j in range(L):
                    ctx[i, sl] += (ex[j] / z) * v[j, sl]
        a = dense(ctx, "attention.output.dense") + x
        x1 = np.array([layer_norm(r, W[p + "attention.output.LayerNorm.weight"],
                                  W[p + "attention.output.LayerNorm.bias"], eps) for r in a])
        inter = dense(x1, "intermediate.dense")
        inter = np.vectorize(gelu)(inter)
        o = dense(inter, "output.dense") + x1
        x = np.array([layer_norm(r, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
                      for r in o])
    pooled = x.mean(axis=0)
    return pooled / np.linalg.norm(pooled)


def ref(d, ids_path, out):
    W = read_safetensors(os.path.join(d, "model.safetensors"))
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    vecs = []
    with open(ids_path) as f:
        for line in f:
            vecs.append(encode(W, cfg, json.loads(line)["input_ids"]))
    np.array(vecs, dtype=np.float32).tofile(out)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    elif sys.argv[1] == "corrupt":
        corrupt(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "ref":
        ref(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
