#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, cut from the recorded data in ../shared/data (never
committed: scripts/fuzz.sh builds them into build-fuzz/corpus/<target>/). Without the data a few
handwritten seeds are still written, so the targets run anywhere.
    tests/fuzz/make_corpus.py SHARED_DIR OUT_DIR"""
import gzip, hashlib, io, json, os, struct, sys, zipfile

shared, out = sys.argv[1], sys.argv[2]
data = os.path.join(shared, "data")


def put(target, blob):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()[:16]), "wb") as f:
        f.write(blob)


def lines(path, n, opener=open):
    res = []
    try:
        with opener(path, "rb") as f:
            for line in f:
                res.append(line.rstrip(b"\n"))
                if len(res) >= n:
                    break
    except OSError:
        pass
    return res


# --- GDELT: CSV rows (row parser) and small zips and index lines (zip/CSV reader)
csv_rows = []
for name in ("20240715000000.export.CSV.zip", "20250715000000.export.CSV.zip"):
    try:
        with zipfile.ZipFile(os.path.join(data, "gdelt", name)) as z:
            text = z.read(z.namelist()[0])
        csv_rows += text.split(b"\n")[:60]
    except OSError:
        pass
if not csv_rows:
    csv_rows = [b"\t".join([b"1", b"20240715"] + [b""] * 59)]
for i in range(0, len(csv_rows), 6):
    chunk = b"\n".join(csv_rows[i:i + 6]) + b"\n"
    put("fuzz_gdelt_row", chunk)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if i % 12 == 0 else zipfile.ZIP_STORED) as z:
        z.writestr("20240715000000.export.CSV", chunk)
    put("fuzz_zip_csv", buf.getvalue())
for name in ("lastupdate_example_20201229090000.txt", "masterfilelist_export_subset_20220317-20220321.txt"):
    ls = lines(os.path.join(data, "gdelt", name), 30)
    for i in range(0, len(ls), 5):
        put("fuzz_zip_csv", b"\n".join(ls[i:i + 5]) + b"\n")
put("fuzz_zip_csv", b"150383 297a16b493de7cf6ca809a7cc31d0b93 http://data.gdeltproject.org/gdeltv2/20150218230000.export.CSV.zip\n")

# --- Wikimedia: SSE framing, event JSON, wikiticker lines
events = lines(os.path.join(data, "wikimedia", "recentchange_enwiki_20230729T0751Z.ndjson"), 80)
ticker = lines(os.path.join(data, "wikiticker", "wikiticker-2015-09-12-sampled.json.gz"), 80, gzip.open)
try:
    with open(os.path.join(data, "wikimedia", "recentchange_sse_20221211T0427Z.events"), "rb") as f:
        raw = f.read(64 * 1024)
    for i in range(0, len(raw), 4096):
        put("fuzz_sse", bytes([i // 4096 % 256]) + raw[i:i + 4096])
except OSError:
    pass
for i, e in enumerate(events[:40]):
    put("fuzz_sse", bytes([i]) + b"event: message\nid: [{\"offset\":%d}]\ndata: " % i + e + b"\n\n")
put("fuzz_sse", b"\x05\xef\xbb\xbf: hello\r\nretry: 1000\r\nevent: x\r\ndata: a\r\ndata: b\r\n\r\nid\n\n")
for e in events + ticker:
    put("fuzz_event_json", e)
put("fuzz_event_json", b'{"meta":{"id":"x","dt":"2024-07-15T00:00:00Z"},"title":"A\\u00e9","namespace":0,"bot":false}')

# --- texts for the tokenizer: titles, comments, URLs (first byte = max_len)
texts = []
for e in events + ticker:
    try:
        o = json.loads(e)
    except ValueError:
        continue
    for k in ("title", "comment", "page"):
        if isinstance(o.get(k), str) and o[k]:
            texts.append(o[k].encode())
texts += [r.split(b"\t")[-1] for r in csv_rows[:40]]
texts += ["Flooding in Bangladesh", "北京 Zürich naïve ÉCOLE", "a\u0301\u200b\x00b"]
for i, t in enumerate(texts):
    put("fuzz_tokenizer", bytes([i * 37 % 256]) + (t if isinstance(t, bytes) else t.encode()))


# --- safetensors: small valid files of each dtype, and the real model's header shape
def safetensors(tensors):
    header, blobs, off = {}, b"", 0
    for name, dtype, shape, size in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + size]}
        blobs += bytes(range(size % 251)) * (size // 251) + bytes(range(size % 251))
        blobs = blobs[:off + size]
        off += size
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + blobs


put("fuzz_safetensors", safetensors([("w", "F32", [2, 3], 24), ("b", "F16", [3], 6)]))
put("fuzz_safetensors", safetensors([("e", "I64", [2], 16), ("q", "I8", [4, 1], 4), ("u", "U8", [], 1)]))
put("fuzz_safetensors", safetensors([("x", "BF16", [1, 1, 2], 4), ("y", "I32", [0], 0)]))
try:
    with open(os.path.join(shared, "models", "all-MiniLM-L6-v2", "model.safetensors.tensors.txt"), "rb") as f:
        put("fuzz_safetensors", f.read(8192))
except OSError:
    pass

# --- settings files
put("fuzz_config", b"# settings\nembed.precision = fp32\ngdelt.retry_attempts=3\n\nwiki.contact = a@b.c  # x\n")
put("fuzz_config", b"simulate.speed=900\nstore.synchronous = full\nserve.address = 127.0.0.1:8080\n")
put("fuzz_config", b"novalue\n= empty key\nk=v=w\n")

# --- HTTP API requests ("@TOKEN@" becomes a real principal's token)
def http(method, path, body=b"", headers=()):
    h = [b"%s %s HTTP/1.1" % (method, path), b"Host: 127.0.0.1"] + list(headers)
    if body:
        h += [b"Content-Type: application/json", b"Content-Length: %d" % len(body)]
    return b"\r\n".join(h) + b"\r\n\r\n" + body


auth = b"Authorization: Bearer @TOKEN@"
for m, path, body, hdrs in [
        (b"GET", b"/healthz", b"", ()),
        (b"GET", b"/api/whoami", b"", (auth,)),
        (b"GET", b"/api/tables", b"", (auth,)),
        (b"GET", b"/api/tables/gold_events", b"", (auth,)),
        (b"GET", b"/api/tables/gdelt_silver?x=%00", b"", (auth,)),
        (b"POST", b"/api/sql", b'{"sql": "SELECT 1 AS a", "format": "json", "limit": 5}', (auth,)),
        (b"POST", b"/api/sql", b'{"sql": "SELECT * FROM gold_events WHERE EventID = ?", "params": [1], "format": "csv"}', (auth,)),
        (b"POST", b"/api/sql", b'{"sql": "SELECT COUNT(*) FROM gdelt_silver", "format": "ndjson"}', (auth,)),
        (b"POST", b"/api/sql", b'{"sql": "DELETE FROM gdelt_ledger"}', (auth,)),
        (b"POST", b"/api/sql", b'{"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c"}', (auth,)),
        (b"POST", b"/api/sql", b'{"sql": "SELECT 1; SELECT 2"}', (b"Authorization: Bearer wrong",)),
        (b"GET", b"/api/stream/gold", b"", (auth, b"Last-Event-ID: 3")),
        (b"GET", b"/index.html", b"", (b"Accept-Encoding: gzip", b'If-None-Match: "x"')),
        (b"OPTIONS", b"/api/sql", b"", ()),
]:
    put("fuzz_serve_request", http(m, path, body, hdrs))
