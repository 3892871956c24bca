# Independent check of the gold accuracy figures with the real model: a plain numpy forward pass
# of all-MiniLM-L6-v2 (BERT, 6 layers, mean pooling, L2 norm) from the official model.safetensors
# and tokenizer.json, scoring a labels file the way `wikigdelt eval` does (event text vs title
# with underscores as spaces). Prints one line per pair (cosine, label, title, event) on stdout
# and the best threshold and F1 at a few thresholds on stderr. It needs numpy and tokenizers
# (pip); it reproduces the sentence-transformers example 0.7553 for "A man is eating food." vs
# "A man is eating a piece of bread.".
# Usage: gold_reference_eval.py MODEL.safetensors TOKENIZER.json LABELS.tsv
import json, math, struct, sys
import numpy as np
from tokenizers import Tokenizer
st_path, tok_path, labels = sys.argv[1:4]
raw = open(st_path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
hdr = json.loads(raw[8:8+n]); base = 8 + n
W = {}
for k, v in hdr.items():
    if k == '__metadata__' or v['dtype'] != 'F32': continue
    a, b = v['data_offsets']
    W[k] = np.frombuffer(raw[base+a:base+b], dtype=np.float32).reshape(v['shape'])
tok = Tokenizer.from_file(tok_path)
tok.enable_truncation(256)
tok.no_padding()
def ln(x, g, b):
    m = x.mean(-1, keepdims=True); v = ((x-m)**2).mean(-1, keepdims=True)
    return (x-m)/np.sqrt(v+1e-12)*g + b
def verf(x):
    # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7)
    s = np.sign(x); x = np.abs(x)
    t = 1/(1+0.3275911*x)
    y = 1-(((((1.061405429*t-1.453152027)*t)+1.421413741)*t-0.284496736)*t+0.254829592)*t*np.exp(-x*x)
    return s*y
def gelu(x): return 0.5*x*(1+verf(x/math.sqrt(2)))
def embed(text):
    ids = tok.encode(text).ids
    x = W['embeddings.word_embeddings.weight'][ids] + W['embeddings.position_embeddings.weight'][:len(ids)] + W['embeddings.token_type_embeddings.weight'][0]
    x = ln(x, W['embeddings.LayerNorm.weight'], W['embeddings.LayerNorm.bias'])
    for l in range(6):
        p = f'encoder.layer.{l}.'
        def lin(h, name): return h @ W[p+name+'.weight'].T + W[p+name+'.bias']
        q = lin(x,'attention.self.query').reshape(len(ids),12,32).transpose(1,0,2)
        k = lin(x,'attention.self.key').reshape(len(ids),12,32).transpose(1,0,2)
        v = lin(x,'attention.self.value').reshape(len(ids),12,32).transpose(1,0,2)
        s = q @ k.transpose(0,2,1) / math.sqrt(32)
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        a = (s @ v).transpose(1,0,2).reshape(len(ids),384)
        x = ln(lin(a,'attention.output.dense') + x, W[p+'attention.output.LayerNorm.weight'], W[p+'attention.output.LayerNorm.bias'])
        h = gelu(lin(x,'intermediate.dense'))
        x = ln(lin(h,'output.dense') + x, W[p+'output.LayerNorm.weight'], W[p+'output.LayerNorm.bias'])
    e = x.mean(0)
    return e / np.linalg.norm(e)
cache = {}
def E(t):
    if t not in cache: cache[t] = embed(t)
    return cache[t]
rows = [l.rstrip('\n').split('\t') for l in open(labels) if not l.startswith('#')]
out = []
for ev, title, lab in rows:
    s = float(E(ev) @ E(title.replace('_',' ')))
    out.append((s, int(lab), ev, title))
    print(f"{s:.4f}\t{lab}\t{title}\t{ev[:90]}")
def f1(th):
    tp=sum(1 for s,l,*_ in out if s>=th and l); fp=sum(1 for s,l,*_ in out if s>=th and not l); fn=sum(1 for s,l,*_ in out if s<th and l)
    p=tp/(tp+fp) if tp+fp else 0; r=tp/(tp+fn) if tp+fn else 0
    return (2*p*r/(p+r) if p+r else 0), p, r
best=max((f1(t/100)+(t/100,) for t in range(0,101)), key=lambda x:x[0])
print("best", best, file=sys.stderr)
for t in (0.3,0.35,0.4,0.45,0.5): print(t, f1(t), file=sys.stderr)
