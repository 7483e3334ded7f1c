// The console's staff and scenarios: principals of every role (the token
// shown once, revocation at once) and the catalogue of 信易+ scenarios.
"use strict";

const ROLE_NAMES = { coordinator: "协调员 · coordinator", department: "部门 · department", auditor: "审计 · auditor", service_desk: "服务窗口 · service_desk" };
/** The scenario being renamed, or null when the form adds one. */
let renaming = null;

async function loadPrincipals() {
  const principals = await api("/v1/principals");
  $("principal-table").replaceChildren(xinyi.table(["名称 Name", "角色 Role", "来源 Source", "上限 Max", "状态 Status", "操作 Actions"],
    principals.map((p) => [p.name, ROLE_NAMES[p.role] || p.role, p.source || "—", p.max_delta ?? "—",
      p.revoked_at ? "已撤销 · Revoked " + p.revoked_at.slice(0, 10) : "有效 · Live",
      p.revoked_at ? "" : xinyi.el("button", { type: "button", onclick: () => revoke(p) }, "撤销 Revoke")])));
}

async function revoke(p) {
  if (!confirm("撤销 " + p.name + " 的凭证?立即生效 · Revoke " + p.name + "'s token? It stops working at once.")) return;
  try {
    await api("/v1/principals/" + p.principal_id + "/revoke", { method: "POST", body: {} });
    await loadPrincipals();
  } catch (e) { xinyi.showError($("error"), e); }
}

function showDepartmentFields() {
  const department = $("p-role").value === "department";
  for (const e of document.querySelectorAll("#new-principal .department-only")) e.classList.toggle("hidden", !department);
}

async function createPrincipal(event) {
  event.preventDefault();
  const body = { role: $("p-role").value, name: $("p-name").value };
  if (body.role === "department") Object.assign(body, { source: $("p-source").value.trim(), max_delta: Number($("p-max-delta").value) });
  try {
    const created = await api("/v1/principals", { method: "POST", body });
    xinyi.showFieldError($("new-principal"), $("error"), null);
    $("new-principal").reset();
    showDepartmentFields();
    $("new-token").replaceChildren(created.name + " 的凭证(只显示一次)· Token, shown once: ", xinyi.el("span", { class: "token" }, created.token));
    await loadPrincipals();
  } catch (e) { xinyi.showFieldError($("new-principal"), $("error"), e); }
}

async function loadCategories() {
  const categories = await xinyi.api("/v1/categories");
  $("category-table").replaceChildren(xinyi.table(["代码 Code", "中文 Chinese", "English", "商户 Merchants", "操作 Actions"],
    categories.map((c) => [c.code, c.name_zh, c.name_en, c.merchants,
      xinyi.el("button", { type: "button", onclick: () => startRename(c) }, "改名 Rename")]), [3]));
}

function startRename(c) {
  renaming = c;
  $("c-code").value = c.code;
  $("c-code").readOnly = true;
  $("c-name-zh").value = c.name_zh;
  $("c-name-en").value = c.name_en;
  $("category-editor-title").textContent = "场景改名 · Rename " + c.code;
  $("c-submit").textContent = "保存 · Save";
  $("c-name-zh").focus();
}

function stopRename() {
  renaming = null;
  $("category-form").reset();
  $("c-code").readOnly = false;
  $("category-editor-title").textContent = "添加场景 · Add a scenario";
  $("c-submit").textContent = "添加 · Add";
}

async function saveCategory(event) {
  event.preventDefault();
  const names = { name_zh: $("c-name-zh").value, name_en: $("c-name-en").value };
  try {
    if (renaming) await api("/v1/categories/" + renaming.code, { method: "PATCH", body: names });
    else await api("/v1/categories", { method: "POST", body: { code: $("c-code").value.trim(), ...names } });
    xinyi.showFieldError($("category-form"), $("error"), null);
    stopRename();
    await Promise.all([loadCategories(), loadMerchants()]);
  } catch (e) { xinyi.showFieldError($("category-form"), $("error"), e); }
}

$("p-role").addEventListener("change", showDepartmentFields);
$("new-principal").addEventListener("submit", createPrincipal);
$("category-form").addEventListener("submit", saveCategory);
showDepartmentFields();
panels.push(loadPrincipals, loadCategories);
