// The coordinator dashboard: headline figures, charts (drawn as SVG here,
// no chart library, no CDN), CSV download, the disputes queue, and
// merchant and offer management.
"use strict";

const $ = (id) => document.getElementById(id);
const token = () => xinyi.token("coordinator");
const api = (path, options = {}) => xinyi.api(path, { token: token(), ...options });
const EXAMPLE_OFFER = {
  title: "免费法律咨询 Free legal consultation", min_level: 3,
  tiers: [{ min_level: 3, kind: "percent_off", percent: 10, cap_fen: 5000 },
          { min_level: 4, kind: "amount_off", amount_fen: 2000, min_spend_fen: 10000 },
          { min_level: 5, kind: "free_service", value_fen: 30000 }],
  per_citizen_limit: { count: 1, period: "month" }, budget_fen: 1000000, budget_count: 100,
};

function query(groupBy) {
  const params = new URLSearchParams({ group_by: groupBy });
  if ($("from").value) params.set("from", $("from").value);
  if ($("to").value) params.set("to", $("to").value);
  return "/v1/reports/reductions?" + params;
}

/** Horizontal bars, one per row, labelled with yuan. */
function bars(rows) {
  if (!rows.length) return xinyi.el("p", { class: "muted" }, "暂无数据 · No data yet");
  const max = Math.max(1, ...rows.map((r) => r.net_fen));
  const rowHeight = 28, width = 640, labelWidth = 170;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rows.length * rowHeight}`);
  svg.setAttribute("role", "img");
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
  $("merchants").textContent = h.merchants_with_redemptions + " / " + h.participating_merchants;
  $("chart-day").replaceChildren(bars(byDay.rows.slice(-31)));
  $("chart-category").replaceChildren(bars(byCategory.rows));
  $("chart-level").replaceChildren(bars(byLevel.rows));
  const top = [...byMerchant.rows].sort((a, b) => b.net_fen - a.net_fen).slice(0, 10);
  $("top").replaceChildren(
    xinyi.el("tr", {}, xinyi.el("th", {}, "商户 Merchant"), xinyi.el("th", { class: "num" }, "笔数 Count"), xinyi.el("th", { class: "num" }, "市民 Citizens"), xinyi.el("th", { class: "num" }, "减免 Net")),
    ...top.map((r) => xinyi.el("tr", {}, xinyi.el("td", {}, r.label || r.key), xinyi.el("td", { class: "num" }, r.redemptions), xinyi.el("td", { class: "num" }, r.citizens), xinyi.el("td", { class: "num" }, xinyi.yuan(r.net_fen)))));
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
    const reason = xinyi.el("input", { placeholder: "决定理由 · Reason for the citizen", class: "repair-reason" });
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

async function loadMerchants() {
  const merchants = await api("/v1/merchants");
  const action = (m) => xinyi.el("button", { onclick: () => setSuspended(m, !m.suspended) }, m.suspended ? "恢复 Resume" : "暂停 Suspend");
  const keyButton = (m) => xinyi.el("button", { onclick: () => newKey(m) }, "新密钥 New key");
  $("merchant-table").replaceChildren(
    xinyi.el("tr", {}, xinyi.el("th", {}, "商户 Merchant"), xinyi.el("th", {}, "类别 Category"), xinyi.el("th", {}, "区 District"), xinyi.el("th", {}, "")),
    ...merchants.map((m) => xinyi.el("tr", {}, xinyi.el("td", {}, m.name + (m.suspended ? " (已暂停 suspended)" : "")), xinyi.el("td", {}, m.category), xinyi.el("td", {}, m.district), xinyi.el("td", {}, action(m), " ", keyButton(m)))));
  $("o-merchant").replaceChildren(...merchants.map((m) => xinyi.el("option", { value: m.merchant_id }, m.name)));
}

async function setSuspended(m, suspend) {
  try {
    await api("/v1/merchants/" + m.merchant_id + (suspend ? "/suspend" : "/resume"), { method: "POST", body: {} });
    await loadMerchants();
  } catch (e) { xinyi.showError($("error"), e); }
}

async function newKey(m) {
  const label = prompt("收银端名称 · Terminal label", "front desk");
  if (!label) return;
  try {
    const key = await api("/v1/merchants/" + m.merchant_id + "/keys", { method: "POST", body: { label } });
    $("new-key").textContent = m.name + " 的新密钥(只显示一次)· New key, shown once: " + key.api_key;
  } catch (e) { xinyi.showError($("error"), e); }
}

async function createMerchant(event) {
  event.preventDefault();
  try {
    await api("/v1/merchants", { method: "POST", body: { name: $("m-name").value, category: $("m-category").value, district: $("m-district").value } });
    $("new-merchant").reset();
    await loadMerchants();
  } catch (e) { xinyi.showError($("error"), e); }
}

async function createOffer(event) {
  event.preventDefault();
  let body;
  try { body = JSON.parse($("o-body").value); } catch (_) {
    return xinyi.showError($("error"), new Error("优惠内容不是有效的 JSON · The offer is not valid JSON"));
  }
  try {
    await api("/v1/merchants/" + $("o-merchant").value + "/offers", { method: "POST", body });
    xinyi.showError($("error"), null);
    alert("优惠已创建 · Offer created");
  } catch (e) { xinyi.showError($("error"), new Error(e.message + (e.problem && e.problem.field ? " [" + e.problem.field + "]" : ""))); }
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
    await Promise.all([loadReports(), loadDisputes(), loadRepairs(), loadMerchants()]);
  } catch (e) {
    xinyi.showError($("error"), e);
    if (e.problem && (e.problem.status === 401 || e.problem.status === 403)) { xinyi.setToken("coordinator", null); return start(); }
    return;
  }
  $("sign-in").classList.add("hidden");
  $("dashboard").classList.remove("hidden");
  $("sign-out").classList.remove("hidden");
}

$("o-body").value = JSON.stringify(EXAMPLE_OFFER, null, 2);
$("token-form").addEventListener("submit", (e) => { e.preventDefault(); xinyi.setToken("coordinator", $("token-input").value.trim()); start(); });
$("demo-sign-in").addEventListener("click", async () => { xinyi.setToken("coordinator", await xinyi.api("/demo/token/coordinator")); start(); });
$("sign-out").addEventListener("click", () => { xinyi.setToken("coordinator", null); start(); });
$("period").addEventListener("change", () => loadReports().catch((e) => xinyi.showError($("error"), e)));
$("csv").addEventListener("click", () => downloadCsv().catch((e) => xinyi.showError($("error"), e)));
$("new-merchant").addEventListener("submit", createMerchant);
$("new-offer").addEventListener("submit", createOffer);
start();
