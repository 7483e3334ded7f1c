// The checkout page: a focused input for keyboard-wedge scanners (the code
// then Enter), a camera option, an offer picker and an amount; the verdict
// in large type; recent redemptions with a void button.
"use strict";

const $ = (id) => document.getElementById(id);
let offers = [];

/** "150", "150.5" or "150.05" yuan to integer fen, without floating point. */
function yuanToFen(text) {
  const m = String(text).trim().match(/^(\d{1,9})(?:\.(\d{1,2}))?$/);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0"));
}

function tierText(t) {
  if (t.kind === "percent_off") return t.percent + "% off" + (t.cap_fen ? " (≤" + xinyi.yuan(t.cap_fen) + ")" : "");
  if (t.kind === "amount_off") return xinyi.yuan(t.amount_fen) + " off ≥" + xinyi.yuan(t.min_spend_fen);
  return "free ≤" + xinyi.yuan(t.value_fen);
}

async function showSignIn() {
  for (const id of ["checkout", "verdict-box", "recent-box", "sign-out"]) $(id).classList.add("hidden");
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
    xinyi.el("option", { value: o.offer_id }, o.title + " · " + o.tiers.map((t) => "L" + t.min_level + " " + tierText(t)).join(" / "))));
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

function verdict(ok, big, detail) {
  $("verdict").className = "verdict " + (ok ? "ok" : "bad");
  $("verdict").textContent = big;
  $("verdict-detail").textContent = detail;
  $("verdict-box").classList.remove("hidden");
}

async function redeem(event) {
  event.preventDefault();
  const code = $("code").value.trim();
  const amount = yuanToFen($("amount").value);
  if (!code) return;
  if (amount === null || amount <= 0) {
    verdict(false, "请输入金额 · Enter the amount", "金额格式如 150 或 150.50 · e.g. 150 or 150.50");
    $("amount").focus();
    return;
  }
  try {
    const r = await xinyi.api("/v1/redemptions", {
      method: "POST", token: xinyi.token("merchant"),
      headers: { "Idempotency-Key": crypto.randomUUID() },
      body: { code, offer_id: $("offer").value, amount_fen: amount, scanned_at: new Date().toISOString().slice(0, 19) + "Z" },
    });
    verdict(true, r.level.name + " 级 · 优惠 " + xinyi.yuan(r.discount_fen), "应付 · Payable " + xinyi.yuan(r.payable_fen) + " (原价 " + xinyi.yuan(r.amount_fen) + ")");
    await loadRecent();
  } catch (e) {
    verdict(false, e.problem ? e.problem.title : "核销失败 · Not redeemed", e.problem ? e.problem.detail : e.message);
  } finally {
    $("code").value = "";
    $("code").focus();
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
  $("preview").textContent = offer && amount ? "各等级优惠 · By level: " + offer.tiers.map((t) => "L" + t.min_level + " " + tierText(t)).join(" / ") : "";
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
  $("sign-in").classList.add("hidden");
  $("checkout").classList.remove("hidden");
  $("sign-out").classList.remove("hidden");
  $("code").focus();
}

$("scan-form").addEventListener("submit", redeem);
$("key-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("key-input").value); });
$("sign-out").addEventListener("click", signOut);
$("camera-button").addEventListener("click", () => scanWithCamera().catch((e) => xinyi.showError($("error"), e)));
$("amount").addEventListener("input", preview);
$("offer").addEventListener("change", preview);
start();
