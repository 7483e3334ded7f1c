// The checkout page: a focused input for keyboard-wedge scanners (the code
// then Enter), a camera option, an offer picker and an amount. A scan asks
// for a quote first and Enter (or the button) confirms it; a till set to
// "redeem on scan" redeems in one step. The verdict in large type; recent
// redemptions with a void button; today's and yesterday's statements.
"use strict";

const $ = (id) => document.getElementById(id);
let offers = [];
/** The quoted request waiting for the cashier's confirmation. */
let pending = null;
/** A clock this far from the service's is wrong enough to matter: codes live minutes. */
const CLOCK_TOLERANCE_MS = 30_000;
const ONE_STEP = "xinyi.merchant.one-step";

/** "150", "150.5" or "150.05" yuan to integer fen, without floating point. */
function yuanToFen(text) {
  const m = String(text).trim().match(/^(\d{1,9})(?:\.(\d{1,2}))?$/);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0"));
}

async function showSignIn() {
  for (const id of ["checkout", "verdict-box", "recent-box", "statements-box", "sign-out"]) $(id).classList.add("hidden");
  $("sign-in").classList.remove("hidden");
  try {
    const merchants = await xinyi.api("/demo/merchants");
    $("demo-merchants").replaceChildren(...merchants.map((m) => xinyi.el("button", { class: "primary", onclick: () => signIn(m.api_key) }, m.name)));
  } catch (_) { /* not the demo */ }
}

function signIn(key) {
  xinyi.setToken("merchant", key.trim());
  start();
}

function signOut() {
  xinyi.setToken("merchant", null);
  showSignIn();
}

async function loadOffers() {
  offers = await xinyi.api("/v1/merchant/offers", { token: xinyi.token("merchant") });
  $("offer").replaceChildren(...offers.filter((o) => o.active).map((o) =>
    xinyi.el("option", { value: o.offer_id }, o.title + " · " + o.tiers.map((t) => "L" + t.min_level + " " + xinyi.tierText(t)).join(" / "))));
}

async function loadRecent() {
  const rows = await xinyi.api("/v1/merchant/redemptions?limit=20", { token: xinyi.token("merchant") });
  $("recent").replaceChildren(...rows.map((r) => {
    const button = xinyi.el("button", { onclick: () => voidRedemption(r) }, "撤销 Void");
    if (r.voided_at) button.disabled = true;
    return xinyi.el("li", {},
      xinyi.el("span", {}, r.offer_title + " · 等级 " + r.level, xinyi.el("br"),
        xinyi.el("span", { class: "muted" }, r.created_at.slice(11, 19) + " · " + xinyi.yuan(r.amount_fen) + " − " + xinyi.yuan(r.discount_fen) + " = " + xinyi.yuan(r.payable_fen) + (r.voided_at ? " · 已撤销 voided" : ""))),
      button);
  }));
  $("recent-box").classList.remove("hidden");
}

function checkClock() {
  const offset = xinyi.clockOffset;
  const off = offset !== null && Math.abs(offset) > CLOCK_TOLERANCE_MS;
  $("clock-warning").textContent = off
    ? "本机时钟与服务相差 " + Math.round(Math.abs(offset) / 1000) + " 秒,请校准时间 · This terminal's clock is " + Math.round(Math.abs(offset) / 1000) + " s " + (offset > 0 ? "slow" : "fast") + "; set it right: codes and offline scans depend on it"
    : "";
  $("clock-warning").classList.toggle("hidden", !off);
}

function verdict(ok, big, detail) {
  pending = null;
  $("confirm-box").classList.add("hidden");
  $("verdict").className = "verdict " + (ok ? "ok" : "bad");
  $("verdict").textContent = big;
  $("verdict-detail").textContent = detail;
  $("verdict-box").classList.remove("hidden");
}

function scanRequest() {
  const code = $("code").value.trim();
  const amount = yuanToFen($("amount").value);
  if (amount === null || amount <= 0) {
    verdict(false, "请输入金额 · Enter the amount", "金额格式如 150 或 150.50 · e.g. 150 or 150.50");
    $("amount").focus();
    return null;
  }
  return { code, offer_id: $("offer").value, amount_fen: amount };
}

async function scanned(event) {
  event.preventDefault();
  if (!$("code").value.trim()) {
    // Enter on an empty scan field confirms the quote on screen.
    if (pending) await confirmPending();
    return;
  }
  const request = scanRequest();
  $("code").value = "";
  $("code").focus();
  if (!request) return;
  if ($("one-step").checked) return redeem(request);
  try {
    const q = await xinyi.api("/v1/redemptions/quote", { method: "POST", token: xinyi.token("merchant"), body: request });
    verdict(true, q.level.name + " 级 · 优惠 " + xinyi.yuan(q.discount_fen), "应付 · Payable " + xinyi.yuan(q.payable_fen) + " (原价 " + xinyi.yuan(request.amount_fen) + ") · 请确认 · confirm to redeem");
    $("verdict").className = "verdict quote";
    pending = request;
    $("confirm-box").classList.remove("hidden");
  } catch (e) {
    verdict(false, e.problem ? e.problem.title : "查询失败 · Not checked", e.problem ? e.problem.detail : e.message);
  } finally {
    checkClock();
  }
}

