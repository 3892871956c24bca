// The dashboard's filters (time range in UTC, country, CAMEO root category): one state that every
// panel turns into the same WHERE clause with bound parameters, so all three agree.
import { CAMEO_ROOTS } from "./cameo.js";
import { fipsName } from "./map.js";
import { fromInput, h, toInput } from "./ui.js";

export function whereClause(f, cols = {}) {
  const time = cols.time || "event_time";
  const country = cols.country || "ActionGeo_CountryCode";
  const code = cols.code || "EventCode";
  const parts = [];
  const params = [];
  if (f.from) {
    parts.push(`${time} >= ?`);
    params.push(f.from);
  }
  if (f.to) {
    parts.push(`${time} <= ?`);
    params.push(f.to);
  }
  if (f.country) {
    parts.push(`${country} = ?`);
    params.push(f.country);
  }
  if (f.root) {
    parts.push(`substr(${code}, 1, 2) = ?`);
    params.push(f.root);
  }
  if (cols.extra) parts.push(cols.extra);
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
}

const field = (id, label, input) => h("div", { class: "field" }, h("label", { for: id }, label), input);

// Builds the form; onChange(state) runs whenever a filter changes.
export function filterForm(range, countries, onChange) {
  const state = { from: range.min, to: range.max, country: "", root: "" };
  const from = h("input", { type: "datetime-local", id: "f-from", value: toInput(range.min) });
  const to = h("input", { type: "datetime-local", id: "f-to", value: toInput(range.max) });
  const country = h(
    "select",
    { id: "f-country" },
    h("option", { value: "" }, "All countries"),
    countries.map((c) => h("option", { value: c.code }, `${fipsName(c.code)} (${c.code}) · ${c.n.toLocaleString("en-US")}`)),
  );
  const root = h(
    "select",
    { id: "f-root" },
    h("option", { value: "" }, "All categories"),
    Object.entries(CAMEO_ROOTS).map(([k, v]) => h("option", { value: k }, `${k} ${v}`)),
  );
  const apply = () => {
    state.from = fromInput(from.value, false);
    state.to = fromInput(to.value, true);
    state.country = country.value;
    state.root = root.value;
    onChange({ ...state });
  };
  const reset = h("button", { type: "button", onclick: () => {
    from.value = toInput(range.min);
    to.value = toInput(range.max);
    country.value = "";
    root.value = "";
    apply();
  } }, "Reset filters");
  for (const el of [from, to, country, root]) el.addEventListener("change", apply);
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filters", onsubmit: (e) => { e.preventDefault(); apply(); } },
    field("f-from", "From (UTC)", from),
    field("f-to", "To (UTC)", to),
    field("f-country", "Country (where the event took place)", country),
    field("f-root", "Event category (CAMEO root)", root),
    h("div", { class: "field" }, reset),
  );
  return {
    form,
    state: () => ({ ...state }),
    setCountry(code) {
      country.value = code;
      apply();
    },
  };
}
