"""The reference: sentence-transformers (PyTorch, CPU) on all-MiniLM-L6-v2.
  st_reference.py tokens MODEL_DIR TEXTS OUT      one line of space-separated input ids per text
  st_reference.py embed  MODEL_DIR TEXTS OUT.f32  n x 384 float32, row-major, unit vectors
TEXTS has one text per line. Runs offline (HF_HUB_OFFLINE=1)."""
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def main():
    mode, model_dir, texts_path, out = sys.argv[1:5]
    texts = read_texts(texts_path)
    model = SentenceTransformer(model_dir, device="cpu")
    if mode == "tokens":
        enc = model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)
        with open(out, "w") as f:
            for ids in enc["input_ids"]:
                f.write(" ".join(map(str, ids)) + "\n")
    elif mode == "embed":
        vecs = model.encode(texts, batch_size=64, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)
        vecs.astype(np.float32).tofile(out)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