async function confirmPending() {
  const request = pending;
  if (!request) return;
  await redeem(request);
  $("code").focus();
}

async function redeem(request) {
  try {
    const r = await xinyi.api("/v1/redemptions", {
      method: "POST", token: xinyi.token("merchant"),
      headers: { "Idempotency-Key": crypto.randomUUID() },
      body: { ...request, scanned_at: new Date().toISOString().slice(0, 19) + "Z" },
    });
    verdict(true, "已核销 · " + r.level.name + " 级 · 优惠 " + xinyi.yuan(r.discount_fen), "应付 · Payable " + xinyi.yuan(r.payable_fen) + " (原价 " + xinyi.yuan(r.amount_fen) + ") · " + (r.terminal || ""));
    await loadRecent();
  } catch (e) {
    verdict(false, e.problem ? e.problem.title : "核销失败 · Not redeemed", e.problem ? e.problem.detail : e.message);
  } finally {
    checkClock();
  }
}

/** The China Standard Time day `daysAgo` days back, by the service's clock. */
function chinaDay(daysAgo) {
  const now = Date.now() + (xinyi.clockOffset || 0);
  return new Date(now + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

async function downloadStatement(daysAgo) {
  const day = chinaDay(daysAgo);
  try {
    const csv = await xinyi.api("/v1/merchant/statements/" + day, { token: xinyi.token("merchant"), accept: "text/csv", blob: true });
    const link = xinyi.el("a", { href: URL.createObjectURL(csv), download: "statement-" + day + ".csv" });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

async function voidRedemption(r) {
  if (!confirm("撤销这笔核销?· Void this redemption?")) return;
  try {
    await xinyi.api("/v1/redemptions/" + r.redemption_id + "/void", { method: "POST", token: xinyi.token("merchant") });
    await loadRecent();
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

async function scanWithCamera() {
  if (!("BarcodeDetector" in window)) {
    xinyi.showError($("error"), new Error("此设备不支持摄像头扫码,请使用扫码枪 · Camera scanning is not supported here; use the scanner"));
    return;
  }
  const video = $("camera");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  video.classList.remove("hidden");
  await video.play();
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.classList.add("hidden"); };
  const look = async () => {
    const found = await detector.detect(video).catch(() => []);
    if (found.length) {
      stop();
      $("code").value = found[0].rawValue;
      $("scan-form").requestSubmit();
    } else if (!video.classList.contains("hidden")) {
      requestAnimationFrame(look);
    }
  };
  look();
}

function preview() {
  const offer = offers.find((o) => o.offer_id === $("offer").value);
  const amount = yuanToFen($("amount").value);
  $("preview").textContent = offer && amount ? "各等级优惠 · By level: " + offer.tiers.map((t) => "L" + t.min_level + " " + xinyi.tierText(t)).join(" / ") : "";
}

async function start() {
  if (!xinyi.token("merchant")) return showSignIn();
  try {
    await loadOffers();
    await loadRecent();
  } catch (e) {
    if (e.problem && (e.problem.status === 401 || e.problem.status === 403)) {
      xinyi.showError($("error"), e);
      return signOut();
    }
    xinyi.showError($("error"), e);
  }
  checkClock();
  $("sign-in").classList.add("hidden");
  $("statements-box").classList.remove("hidden");
  $("checkout").classList.remove("hidden");
  $("sign-out").classList.remove("hidden");
  $("code").focus();
}

$("scan-form").addEventListener("submit", scanned);
$("confirm").addEventListener("click", confirmPending);
$("cancel").addEventListener("click", () => { verdict(true, "", ""); $("verdict-box").classList.add("hidden"); $("code").focus(); });
function showMode() {
  $("scan-submit").textContent = $("one-step").checked ? "核销 Redeem" : "查询优惠 Check";
}
$("one-step").checked = localStorage.getItem(ONE_STEP) === "1";
$("one-step").addEventListener("change", () => { localStorage.setItem(ONE_STEP, $("one-step").checked ? "1" : "0"); showMode(); });
showMode();
$("statement-today").addEventListener("click", () => downloadStatement(0));
$("statement-yesterday").addEventListener("click", () => downloadStatement(1));
$("key-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("key-input").value); });
$("sign-out").addEventListener("click", signOut);
$("camera-button").addEventListener("click", () => scanWithCamera().catch((e) => xinyi.showError($("error"), e)));
$("amount").addEventListener("input", preview);
$("offer").addEventListener("change", preview);
start();
