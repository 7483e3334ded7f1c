// The console's offer form: every field of an offer without JSON, amounts
// in yuan, a preview of what each level gets before saving, and the
// service's problem shown next to the field it names.
"use strict";

const LEVELS = [[1, "C"], [2, "B"], [3, "A"], [4, "AA"], [5, "AAA"]];
const KINDS = [["percent_off", "折扣 · Percent off"], ["amount_off", "立减 · Amount off"], ["free_service", "免费服务 · Free service"]];
/** The offer being edited, or null for a new one. */
let editing = null;
let tierCount = 0;

const fen = (yuan) => (yuan === "" || yuan === null ? null : Math.round(Number(yuan) * 100));
const yuanOf = (fenValue) => (fenValue === null || fenValue === undefined ? "" : (fenValue / 100).toFixed(2));
const number = (text) => (text === "" ? null : Number(text));

function levelSelect(id, field, value) {
  const select = xinyi.el("select", { id, "data-field": field }, ...LEVELS.map(([rank, name]) => xinyi.el("option", { value: rank }, "L" + rank + " · " + name)));
  select.value = String(value);
  return select;
}

function labelled(text, control) {
  return xinyi.el("label", {}, text, control);
}

/** One tier's row; its inputs name their API fields, so a problem lands next to the right one. */
function tierRow(tier) {
  const i = tierCount++;
  const row = xinyi.el("div", { class: "tier-row", "data-tier": i });
  const f = (name) => `tiers[${i}].${name}`;
  const level = levelSelect("t" + i + "-level", f("min_level"), tier.min_level);
  const kind = xinyi.el("select", { id: "t" + i + "-kind", "data-field": f("kind") }, ...KINDS.map(([k, name]) => xinyi.el("option", { value: k }, name)));
  kind.value = tier.kind;
  const input = (name, value, attrs) => xinyi.el("input", { id: "t" + i + "-" + name, type: "number", "data-field": f(name), ...attrs, value });
  const fields = {
    percent: labelled("折扣 % · Percent", input("percent", tier.percent ?? 10, { min: "1", max: "100", step: "1" })),
    cap_fen: labelled("封顶(元)· Cap (yuan)", input("cap_fen", yuanOf(tier.cap_fen), { min: "0.01", step: "0.01" })),
    amount_fen: labelled("立减(元)· Off (yuan)", input("amount_fen", yuanOf(tier.amount_fen ?? 1000), { min: "0.01", step: "0.01" })),
    min_spend_fen: labelled("满(元)· Spend at least (yuan)", input("min_spend_fen", yuanOf(tier.min_spend_fen ?? 0), { min: "0", step: "0.01" })),
    value_fen: labelled("价值上限(元)· Worth up to (yuan)", input("value_fen", yuanOf(tier.value_fen ?? 10000), { min: "0.01", step: "0.01" })),
  };
  const shown = { percent_off: ["percent", "cap_fen"], amount_off: ["amount_fen", "min_spend_fen"], free_service: ["value_fen"] };
  const showKind = () => {
    for (const [name, label] of Object.entries(fields)) label.classList.toggle("hidden", !shown[kind.value].includes(name));
    preview();
  };
  kind.addEventListener("change", showKind);
  const remove = xinyi.el("button", { type: "button", onclick: () => { row.remove(); preview(); } }, "删除此档 · Remove tier");
  row.append(labelled("等级起 · From level", level), labelled("方式 · Kind", kind), ...Object.values(fields), remove);
  row.addEventListener("input", preview);
  $("o-tier-rows").append(row);
  showKind();
}

/** The tiers as the API takes them, amounts in fen, in the form's order; each
 * row's inputs are renamed to the index the service will name in a problem. */
function tiersFromForm() {
  return [...document.querySelectorAll("#o-tier-rows .tier-row")].map((row, k) => {
    const i = row.dataset.tier;
    for (const input of row.querySelectorAll("[data-field]")) input.dataset.field = input.dataset.field.replace(/^tiers\[\d+\]/, `tiers[${k}]`);
    const v = (name) => $("t" + i + "-" + name).value;
    const kind = $("t" + i + "-kind").value;
    const tier = { min_level: Number($("t" + i + "-level").value), kind };
    if (kind === "percent_off") Object.assign(tier, { percent: number(v("percent")), cap_fen: fen(v("cap_fen")) });
    if (kind === "amount_off") Object.assign(tier, { amount_fen: fen(v("amount_fen")), min_spend_fen: fen(v("min_spend_fen")) ?? 0 });
    if (kind === "free_service") Object.assign(tier, { value_fen: fen(v("value_fen")) });
    return tier;
  });
}

