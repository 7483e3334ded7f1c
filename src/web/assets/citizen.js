// The citizen's phone page: a QR that refreshes itself before it expires
// and when the page comes back into view, the red and black lists, the
// score and its reasons, credit repair of a black-list entry or a penalty,
// and the redemption history with a dispute button.
"use strict";

const $ = (id) => document.getElementById(id);
const REFRESH_BEFORE_EXPIRY_MS = 15000;
let current = null; // the issued code: {code, expires_at, ...}
let refreshTimer = null;
/** Repair requests by what they ask to lift: entry or event id → request. */
let repairsByTarget = new Map();
/** What the open repair form asks to lift: {entry_id} or {event_id}. */
let repairTarget = null;
/** The live offers, and the citizen's benefit level rank. */
let directory = [];
let benefitRank = 0;

function fragmentToken() {
  const match = location.hash.match(/token=([^&]+)/);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return decodeURIComponent(match[1]);
}

async function showSignIn() {
  for (const id of ["code", "score", "history", "no-code", "sign-out", "lists", "repairs-box", "repair-form-box", "where", "statement-box", "declare-box", "sheets-box", "proxies-box", "show-for-box"]) $(id).classList.add("hidden");
  $("sign-in").classList.remove("hidden");
  const list = $("demo-citizens");
  list.replaceChildren();
  try {
    const citizens = await xinyi.api("/demo/citizens");
    for (const c of citizens) {
      list.append(xinyi.el("button", { class: "primary", onclick: async () => signIn(await xinyi.api("/demo/token/" + c.citizen_id)) }, c.label));
    }
  } catch (_) { /* not the demo: only the identity provider signs citizens in */ }
}

function signIn(token) {
  xinyi.setToken("citizen", token.trim());
  start();
}

function signOut() {
  xinyi.setToken("citizen", null);
  clearTimeout(refreshTimer);
  current = null;
  showSignIn();
}

async function refreshCode() {
  clearTimeout(refreshTimer);
  // A family member's code (亲友代办) while the switch says so; one's own otherwise.
  const forWhom = showingFor;
  const path = "/v1/me/code" + (forWhom ? "?for=" + encodeURIComponent(forWhom.grant_id) : "");
  try {
    const issued = await xinyi.api(path, { method: "POST", token: xinyi.token("citizen") });
    if (forWhom !== showingFor) return; // switched while this was on its way
    current = issued;
    $("qr").innerHTML = current.qr_svg;
    $("qr").dataset.code = current.code;
    $("level-name").textContent = current.level.name;
    $("code").classList.remove("hidden", "stale");
    $("no-code").classList.add("hidden");
    xinyi.showError($("error"), null);
    care.announce(current, forWhom && forWhom.other);
    const wait = Date.parse(current.expires_at) - Date.now() - REFRESH_BEFORE_EXPIRY_MS;
    refreshTimer = setTimeout(refreshCode, Math.max(wait, 1000));
  } catch (e) {
    if (e.problem && e.problem.status === 401) return signOut();
    if (e.problem && ["level_too_low", "blacklisted", "grant_ended", "not_found"].includes(e.problem.code)) {
      current = null;
      $("code").classList.add("hidden");
      $("no-code").classList.remove("hidden");
      $("no-code-text").textContent = e.problem.title + " — " + e.problem.detail;
      return;
    }
    xinyi.showError($("error"), e);
    refreshTimer = setTimeout(refreshCode, 5000);
  }
  tick();
}

function tick() {
  if (!current) return;
  const left = Math.round((Date.parse(current.expires_at) - Date.now()) / 1000);
  if (left <= 0) {
    $("code").classList.add("stale");
    $("countdown").textContent = "已过期,正在刷新 · Expired, refreshing";
  } else {
    $("countdown").textContent = left + " 秒后失效 · valid for " + left + " s";
  }
}

/** A button to ask for repair of `target`, or the request's state if one stands. */
function repairAction(target, subject) {
  const request = repairsByTarget.get(target.entry_id || target.event_id);
  if (request && request.status !== "rejected") {
    return xinyi.el("span", { class: "muted" }, request.status === "pending" ? "修复申请处理中 · Repair pending" : "已修复 · Repaired");
  }
  return xinyi.el("button", { class: "repair", onclick: () => openRepairForm(target, subject) }, "申请信用修复 Ask for repair");
}

