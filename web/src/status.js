// The pipeline status page: each flow's last batch, its lag behind its input, rows in and out, the
// data-quality rates and the latest warnings and errors, read from the store's own tables through
// the SQL API (checkpoints, gdelt_ledger, gdelt_silver_batches, wikimedia_stream_state,
// expectation_counts, gdelt_quality, gold_mismatch, event_log) and refreshed every few seconds.
import { sql } from "./api.js";
import { fmt, fmtInt, h, panel, refusal } from "./ui.js";
import { markLoaded } from "./ui.js";

const REFRESH_MS = 5000;

// One query per flow, so that a table the principal may not read blanks only that flow's row.
const FLOWS = [
  {
    flow: "gdelt_source",
    what: "GDELT export files → gdelt_bronze",
    sql: `SELECT MAX(updated_at) AS last_batch,
            (SELECT rows FROM gdelt_ledger WHERE status = 'ingested' ORDER BY file_id DESC LIMIT 1) AS rows_in,
            (SELECT rows FROM gdelt_ledger WHERE status = 'ingested' ORDER BY file_id DESC LIMIT 1) AS rows_out,
            (SELECT MAX(name) FROM gdelt_ledger WHERE status = 'ingested') AS newest,
            SUM(status = 'failed') AS failed, COUNT(*) AS files
          FROM gdelt_ledger`,
    lag: (r) => (r.newest ? `newest export ${exportTime(r.newest)} UTC (${ago(exportTime(r.newest))} behind now)` : "no file yet"),
    extra: (r) => `${fmtInt(r.files)} files, ${fmtInt(r.failed)} failed`,
  },
  {
    flow: "gdelt_silver",
    what: "gdelt_bronze → gdelt_silver",
    sql: `SELECT finished_at AS last_batch, rows_read AS rows_in, rows_written AS rows_out,
            rows_quarantined, rows_dropped,
            (SELECT COALESCE(MAX(bronze_id), 0) FROM gdelt_bronze) - COALESCE(last_bronze_id, 0) AS pending
          FROM gdelt_silver_batches ORDER BY finished_at DESC, batch_id DESC LIMIT 1`,
    lag: (r) => `${fmtInt(Math.max(0, r.pending))} bronze rows waiting`,
    extra: (r) => `${fmtInt(r.rows_quarantined)} quarantined, ${fmtInt(r.rows_dropped)} dropped`,
  },
  {
    flow: "wikimedia_bronze",
    what: "recentchange SSE stream → wikimedia_bronze",
    sql: `SELECT updated_at AS last_batch, events AS rows_in, events - quarantined AS rows_out, quarantined,
            (SELECT meta_dt FROM wikimedia_bronze ORDER BY bronze_id DESC LIMIT 1) AS newest
          FROM wikimedia_stream_state ORDER BY updated_at DESC LIMIT 1`,
    lag: (r) => (r.newest ? `newest edit ${String(r.newest).replace("T", " ").slice(0, 19)} UTC` : "–"),
    extra: (r) => `${fmtInt(r.quarantined)} quarantined (total)`,
    totals: true,
  },
  {
    flow: "wikimedia_silver",
    what: "wikimedia_bronze → wikimedia_silver",
    sql: `SELECT c.updated_at AS last_batch,
            (SELECT MAX(checked) FROM expectation_counts WHERE flow = 'wikimedia_silver' AND batch_id = (SELECT batch_id FROM expectation_counts WHERE flow = 'wikimedia_silver' ORDER BY id DESC LIMIT 1)) AS rows_in,
            NULL AS rows_out,
            (SELECT COALESCE(MAX(bronze_id), 0) FROM wikimedia_bronze) - CAST(c.value AS INTEGER) AS pending
          FROM checkpoints c WHERE c.flow = 'wikimedia_silver'`,
    lag: (r) => `${fmtInt(Math.max(0, r.pending))} bronze rows waiting`,
    extra: () => "",
  },
  {
    flow: "gold",
    what: "gdelt_silver + wikimedia_silver → correlated_gold_events",
    sql: `SELECT MAX(updated_at) AS last_batch,
            (SELECT COUNT(*) FROM gold_events) AS rows_in,
            (SELECT COUNT(*) FROM correlated_gold_events) AS rows_out,
            (SELECT COALESCE(MAX(silver_id), 0) FROM gdelt_silver) - MAX(CASE WHEN flow = 'gold.gdelt_silver_id' THEN CAST(value AS INTEGER) END) AS events_pending,
            (SELECT COALESCE(MAX(silver_id), 0) FROM wikimedia_silver) - MAX(CASE WHEN flow = 'gold.wiki_silver_id' THEN CAST(value AS INTEGER) END) AS edits_pending,
            MAX(CASE WHEN flow = 'gold.gdelt_watermark' THEN value END) AS watermark
          FROM checkpoints WHERE flow LIKE 'gold.%'`,
    lag: (r) => `${fmtInt(Math.max(0, r.events_pending || 0))} events and ${fmtInt(Math.max(0, r.edits_pending || 0))} edits waiting; watermark ${r.watermark || "–"}`,
    extra: () => "",
    totals: true,
  },
];

