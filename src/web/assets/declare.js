// The citizen page's declarations (信息申报): a form addressed to a
// department, and each declaration's status and the department's reason.
"use strict";

const DECLARATION_STATUS = { pending: "处理中 · Pending", approved: "已批准 · Approved", rejected: "未批准 · Rejected" };

/** Today in China, as the date input wants it. */
function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

async function loadDeclarations() {
  const [departments, mine] = await Promise.all([
    xinyi.api("/v1/departments"),
    xinyi.api("/v1/me/declarations", { token: xinyi.token("citizen") }),
  ]);
  const chosen = $("declare-source").value;
  $("declare-source").replaceChildren(...departments.map((d) => xinyi.el("option", { value: d.source }, d.name)));
  if (departments.some((d) => d.source === chosen)) $("declare-source").value = chosen;
  $("declare-date").max = chinaToday();
  if (!$("declare-date").value) $("declare-date").value = chinaToday();
  $("declarations").replaceChildren(...mine.map((d) => xinyi.el("li", { class: "declaration" },
    xinyi.el("span", {}, d.kind + " · " + d.occurred_on, xinyi.el("br"),
      xinyi.el("span", { class: "muted" }, d.description)),
    xinyi.el("span", { class: "declaration-status" }, DECLARATION_STATUS[d.status] +
      (d.status === "approved" ? " +" + d.delta : "") +
      (d.status === "pending" ? " · " + d.due_by.slice(0, 10) + " 前 · by" : " · " + (d.decision_reason || ""))))));
  $("no-declarations").classList.toggle("hidden", mine.length > 0);
  $("declare-box").classList.remove("hidden");
}

async function submitDeclaration(event) {
  event.preventDefault();
  const evidence = $("declare-evidence").value.trim();
  const body = {
    source: $("declare-source").value,
    kind: $("declare-kind").value,
    description: $("declare-description").value,
    occurred_on: $("declare-date").value,
    ...(evidence ? { evidence } : {}),
  };
  try {
    await xinyi.api("/v1/me/declarations", { method: "POST", token: xinyi.token("citizen"), body });
    $("declare-form").reset();
    xinyi.showError($("error"), null);
    await loadDeclarations();
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

$("declare-form").addEventListener("submit", submitDeclaration);
