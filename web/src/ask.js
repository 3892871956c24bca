// The question box: a plain-language question goes to POST /api/ask, which answers with the
// asker's rights (the server's authorizer has the last word). The page shows how the question was
// read, the SQL with its parameters, and the rows, or says in place why there is no answer
// ("cannot", a refusal, an ambiguity asked back).
import { ask } from "./api.js";
import { h, markLoaded, panel, refusal } from "./ui.js";

const EXAMPLES = [
  "Which countries had the most protest events in the 2024 data?",
  "bots vs humans",
  "strongest correlated pairs",
  "where is the tone stored",
];

function resultTable(res) {
  const cols = (res.columns || []).map((c) => (typeof c === "string" ? c : c.name));
  return h("table", { id: "ask-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, (res.rows || []).map((r) => h("tr", {}, r.map((v) => h("td", {}, v == null ? "" : String(v)))))));
}

export async function askPage(main) {
  const p = panel("Ask a question", "Answered with SQL chosen from described templates and run with your rights.", "ask");
  const input = h("input", { type: "text", id: "question", name: "question", autocomplete: "off", required: true,
    "aria-describedby": "ask-examples" });
  const out = h("div", { id: "ask-answer", "aria-live": "polite" });
  const form = h("form", { id: "ask-form", onsubmit: async (e) => {
    e.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    out.replaceChildren();
    p.info("Asking…");
    try {
      const res = await ask(question);
      p.info("");
      out.dataset.intent = res.intent || "";
      const parts = [];
      if (res.reading) parts.push(h("p", { class: "reading", id: "ask-reading" }, res.reading));
      if (res.sql) parts.push(h("pre", { id: "ask-sql" }, res.sql + ((res.params || []).length ? `\n-- parameters: ${JSON.stringify(res.params)}` : "")));
      if (res.message) parts.push(h("p", { class: "msg", id: "ask-message" }, res.message));
      if (res.refused || res.error) {
        parts.push(h("p", { class: "msg error", id: "ask-refused", role: "alert" }, `Refused: ${refusal({ message: res.refused || res.error })}`));
        out.dataset.state = "refused";
      } else if (res.columns) {
        parts.push(h("p", { class: "note", id: "ask-count", "data-count": String((res.rows || []).length) },
          `${(res.rows || []).length} row(s)`), resultTable(res));
        out.dataset.state = "answered";
      } else {
        out.dataset.state = "cannot";
      }
      out.replaceChildren(...parts);
      p.ok();
    } catch (err) {
      p.error(err);
      out.dataset.state = err.status === 403 ? "refused" : "error";
    }
    out.dataset.done = String(Number(out.dataset.done || 0) + 1);
  } },
    h("label", { for: "question" }, "Question"), " ", input, " ", h("button", { type: "submit" }, "Ask"));
  p.body.append(form,
    h("p", { class: "note", id: "ask-examples" }, "For example: ", EXAMPLES.map((x, i) => [i ? " · " : "",
      h("a", { href: "#ask", onclick: (e) => { e.preventDefault(); input.value = x; form.requestSubmit(); } }, x)])),
    out);
  main.replaceChildren(p.root);
  markLoaded(main, "ask");
  input.focus();
}
