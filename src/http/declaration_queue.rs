//! A department's queue of declarations addressed to its source, and its
//! decisions: an approval is a score event under the department's source
//! whose event id is the declaration's, so it counts once.

use super::auth::DepartmentAuth;
use super::problem::{ApiError, ApiJson, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::declarations::{DecisionRefusal, approval_event, check_decision};
use crate::storage::{Declaration, DeclarationDecision};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// pending (the default), approved or rejected.
    #[param(pattern = "^(pending|approved|rejected)?$")]
    pub status: Option<String>,
}

/// The declarations addressed to the department's source, oldest first,
/// those past their due day flagged `overdue`.
#[utoipa::path(get, path = "/v1/declarations", tag = "department", security(("department" = [])),
    params(QueueQuery), responses((status = 200, body = Vec<Declaration>)))]
pub async fn declaration_queue(
    State(state): State<AppState>,
    DepartmentAuth(department): DepartmentAuth,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<Declaration>>, ApiError> {
    let status = query.status.as_deref().filter(|s| !s.is_empty()).unwrap_or("pending");
    if !["pending", "approved", "rejected"].contains(&status) {
        return Err(ApiError::invalid(
            "status",
            "须为 pending、approved 或 rejected / must be pending, approved or rejected",
        ));
    }
    let source = department.own_source().expect("a department has a source");
    Ok(Json(state.store.declaration_queue(source, status, OffsetDateTime::now_utc()).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"approve": true, "delta": 12, "reason": "已核实服务记录 / service record checked"}))]
pub struct DecisionRequest {
    pub approve: bool,
    /// Points an approval gives: 1 to the department's `max_delta`. None with a rejection.
    #[schema(minimum = 1, maximum = 1000)]
    pub delta: Option<i64>,
    /// Why, for the citizen to read.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
}

/// Approves or rejects a declaration addressed to the department's source.
#[utoipa::path(post, path = "/v1/declarations/{declaration_id}/decide", tag = "department", security(("department" = [])),
    params(("declaration_id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = Declaration),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already_decided"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn decide_declaration(
    State(state): State<AppState>,
    DepartmentAuth(department): DepartmentAuth,
    Path(declaration_id): Path<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<Json<Declaration>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let (declaration, citizen) = state
        .store
        .declaration(&declaration_id, now)
        .await?
        .ok_or_else(|| ApiError::not_found("申报 / declaration"))?;
    let (delta, reason) = check_decision(&department, &declaration.source, body.approve, body.delta, &body.reason)
        .map_err(|refusal| match refusal {
            DecisionRefusal::Field(e) => ApiError::invalid(e.field, e.message),
            DecisionRefusal::Record(r) => r.into(),
        })?;
    if declaration.status != "pending" {
        return Err(already_decided());
    }
    let event = delta
        .map(|delta| {
            let d = &declaration;
            approval_event(&d.declaration_id, &d.citizen_id, &d.source, &d.kind, d.occurred_on, delta, now)
        })
        .transpose()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let decision = DeclarationDecision {
        declaration_id: &declaration_id,
        citizen,
        event: event.as_ref().map(|e| e.event()),
        reason: &reason,
        by: &department.principal_id,
        at: now,
    };
    if !state.store.decide_declaration(&decision).await? {
        return Err(already_decided());
    }
    let (decided, _) = state
        .store
        .declaration(&declaration_id, now)
        .await?
        .ok_or_else(|| ApiError::internal("a decided declaration is gone"))?;
    Ok(Json(decided))
}

fn already_decided() -> ApiError {
    ApiError::Refused {
        status: StatusCode::CONFLICT,
        code: "already_decided",
        title: "申报已处理 / Already decided",
        detail: "此申报已处理过,分值只计一次 / This declaration was decided before; its points count once".into(),
    }
}
