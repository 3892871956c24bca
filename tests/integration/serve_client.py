"""A small HTTP client for the serve tests (python3 standard library only)."""
import http.client
import json
import os
import time
import urllib.parse


def _conn(url, timeout):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def request(method, path, token=None, body=None, headers=None, timeout=30, url=None):
    """Returns (status, headers dict lower-case, body bytes)."""
    url = url or os.environ["SERVE_URL"]
    c = _conn(url, timeout)
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def sql(token, query, timeout=30, **extra):
    """POST /api/sql; returns (status, parsed JSON or text, headers)."""
    body = {"sql": query}
    body.update(extra)
    st, h, data = request("POST", "/api/sql", token, body, timeout=timeout)
    try:
        return st, json.loads(data), h
    except ValueError:
        return st, data.decode("utf-8", "replace"), h


def sse_events(path, token=None, headers=None, want=1, timeout=20):
    """Reads Server-Sent Events until `want` events of type gold arrive; returns [(id, data)]."""
    url = os.environ["SERVE_URL"]
    c = _conn(url, timeout)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    c.request("GET", path, headers=h)
    r = c.getresponse()
    if r.status != 200:
        return r.status, r.read(), []
    events, cur, deadline = [], {}, time.time() + timeout
    while len(events) < want and time.time() < deadline:
        line = r.readline()
        if not line:
            break
        line = line.decode().rstrip("\r\n")
        if line == "":
            if cur.get("event") == "gold":
                events.append((int(cur["id"]), json.loads(cur["data"])))
            cur = {}
        elif not line.startswith(":") and ":" in line:
            k, v = line.split(":", 1)
            cur[k] = v[1:] if v.startswith(" ") else v
    c.close()
    return 200, b"", events