/** datetime-local is China time: "2026-12-01T09:00" → RFC 3339 at +08:00. */
const chinaTime = (value) => (value ? value + ":00+08:00" : null);
const localInput = (rfc3339) => (rfc3339 ? new Date(Date.parse(rfc3339) + 8 * 3600 * 1000).toISOString().slice(0, 16) : "");

function offerFromForm() {
  const count = number($("o-limit-count").value);
  return {
    title: $("o-title").value,
    min_level: Number($("o-min-level").value),
    tiers: tiersFromForm(),
    per_citizen_limit: count === null ? null : { count, period: $("o-limit-period").value },
    budget_fen: fen($("o-budget-yuan").value),
    budget_count: number($("o-budget-count").value),
    valid_from: chinaTime($("o-valid-from").value),
    valid_until: chinaTime($("o-valid-until").value),
    ...(editing ? { active: editing.active } : {}),
  };
}

function preview() {
  const offer = offerFromForm();
  $("o-preview").replaceChildren(...LEVELS.map(([rank, name]) => {
    const tier = rank < offer.min_level ? null : [...offer.tiers].sort((a, b) => b.min_level - a.min_level).find((t) => t.min_level <= rank);
    return xinyi.el("li", {}, xinyi.el("span", {}, "L" + rank + " · " + name), xinyi.el("span", {}, tier ? xinyi.tierText(tier) : "无 · Nothing"));
  }));
}

function resetOfferForm(offer) {
  editing = offer;
  $("offer-form").reset();
  xinyi.showFieldError($("offer-form"), $("error"), null);
  $("o-min-level").replaceWith(levelSelect("o-min-level", "min_level", offer ? offer.min_level : 3));
  $("o-min-level").addEventListener("change", preview);
  $("o-tier-rows").replaceChildren();
  const tiers = offer ? offer.tiers : [{ min_level: 3, kind: "percent_off", percent: 10, cap_fen: 5000 }, { min_level: 5, kind: "free_service", value_fen: 30000 }];
  tiers.forEach(tierRow);
  if (offer) {
    $("o-merchant").value = offer.merchant_id;
    $("o-title").value = offer.title;
    $("o-limit-count").value = offer.per_citizen_limit ? offer.per_citizen_limit.count : "";
    if (offer.per_citizen_limit) $("o-limit-period").value = offer.per_citizen_limit.period;
    $("o-budget-yuan").value = yuanOf(offer.budget_fen);
    $("o-budget-count").value = offer.budget_count ?? "";
    $("o-valid-from").value = localInput(offer.valid_from);
    $("o-valid-until").value = localInput(offer.valid_until);
  }
  $("o-merchant").disabled = Boolean(offer);
  $("offer-editor-title").textContent = offer ? "编辑优惠 · Edit offer: " + offer.title : "新建优惠 · New offer";
  $("o-submit").textContent = offer ? "保存修改 · Save changes" : "创建优惠 · Create offer";
  $("o-cancel").classList.toggle("hidden", !offer);
  preview();
}

function editOffer(offer) {
  resetOfferForm(offer);
  $("offer-editor-title").scrollIntoView();
  $("o-title").focus();
}

async function saveOffer(event) {
  event.preventDefault();
  const body = offerFromForm();
  try {
    if (editing) await api("/v1/offers/" + editing.offer_id, { method: "PUT", body });
    else await api("/v1/merchants/" + $("o-merchant").value + "/offers", { method: "POST", body });
    $("offers-merchant").value = editing ? editing.merchant_id : $("o-merchant").value;
    const saved = editing ? "已保存 · Saved: " : "已创建 · Created: ";
    resetOfferForm(null);
    $("offer-saved").textContent = saved + body.title;
    await loadOffers();
  } catch (e) {
    xinyi.showFieldError($("offer-form"), $("error"), e);
  }
}

$("o-add-tier").addEventListener("click", () => { tierRow({ min_level: 5, kind: "percent_off", percent: 15 }); preview(); });
$("o-cancel").addEventListener("click", () => resetOfferForm(null));
$("offer-form").addEventListener("submit", saveOffer);
$("offer-form").addEventListener("input", preview);
resetOfferForm(null);
