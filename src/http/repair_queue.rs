//! The coordinators' repair queue, and their decisions. Each decision is in
//! the audit log (the audit layer), and the citizen sees it with its reason.

use super::auth::{CoordinatorAuth, ReaderAuth};
use super::problem::{ApiError, ApiJson, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::repairs::{RepairEffect, RepairTarget, effect_of_approval};
use crate::domain::text::visible_text;
use crate::storage::{Repair, RepairDecision, RepairRef};
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

/// Repair requests with one status, oldest first; pending ones past their
/// due date are marked `overdue`.
#[utoipa::path(get, path = "/v1/repairs", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])), params(QueueQuery),
    responses((status = 200, body = Vec<Repair>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn repair_queue(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<Repair>>, ApiError> {
    let status = query.status.as_deref().filter(|s| !s.is_empty()).unwrap_or("pending");
    if !matches!(status, "pending" | "approved" | "rejected") {
        return Err(ApiError::invalid(
            "status",
            "须为 pending、approved 或 rejected / must be pending, approved or rejected",
        ));
    }
    Ok(Json(state.store.repairs_with_status(status, OffsetDateTime::now_utc()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

#[derive(Deserialize, ToSchema)]
pub struct DecideRequest {
    pub decision: Decision,
    /// Why, for the citizen to read.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
}

/// Approves or rejects a pending request. Approving a black-list entry ends
/// it; approving a score event adds a compensating event (reason "信用修复
/// credit repair", id = the repair's), so the history stays append-only.
#[utoipa::path(post, path = "/v1/repairs/{repair_id}/decide", tag = "coordinator", security(("coordinator" = [])),
    params(("repair_id" = String, Path)), request_body = DecideRequest,
    responses((status = 200, body = Repair),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already_decided"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn decide_repair(
    State(state): State<AppState>,
    CoordinatorAuth(coordinator): CoordinatorAuth,
    Path(repair_id): Path<String>,
    ApiJson(body): ApiJson<DecideRequest>,
) -> Result<Json<Repair>, ApiError> {
    let reason = visible_text(&body.reason, 500)
        .ok_or_else(|| ApiError::invalid("reason", "须为 1 到 500 个字符 / must be 1 to 500 characters"))?;
    let now = OffsetDateTime::now_utc();
    let (repair, citizen) =
        state.store.repair(&repair_id, now).await?.ok_or_else(|| ApiError::not_found("修复申请 / repair request"))?;
    let already = || ApiError::Refused {
        status: StatusCode::CONFLICT,
        code: "already_decided",
        title: "已作出决定 / Already decided",
        detail: "此申请已经处理 / This request was decided before".into(),
    };
    if repair.status != "pending" {
        return Err(already());
    }
    let (status, effect) = match body.decision {
        Decision::Reject => ("rejected", RepairEffect::None),
        Decision::Approve => {
            let target = match (&repair.entry_id, &repair.event_id) {
                (Some(entry), None) => RepairRef::Entry(entry.clone()),
                (None, Some(event)) => RepairRef::Event(event.clone()),
                _ => return Err(ApiError::internal("a stored repair names neither an entry nor an event")),
            };
            let target: RepairTarget = state
                .store
                .repair_target(citizen, &target)
                .await?
                .ok_or_else(|| ApiError::internal("a repair's entry or event is gone"))?;
            ("approved", effect_of_approval(&repair.repair_id, &target))
        }
    };
    let decision = RepairDecision { repair_id: &repair_id, citizen, status, reason, by: &coordinator.name, at: now };
    if !state.store.decide_repair(&decision, &effect).await? {
        return Err(already());
    }
    let (decided, _) =
        state.store.repair(&repair_id, now).await?.ok_or_else(|| ApiError::internal("a decided repair is gone"))?;
    Ok(Json(decided))
}
