//! A citizen's code sheets: listed with the numbers used, and revoked when
//! one is lost. The citizen does this for themselves; a service desk or a
//! coordinator does it for a resident at the counter, and each staff read
//! is in the audit log (each staff revocation is, as every staff action).

use super::auth::{CitizenAuth, StandingAuth};
use super::problem::{ApiError, Problem};
use super::state::AppState;
use crate::storage::{Citizen, CodeSheet};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SheetView {
    pub sheet_id: String,
    /// How many codes were printed on it.
    pub codes: u8,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
    /// `active`, `revoked` or `expired`.
    #[schema(pattern = "^(active|revoked|expired)$")]
    pub status: &'static str,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// The staff principal who printed it at a counter; null when the citizen did.
    pub created_by: Option<String>,
    /// The staff principal who revoked it; null when the citizen did or nobody has.
    pub revoked_by: Option<String>,
    /// The printed numbers whose codes were redeemed, ascending.
    pub numbers_used: Vec<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct SheetList {
    /// Newest first.
    pub sheets: Vec<SheetView>,
}

impl SheetView {
    fn of(sheet: CodeSheet, now: OffsetDateTime) -> SheetView {
        let status = match (sheet.revoked_at, sheet.active_at(now)) {
            (Some(_), _) => "revoked",
            (None, true) => "active",
            (None, false) => "expired",
        };
        SheetView {
            sheet_id: sheet.sheet_id,
            codes: sheet.codes,
            created_at: sheet.created_at,
            valid_until: sheet.valid_until,
            status,
            revoked_at: sheet.revoked_at,
            created_by: sheet.created_by,
            revoked_by: sheet.revoked_by,
            numbers_used: sheet.used,
        }
    }
}

/// The resident a counter acts for, created on first sight as at sign-in:
/// a resident may come to the hall before ever opening the phone page.
pub(super) async fn resident(state: &AppState, citizen_id: &str) -> Result<Citizen, ApiError> {
    super::citizen_standing::check_citizen_id(citizen_id)?;
    Ok(state.store.citizen_or_create(citizen_id, OffsetDateTime::now_utc()).await?)
}

async fn list(state: &AppState, citizen: &Citizen) -> Result<SheetList, ApiError> {
    let now = OffsetDateTime::now_utc();
    let sheets = state.store.code_sheets_of(citizen.number).await?;
    Ok(SheetList { sheets: sheets.into_iter().map(|s| SheetView::of(s, now)).collect() })
}

async fn revoke(state: &AppState, citizen: &Citizen, sheet_id: &str, by: Option<&str>) -> Result<SheetView, ApiError> {
    let now = OffsetDateTime::now_utc();
    let sheet = state.store.revoke_code_sheet(citizen.number, sheet_id, by, now).await?;
    let sheet = sheet.ok_or_else(|| ApiError::not_found("code sheet"))?;
    crate::metrics::code_sheet_revoked();
    Ok(SheetView::of(sheet, now))
}

/// The signed-in citizen's code sheets, with the numbers used.
#[utoipa::path(get, path = "/v1/me/code-sheets", tag = "citizen", security(("citizen" = [])),
    responses((status = 200, body = SheetList),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_sheets(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
) -> Result<Json<SheetList>, ApiError> {
    Ok(Json(list(&state, &citizen).await?))
}

/// Revokes one of the citizen's sheets (lost, or no longer wanted): from
/// now on no node redeems its unspent codes. Revoking twice keeps the first.
#[utoipa::path(post, path = "/v1/me/code-sheets/{sheet_id}/revoke", tag = "citizen", security(("citizen" = [])),
    params(("sheet_id" = String, Path)),
    responses((status = 200, body = SheetView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such sheet of this citizen")))]
pub async fn revoke_my_sheet(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    Path(sheet_id): Path<String>,
) -> Result<Json<SheetView>, ApiError> {
    Ok(Json(revoke(&state, &citizen, &sheet_id, None).await?))
}

/// A resident's code sheets, read at the counter. The read is in the audit log.
#[utoipa::path(get, path = "/v1/citizens/{citizen_id}/code-sheets", tag = "service desk",
    security(("coordinator" = []), ("service_desk" = [])),
    params(("citizen_id" = String, Path, description = "the identity provider's subject id")),
    responses((status = 200, body = SheetList),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn resident_sheets(
    State(state): State<AppState>,
    StandingAuth(principal): StandingAuth,
    Path(citizen_id): Path<String>,
) -> Result<Json<SheetList>, ApiError> {
    let citizen = resident(&state, &citizen_id).await?;
    let sheets = list(&state, &citizen).await?;
    let look_up =
        super::audit::entry_by(principal, format!("GET /v1/citizens/{citizen_id}/code-sheets"), String::new());
    state.store.record_audit(&look_up).await?;
    Ok(Json(sheets))
}

/// Revokes a resident's sheet at the counter (reported lost or stolen).
#[utoipa::path(post, path = "/v1/citizens/{citizen_id}/code-sheets/{sheet_id}/revoke", tag = "service desk",
    security(("coordinator" = []), ("service_desk" = [])),
    params(("citizen_id" = String, Path, description = "the identity provider's subject id"), ("sheet_id" = String, Path)),
    responses((status = 200, body = SheetView),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such sheet of this resident"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_resident_sheet(
    State(state): State<AppState>,
    StandingAuth(principal): StandingAuth,
    Path((citizen_id, sheet_id)): Path<(String, String)>,
) -> Result<Json<SheetView>, ApiError> {
    let citizen = resident(&state, &citizen_id).await?;
    Ok(Json(revoke(&state, &citizen, &sheet_id, Some(&principal.principal_id)).await?))
}
