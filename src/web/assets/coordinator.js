// The coordinator console: headline figures, charts (drawn as SVG here,
// no chart library, no CDN), CSV download, and the disputes and repair
// queues. Merchants and offers, staff and scenarios have files of their
// own (console-merchants.js, offer-form.js, console-staff.js), which add
// their loaders to `panels`.
"use strict";

const $ = (id) => document.getElementById(id);
const token = () => xinyi.token("coordinator");
const api = (path, options = {}) => xinyi.api(path, { token: token(), ...options });
/** Loaders the other console files add: each fills its panel. */
const panels = [];

function query(groupBy) {
  const params = new URLSearchParams({ group_by: groupBy });
  if ($("from").value) params.set("from", $("from").value);
  if ($("to").value) params.set("to", $("to").value);
  return "/v1/reports/reductions?" + params;
}

/** Horizontal bars, one per row, labelled with yuan; `name` says what they show. */
function bars(rows, name) {
  if (!rows.length) return xinyi.el("p", { class: "muted" }, "暂无数据 · No data yet");
  const max = Math.max(1, ...rows.map((r) => r.net_fen));
  const rowHeight = 28, width = 640, labelWidth = 170;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rows.length * rowHeight}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", name + ": " + rows.map((r) => (r.label || r.key) + " " + xinyi.yuan(r.net_fen)).join(", "));
  svg.style.width = "100%";
  rows.forEach((r, i) => {
    const y = i * rowHeight;
    const w = Math.max(1, (width - labelWidth - 90) * r.net_fen / max);
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      svg.append(e);
    };
    add("text", { x: 0, y: y + 19, "font-size": 13 }, (r.label || r.key).slice(0, 22));
    add("rect", { x: labelWidth, y: y + 5, width: w, height: 18, fill: "#c8102e", rx: 3 });
    add("text", { x: labelWidth + w + 6, y: y + 19, "font-size": 13 }, xinyi.yuan(r.net_fen));
  });
  return svg;
}

async function loadReports() {
  const [byDay, byCategory, byLevel, byMerchant] = await Promise.all(["day", "category", "level", "merchant"].map((g) => api(query(g))));
  const h = byDay.headline;
  $("net").textContent = "¥" + h.net_yuan;
  $("redemptions").textContent = h.redemptions + (h.reversals ? " (−" + h.reversals + ")" : "");
  $("citizens").textContent = h.citizens;
  $("merchants-figure").textContent = h.merchants_with_redemptions + " / " + h.participating_merchants;
  $("chart-day").replaceChildren(bars(byDay.rows.slice(-31), "每日减免 Net reduction by day"));
  $("chart-category").replaceChildren(bars(byCategory.rows, "按类别 By category"));
  $("chart-level").replaceChildren(bars(byLevel.rows, "按等级 By level"));
  const top = [...byMerchant.rows].sort((a, b) => b.net_fen - a.net_fen).slice(0, 10);
  $("top").replaceChildren(xinyi.table(["商户 Merchant", "笔数 Count", "市民 Citizens", "减免 Net"],
    top.map((r) => [r.label || r.key, r.redemptions, r.citizens, xinyi.yuan(r.net_fen)]), [1, 2, 3]));
}

async function downloadCsv() {
  const group = $("csv-group").value;
  const text = await api(query(group), { accept: "text/csv" });
  const link = xinyi.el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: `reductions-by-${group}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
}

async function loadDisputes() {
  const open = await api("/v1/disputes?status=open");
  $("disputes").replaceChildren(...open.map((d) => xinyi.el("li", {},
    xinyi.el("span", {}, d.merchant_name + " · " + d.offer_title + " · " + xinyi.yuan(d.discount_fen), xinyi.el("br"), xinyi.el("span", { class: "muted" }, d.reason)),
    xinyi.el("span", {},
      xinyi.el("button", { onclick: () => resolve(d, "void") }, "撤销 Void"), " ",
      xinyi.el("button", { onclick: () => resolve(d, "reject") }, "驳回 Reject")))));
  $("no-disputes").classList.toggle("hidden", open.length > 0);
}

async function loadRepairs() {
  const pending = await api("/v1/repairs?status=pending");
  $("repair-queue").replaceChildren(...pending.map((r) => {
    const reason = xinyi.el("input", { placeholder: "决定理由 · Reason for the citizen", class: "repair-reason", "aria-label": "决定理由 · Reason for the citizen" });
    return xinyi.el("li", { class: "repair-item" },
      xinyi.el("span", {}, r.subject + (r.overdue ? " · 已超期 OVERDUE" : ""), xinyi.el("br"),
        xinyi.el("span", { class: "muted" }, r.statement + " · " + r.citizen_id + " · 期限 due " + r.due_by.slice(0, 10)), reason),
      xinyi.el("span", {},
        xinyi.el("button", { class: "approve", onclick: () => decide(r, "approve", reason.value) }, "批准 Approve"), " ",
        xinyi.el("button", { onclick: () => decide(r, "reject", reason.value) }, "驳回 Reject")));
  }));
  $("no-repairs").classList.toggle("hidden", pending.length > 0);
}

async function decide(repair, decision, reason) {
  if (!reason.trim()) {
    xinyi.showError($("error"), new Error("请填写决定理由 · Give a reason the citizen can read"));
    return;
  }
  try {
    await api("/v1/repairs/" + repair.repair_id + "/decide", { method: "POST", body: { decision, reason } });
    xinyi.showError($("error"), null);
    await loadRepairs();
  } catch (e) { xinyi.showError($("error"), e); }
}

async function resolve(dispute, action) {
  const note = prompt(action === "void" ? "撤销原因 · Why void?" : "驳回原因 · Why reject?");
  if (note === null) return;
  try {
    await api("/v1/disputes/" + dispute.dispute_id + "/resolve", { method: "POST", body: { action, note } });
    await Promise.all([loadDisputes(), loadReports()]);
  } catch (e) { xinyi.showError($("error"), e); }
}

async function start() {
  if (!token()) {
    $("sign-in").classList.remove("hidden");
    $("dashboard").classList.add("hidden");
    $("sign-out").classList.add("hidden");
    try { await xinyi.api("/demo/citizens"); $("demo-sign-in").classList.remove("hidden"); } catch (_) { /* not the demo */ }
    return;
  }
  try {
    await Promise.all([loadReports(), loadDisputes(), loadRepairs(), ...panels.map((load) => load())]);
  } catch (e) {
    xinyi.showError($("error"), e);
    if (e.problem && (e.problem.status === 401 || e.problem.status === 403)) { xinyi.setToken("coordinator", null); return start(); }
    return;
  }
  $("sign-in").classList.add("hidden");
  $("dashboard").classList.remove("hidden");
  $("sign-out").classList.remove("hidden");
}

$("token-form").addEventListener("submit", (e) => { e.preventDefault(); xinyi.setToken("coordinator", $("token-input").value.trim()); start(); });
$("demo-sign-in").addEventListener("click", async () => { xinyi.setToken("coordinator", await xinyi.api("/demo/token/coordinator")); start(); });
$("sign-out").addEventListener("click", () => { xinyi.setToken("coordinator", null); start(); });
$("period").addEventListener("change", () => loadReports().catch((e) => xinyi.showError($("error"), e)));
$("csv").addEventListener("click", () => downloadCsv().catch((e) => xinyi.showError($("error"), e)));
// After the other console files have added their panels.
window.addEventListener("DOMContentLoaded", start);
