"""The peers of the C engine in bench/embed.sh, on the same texts, model and thread count:
sentence-transformers on PyTorch (it sorts texts by length and pads per batch) and ONNX Runtime
fp32 on the same model exported to ONNX (texts sorted by length, padded per batch, mean pooling +
L2 norm in numpy). Tokenisation is inside the timed region for both, as it is for the C engine.
Usage: embed_peers.py torch|onnx TEXTS MODEL_DIR ONNX_FILE BATCH THREADS
Prints one line of key=value figures."""
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main():
    which, texts_path, model_dir, onnx_path = sys.argv[1:5]
    batch, threads = int(sys.argv[5]), int(sys.argv[6])
    with open(texts_path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    import numpy as np
    if which == "torch":
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(threads)
        model = SentenceTransformer(model_dir, device="cpu")
        model.encode(texts[:64], batch_size=batch)
        t0 = time.perf_counter()
        with torch.inference_mode():
            model.encode(texts, batch_size=batch, normalize_embeddings=True, show_progress_bar=False)
        secs = time.perf_counter() - t0
        name = f"sentence-transformers {__import__('sentence_transformers').__version__} / torch {torch.__version__}"
    else:
        import onnxruntime as ort
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(model_dir)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])

        def run(batch_texts):
            enc = tok(batch_texts, padding=True, truncation=True, max_length=256, return_tensors="np")
            feeds = {"input_ids": enc["input_ids"].astype(np.int64),
                     "attention_mask": enc["attention_mask"].astype(np.int64),
                     "token_type_ids": enc["token_type_ids"].astype(np.int64)}
            out = sess.run(None, feeds)[0]
            m = feeds["attention_mask"][..., None].astype(np.float32)
            v = (out * m).sum(1) / m.sum(1)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

        run(texts[:64])
        t0 = time.perf_counter()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for s in range(0, len(order), batch):
            run([texts[i] for i in order[s:s + batch]])
        secs = time.perf_counter() - t0
        name = f"onnxruntime {ort.__version__} fp32"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f'engine="{name}" texts={len(texts)} secs={secs:.3f} sentences_per_s={len(texts) / secs:.1f} '
          f'threads={threads} batch_size={batch} peak_rss_mb={rss:.1f}')


if __name__ == "__main__":
    main()
