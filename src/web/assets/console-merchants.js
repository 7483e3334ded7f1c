// The console's merchants and their offers: the merchant table with
// suspend/resume and new terminal keys, the form that adds a merchant
// under a scenario of the catalogue, and each merchant's offers with what
// their budgets have left, suspend/resume and edit.
"use strict";

let merchantList = [];
let scenarioNames = new Map();

async function loadMerchants() {
  const [merchants, categories] = await Promise.all([api("/v1/merchants"), xinyi.api("/v1/categories")]);
  merchantList = merchants;
  scenarioNames = new Map(categories.map((c) => [c.code, c.name_zh + " " + c.name_en]));
  const chosen = $("m-category").value;
  $("m-category").replaceChildren(...categories.map((c) => xinyi.el("option", { value: c.code }, c.name_zh + " · " + c.name_en)));
  if (chosen) $("m-category").value = chosen;
  $("merchant-table").replaceChildren(xinyi.table(["商户 Merchant", "场景 Scenario", "区 District", "状态 Status", "操作 Actions"],
    merchants.map((m) => [m.name, scenarioNames.get(m.category) || m.category, m.district,
      m.suspended ? "已暂停 · Suspended" : "参与中 · Active",
      xinyi.el("span", {},
        xinyi.el("button", { type: "button", onclick: () => setSuspended(m, !m.suspended) }, m.suspended ? "恢复 Resume" : "暂停 Suspend"), " ",
        xinyi.el("button", { type: "button", onclick: () => newKey(m) }, "新密钥 New key"), " ",
        xinyi.el("button", { type: "button", onclick: () => showOffersOf(m.merchant_id) }, "优惠 Offers"))])));
  for (const select of [$("offers-merchant"), $("o-merchant")]) {
    const was = select.value;
    select.replaceChildren(...merchants.map((m) => xinyi.el("option", { value: m.merchant_id }, m.name)));
    if (merchants.some((m) => m.merchant_id === was)) select.value = was;
  }
  await loadOffers();
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
    $("new-key").replaceChildren(m.name + " 的新密钥(只显示一次)· New key, shown once: ", xinyi.el("span", { class: "token" }, key.api_key));
  } catch (e) { xinyi.showError($("error"), e); }
}

async function createMerchant(event) {
  event.preventDefault();
  const body = { name: $("m-name").value, category: $("m-category").value, district: $("m-district").value, address: $("m-address").value };
  try {
    await api("/v1/merchants", { method: "POST", body });
    $("new-merchant").reset();
    xinyi.showError($("error"), null);
    await loadMerchants();
  } catch (e) { xinyi.showError($("error"), e); }
}

function showOffersOf(merchantId) {
  $("offers-merchant").value = merchantId;
  loadOffers().catch((e) => xinyi.showError($("error"), e));
  $("offers").scrollIntoView();
}

/** What a budget has left: yuan and redemptions, or "no limit". */
function budgetLeft(o) {
  const parts = [];
  if (o.budget_fen !== null && o.budget_fen !== undefined) parts.push(xinyi.yuan(Math.max(0, o.budget_fen - o.granted_fen)) + " / " + xinyi.yuan(o.budget_fen));
  if (o.budget_count !== null && o.budget_count !== undefined) parts.push(Math.max(0, o.budget_count - o.granted_count) + " / " + o.budget_count + " 笔");
  return parts.length ? parts.join(" · ") : "不限 · No limit";
}

async function loadOffers() {
  const merchantId = $("offers-merchant").value;
  if (!merchantId) {
    $("offer-table").replaceChildren(xinyi.el("p", { class: "muted" }, "还没有商户 · No merchants yet"));
    return;
  }
  const offers = await api("/v1/merchants/" + merchantId + "/offers");
  if (!offers.length) {
    $("offer-table").replaceChildren(xinyi.el("p", { class: "muted" }, "此商户还没有优惠 · No offers for this merchant yet"));
    return;
  }
  $("offer-table").replaceChildren(xinyi.table(["优惠 Offer", "最低等级 From level", "预算剩余 Budget left", "已减免 Granted", "状态 Status", "操作 Actions"],
    offers.map((o) => [o.title, "L" + o.min_level, budgetLeft(o), xinyi.yuan(o.granted_fen) + " · " + o.granted_count + " 笔",
      o.active ? "生效 · Active" : "已暂停 · Suspended",
      xinyi.el("span", {},
        xinyi.el("button", { type: "button", onclick: () => setOfferActive(o, !o.active) }, o.active ? "暂停 Suspend" : "恢复 Resume"), " ",
        xinyi.el("button", { type: "button", onclick: () => editOffer(o) }, "编辑 Edit"))])));
}

async function setOfferActive(o, active) {
  try {
    await api("/v1/offers/" + o.offer_id + (active ? "/resume" : "/suspend"), { method: "POST", body: {} });
    await loadOffers();
  } catch (e) { xinyi.showError($("error"), e); }
}

$("new-merchant").addEventListener("submit", createMerchant);
$("offers-merchant").addEventListener("change", () => loadOffers().catch((e) => xinyi.showError($("error"), e)));
panels.push(loadMerchants);
