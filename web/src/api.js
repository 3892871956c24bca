// The pages' only door to data: the server's HTTP API (POST /api/sql, GET /api/whoami, the SSE
// stream of gold rows), always with the signed-in principal's bearer token. The token lives in
// sessionStorage (gone when the tab closes) and is sent as an Authorization header, never in a URL.

const KEY = "wikigdelt.token";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}
export function setToken(t) {
  sessionStorage.setItem(KEY, t);
}
export function clearToken() {
  sessionStorage.removeItem(KEY);
}

// Called when the server answers 401 (token revoked or rotated): main.js sends the user back to
// the sign-in form.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function headers(extra) {
  return { Authorization: `Bearer ${token()}`, ...extra };
}

async function answer(r, quiet) {
  let body = null;
  try {
    body = await r.json();
  } catch {
    body = null;
  }
  if (!r.ok) {
    const msg = body && body.error ? body.error : `the server answered ${r.status}`;
    const err = new ApiError(r.status, body && body.code ? body.code : String(r.status), msg);
    if (r.status === 401 && !quiet) onUnauthorized(err);
    throw err;
  }
  if (body === null) throw new ApiError(r.status, "bad_response", "the server's answer is not JSON");
  return body;
}

export async function whoami(t) {
  const r = await fetch("/api/whoami", { headers: { Authorization: `Bearer ${t ?? token()}` } });
  return answer(r, t != null);
}

// Runs one query; resolves to {columns, rows, truncated, elapsed_ms, objects()}.
export async function sql(query, params = [], limit = 10000) {
  const r = await fetch("/api/sql", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ sql: query, params, format: "json", limit }),
  });
  const res = await answer(r);
  const names = (res.columns || []).map((c) => c.name);
  res.rows = res.rows || [];
  res.objects = () =>
    res.rows.map((row) => {
      const o = {};
      names.forEach((n, i) => (o[n] = row[i]));
      return o;
    });
  return res;
}

// Asks the assistant (POST /api/ask); resolves to its answer: intent, reading, sql, params,
// columns and rows, or message / refused / error.
export async function ask(question) {
  const r = await fetch("/api/ask", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ question }),
  });
  // A refusal by the grants (403) still carries the answer: what was asked, the SQL refused, why.
  if (r.status === 403) {
    const b = await r.clone().json().catch(() => null);
    if (b && (b.refused || b.sql)) return b;
  }
  return answer(r);
}

// Follows GET /api/stream/gold (Server-Sent Events) with the bearer header, which EventSource
// cannot send, so the stream is read with fetch. Reconnects after a drop, resuming after the last
// id seen (Last-Event-ID); stops on 401/403 or when stop() is called.
export function streamGold(sinceId, { onRow, onState }) {
  let lastId = sinceId != null ? String(sinceId) : "";
  let stopped = false;
  let controller = null;
  let retryMs = 2000;

  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const url = `/api/stream/gold?since=${encodeURIComponent(lastId || "0")}`;
        const h = headers({ Accept: "text/event-stream" });
        if (lastId) h["Last-Event-ID"] = lastId;
        const r = await fetch(url, { headers: h, signal: controller.signal, cache: "no-store" });
        if (r.status === 401 || r.status === 403) {
          let msg = `refused (${r.status})`;
          try {
            const b = await r.json();
            if (b.error) msg = `${b.error} (${r.status})`;
          } catch {
            /* not JSON */
          }
          onState("refused", msg);
          if (r.status === 401) onUnauthorized(new ApiError(401, "unauthorized", msg));
          return;
        }
        if (!r.ok || !r.body) throw new Error(`stream answered ${r.status}`);
        onState("live");
        await readEvents(r.body, (ev) => {
          if (ev.id) lastId = ev.id;
          if (ev.retry) retryMs = ev.retry;
          if ((ev.event === "message" || ev.event === "gold") && ev.data) {
            let row;
            try {
              row = JSON.parse(ev.data);
            } catch {
              return; /* not a row */
            }
            onRow(row, ev.id);
          }
        });
        if (!stopped) onState("reconnecting", "the stream ended");
      } catch (e) {
        if (stopped) return;
        onState("reconnecting", e.message);
      }
      await new Promise((res) => setTimeout(res, retryMs));
    }
  }
  connect();
  return {
    stop() {
      stopped = true;
      if (controller) controller.abort();
    },
    lastId: () => lastId,
  };
}

// The SSE wire format (WHATWG HTML "event stream interpretation"): lines of field: value, an
// event ends at a blank line; comment lines start with ':'.
async function readEvents(body, dispatch) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let ev = { event: "message", data: [], id: null, retry: null };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let m;
    while ((m = /\r\n|\r|\n/.exec(buf))) {
      if (m[0] === "\r" && m.index === buf.length - 1) break; /* maybe half of \r\n */
      const line = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      if (line === "") {
        if (ev.data.length) dispatch({ event: ev.event, data: ev.data.join("\n"), id: ev.id, retry: ev.retry });
        ev = { event: "message", data: [], id: null, retry: null };
        continue;
      }
      if (line[0] === ":") continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let v = colon < 0 ? "" : line.slice(colon + 1);
      if (v[0] === " ") v = v.slice(1);
      if (field === "data") ev.data.push(v);
      else if (field === "event") ev.event = v;
      else if (field === "id") ev.id = v;
      else if (field === "retry" && /^\d+$/.test(v)) ev.retry = Number(v);
    }
  }
}