function showLists(entries) {
  const red = entries.find((e) => e.list === "red");
  $("red-badge").textContent = red ? "红名单 · Red list: " + red.reason : "";
  $("red-badge").classList.toggle("hidden", !red);
  $("list-entries").replaceChildren(...entries.map((e) => xinyi.el("li", {},
    xinyi.el("span", {}, xinyi.el("span", { class: "badge " + e.list }, e.list === "red" ? "红名单 Red list" : "失信名单 Black list"), " " + e.reason, xinyi.el("br"),
      xinyi.el("span", { class: "muted" }, e.source + " · " + e.starts_at.slice(0, 10) + (e.ends_at ? " – " + e.ends_at.slice(0, 10) : ""))),
    e.list === "black" ? repairAction({ entry_id: e.entry_id }, e.reason) : "")));
  $("lists").classList.toggle("hidden", entries.length === 0);
}

async function loadScore() {
  const [me, repairs] = await Promise.all([
    xinyi.api("/v1/me", { token: xinyi.token("citizen") }),
    xinyi.api("/v1/me/repairs", { token: xinyi.token("citizen") }),
  ]);
  repairsByTarget = new Map(repairs.map((r) => [r.entry_id || r.event_id, r]));
  showLists(me.lists);
  benefitRank = me.benefit_level.rank;
  showRepairs(repairs);
  $("score-value").textContent = me.score + " (" + me.level.name + (me.benefit_level.rank > me.level.rank ? " → " + me.benefit_level.name : "") + ")";
  $("next-level").textContent = me.next_level
    ? "再得 " + me.next_level.points_needed + " 分升至 " + me.next_level.name + " 级 · " + me.next_level.points_needed + " more points to " + me.next_level.name
    : "已是最高等级 · The highest level";
  const events = $("events");
  events.replaceChildren(...me.events.map((e) =>
    xinyi.el("li", {}, xinyi.el("span", {}, e.reason, xinyi.el("br"), xinyi.el("span", { class: "muted" }, e.occurred_at.slice(0, 10) + " · " + e.source)),
      xinyi.el("span", {}, xinyi.el("span", { class: e.delta >= 0 ? "delta-up" : "delta-down" }, (e.delta > 0 ? "+" : "") + e.delta),
        e.delta < 0 ? xinyi.el("br") : "", e.delta < 0 ? repairAction({ event_id: e.event_id }, e.reason + " (" + e.delta + ")") : ""))));
  $("score").classList.remove("hidden");
}

/** The tier an offer gives at `rank`: the highest at or below it. */
function tierAt(offer, rank) {
  if (rank < offer.min_level) return null;
  return [...offer.tiers].reverse().find((t) => t.min_level <= rank) || null;
}

async function loadDirectory() {
  directory = await xinyi.api("/v1/offers");
  const districts = [...new Set(directory.map((o) => o.merchant.district))].sort();
  const chosen = $("where-district").value;
  $("where-district").replaceChildren(xinyi.el("option", { value: "" }, "全部 · All"), ...districts.map((d) => xinyi.el("option", { value: d }, d)));
  $("where-district").value = districts.includes(chosen) ? chosen : "";
  showDirectory();
  $("where").classList.remove("hidden");
}

/** Offers for the citizen's level first, grouped by category, each with what it gives at that level. */
function showDirectory() {
  const district = $("where-district").value;
  const shown = directory.filter((o) => !district || o.merchant.district === district);
  const mine = shown.filter((o) => tierAt(o, benefitRank));
  const others = shown.filter((o) => !tierAt(o, benefitRank));
  const item = (o) => {
    const tier = tierAt(o, benefitRank);
    return xinyi.el("li", { class: tier ? "offer" : "offer muted" },
      xinyi.el("span", {}, o.merchant.name + " · " + o.title, xinyi.el("br"),
        xinyi.el("span", { class: "muted" }, o.merchant.district + (o.merchant.address ? " · " + o.merchant.address : ""))),
      xinyi.el("span", {}, tier ? xinyi.tierText(tier) : "需 L" + o.min_level + " · needs level " + o.min_level));
  };
  const groups = [];
  // The catalogue's names come with each offer, 中文 first; the directory is ordered by category.
  const categories = new Map(mine.map((o) => [o.merchant.category, o.merchant.category_name_zh + " · " + o.merchant.category_name_en]));
  for (const [category, name] of categories) {
    const offers = mine.filter((o) => o.merchant.category === category);
    groups.push(xinyi.el("h3", {}, name), xinyi.el("ul", { class: "list" }, ...offers.map(item)));
  }
  if (others.length) groups.push(xinyi.el("h3", { class: "muted" }, "更高等级可用 · At higher levels"), xinyi.el("ul", { class: "list" }, ...others.map(item)));
  if (!shown.length) groups.push(xinyi.el("p", { class: "muted" }, "暂无可用优惠 · No offers here yet"));
  $("where-list").replaceChildren(...groups);
}

