//! A citizen declares something a department confirms (信息申报), and
//! follows each declaration to its decision.

use super::auth::CitizenAuth;
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::domain::declarations::{DeclarationForm, MAX_PENDING};
use crate::domain::repairs::due_by;
use crate::ids::new_id;
use crate::storage::{Declaration, NewDeclaration};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"source": "civil-affairs", "kind": "志愿服务 volunteering",
    "description": "社区养老院志愿服务 12 小时 / 12 hours at the community care home", "occurred_on": "2026-11-20"}))]
pub struct DeclarationRequest {
    /// The department's source it is addressed to (`GET /v1/departments`).
    #[schema(pattern = "^[a-z][a-z0-9-]{1,63}$")]
    pub source: String,
    /// What kind of thing is declared, e.g. volunteering or blood donation.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub kind: String,
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub description: String,
    /// The day it happened, in China Standard Time; within the last year.
    #[schema(format = Date)]
    pub occurred_on: String,
    /// A reference the department can check: a certificate number, a link.
    #[schema(max_length = 500)]
    pub evidence: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FiledDeclaration {
    pub declaration_id: String,
    /// Always `pending` when filed.
    pub status: String,
    /// Three working days (Monday–Friday, China Standard Time) ahead.
    #[serde(with = "time::serde::rfc3339")]
    pub due_by: OffsetDateTime,
}

/// Declares something to a department. At most five pending at once.
#[utoipa::path(post, path = "/v1/me/declarations", tag = "citizen", security(("citizen" = [])),
    request_body = DeclarationRequest,
    responses((status = 201, body = FiledDeclaration),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown_source: no department has it"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "too_many_pending"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn file_declaration(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiJson(body): ApiJson<DeclarationRequest>,
) -> Result<(StatusCode, Json<FiledDeclaration>), ApiError> {
    let now = OffsetDateTime::now_utc();
    let form = DeclarationForm::parse(
        &body.source,
        &body.kind,
        &body.description,
        &body.occurred_on,
        body.evidence.as_deref(),
        now,
    )
    .map_err(|e| ApiError::invalid(e.field, e.message))?;
    if !state.store.source_has_department(&form.source).await? {
        return Err(ApiError::Refused {
            status: StatusCode::NOT_FOUND,
            code: "unknown_source",
            title: "没有这个部门 / Unknown source",
            detail: format!(
                "没有部门使用来源 {0},见 GET /v1/departments / No department has the source {0}",
                form.source
            ),
        });
    }
    let declaration_id = new_id("dcl");
    let due = due_by(now);
    let new =
        NewDeclaration { declaration_id: &declaration_id, citizen: citizen.number, form: &form, due_by: due, now };
    if !state.store.file_declaration(&new).await? {
        return Err(ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "too_many_pending",
            title: "待处理的申报过多 / Too many pending declarations",
            detail: format!(
                "最多同时有 {MAX_PENDING} 项待处理的申报,请等待部门处理 / At most {MAX_PENDING} declarations may be pending at once"
            ),
        });
    }
    Ok((StatusCode::CREATED, Json(FiledDeclaration { declaration_id, status: "pending".into(), due_by: due })))
}

/// The citizen's declarations, newest first, with each decision and reason.
#[utoipa::path(get, path = "/v1/me/declarations", tag = "citizen", security(("citizen" = [])),
    responses((status = 200, body = Vec<Declaration>)))]
pub async fn my_declarations(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
) -> Result<Json<Vec<Declaration>>, ApiError> {
    Ok(Json(state.store.declarations_of(citizen.number, OffsetDateTime::now_utc()).await?))
}
