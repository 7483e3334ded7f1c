// The citizen page's family proxies (亲友代办): invite a family member to
// show one's code, accept a family member's invitation, switch the code
// shown between one's own and a family member's ("为家人出示"), and see
// and end the grants both ways, with every code a proxy fetched.
"use strict";

/** The grant whose grantor's code is shown, or null for one's own. */
let showingFor = null;
/** Running grants to the signed-in citizen, by grant id. */
let receivedGrants = new Map();

const GRANT_STATUS = { active: "有效 · Active", ended: "已结束 · Ended", expired: "已到期 · Expired" };

function grantLine(g) {
  return GRANT_STATUS[g.status] + " · " + (g.status === "active" ? "至 " + g.expires_at.slice(0, 10) + " · until" : (g.ended_at || g.expires_at).slice(0, 10));
}

function endButton(g) {
  if (g.status !== "active") return "";
  return xinyi.el("button", { class: "end-grant", onclick: () => endGrant(g) }, "结束授权 End");
}

async function loadProxies() {
  const list = await xinyi.api("/v1/me/proxies", { token: xinyi.token("citizen") });
  $("proxies-given").replaceChildren(...list.given.map((g) => {
    const redeemed = g.codes.filter((c) => c.redemption);
    return xinyi.el("li", {},
      xinyi.el("span", {}, "家人 " + g.other + " 可为我出示 · may show my code", xinyi.el("br"),
        xinyi.el("span", { class: "muted" }, grantLine(g) + " · 取码 " + g.codes_fetched + " 次 · codes fetched"),
        ...redeemed.map((c) => xinyi.el("span", { class: "muted proxy-redemption" }, xinyi.el("br"),
          c.redemption.redeemed_at.slice(0, 16).replace("T", " ") + " " + c.redemption.merchant_name + " · 优惠 " + xinyi.yuan(c.redemption.discount_fen)))),
      endButton(g));
  }));
  $("proxies-received").replaceChildren(...list.received.map((g) => xinyi.el("li", {},
    xinyi.el("span", {}, "我可为家人 " + g.other + " 出示 · I may show their code", xinyi.el("br"), xinyi.el("span", { class: "muted" }, grantLine(g))),
    endButton(g))));
  receivedGrants = new Map(list.received.filter((g) => g.status === "active").map((g) => [g.grant_id, g]));
  showSwitch();
  $("proxies-box").classList.remove("hidden");
}

/** The switch is there only for someone who may show a family member's code. */
function showSwitch() {
  const select = $("show-for");
  const chosen = showingFor && receivedGrants.has(showingFor.grant_id) ? showingFor.grant_id : "";
  select.replaceChildren(xinyi.el("option", { value: "" }, "本人 · My own code"),
    ...[...receivedGrants.values()].map((g) => xinyi.el("option", { value: g.grant_id }, "家人 " + g.other + " · Family member")));
  select.value = chosen;
  $("show-for-box").classList.toggle("hidden", receivedGrants.size === 0);
  if (!chosen && showingFor) switchTo("");
}

function switchTo(grantId) {
  showingFor = grantId ? receivedGrants.get(grantId) : null;
  $("showing-for").textContent = showingFor ? "正在为家人 " + showingFor.other + " 出示 · Showing a family member's code" : "";
  $("showing-for").classList.toggle("hidden", !showingFor);
  refreshCode();
}

async function invite(event) {
  event.preventDefault();
  try {
    const made = await xinyi.api("/v1/me/proxies", { method: "POST", token: xinyi.token("citizen"), body: { days: Number($("invite-days").value) } });
    $("invitation-digits").textContent = made.invitation.replace(/(\d{3})(\d{3})/, "$1 $2");
    $("invitation-expiry").textContent = "请在 " + new Date(made.expires_at).toLocaleTimeString("zh-CN", { hour12: false }) + " 前告诉家人 · Tell your family member within 10 minutes";
    $("invitation").classList.remove("hidden");
    xinyi.showError($("proxy-error"), null);
  } catch (e) {
    xinyi.showError($("proxy-error"), e);
  }
}

async function accept(event) {
  event.preventDefault();
  try {
    await xinyi.api("/v1/me/proxies/accept", { method: "POST", token: xinyi.token("citizen"), body: { invitation: $("accept-digits").value.replace(/\s/g, "") } });
    $("accept-digits").value = "";
    xinyi.showError($("proxy-error"), null);
    await loadProxies();
  } catch (e) {
    xinyi.showError($("proxy-error"), e);
  }
}

async function endGrant(g) {
  if (!confirm("结束这项代办授权?· End this grant?")) return;
  try {
    await xinyi.api("/v1/me/proxies/" + encodeURIComponent(g.grant_id), { method: "DELETE", token: xinyi.token("citizen") });
    await loadProxies();
  } catch (e) {
    xinyi.showError($("proxy-error"), e);
  }
}

$("show-for").addEventListener("change", (e) => switchTo(e.target.value));
$("invite-form").addEventListener("submit", invite);
$("accept-form").addEventListener("submit", accept);