async function openStatement() {
  try {
    await xinyi.openPage("/v1/me/statement?format=html", { token: xinyi.token("citizen") });
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

const STATUS = { pending: "处理中 · Pending", approved: "已批准 · Approved", rejected: "未批准 · Rejected" };

function showRepairs(repairs) {
  $("repairs").replaceChildren(...repairs.map((r) => xinyi.el("li", {},
    xinyi.el("span", {}, r.subject, xinyi.el("br"),
      xinyi.el("span", { class: "muted" }, STATUS[r.status] + (r.status === "pending" ? " · 预计 " + r.due_by.slice(0, 10) + " 前答复 · due by " + r.due_by.slice(0, 10) : " · " + (r.decision_reason || "")))))));
  $("repairs-box").classList.toggle("hidden", repairs.length === 0);
}

function openRepairForm(target, subject) {
  repairTarget = target;
  $("repair-subject").textContent = subject;
  $("repair-statement").value = "";
  $("repair-form-box").classList.remove("hidden");
  $("repair-statement").focus();
}

async function submitRepair(event) {
  event.preventDefault();
  try {
    await xinyi.api("/v1/me/repairs", { method: "POST", token: xinyi.token("citizen"), body: { ...repairTarget, statement: $("repair-statement").value } });
    $("repair-form-box").classList.add("hidden");
    await loadScore();
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

async function loadHistory() {
  const rows = await xinyi.api("/v1/me/redemptions", { token: xinyi.token("citizen") });
  $("redemptions").replaceChildren(...rows.map((r) => {
    const status = r.voided ? "已撤销 Voided" : r.dispute_status ? "异议 " + r.dispute_status : "";
    const dispute = xinyi.el("button", { onclick: () => dispute(r) }, "异议 Dispute");
    if (r.voided || r.dispute_status === "open") dispute.disabled = true;
    return xinyi.el("li", {},
      xinyi.el("span", {}, r.merchant_name + " · " + r.offer_title, xinyi.el("br"),
        xinyi.el("span", { class: "muted" }, r.redeemed_at.slice(0, 16).replace("T", " ") + " · 优惠 " + xinyi.yuan(r.discount_fen) + " " + status)),
      dispute);
  }));
  $("no-redemptions").classList.toggle("hidden", rows.length > 0);
  $("history").classList.remove("hidden");
}

async function dispute(r) {
  const reason = prompt("请说明异议原因 · Why do you dispute this redemption?");
  if (!reason) return;
  try {
    await xinyi.api("/v1/me/redemptions/" + r.redemption_id + "/dispute", { method: "POST", token: xinyi.token("citizen"), body: { reason } });
    await loadHistory();
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

async function start() {
  if (!xinyi.token("citizen")) return showSignIn();
  $("sign-in").classList.add("hidden");
  $("sign-out").classList.remove("hidden");
  await refreshCode();
  try {
    await Promise.all([loadScore(), loadHistory()]);
    await Promise.all([loadDirectory(), loadDeclarations(), loadProxies(), loadSheets()]);
    $("statement-box").classList.remove("hidden");
  } catch (e) {
    if (e.problem && e.problem.status === 401) return signOut();
    xinyi.showError($("error"), e);
  }
}

// Back in view (phone unlocked, tab switched back): a code about to expire is replaced at once.
function onVisible() {
  if (document.visibilityState !== "visible" || !current) return;
  if (Date.parse(current.expires_at) - Date.now() < REFRESH_BEFORE_EXPIRY_MS * 2) refreshCode();
}

document.addEventListener("visibilitychange", onVisible);
window.addEventListener("focus", onVisible);
setInterval(tick, 1000);
$("sign-out").addEventListener("click", signOut);
$("repair-form").addEventListener("submit", submitRepair);
$("where-district").addEventListener("change", showDirectory);
$("open-statement").addEventListener("click", openStatement);
$("repair-cancel").addEventListener("click", () => $("repair-form-box").classList.add("hidden"));
$("token-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token-input").value); });
$("read-aloud").addEventListener("click", () => current && care.speak(care.words(current, showingFor && showingFor.other)));
// After every script of the page has run: proxy.js and care.js hold state refreshCode reads.
document.addEventListener("DOMContentLoaded", () => {
  const fromFragment = fragmentToken();
  if (fromFragment) xinyi.setToken("citizen", fromFragment);
  start();
});
