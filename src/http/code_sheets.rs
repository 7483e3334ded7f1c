//! Printing a code sheet (纸质信用码): by the citizen (a family member at
//! home prints it for them) or by a service desk or coordinator at a
//! service hall. JSON, or an A4 page to print with `?format=html` or
//! `Accept: text/html`.

use super::auth::{CitizenAuth, StandingAuth};
use super::problem::{ApiError, ApiJson, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::code_sheets::{MAX_ACTIVE_SHEETS, SheetRequest, plan};
use crate::storage::{Citizen, NewCodeSheet, SheetOutcome};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use xinyi_merchant_sdk::{CodeClaims, LevelView};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetBody {
    /// How many codes, 1 to 20 (10 if left out).
    #[schema(minimum = 1, maximum = 20)]
    pub codes: Option<i64>,
    /// How many days the codes stay valid, 1 to 28 (28 if left out).
    #[schema(minimum = 1, maximum = 28)]
    pub valid_days: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// `json` (the default) or `html` for an A4 page to print.
    #[param(pattern = "^(json|html)$")]
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SheetCode {
    /// As printed under the QR: 1, 2, …
    pub number: u8,
    /// The credit code text (docs/credit-code.md, version 2: paper).
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct PrintedSheet {
    pub sheet_id: String,
    /// Every code of the sheet is valid until then (a code may live up to an hour longer).
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The level the codes carry; at redemption a lower current level applies instead.
    pub level: LevelView,
    pub codes: Vec<SheetCode>,
}

/// A new code sheet for the signed-in citizen.
#[utoipa::path(post, path = "/v1/me/code-sheets", tag = "citizen", security(("citizen" = [])),
    params(SheetQuery), request_body = SheetBody,
    responses(
        (status = 201, description = "the sheet: JSON, or with ?format=html (or Accept: text/html) an A4 page to print",
            content((PrintedSheet = "application/json"), (String = "text/html"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "blacklisted or level_too_low"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "too_many_sheets: 2 active sheets already"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "rate_limited: the signing key began seconds ago; retry after Retry-After"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn print_own_sheet(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiQuery(query): ApiQuery<SheetQuery>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SheetBody>,
) -> Result<Response, ApiError> {
    let html = wants_html(&query, &headers)?;
    let sheet = print_sheet(&state, &citizen, &body, None).await?;
    Ok(answer(sheet, html))
}

/// A new code sheet for a resident at a service hall. No name, id or
/// score is printed on it.
#[utoipa::path(post, path = "/v1/citizens/{citizen_id}/code-sheets", tag = "service desk",
    security(("coordinator" = []), ("service_desk" = [])),
    params(("citizen_id" = String, Path, description = "the identity provider's subject id"), SheetQuery),
    request_body = SheetBody,
    responses(
        (status = 201, description = "the sheet: JSON, or with ?format=html (or Accept: text/html) an A4 page to print",
            content((PrintedSheet = "application/json"), (String = "text/html"))),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "blacklisted or level_too_low"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "too_many_sheets"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "rate_limited: the signing key began seconds ago; retry after Retry-After"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn print_sheet_at_counter(
    State(state): State<AppState>,
    StandingAuth(principal): StandingAuth,
    Path(citizen_id): Path<String>,
    ApiQuery(query): ApiQuery<SheetQuery>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SheetBody>,
) -> Result<Response, ApiError> {
    let html = wants_html(&query, &headers)?;
    let citizen = super::code_sheet_list::resident(&state, &citizen_id).await?;
    let sheet = print_sheet(&state, &citizen, &body, Some(principal.principal_id)).await?;
    Ok(answer(sheet, html))
}

fn wants_html(query: &SheetQuery, headers: &HeaderMap) -> Result<bool, ApiError> {
    match query.format.as_deref() {
        Some("html") => Ok(true),
        Some("json") => Ok(false),
        None => Ok(headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))),
        Some(other) => {
            Err(ApiError::invalid("format", format!("须为 json 或 html / must be json or html, not {other:?}")))
        }
    }
}

fn answer(sheet: PrintedSheet, html: bool) -> Response {
    let no_store = (CACHE_CONTROL, "no-store");
    if html {
        let page = crate::web::code_sheet_page::render(&crate::web::code_sheet_page::Sheet {
            sheet_id: &sheet.sheet_id,
            valid_until: sheet.valid_until,
            level: &sheet.level.name,
            codes: sheet.codes.iter().map(|c| (c.number, c.code.as_str())).collect(),
        });
        return (StatusCode::CREATED, [(CONTENT_TYPE, "text/html; charset=utf-8"), no_store], page).into_response();
    }
    (StatusCode::CREATED, [no_store], Json(sheet)).into_response()
}

/// Signs the sheet's codes and stores their ids. Nothing is stored when
/// the citizen may not have codes or holds two active sheets already.
async fn print_sheet(
    state: &AppState,
    citizen: &Citizen,
    body: &SheetBody,
    created_by: Option<String>,
) -> Result<PrintedSheet, ApiError> {
    let request = SheetRequest::parse(body.codes, body.valid_days).map_err(|e| ApiError::invalid(e.field, e.detail))?;
    let now = super::whole_second_now();
    let level = super::code_gate::code_level(state, citizen, now).await?;
    let ring = state.keys.ring().await?;
    let key = ring.signing_key_at(now).ok_or_else(|| ApiError::internal("no signing key may sign now"))?;
    let plan = plan(request, now, key.sign_from, &mut rand::rngs::OsRng).map_err(|too_new| ApiError::RateLimited {
        retry_after_secs: too_new.wait.whole_seconds().unsigned_abs().max(1),
        detail: format!(
            "签名密钥刚刚更换,请 {} 秒后重试 / The signing key was just rotated: retry in {} s",
            too_new.wait.whole_seconds(),
            too_new.wait.whole_seconds()
        ),
    })?;
    let mut codes = Vec::with_capacity(plan.codes.len());
    let mut code_ids = Vec::with_capacity(plan.codes.len());
    for planned in &plan.codes {
        // A fresh sealed handle for every code: no two codes share it.
        let handle = key.sealer.seal(citizen.number, &mut rand::rngs::OsRng);
        let claims = CodeClaims { level, issued_at: planned.issued_at, lifetime: planned.lifetime, handle };
        let (code, code_id) = key.signer.sign_with_id(&claims).map_err(ApiError::internal)?;
        code_ids.push((planned.number, code_id.to_hex()));
        codes.push(SheetCode { number: planned.number, code });
    }
    let sheet_id = crate::ids::new_id("cs");
    let new = NewCodeSheet {
        sheet_id: sheet_id.clone(),
        citizen: citizen.number,
        kid: key.kid.clone(),
        created_at: now,
        valid_until: plan.valid_until,
        created_by,
        code_ids,
    };
    if let SheetOutcome::TooMany(active) = state.store.create_code_sheet(&new, MAX_ACTIVE_SHEETS).await? {
        return Err(ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "too_many_sheets",
            title: "有效的纸质信用码已达上限 / Too many active code sheets",
            detail: format!(
                "已有 {active} 张有效的纸质信用码(最多 {MAX_ACTIVE_SHEETS} 张),请先作废一张 / \
                 {active} active sheets already (at most {MAX_ACTIVE_SHEETS}): revoke one first"
            ),
        });
    }
    crate::metrics::paper_codes_issued(codes.len());
    Ok(PrintedSheet { sheet_id, valid_until: plan.valid_until, created_at: now, level: level.into(), codes })
}
