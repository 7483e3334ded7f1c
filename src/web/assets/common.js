// Shared by the three pages: API calls that turn problem+json into words.
"use strict";

const xinyi = {
  /** The service's clock minus this device's, in ms, from the last answer's Date header (to the second). */
  clockOffset: null,

  token: (kind) => sessionStorage.getItem("xinyi." + kind),
  setToken: (kind, value) => value ? sessionStorage.setItem("xinyi." + kind, value) : sessionStorage.removeItem("xinyi." + kind),

  /** fetch JSON (or text, or with `blob` the bytes); a refusal becomes an Error whose message is the problem's title and detail. */
  async api(path, { token, method = "GET", body, headers = {}, accept, blob = false } = {}) {
    const h = { ...headers };
    if (token) h["Authorization"] = "Bearer " + token;
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (accept) h["Accept"] = accept;
    let response;
    try {
      response = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new Error("无法连接服务 / The service cannot be reached");
    }
    const served = Date.parse(response.headers.get("date") || "");
    if (!Number.isNaN(served)) xinyi.clockOffset = served - Date.now();
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      if (type.includes("problem+json")) {
        const p = await response.json();
        const error = new Error(p.title + " — " + p.detail);
        error.problem = p;
        throw error;
      }
      throw new Error("请求失败 / Request failed (HTTP " + response.status + ")");
    }
    // A file to save keeps its bytes (text() would drop a CSV's byte-order mark).
    if (blob) return response.blob();
    if (type.includes("json")) return response.json();
    return response.text();
  },

  /** A page that needs the sign-in token (the statement, a code sheet): fetched with it, then shown from memory. */
  async openPage(path, options) {
    const page = await xinyi.api(path, { ...options, blob: true });
    location.assign(URL.createObjectURL(page));
  },

  showError(element, error) {
    element.textContent = error ? (error.message || String(error)) : "";
    element.classList.toggle("hidden", !error);
  },

  yuan: (fen) => "¥" + (fen / 100).toFixed(2),

  /** What a tier gives, in a few words. */
  tierText(t) {
    if (t.kind === "percent_off") return t.percent + "% off" + (t.cap_fen ? " (≤" + xinyi.yuan(t.cap_fen) + ")" : "");
    if (t.kind === "amount_off") return xinyi.yuan(t.amount_fen) + " off ≥" + xinyi.yuan(t.min_spend_fen);
    return "free ≤" + xinyi.yuan(t.value_fen);
  },

  /** A table that reflows into labelled blocks on a phone: `headers` are strings, `rows` arrays of cells. */
  table(headers, rows, numeric = []) {
    const head = xinyi.el("thead", {}, xinyi.el("tr", {}, ...headers.map((h, i) => xinyi.el("th", { scope: "col", class: numeric.includes(i) ? "num" : "" }, h))));
    const body = xinyi.el("tbody", {}, ...rows.map((cells) => xinyi.el("tr", {},
      ...cells.map((c, i) => xinyi.el("td", { "data-label": headers[i], class: numeric.includes(i) ? "num" : "" }, c)))));
    return xinyi.el("table", { class: "reflow" }, head, body);
  },

  /** The field a problem names, shown next to its input (`data-field`), or in `general`. */
  showFieldError(form, general, error) {
    for (const e of form.querySelectorAll(".field-error")) e.remove();
    for (const e of form.querySelectorAll("[aria-invalid]")) { e.removeAttribute("aria-invalid"); e.removeAttribute("aria-describedby"); }
    if (!error) return xinyi.showError(general, null);
    const field = error.problem && error.problem.field;
    const input = field && form.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (!input) return xinyi.showError(general, error);
    xinyi.showError(general, null);
    const id = "error-" + field.replace(/[^a-z0-9_]/gi, "-");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.insertAdjacentElement("afterend", xinyi.el("span", { class: "field-error", id, role: "alert" }, error.message));
    if (input.focus) input.focus();
  },

  el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  },
};
