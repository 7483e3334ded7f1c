// A department's page: the declarations addressed to its source, oldest
// first, each approved with points or rejected with a reason the citizen reads.
"use strict";

const $ = (id) => document.getElementById(id);
const token = () => xinyi.token("department");

function item(d) {
  const id = d.declaration_id;
  const delta = xinyi.el("input", { id: "delta-" + id, type: "number", min: "1", max: "1000", value: "10", class: "decision-delta" });
  const reason = xinyi.el("input", { id: "reason-" + id, maxlength: "500", class: "decision-reason", placeholder: "理由 · Reason" });
  const pending = d.status === "pending";
  return xinyi.el("li", { class: "declaration" },
    xinyi.el("div", {},
      xinyi.el("strong", {}, d.kind), " · " + d.occurred_on + " · " + d.citizen_id + (d.overdue ? " · 已超期 OVERDUE" : ""),
      xinyi.el("br"), xinyi.el("span", {}, d.description),
      d.evidence ? xinyi.el("span", { class: "muted" }, " · 证明 evidence: " + d.evidence) : "",
      xinyi.el("br"),
      pending
        ? xinyi.el("span", { class: "grid two" },
            xinyi.el("label", { for: delta.id }, "分值 · Points", delta),
            xinyi.el("label", { for: reason.id }, "理由 · Reason", reason))
        : xinyi.el("span", { class: "muted" }, (d.delta ? "+" + d.delta + " · " : "") + (d.decision_reason || ""))),
    pending
      ? xinyi.el("span", {},
          xinyi.el("button", { class: "primary approve", onclick: () => decide(d, true, delta.value, reason.value) }, "批准 Approve"), " ",
          xinyi.el("button", { class: "reject", onclick: () => decide(d, false, null, reason.value) }, "驳回 Reject"))
      : "");
}

async function loadQueue() {
  const rows = await xinyi.api("/v1/declarations?status=" + $("queue-status").value, { token: token() });
  $("queue").replaceChildren(...rows.map(item));
  $("no-queue").classList.toggle("hidden", rows.length > 0);
}

async function decide(d, approve, delta, reason) {
  const body = { approve, reason };
  if (approve) body.delta = Number(delta);
  try {
    await xinyi.api("/v1/declarations/" + d.declaration_id + "/decide", { method: "POST", token: token(), body });
    xinyi.showError($("error"), null);
    await loadQueue();
  } catch (e) {
    xinyi.showError($("error"), e);
  }
}

async function start() {
  const signedIn = Boolean(token());
  $("sign-in").classList.toggle("hidden", signedIn);
  $("queue-box").classList.toggle("hidden", !signedIn);
  $("sign-out").classList.toggle("hidden", !signedIn);
  if (!signedIn) {
    try { await xinyi.api("/demo/citizens"); $("demo-sign-in").classList.remove("hidden"); } catch (_) { /* not the demo */ }
    return;
  }
  try {
    await loadQueue();
  } catch (e) {
    xinyi.showError($("error"), e);
    if (e.problem && (e.problem.status === 401 || e.problem.status === 403)) { xinyi.setToken("department", null); start(); }
  }
}

$("token-form").addEventListener("submit", (e) => { e.preventDefault(); xinyi.setToken("department", $("token-input").value.trim()); start(); });
$("demo-sign-in").addEventListener("click", async () => { xinyi.setToken("department", await xinyi.api("/demo/token/department")); start(); });
$("sign-out").addEventListener("click", () => { xinyi.setToken("department", null); start(); });
$("queue-status").addEventListener("change", () => loadQueue().catch((e) => xinyi.showError($("error"), e)));
start();
