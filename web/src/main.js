// Entry point: sign-in with a principal's token, the header (who is signed in, sign-out) and the
// hash routes #dashboard, #explorer and #status.
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { clearToken, setToken, setUnauthorizedHandler, sql, token, whoami } from "./api.js";
import { askPage } from "./ask.js";
import { dashboard } from "./dashboard.js";
import { explorer } from "./explorer.js";
import { status } from "./status.js";
import { describeError, h, hideTip } from "./ui.js";
import { markLoaded } from "./ui.js";

const PAGES = { dashboard, explorer, status, ask: askPage };
const main = document.getElementById("main");
const top = document.getElementById("top");
let me = null;

function signInForm(message) {
  top.hidden = true;
  const input = h("input", { type: "password", id: "token", name: "token", autocomplete: "off", required: true, spellcheck: "false" });
  const msg = h("p", { class: message ? "msg error" : "msg", id: "signin-msg", role: "alert" }, message || "");
  const form = h("form", { class: "signin", id: "signin", "aria-labelledby": "signin-title", onsubmit: async (e) => {
    e.preventDefault();
    const t = input.value.trim();
    if (!t) return;
    msg.className = "msg";
    msg.textContent = "Checking…";
    try {
      me = await whoami(t);
      setToken(t);
      if (!location.hash || location.hash === "#signin") location.hash = "#dashboard";
      start();
    } catch (err) {
      msg.className = "msg error";
      msg.textContent = err.status === 401 ? "This token was not accepted. Check it, or ask for a new one (wikigdelt principal rotate NAME)." : describeError(err);
    }
  } },
    h("h1", { id: "signin-title" }, "Sign in to wikigdelt"),
    h("p", {}, "Paste the bearer token that `wikigdelt principal add NAME` printed. It stays in this tab only (sessionStorage)."),
    h("label", { for: "token" }, "Token"), input,
    h("button", { type: "submit" }, "Sign in"),
    msg);
  main.replaceChildren(form);
  markLoaded(main, "signin");
  input.focus();
}

function signOut(message) {
  clearToken();
  me = null;
  hideTip();
  signInForm(message);
}

async function start() {
  if (!token()) return signInForm();
  if (!me) {
    try {
      me = await whoami();
    } catch (e) {
      return signOut(e.status === 401 ? "Your session's token is no longer valid; sign in again." : describeError(e));
    }
  }
  top.hidden = false;
  const who = document.getElementById("who");
  who.replaceChildren(h("span", { id: "principal" }, me.principal), " ", h("span", { class: "muted", id: "groups" }, (me.groups || []).length ? `(${me.groups.join(", ")})` : "(no group)"));
  executiveBadge(who);
  route();
}

// secure_gdelt.is_executive follows the caller's membership of the executive group.
async function executiveBadge(who) {
  try {
    const r = await sql("SELECT is_executive FROM secure_gdelt LIMIT 1");
    const yes = r.rows.length > 0 && Boolean(r.rows[0][0]);
    if (yes) who.append(" ", h("span", { class: "badge", id: "executive" }, "executive"));
    who.dataset.executive = yes ? "1" : "0";
  } catch {
    who.dataset.executive = "refused"; /* secure_gdelt not granted: no badge */
  }
}

async function route() {
  if (!token()) return signInForm();
  hideTip();
  const name = (location.hash || "#dashboard").slice(1);
  const page = PAGES[name] || dashboard;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.page === (PAGES[name] ? name : "dashboard")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  main.dataset.loaded = "";
  main.dataset.page = PAGES[name] ? name : "dashboard";
  document.title = `wikigdelt · ${main.dataset.page}`;
  try {
    await page(main);
  } catch (e) {
    main.append(h("p", { class: "msg error", role: "alert" }, describeError(e)));
    markLoaded(main, main.dataset.page);
  }
}

setUnauthorizedHandler(() => signOut("Your token was refused (401): it may have been revoked or rotated. Sign in again."));
document.getElementById("signout").addEventListener("click", () => {
  location.hash = "";
  signOut("Signed out.");
});
window.addEventListener("hashchange", () => {
  if (me) route();
});
start();