export async function status(main) {
  const flows = panel("Flows", "Each flow reads its input since its own checkpoint and commits output and checkpoint together. Rows in/out are of the last batch (totals where marked).", "flows");
  const quality = panel("Data quality", "Rows checked and failed per rule, over every batch so far (valid % = rows that passed).", "quality");
  const gold = panel("Correlation outcome", "What became of the events once their window closed (gold_mismatch).", "gold");
  const log = panel("Latest warnings and errors", "The pipeline event log, newest first.", "events");
  const stamp = h("p", { class: "note", id: "refreshed", "aria-live": "polite" }, "");
  main.replaceChildren(h("h1", {}, "Pipeline status"), stamp, h("div", { class: "grid" }, flows.root, quality.root, gold.root, log.root));

  let timer = null;
  let alive = true;
  const stop = () => {
    alive = false;
    clearTimeout(timer);
    window.removeEventListener("hashchange", stop);
  };
  window.addEventListener("hashchange", stop);

  async function refresh() {
    await Promise.all([loadFlows(flows), loadQuality(quality), loadGold(gold), loadLog(log)]);
    stamp.textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC; refreshed every ${REFRESH_MS / 1000} s.`;
    markLoaded(main, "status");
    if (alive) timer = setTimeout(() => (document.hidden ? (timer = setTimeout(refresh, REFRESH_MS)) : refresh()), REFRESH_MS);
  }
  await refresh();
}

async function loadFlows(p) {
  const results = await Promise.all(FLOWS.map((f) => sql(f.sql).then((r) => r.objects()[0] || null, (e) => e)));
  let refused = 0;
  const rows = FLOWS.map((f, i) => {
    const r = results[i];
    if (r instanceof Error) {
      refused++;
      return h("tr", { "data-flow": f.flow }, h("th", { scope: "row" }, f.flow, h("div", { class: "muted" }, f.what)), h("td", { colspan: "5", class: "error" }, r.status === 403 ? `Refused: ${refusal(r)}` : `Failed: ${r.message}`));
    }
    if (!r || r.last_batch == null) return h("tr", { "data-flow": f.flow }, h("th", { scope: "row" }, f.flow, h("div", { class: "muted" }, f.what)), h("td", { colspan: "5", class: "muted" }, "no batch yet"));
    return h("tr", { "data-flow": f.flow },
      h("th", { scope: "row" }, f.flow, h("div", { class: "muted" }, f.what)),
      h("td", {}, `${r.last_batch} UTC`, h("div", { class: "muted" }, `${ago(r.last_batch)} ago`)),
      h("td", {}, f.lag(r)),
      h("td", { class: "num" }, fmtInt(r.rows_in), f.totals ? h("div", { class: "muted" }, "total") : null),
      h("td", { class: "num" }, r.rows_out == null ? "–" : fmtInt(r.rows_out), f.totals ? h("div", { class: "muted" }, "total") : null),
      h("td", {}, f.extra(r)));
  });
  p.body.replaceChildren(h("div", { class: "scroll" }, h("table", { class: "data", id: "flows-table" },
    h("thead", {}, h("tr", {}, ["Flow", "Last batch", "Lag", "Rows in", "Rows out", "Notes"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows))));
  if (refused === FLOWS.length) p.error(results[0]);
  else {
    p.info(refused ? `${refused} of ${FLOWS.length} flows are not readable with your grants.` : "");
    p.ok();
  }
}

async function loadQuality(p) {
  try {
    const [rules, totals] = await Promise.all([
      sql(`SELECT flow, rule, action, SUM(checked) AS checked, SUM(failed) AS failed FROM expectation_counts GROUP BY flow, rule, action ORDER BY flow, rule`),
      sql(`SELECT rows_read, rows_valid, rows_quarantined, rows_dropped, rows_duplicate, valid_rate FROM gdelt_quality`).catch((e) => e),
    ]);
    const t = totals instanceof Error ? null : totals.objects()[0];
    p.info(t ? `GDELT valid-record rate ${fmt(100 * (t.valid_rate ?? 1), 2)} % (${fmtInt(t.rows_valid)} of ${fmtInt(t.rows_read)} rows; ${fmtInt(t.rows_quarantined)} quarantined, ${fmtInt(t.rows_dropped)} dropped, ${fmtInt(t.rows_duplicate)} duplicates)` : "");
    p.body.replaceChildren(h("div", { class: "scroll" }, h("table", { class: "data", id: "quality-table" },
      h("thead", {}, h("tr", {}, ["Flow", "Rule", "Action", "Checked", "Failed", "Valid %"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rules.objects().map((r) => h("tr", { class: r.failed ? "warn" : null },
        h("td", {}, r.flow), h("td", {}, r.rule), h("td", {}, r.action),
        h("td", { class: "num" }, fmtInt(r.checked)), h("td", { class: "num" }, fmtInt(r.failed)),
        h("td", { class: "num" }, fmt((100 * (r.checked - r.failed)) / Math.max(1, r.checked), 2))))))));
    p.ok();
  } catch (e) {
    p.body.replaceChildren();
    p.error(e);
  }
}

async function loadGold(p) {
  try {
    const r = (await sql("SELECT * FROM gold_mismatch")).objects()[0] || {};
    p.body.replaceChildren(h("dl", { class: "figures" },
      ["events", "matched", "no_match", "no_partner_window", "late", "open", "late_edits"].flatMap((k) => [h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, fmtInt(r[k]))]),
      h("dt", {}, "match rate"), h("dd", {}, r.match_rate == null ? "–" : `${fmt(100 * r.match_rate, 2)} %`),
      h("dt", {}, "mismatch rate"), h("dd", {}, r.mismatch_rate == null ? "–" : `${fmt(100 * r.mismatch_rate, 2)} %`)));
    p.info("");
    p.ok();
  } catch (e) {
    p.body.replaceChildren();
    p.error(e);
  }
}

async function loadLog(p) {
  try {
    const r = await sql("SELECT id, ts, flow, level, kind, message FROM event_log WHERE level <> 'info' ORDER BY id DESC LIMIT 20", [], 20);
    const rows = r.objects();
    p.info(rows.length ? "" : "No warnings or errors.");
    p.body.replaceChildren(h("div", { class: "scroll" }, h("table", { class: "data", id: "events-table" },
      h("thead", {}, h("tr", {}, ["Time (UTC)", "Flow", "Level", "Kind", "Message"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((e) => h("tr", { class: e.level }, h("td", {}, e.ts), h("td", {}, e.flow), h("td", {}, e.level), h("td", {}, e.kind), h("td", {}, e.message)))))));
    p.ok();
  } catch (e) {
    p.body.replaceChildren();
    p.error(e);
  }
}

function exportTime(name) {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(name || "");
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : null;
}

function ago(ts) {
  if (!ts) return "–";
  const t = Date.parse(String(ts).replace(" ", "T").replace(/(\.\d+)?$/, "Z"));
  if (!Number.isFinite(t)) return "–";
  let s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
