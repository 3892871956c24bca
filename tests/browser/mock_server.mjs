// A stand-in for `wikigdelt serve` while developing the pages: the same API contract (POST
// /api/sql, GET /api/whoami, GET /api/stream/gold SSE, static files) answered by running
// `wikigdelt sql --format json` on a pipeline home. It knows fixed tokens, refuses silver and
// system tables to business users and fakes secure_gdelt's masking. Not used by the tests.
//   node mock_server.mjs BIN HOME WEBDIR PORT
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const [bin, home, webdir, port] = process.argv.slice(2);
const USERS = {
  "tok-compliance": { principal: "carol", groups: ["compliance"] },
  "tok-business": { principal: "bob", groups: ["business_users"] },
  "tok-scientist": { principal: "dana", groups: ["data_scientists"] },
};
const run = (q) => new Promise((res, rej) => execFile(bin, ["--home", home, "sql", "--format", "json", q], { maxBuffer: 1 << 28 }, (e, out, err) => (e ? rej(new Error(err.trim())) : res(out.trim() ? JSON.parse(out) : []))));
const lit = (v) => (v == null ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
const send = (res, status, body) => { res.writeHead(status, { "Content-Type": "application/json" }); res.end(JSON.stringify(body)); };

createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname.startsWith("/api/")) {
    const u = USERS[(req.headers.authorization || "").replace(/^Bearer /, "")];
    if (!u) return send(res, 401, { error: "missing or unknown token", code: "unauthorized" });
    if (url.pathname === "/api/whoami") return send(res, 200, u);
    const compliance = u.groups.includes("compliance");
    const secure = `(SELECT GLOBALEVENTID AS EventID, event_time, CASE WHEN ${compliance ? 1 : 0} THEN Actor1Name ELSE 'REDACTED' END AS Actor1Name, SOURCEURL FROM gdelt_silver)`;
    if (url.pathname === "/api/stream/gold") {
      let last = Number(req.headers["last-event-id"] || url.searchParams.get("since") || 0);
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.flushHeaders();
      const tick = async () => {
        const rows = await run(`SELECT * FROM correlated_gold_events WHERE id > ${last} ORDER BY id LIMIT 500`).catch(() => []);
        for (const r of rows) { res.write(`id: ${r.id}\ndata: ${JSON.stringify(r)}\n\n`); last = r.id; }
      };
      const t = setInterval(tick, 500);
      req.on("close", () => clearInterval(t));
      return;
    }
    if (url.pathname === "/api/sql" && req.method === "POST") {
      let body = "";
      for await (const c of req) body += c;
      let b;
      try { b = JSON.parse(body); } catch { return send(res, 400, { error: "body is not JSON", code: "bad_request" }); }
      let i = 0;
      let q = String(b.sql).replace(/\?/g, () => lit((b.params || [])[i++]));
      if (!compliance && !u.groups.includes("data_scientists")) {
        const m = /\b(gdelt_silver|wikimedia_silver|gdelt_bronze|event_log|checkpoints|expectation_counts|gdelt_ledger|gdelt_quality)\b/.exec(q);
        if (m) return send(res, 403, { error: `not authorized to read ${m[1]}`, code: "forbidden" });
      }
      q = q.replace(/\bsecure_gdelt\b/g, secure);
      const t0 = Date.now();
      try {
        const rows = await run(q);
        const cols = rows.length ? Object.keys(rows[0]) : [];
        const limit = b.limit || 10000;
        send(res, 200, { columns: cols.map((n) => ({ name: n, type: "" })), rows: rows.slice(0, limit).map((r) => cols.map((c) => r[c])), truncated: rows.length > limit, elapsed_ms: Date.now() - t0 });
      } catch (e) {
        send(res, 400, { error: e.message, code: "bad_sql" });
      }
      return;
    }
    return send(res, 404, { error: "no such route", code: "not_found" });
  }
  const p = normalize(url.pathname === "/" ? "/index.html" : url.pathname).replace(/^(\.\.[/\\])+/, "");
  try {
    const data = await readFile(join(webdir, p));
    const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
    res.writeHead(200, { "Content-Type": types[extname(p)] || "application/octet-stream" });
    res.end(data);
  } catch {
    send(res, 404, { error: "not found", code: "not_found" });
  }
}).listen(Number(port), "127.0.0.1");
