// The citizen page's printed code sheets (纸质信用码): a family member
// prints one for a resident without a phone, sees which numbers were
// used, and revokes a lost sheet.
"use strict";

const SHEET_STATUS = { active: "有效 · Active", revoked: "已作废 · Revoked", expired: "已过期 · Expired" };

async function loadSheets() {
  const list = await xinyi.api("/v1/me/code-sheets", { token: xinyi.token("citizen") });
  $("sheets").replaceChildren(...list.sheets.map((s) => xinyi.el("li", {},
    xinyi.el("span", {}, s.codes + " 个码 · codes · " + SHEET_STATUS[s.status], xinyi.el("br"),
      xinyi.el("span", { class: "muted" }, "至 " + s.valid_until.slice(0, 10) + " · until · 已用 used: " +
        (s.numbers_used.length ? s.numbers_used.join(", ") : "—"))),
    s.status === "active" ? xinyi.el("button", { class: "revoke-sheet", onclick: () => revokeSheet(s) }, "挂失作废 Revoke") : "")));
  $("sheets-box").classList.remove("hidden");
}

/** A new sheet, straight to its A4 page to print. */
async function printSheet() {
  try {
    const body = { codes: Number($("sheet-codes").value) };
    await xinyi.openPage("/v1/me/code-sheets?format=html", { method: "POST", token: xinyi.token("citizen"), body });
  } catch (e) {
    xinyi.showError($("sheet-error"), e);
  }
}

async function revokeSheet(s) {
  if (!confirm("作废这张纸质码?未用的码将不能再用 · Revoke this sheet? Its unused codes stop working")) return;
  try {
    await xinyi.api("/v1/me/code-sheets/" + encodeURIComponent(s.sheet_id) + "/revoke", { method: "POST", token: xinyi.token("citizen"), body: {} });
    await loadSheets();
  } catch (e) {
    xinyi.showError($("sheet-error"), e);
  }
}

$("print-sheet").addEventListener("click", printSheet);
