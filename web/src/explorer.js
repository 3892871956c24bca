// The correlation explorer: every correlated event/page pair on the map, coloured by the event's
// tone; a similarity threshold slider that filters map, count and table in the browser (the pairs
// are fetched once); the strongest pairs with the news URL and the Wikipedia page; the breaking
// news bursts; and new gold rows pushed by the server (SSE) while the page is open.
import { sql, streamGold } from "./api.js";
import { rootName } from "./cameo.js";
import { createMap, fipsName } from "./map.js";
import { fmt, fmtInt, h, hideTip, panel, safeUrl, showTip, toneColor, wikiUrl } from "./ui.js";
import { markLoaded } from "./ui.js";

const MAX_PAIRS = 50000;
const TABLE_ROWS = 25;

export async function explorer(main) {
  const mapP = panel("Correlated pairs on the map", "Each dot is a news event paired with a Wikipedia page edited in the same 4-hour window, placed where the event happened, coloured by the event's average tone (red negative, grey neutral, blue positive).", "pairs-map");
  const tableP = panel("Strongest pairs", "The pairs with the highest cosine similarity at or above the threshold. Actor names come through secure_gdelt, which shows them to compliance only.", "pairs-table");
  const burstP = panel("Breaking news", "Pages erupting in edits (several edits by several editors in a short time) and the correlated news behind them: those with news first, newest first.", "bursts");
  const live = h("span", { class: "live", id: "live", "aria-live": "polite" }, "connecting…");
  const slider = h("input", { type: "range", id: "threshold", min: "0", max: "1", step: "0.01", value: "0", "aria-describedby": "threshold-out" });
  const out = h("output", { id: "threshold-out", for: "threshold" }, "");
  const count = h("strong", { id: "pair-count" }, "0");
  main.replaceChildren(
    h("h1", {}, "Correlation explorer"),
    h("div", { class: "controls" },
      h("label", { for: "threshold" }, "Similarity threshold (cosine, 0–1)"), slider, out,
      h("span", {}, count, " pairs at or above it"),
      live),
    h("div", { class: "grid" }, mapP.root, tableP.root, burstP.root),
  );

  const map = createMap("World map of correlated news events and Wikipedia pages");
  const canvas = map.canvas();
  mapP.body.append(map.root, toneLegend());

  let pairs = [];
  const seen = new Set();
  let threshold = 0;
  let details = new Map(); // EventID -> {actor, url}
  let lastId = 0;
  let drawn = [];
  let truncated = false;
  let urlRefused = false;

  try {
    const res = await sql(`SELECT id, EventID, event_time, wiki, title, cosine_sim, AvgTone, ActionGeo_Lat AS lat, ActionGeo_Long AS lon, ActionGeo_CountryCode AS country, EventCode FROM correlated_gold_events ORDER BY cosine_sim DESC LIMIT ${MAX_PAIRS}`, [], MAX_PAIRS);
    for (const p of res.objects()) add(p);
    const maxId = await sql("SELECT COALESCE(MAX(id), 0) AS id FROM correlated_gold_events");
    lastId = maxId.objects()[0].id;
    truncated = res.truncated;
    mapP.ok();
  } catch (e) {
    mapP.error(e);
    tableP.error(e);
    live.textContent = "";
    markLoaded(main, "explorer");
    loadBursts(burstP);
    return;
  }
  const sims = pairs.map((p) => p.cosine_sim);
  // When only the most similar pairs were loaded, the slider starts at the least similar of them,
  // so that every position it can take counts exactly what SQL counts.
  const least = sims.length ? Math.min(...sims) : 0;
  const lo = truncated ? Math.ceil(least * 100) / 100 : Math.floor(least * 100) / 100;
  slider.min = String(lo);
  slider.value = String(lo);
  threshold = lo;
  await loadDetails(pairs.slice(0, 200));
  render();
  slider.addEventListener("input", () => {
    threshold = Number(slider.value);
    render();
  });
  canvas.el.style.pointerEvents = "auto";
  canvas.el.addEventListener("mousemove", (e) => {
    const [x, y] = canvas.toViewBox(e);
    let best = null;
    let bd = 36;
    for (const d of drawn) {
      const dd = (d.x - x) ** 2 + (d.y - y) ** 2;
      if (dd < bd) {
        bd = dd;
        best = d;
      }
    }
    if (!best) return hideTip();
    const p = best.p;
    showTip([h("strong", {}, p.title), ` (${p.wiki})`, h("br"), `similarity ${fmt(p.cosine_sim, 3)}, tone ${fmt(p.AvgTone, 2)}`, h("br"), `${rootName(String(p.EventCode || "").slice(0, 2))}, ${fipsName(p.country)}`, h("br"), `${p.event_time} UTC`], e.clientX, e.clientY);
  });
  canvas.el.addEventListener("mouseleave", hideTip);
  markLoaded(main, "explorer");
  loadBursts(burstP);

  // Live: the server pushes every new correlated_gold_events row after lastId.
  const stream = streamGold(lastId, {
    onRow: (row) => {
      const p = { id: row.id, EventID: row.EventID, event_time: row.event_time, wiki: row.wiki, title: row.title, cosine_sim: row.cosine_sim, AvgTone: row.AvgTone, lat: row.ActionGeo_Lat, lon: row.ActionGeo_Long, country: row.ActionGeo_CountryCode, EventCode: row.EventCode };
      if (!add(p)) return;
      p.fresh = true;
      pairs.sort((a, b) => b.cosine_sim - a.cosine_sim);
      scheduleRender();
      loadDetails([p]).then(scheduleRender);
      live.dataset.received = String(Number(live.dataset.received || 0) + 1);
    },
    onState: (state, msg) => {
      live.className = `live ${state}`;
      live.textContent = state === "live" ? `● live${live.dataset.received ? `: ${live.dataset.received} new` : ""}` : state === "refused" ? `live updates refused: ${msg}` : `reconnecting… (${msg})`;
    },
  });
  const stop = () => {
    stream.stop();
    window.removeEventListener("hashchange", stop);
  };
  window.addEventListener("hashchange", stop);

  function add(p) {
    if (seen.has(p.id)) return false;
    seen.add(p.id);
    pairs.push(p);
    return true;
  }

  let pending = false;
  function scheduleRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      render();
      if (live.classList.contains("live")) live.textContent = `● live: ${live.dataset.received || 0} new`;
    });
  }

  function render() {
    out.textContent = fmt(threshold, 2);
    const shown = pairs.filter((p) => p.cosine_sim >= threshold);
    const ctx = canvas.ctx;
    ctx.clearRect(0, 0, 960, 500);
    drawn = [];
    for (const p of shown) {
      if (p.lat == null || p.lon == null) continue;
      const xy = map.projection([p.lon, p.lat]);
      if (!xy) continue;
      drawn.push({ x: xy[0], y: xy[1], p });
    }
    // Weakest first so that the strongest pairs are drawn on top.
    for (let i = drawn.length - 1; i >= 0; i--) {
      const d = drawn[i];
      ctx.beginPath();
      ctx.arc(d.x, d.y, d.p.fresh ? 5 : 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = toneColor(d.p.AvgTone);
      ctx.globalAlpha = 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = d.p.fresh ? 1.5 : 0.5;
      ctx.strokeStyle = d.p.fresh ? "#000" : "#333";
      ctx.stroke();
    }
    map.root.dataset.pairs = String(drawn.length);
    count.textContent = fmtInt(shown.length);
    count.dataset.count = String(shown.length);
    const unplaced = shown.length - drawn.length;
    mapP.info(`${fmtInt(drawn.length)} pairs on the map` + (unplaced ? `, ${fmtInt(unplaced)} without coordinates` : "") + (truncated ? `; the ${fmtInt(MAX_PAIRS)} most similar pairs are loaded, so the threshold starts at ${fmt(lo, 2)}` : ""));
    renderTable(shown.slice(0, TABLE_ROWS));
  }

  function renderTable(rows) {
    const t = h("table", { class: "data", id: "strongest" },
      h("thead", {}, h("tr", {}, ["Similarity", "Wikipedia page", "News event", "Actor 1", "Tone", "Time (UTC)"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((p) => {
        const d = details.get(p.EventID) || {};
        const wu = wikiUrl(p.wiki, p.title);
        const nu = safeUrl(d.url);
        return h("tr", { class: p.fresh ? "fresh" : null },
          h("td", { class: "num" }, fmt(p.cosine_sim, 3)),
          h("td", {}, wu ? h("a", { href: wu, target: "_blank", rel: "noopener noreferrer" }, p.title) : p.title, h("span", { class: "muted" }, ` ${p.wiki}`)),
          h("td", {}, nu ? h("a", { href: nu, target: "_blank", rel: "noopener noreferrer" }, shortUrl(nu)) : h("span", { class: "muted" }, d.urlNote || "–"), h("div", { class: "muted" }, `${rootName(String(p.EventCode || "").slice(0, 2))}, ${fipsName(p.country)}`)),
          h("td", { class: "actor" }, d.actor ?? h("span", { class: "muted" }, d.actorNote || "–")),
          h("td", { class: "num" }, fmt(p.AvgTone, 2)),
          h("td", {}, p.event_time));
      })));
    tableP.body.replaceChildren(h("div", { class: "scroll" }, t));
    tableP.ok();
  }

  // The news URL and actor name of the events shown: the actor through secure_gdelt (the report's
  // listing 9, masked per caller); the URL from gdelt_silver where the principal may read it.
  async function loadDetails(list) {
    const ids = [...new Set(list.map((p) => p.EventID))].filter((id) => !details.has(id));
    if (!ids.length) return;
    const marks = ids.map(() => "?").join(",");
    for (const id of ids) details.set(id, {});
    const actors = sql(`SELECT EventID, Actor FROM secure_gdelt WHERE EventID IN (${marks})`, ids).then(
      (r) => r.objects().forEach((o) => (details.get(o.EventID).actor = o.Actor ?? "")),
      (e) => ids.forEach((id) => (details.get(id).actorNote = e.status === 403 ? "not granted" : "unavailable")),
    );
    let urlDone = false;
    if (!urlRefused) {
      try {
        const r = await sql(`SELECT EventID, SOURCEURL FROM gdelt_silver WHERE EventID IN (${marks})`, ids);
        r.objects().forEach((o) => (details.get(o.EventID).url = o.SOURCEURL));
        urlDone = true;
      } catch (e) {
        urlRefused = e.status === 403; /* silver not granted: said in the table, not asked again */
      }
    }
    if (!urlDone) ids.forEach((id) => (details.get(id).urlNote = "news URL not granted"));
    await actors;
  }
}

async function loadBursts(p) {
  try {
    const r = await sql("SELECT wiki, title, burst_edits, burst_editors, burst_start, last_edit, EventID, match_score, event_text FROM breaking_news_gold ORDER BY EventID IS NULL, last_edit DESC, rank LIMIT 30", [], 30);
    const rows = r.objects();
    p.info(rows.length ? "" : "No bursts yet.");
    p.body.replaceChildren(h("div", { class: "scroll" }, h("table", { class: "data", id: "bursts-table" },
      h("thead", {}, h("tr", {}, ["Page", "Edits", "Editors", "Burst (UTC)", "News behind it", "Match score"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((b) => {
        const wu = wikiUrl(b.wiki, b.title);
        return h("tr", {},
          h("td", {}, wu ? h("a", { href: wu, target: "_blank", rel: "noopener noreferrer" }, b.title) : b.title, h("span", { class: "muted" }, ` ${b.wiki}`)),
          h("td", { class: "num" }, fmtInt(b.burst_edits)),
          h("td", { class: "num" }, fmtInt(b.burst_editors)),
          h("td", {}, `${b.burst_start} – ${String(b.last_edit || "").slice(11)}`),
          h("td", {}, b.event_text ? String(b.event_text).slice(0, 120) : h("span", { class: "muted" }, "no correlated event yet")),
          h("td", { class: "num" }, b.match_score == null ? "–" : fmt(b.match_score, 3)));
      })))));
    p.ok();
  } catch (e) {
    p.error(e);
  }
}

function shortUrl(u) {
  try {
    const x = new URL(u);
    const s = x.hostname + x.pathname;
    return s.length > 60 ? `${s.slice(0, 57)}…` : s;
  } catch {
    return u;
  }
}

function toneLegend() {
  return h("p", { class: "legend" }, "Tone: ",
    [-10, -5, 0, 5, 10].map((t) => [h("span", { class: "swatch", style: `background:${toneColor(t)}` }), ` ${t > 0 ? "+" : ""}${t}  `]),
    "(GDELT AvgTone)");
}
