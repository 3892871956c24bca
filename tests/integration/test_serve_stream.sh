# Streams and static files. The gold stream (Server-Sent Events): a correlated_gold_events row
# written while a client is connected arrives with its id; a client that reconnects with
# Last-Event-ID (or ?since=) gets exactly the rows after it; a principal who may not read the
# table gets 403. A CSV answer larger than the first buffered block streams whole, and one that
# hits the time limit after its first bytes are out is cut (never passed as complete). Static
# files: MIME types, ETag and 304, gzip when accepted, and no path out of the web directory.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
serve_fixture

export TOK_DS TOK_BIZ TOK_NOBODY
TOK_DS=$(new_principal ds data_scientists)
TOK_BIZ=$(new_principal biz business_users)
TOK_NOBODY=$(new_principal nobody)

web="$WG_TMP/web"
mkdir -p "$web/sub"
python3 - "$web" <<'PY'
import sys
w = sys.argv[1]
open(w + "/index.html", "w").write("<!doctype html><title>wikigdelt</title>" + "<p>dashboard</p>\n" * 200)
open(w + "/app.js", "w").write("console.log('hi');\n" * 100)
open(w + "/style.css", "w").write("body { margin: 0 }\n" * 50)
open(w + "/data.json", "w").write('{"a": 1}')
open(w + "/sub/page.html", "w").write("<p>sub</p>")
open(w + "/pixel.png", "wb").write(bytes.fromhex("89504e470d0a1a0a") + b"\0" * 600)
open(w + "/.env", "w").write("SECRET-HIDDEN")
open(w + "/../secret.txt", "w").write("SECRET-OUTSIDE")
PY
ln -s ../secret.txt "$web/link.txt"
export WG_DB="$WG_TMP/home/wikigdelt.db"

serve_up --set serve.web_dir="$web" --set serve.sse_poll_ms=100 --set serve.query_timeout_ms=2000
PYTHONPATH="$(dirname "$0")" python3 - <<'PY' || fail "streams / static files"
import gzip, json, os, sqlite3, sys, threading, time
from serve_client import request, sql, sse_events
T = {g: os.environ["TOK_" + g] for g in ("DS", "BIZ", "NOBODY")}
failures = []
def check(cond, msg):
    if not cond:
        failures.append(msg)
    print("  %s %s" % ("ok  " if cond else "FAIL", msg))

db = sqlite3.connect(os.environ["WG_DB"], timeout=30)
cols = [r[1] for r in db.execute("PRAGMA table_info(correlated_gold_events)") if r[1] != "id"]
def write_gold(tag):
    sel = ", ".join("title || ' %s'" % tag if c == "title" else c for c in cols)
    cur = db.execute("INSERT INTO correlated_gold_events (%s) SELECT %s FROM correlated_gold_events ORDER BY id LIMIT 1" % (", ".join(cols), sel))
    db.commit()
    return cur.lastrowid

print("the gold stream")
got = {}
def listen():
    got["r"] = sse_events("/api/stream/gold", T["DS"], want=1, timeout=15)
th = threading.Thread(target=listen)
th.start()
time.sleep(1.0)
t0 = time.time()
id1 = write_gold("(live 1)")
th.join()
st, _, ev = got["r"]
check(st == 200 and len(ev) == 1 and ev[0][0] == id1 and ev[0][1]["title"].endswith("(live 1)"),
      "a row written while connected arrives (id %d, %.2f s)" % (id1, time.time() - t0))
id2, id3 = write_gold("(live 2)"), write_gold("(live 3)")
st, _, ev = sse_events("/api/stream/gold", T["DS"], headers={"Last-Event-ID": str(id1)}, want=2)
check([e[0] for e in ev] == [id2, id3], "Last-Event-ID %d resumes with exactly %s: %s" % (id1, [id2, id3], [e[0] for e in ev]))
st, _, ev = sse_events("/api/stream/gold?since=%d" % id2, T["BIZ"], want=1)
check([e[0] for e in ev] == [id3] and ev[0][1]["title"].endswith("(live 3)"), "?since= for a business user (gold is granted)")
st, body, ev = sse_events("/api/stream/gold", T["NOBODY"])
check(st == 403 and b"correlated_gold_events" in body, "a principal without the grant gets 403 (%d)" % st)
st, body, ev = sse_events("/api/stream/gold?since=abc", T["DS"])
check(st == 400, "a bad position is 400 (%d)" % st)
st, _, ev = sse_events("/api/stream/gold?since=%d&access_token=%s" % (id2, T["DS"]), None, want=1)
check([e[0] for e in ev] == [id3], "the token as a parameter (EventSource cannot send headers)")

