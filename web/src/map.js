// The world map shared by the dashboard and the explorer: Natural Earth country borders from the
// world-atlas package (TopoJSON, 1:110m, ISO 3166-1 numeric ids), projected with d3-geo, drawn as
// SVG in a fixed 960x500 viewBox that scales with the page. No tiles, no network: the borders are
// bundled into app.js.
import { geoNaturalEarth1, geoPath } from "d3-geo";
import { feature, mesh } from "topojson-client";
import world from "world-atlas/countries-110m.json";
import { FIPS } from "./fips.js";
import { h, svg, hideTip, showTip } from "./ui.js";

export const W = 960;
export const H = 500;

const countries = feature(world, world.objects.countries).features;
const borders = mesh(world, world.objects.countries, (a, b) => a !== b);
const isoToFips = {};
for (const [fips, [iso]] of Object.entries(FIPS)) if (!isoToFips[iso]) isoToFips[iso] = fips;
// Where several FIPS codes share one ISO polygon, the map's polygon takes the main one.
Object.assign(isoToFips, { 275: "WE" });

export function fipsName(code) {
  return FIPS[code] ? FIPS[code][1] : code || "unknown";
}
export function fipsToIso(code) {
  return FIPS[code] ? FIPS[code][0] : null;
}

export function createMap(label) {
  const projection = geoNaturalEarth1().fitExtent([[4, 4], [W - 4, H - 4]], { type: "Sphere" });
  const path = geoPath(projection);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "map", role: "img", "aria-label": label });
  root.append(svg("path", { d: path({ type: "Sphere" }), class: "sphere" }));
  const land = svg("g", { class: "countries" });
  const byIso = new Map();
  for (const f of countries) {
    const p = svg("path", { d: path(f), class: "country", "data-iso": f.id ?? "" });
    p.__name = f.properties && f.properties.name;
    land.append(p);
    if (f.id) byIso.set(f.id, p);
  }
  root.append(land);
  root.append(svg("path", { d: path(borders), class: "borders" }));
  const layer = svg("g", { class: "layer" });
  root.append(layer);
  const wrap = h("div", { class: "map-wrap" }, root);

  return {
    root: wrap,
    svg: root,
    layer,
    projection,
    // Shades each country by a value keyed by FIPS code; hover tells the name and the value.
    choropleth(valuesByFips, color, describe) {
      const byIsoVal = new Map();
      for (const [fips, v] of Object.entries(valuesByFips)) {
        const iso = fipsToIso(fips);
        if (iso) byIsoVal.set(iso, (byIsoVal.get(iso) || 0) + v);
      }
      for (const [iso, p] of byIso) {
        const v = byIsoVal.get(iso);
        p.style.fill = v ? color(v) : "";
        p.onmousemove = (e) => showTip(describe(p.__name || isoToFips[iso], v || 0), e.clientX, e.clientY);
        p.onmouseleave = hideTip;
      }
    },
    // A canvas over the SVG in the same viewBox coordinates, for layers with many marks.
    canvas() {
      const c = h("canvas", { class: "map-canvas", width: W * 2, height: H * 2, "aria-hidden": "true" });
      wrap.append(c);
      const ctx = c.getContext("2d");
      ctx.scale(2, 2);
      return { el: c, ctx, toViewBox(e) {
        const r = c.getBoundingClientRect();
        return [((e.clientX - r.left) / r.width) * W, ((e.clientY - r.top) / r.height) * H];
      } };
    },
  };
}
