// The dashboard (the landing page): the report's listings 6-8 as an event heatmap over country
// borders, the hourly sentiment timeline and the correlation matrix, under one set of filters.
import uPlot from "uplot";
import { sql } from "./api.js";
import { rootName } from "./cameo.js";
import { filterForm, whereClause } from "./filters.js";
import { createMap, fipsName } from "./map.js";
import { fmt, fmtInt, h, hideTip, panel, seqColor, showTip, simColor, svg, tipAtElement, utcSeconds } from "./ui.js";
import { markLoaded } from "./ui.js";

const MAX_CELLS = 3000;

export async function dashboard(main) {
  const heat = panel("Event heatmap", "GDELT events by where they took place (ActionGeo latitude/longitude): one circle per location, its area proportional to the number of events; countries shaded by their event count. Hover for the place and count.", "heatmap");
  const time = panel("Sentiment timeline", "Average tone (GDELT AvgTone, −100 very negative to +100 very positive; most events lie between −10 and +10) per hour, with the number of events per hour. Drag across the chart to zoom, double-click or Reset to zoom out.", "timeline");
  const matrix = panel("Correlation matrix", "Average cosine similarity (0 to 1) of the correlated event/page pairs, by CAMEO root category of the event and by wiki. Hover or focus a cell for its most similar page titles.", "matrix");
  const filterSlot = h("div", { class: "filter-slot" });
  main.replaceChildren(h("h1", {}, "Dashboard"), filterSlot, h("div", { class: "grid" }, heat.root, time.root, matrix.root));

  const map = createMap("World map of GDELT events by location");
  heat.body.append(map.root, legend());
  let plot = null;

  // The range and the countries come from gold_events (a gold table); a principal who may read
  // only silver gets them from gdelt_silver.
  let range = { min: null, max: null };
  let countries = [];
  try {
    const r = await firstAllowed([
      "SELECT MIN(event_time) AS min, MAX(event_time) AS max FROM gold_events",
      "SELECT MIN(event_time) AS min, MAX(event_time) AS max FROM gdelt_silver",
    ]);
    range = r.objects()[0] || range;
    const c = await firstAllowed([
      "SELECT ActionGeo_CountryCode AS code, COUNT(*) AS n FROM gold_events WHERE ActionGeo_CountryCode IS NOT NULL AND ActionGeo_CountryCode <> '' GROUP BY 1 ORDER BY 2 DESC",
      "SELECT ActionGeo_CountryCode AS code, COUNT(*) AS n FROM gdelt_silver WHERE ActionGeo_CountryCode IS NOT NULL AND ActionGeo_CountryCode <> '' GROUP BY 1 ORDER BY 2 DESC",
    ]);
    countries = c.objects();
  } catch (e) {
    heat.error(e);
  }
  const filters = filterForm(range, countries, (f) => load(f));
  filterSlot.append(filters.form);

  async function load(f) {
    main.dataset.loaded = "";
    await Promise.all([loadHeat(f), loadTimeline(f), loadMatrix(f)]);
    markLoaded(main, "dashboard");
  }

  async function loadHeat(f) {
    const w = whereClause(f, { extra: "ActionGeo_Lat IS NOT NULL AND ActionGeo_Long IS NOT NULL" });
    try {
      // Listing 6 (events per ActionGeo_Lat/Long), with the place's name for the hover.
      const [cells, total, byCountry] = await Promise.all([
        sql(`SELECT ActionGeo_Lat AS lat, ActionGeo_Long AS lon, COUNT(*) AS events, MIN(ActionGeo_FullName) AS place FROM gold_events${w.sql} GROUP BY 1, 2 ORDER BY 3 DESC LIMIT ${MAX_CELLS}`, w.params, MAX_CELLS),
        sql(`SELECT COUNT(*) AS locations, COALESCE(SUM(n), 0) AS events FROM (SELECT COUNT(*) AS n FROM gold_events${w.sql} GROUP BY ActionGeo_Lat, ActionGeo_Long)`, w.params),
        sql(`SELECT ActionGeo_CountryCode AS code, COUNT(*) AS n FROM gold_events${whereClause(f).sql} GROUP BY 1`, whereClause(f).params),
      ]);
      const rows = cells.objects();
      const tot = total.objects()[0];
      const counts = {};
      for (const r of byCountry.objects()) if (r.code) counts[r.code] = r.n;
      const maxC = Math.max(1, ...Object.values(counts));
      map.choropleth(counts, (v) => seqColor(0.15 + 0.6 * Math.log1p(v) / Math.log1p(maxC)), (name, v) => [h("strong", {}, name), h("br"), `${fmtInt(v)} events`]);
      const maxN = Math.max(1, ...rows.map((r) => r.events));
      const layer = map.layer;
      layer.replaceChildren();
      // Smallest last, so that small circles stay on top of big ones and can be hovered.
      for (const r of rows) {
        const p = map.projection([r.lon, r.lat]);
        if (!p) continue;
        const c = svg("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: (1.5 + 14 * Math.sqrt(r.events / maxN)).toFixed(2), class: "cell" });
        c.onmousemove = (e) => showTip([h("strong", {}, r.place || "unnamed place"), h("br"), `${fmtInt(r.events)} events`, h("br"), `${fmt(r.lat, 3)}°, ${fmt(r.lon, 3)}°`], e.clientX, e.clientY);
        c.onmouseleave = hideTip;
        layer.append(c);
      }
      layer.parentNode.dataset.cells = String(layer.childNodes.length);
      heat.info(`${fmtInt(tot.events)} events at ${fmtInt(tot.locations)} locations` + (tot.locations > rows.length ? `; the ${fmtInt(rows.length)} busiest are drawn` : ""));
      heat.ok();
      top10(rows);
    } catch (e) {
      map.layer.replaceChildren();
      heat.error(e);
    }
  }

  function top10(rows) {
    const old = heat.body.querySelector("details");
    if (old) old.remove();
    heat.body.append(
      h("details", {}, h("summary", {}, "Busiest places (table)"),
        h("table", { class: "data" }, h("thead", {}, h("tr", {}, h("th", {}, "Place"), h("th", { class: "num" }, "Events"))),
          h("tbody", {}, rows.slice(0, 10).map((r) => h("tr", {}, h("td", {}, r.place || `${fmt(r.lat, 2)}°, ${fmt(r.lon, 2)}°`), h("td", { class: "num" }, fmtInt(r.events))))))),
    );
  }

  async function loadTimeline(f) {
    // Listing 7 as the report writes it (gdelt_silver); a principal granted only gold reads the
    // same events from gold_events, and the note says so.
    const w = whereClause(f);
    const q = (t) => `SELECT DATE_TRUNC('hour', event_time) AS hour, ROUND(AVG(AvgTone), 3) AS sentiment, COUNT(*) AS events FROM ${t}${w.sql} GROUP BY 1 ORDER BY 1`;
    let res;
    let source = "gdelt_silver";
    try {
      try {
        res = await sql(q("gdelt_silver"), w.params, 100000);
      } catch (e) {
        if (e.status !== 403) throw e;
        source = "gold_events";
        res = await sql(q("gold_events"), w.params, 100000);
      }
    } catch (e) {
      time.error(e);
      return;
    }
    const rows = res.objects().filter((r) => r.hour);
    // An hour without events is a gap in the lines, not a slope between its neighbours.
    const data = [[], [], []];
    for (const r of rows) {
      const x = utcSeconds(r.hour);
      const prev = data[0][data[0].length - 1];
      if (prev != null && x - prev > 3600) data.forEach((s, i) => s.push(i ? null : prev + 3600));
      data[0].push(x);
      data[1].push(r.sentiment);
      data[2].push(r.events);
    }
    time.info(`${fmtInt(rows.length)} hours, ${fmtInt(rows.reduce((s, r) => s + r.events, 0))} events (from ${source})`);
    time.ok();
    const box = time.body.querySelector(".chart") || h("div", { class: "chart" });
    box.dataset.points = String(rows.length);
    if (!box.parentNode) {
      const zoom = (k) => {
        if (!plot) return;
        const { min, max } = plot.scales.x;
        const mid = (min + max) / 2;
        const half = ((max - min) / 2) * k;
        plot.setScale("x", { min: mid - half, max: mid + half });
      };
      time.body.append(
        h("div", { class: "chart-tools", role: "group", "aria-label": "Timeline zoom" },
          h("button", { type: "button", onclick: () => zoom(0.5) }, "Zoom in"),
          h("button", { type: "button", onclick: () => zoom(2) }, "Zoom out"),
          h("button", { type: "button", onclick: () => plot && plot.setData(plot.data, true) }, "Reset zoom")),
        box,
      );
    }
    if (plot) plot.destroy();
    const width = Math.max(280, box.clientWidth || time.body.clientWidth || 600);
    plot = new uPlot(
      {
        width,
        height: 260,
        scales: { x: { time: true }, tone: { auto: true }, events: { auto: true } },
        series: [
          { label: "Hour (UTC)", value: (u, v) => (v == null ? "–" : new Date(v * 1000).toISOString().slice(0, 13).replace("T", " ") + ":00") },
          { label: "Average tone", scale: "tone", stroke: "#2166ac", width: 2, points: { show: true, size: 7 }, value: (u, v) => fmt(v, 3) },
          { label: "Events", scale: "events", stroke: "#d7301f", fill: "rgba(215,48,31,0.12)", width: 1, points: { show: true, size: 5 }, value: (u, v) => fmtInt(v) },
        ],
        axes: [
          { stroke: "#333", values: utcTicks, size: 44 },
          { scale: "tone", label: "Average tone", stroke: "#2166ac", size: 56 },
          { scale: "events", side: 1, label: "Events per hour", stroke: "#d7301f", grid: { show: false }, size: 64 },
        ],
        cursor: { drag: { x: true, y: false } },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      },
      data,
      box,
    );
    const old = time.body.querySelector("details");
    if (old) old.remove();
    time.body.append(
      h("details", {}, h("summary", {}, "Hourly figures (table)"),
        h("table", { class: "data", id: "timeline-table" },
          h("thead", {}, h("tr", {}, h("th", {}, "Hour (UTC)"), h("th", { class: "num" }, "Average tone"), h("th", { class: "num" }, "Events"))),
          h("tbody", {}, rows.map((r) => h("tr", {}, h("td", {}, r.hour), h("td", { class: "num" }, fmt(r.sentiment, 3)), h("td", { class: "num" }, fmtInt(r.events))))))),
    );
  }

  async function loadMatrix(f) {
    // Listing 8: category x wiki, average similarity. correlated_gold_events carries each pair's
    // EventCode and wiki, so the gold table alone answers it (no silver grant needed).
    const w = whereClause(f);
    let cells;
    try {
      cells = await sql(`SELECT substr(EventCode, 1, 2) AS root, wiki, ROUND(AVG(cosine_sim), 3) AS similarity, COUNT(*) AS pairs FROM correlated_gold_events${w.sql} GROUP BY 1, 2`, w.params, 100000);
    } catch (e) {
      matrix.body.replaceChildren();
      matrix.error(e);
      return;
    }
    const rows = cells.objects();
    // A cell's top titles are asked for when it is first hovered or focused (one small query),
    // not with the page: grouping every pair by title costs more than the rest of the page.
    const top = new Map();
    let current = null;
    const titlesOf = (root, wk) => {
      const k = `${root}|${wk}`;
      if (!top.has(k)) {
        const cw = whereClause(f, { extra: "substr(EventCode, 1, 2) = ? AND wiki = ?" });
        top.set(k, sql(`SELECT title, ROUND(MAX(cosine_sim), 3) AS sim FROM correlated_gold_events${cw.sql} GROUP BY title ORDER BY sim DESC LIMIT 5`, [...cw.params, root, wk], 5).then((r) => r.objects(), (e) => e));
      }
      return top.get(k);
    };
    const wikiPairs = new Map();
    for (const r of rows) wikiPairs.set(r.wiki, (wikiPairs.get(r.wiki) || 0) + r.pairs);
    const wikis = [...wikiPairs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map((e) => e[0]);
    const roots = [...new Set(rows.map((r) => r.root))].sort();
    const at = new Map(rows.map((r) => [`${r.root}|${r.wiki}`, r]));
    const sims = rows.map((r) => r.similarity);
    const lo = Math.min(...sims);
    const hi = Math.max(...sims);
    const scale = (v) => (hi > lo ? 0.1 + 0.85 * ((v - lo) / (hi - lo)) : 0.6);
    matrix.info(rows.length ? `${fmtInt(rows.reduce((s, r) => s + r.pairs, 0))} pairs; ${roots.length} categories × ${wikiPairs.size} wikis` + (wikiPairs.size > wikis.length ? ` (the ${wikis.length} wikis with most pairs shown)` : "") : "No correlated pairs for these filters.");
    matrix.ok();
    const table = h("table", { class: "matrix" },
      h("caption", { class: "sr-only" }, "Average cosine similarity by event category (rows) and wiki (columns)"),
      h("thead", {}, h("tr", {}, h("td", { class: "corner" }, "category ↓ / wiki →"), wikis.map((wk) => h("th", { scope: "col" }, wk)))),
      h("tbody", {}, roots.map((root) => h("tr", {}, h("th", { scope: "row" }, rootName(root)), wikis.map((wk) => {
        const r = at.get(`${root}|${wk}`);
        if (!r) return h("td", { class: "empty" }, "");
        const head = () => [h("strong", {}, `${rootName(root)} × ${wk}`), h("br"), `average similarity ${fmt(r.similarity, 3)}, ${fmtInt(r.pairs)} pairs`, h("br")];
        const show = (td, x, y) => {
          current = td;
          const p = titlesOf(root, wk);
          const draw = (t) => {
            if (current !== td) return;
            const body = t instanceof Error ? [h("em", {}, `top titles: ${t.status === 403 ? "refused" : t.message}`)] : ["Top titles:", h("ol", {}, t.map((z) => h("li", {}, `${z.title} (${fmt(z.sim, 3)})`)))];
            if (x == null) tipAtElement(td, [...head(), ...body]);
            else showTip([...head(), ...body], x, y);
            if (!(t instanceof Error)) td.setAttribute("aria-label", `${label}; top titles ${t.map((z) => z.title).join(", ")}`);
          };
          if (x == null) tipAtElement(td, [...head(), "Top titles: loading…"]);
          else showTip([...head(), "Top titles: loading…"], x, y);
          p.then(draw);
        };
        const leave = () => {
          current = null;
          hideTip();
        };
        const v = scale(r.similarity);
        const label = `${rootName(root)}, ${wk}: average similarity ${fmt(r.similarity, 3)}, ${r.pairs} pairs`;
        return h("td", {
          class: "cell", tabindex: "0", style: `background:${simColor(v)};color:${v > 0.55 ? "#fff" : "#111"}`,
          "aria-label": label,
          onmouseenter: (e) => show(e.currentTarget, e.clientX, e.clientY),
          onmousemove: (e) => { if (current === e.currentTarget && !document.getElementById("tooltip").hidden) { const t = document.getElementById("tooltip"); showTip([...t.childNodes], e.clientX, e.clientY); } },
          onmouseleave: leave,
          onfocus: (e) => show(e.currentTarget), onblur: leave,
        }, fmt(r.similarity, 2));
      })))),
    );
    matrix.body.replaceChildren(h("div", { class: "scroll" }, table));
  }

  await load(filters.state());
}

// Axis labels in UTC, 24-hour: the date alone over long spans, date and time over short ones.
function utcTicks(u, splits) {
  const span = u.scales.x.max - u.scales.x.min;
  return splits.map((v) => {
    const iso = new Date(v * 1000).toISOString();
    return span > 3 * 86400 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  });
}

function legend() {
  return h("p", { class: "legend" },
    h("span", { class: "swatch cell-swatch" }), " one location (area ∝ events)  ",
    h("span", { class: "swatch", style: `background:${seqColor(0.3)}` }), h("span", { class: "swatch", style: `background:${seqColor(0.75)}` }), " country: fewer → more events");
}

async function firstAllowed(queries) {
  let last;
  for (const q of queries) {
    try {
      return await sql(q);
    } catch (e) {
      if (e.status !== 403) throw e;
      last = e;
    }
  }
  throw last;
}