print("streamed CSV")
st, h, data = request("POST", "/api/sql", T["DS"], {"sql": "SELECT * FROM gdelt_silver ORDER BY silver_id", "format": "csv"})
lines = data.decode().splitlines()
n = db.execute("SELECT COUNT(*) FROM gdelt_silver").fetchone()[0]
check(st == 200 and len(data) > 256 * 1024 and h.get("transfer-encoding") == "chunked", "a %d-byte CSV answer is streamed (chunked)" % len(data))
check(len(lines) == n + 1, "every row is there (%d lines for %d rows)" % (len(lines), n))
# A stream that runs past the time limit once its first bytes are out is cut, not completed.
slow = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x, printf('%.200c', 'x') FROM c WHERE x % 1 = 0")
import http.client
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["SERVE_URL"].rsplit(":", 1)[1]), timeout=30)
c.request("POST", "/api/sql", body=json.dumps({"sql": slow, "format": "ndjson"}), headers={"Authorization": "Bearer " + T["DS"]})
r = c.getresponse()
cut = False
last = b""
try:
    while True:
        chunk = r.read(65536)
        if not chunk:
            break
        last = (last + chunk)[-2000:]
except http.client.IncompleteRead as e:
    cut = True
    last = (last + e.partial)[-2000:]
tail = last.decode("utf-8", "replace").strip().splitlines()[-1]
check(r.status == 200 and cut, "a stream stopped by the time limit is cut (incomplete), not ended cleanly")
check('"code":"stream_stopped"' in tail and "time limit" in tail, "its last ndjson line says why: %s" % tail[:120])

print("static files")
def get(path, headers=None, method="GET"):
    return request(method, path, headers=headers)
st, h, data = get("/")
check(st == 200 and h["content-type"].startswith("text/html") and b"dashboard" in data, "/ is index.html as text/html")
etag = h.get("etag")
check(bool(etag), "an ETag: %s" % etag)
st, h, data = get("/", {"If-None-Match": etag})
check(st == 304 and data == b"", "If-None-Match -> 304 (%d)" % st)
st, h, data = get("/index.html", {"Accept-Encoding": "gzip, deflate"})
check(st == 200 and h.get("content-encoding") == "gzip" and b"dashboard" in gzip.decompress(data), "gzip when accepted")
check(h.get("etag") != etag and "accept-encoding" in h.get("vary", "").lower(), "the gzip variant has its own ETag and Vary")
st, h2, data2 = get("/index.html", {"Accept-Encoding": "gzip", "If-None-Match": h.get("etag")})
check(st == 304, "304 for the gzip variant's ETag")
st, h, data = get("/index.html", {"Accept-Encoding": "gzip;q=0"})
check(st == 200 and "content-encoding" not in h, "no gzip when refused (q=0)")
for path, mime in (("/app.js", "text/javascript"), ("/style.css", "text/css"), ("/data.json", "application/json"),
                   ("/pixel.png", "image/png"), ("/sub/page.html", "text/html")):
    st, h, data = get(path, {"Accept-Encoding": "gzip"})
    check(st == 200 and h["content-type"].startswith(mime) and (mime != "image/png" or "content-encoding" not in h),
          "%s is %s" % (path, h.get("content-type")))
st, h, data = get("/app.js", method="HEAD")
check(st == 200 and data == b"", "HEAD answers the headers only")
for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
             "/..%2fsecret.txt", "/link.txt", "/.env", "/%2eenv", "/sub/..", "//etc/passwd", "/index.html%00.png", "/nothing.html"):
    st, h, data = get(path)
    check(st == 404 and b"SECRET" not in data and h["content-type"].startswith("application/json"), "%s -> %d" % (path, st))
st, h, data = request("POST", "/index.html")
check(st == 404, "POST to a file is not served (%d)" % st)

if failures:
    print("\n".join("FAIL: " + f for f in failures), file=sys.stderr)
    sys.exit(1)
PY
serve_down
echo ok
