// Small DOM helpers shared by the pages: element building, panels that show a refusal in place,
// the tooltip, number formatting and colour ramps.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function svg(tag, attrs = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  return el;
}

// A titled section with a body and a message line. error(e) says in place why the query behind
// it failed (a 403 names what the grant refused) instead of leaving the panel empty.
export function panel(title, note, id) {
  const msg = h("p", { class: "msg", role: "status" });
  const body = h("div", { class: "panel-body" });
  const root = h(
    "section",
    { class: "panel", id, "aria-labelledby": id ? `${id}-title` : null },
    h("h2", { id: id ? `${id}-title` : null, text: title }),
    note ? h("p", { class: "note", text: note }) : null,
    msg,
    body,
  );
  return {
    root,
    body,
    info(text) {
      msg.className = "msg";
      msg.textContent = text || "";
    },
    error(e) {
      msg.className = "msg error";
      msg.setAttribute("role", "alert");
      msg.textContent = describeError(e);
      root.dataset.state = e && e.status === 403 ? "refused" : "error";
    },
    ok() {
      root.dataset.state = "ok";
    },
  };
}

// The server's 403 message without its own leading "refused:".
export const refusal = (e) => String(e.message || "").replace(/^refused:\s*/i, "");

export function describeError(e) {
  if (!e) return "";
  if (e.status === 403) return `Refused: ${refusal(e)}. Your groups are not granted what this part reads.`;
  if (e.status === 408 || e.status === 503) return `The query took too long or the server is busy (${e.status}): ${e.message}`;
  if (e.status === 429) return `Too many requests (429): ${e.message}`;
  if (e.status) return `The query failed (${e.status} ${e.code}): ${e.message}`;
  return `The query failed: ${e.message}`;
}

const tip = () => document.getElementById("tooltip");
export function showTip(html, x, y) {
  const t = tip();
  t.replaceChildren(...(Array.isArray(html) ? html : [html]));
  t.hidden = false;
  const w = t.offsetWidth;
  const hgt = t.offsetHeight;
  const left = Math.min(Math.max(4, x + 14), window.innerWidth - w - 4);
  const top = y + 14 + hgt > window.innerHeight ? y - hgt - 10 : y + 14;
  t.style.left = `${left + window.scrollX}px`;
  t.style.top = `${Math.max(4, top) + window.scrollY}px`;
}
export function hideTip() {
  tip().hidden = true;
}
export function tipAtElement(el, content) {
  const r = el.getBoundingClientRect();
  showTip(content, r.left + r.width / 2, r.top + r.height / 2);
}

export const fmtInt = (n) => (n == null ? "–" : Math.round(Number(n)).toLocaleString("en-US"));
export const fmt = (n, d = 2) => (n == null ? "–" : Number(n).toFixed(d));

// Linear interpolation through colour stops (t in 0..1).
export function ramp(stops) {
  const rgb = stops.map((s) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)));
  return (t) => {
    t = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
    const x = t * (rgb.length - 1);
    const i = Math.min(rgb.length - 2, Math.floor(x));
    const f = x - i;
    const c = rgb[i].map((v, k) => Math.round(v + (rgb[i + 1][k] - v) * f));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  };
}
// Sequential (counts, similarity) and diverging (tone: negative red, positive blue) scales.
export const seqColor = ramp(["#fff7ec", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"]);
export const simColor = ramp(["#f7fbff", "#9ecae1", "#4292c6", "#08519c", "#08306b"]);
export const toneColor = (tone) => ramp(["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"])((Number(tone) + 10) / 20);

// "2024-07-15 00:00:00" (UTC) <-> the value of an <input type=datetime-local> read as UTC.
export const toInput = (ts) => (ts ? ts.slice(0, 16).replace(" ", "T") : "");
export const fromInput = (v, end) => (v ? `${v.replace("T", " ")}:${end ? "59" : "00"}` : null);
export const utcSeconds = (ts) => Date.parse(ts.replace(" ", "T") + "Z") / 1000;

export function wikiUrl(wiki, title) {
  // wiki ids are the database names: enwiki, dewiki, commonswiki, wikidatawiki, enwiktionary ...
  const t = encodeURIComponent(String(title).replace(/ /g, "_"));
  const m = /^([a-z_-]+?)(wiki|wiktionary|wikinews|wikiquote|wikisource|wikibooks|wikivoyage|wikiversity)$/.exec(wiki || "");
  if (!m) return null;
  const special = { commonswiki: "commons.wikimedia.org", wikidatawiki: "www.wikidata.org", metawiki: "meta.wikimedia.org", specieswiki: "species.wikimedia.org", mediawikiwiki: "www.mediawiki.org" };
  if (special[wiki]) return `https://${special[wiki]}/wiki/${t}`;
  const project = m[2] === "wiki" ? "wikipedia" : m[2];
  return `https://${m[1].replace(/_/g, "-")}.${project}.org/wiki/${t}`;
}

export function safeUrl(u) {
  return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null;
}

// Marks a page as drawn (the tests wait for main[data-loaded=NAME]) and keeps the time from the
// navigation's start to the first page drawn (data-load-ms).
export function markLoaded(main, name) {
  if (!main.dataset.loadMs) main.dataset.loadMs = String(Math.round(performance.now()));
  main.dataset.loaded = name;
}
