//! A citizen asks for credit repair of a black-list entry or a negative
//! score event, and follows the requests.

use super::auth::CitizenAuth;
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::domain::repairs::{check_repairable, due_by};
use crate::domain::text::visible_text;
use crate::ids::new_id;
use crate::storage::{NewRepair, Repair, RepairRef};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct RepairRequest {
    /// A black-list entry of the citizen's (give this or `event_id`).
    pub entry_id: Option<String>,
    /// A negative score event of the citizen's (give this or `entry_id`).
    pub event_id: Option<String>,
    /// What the citizen has put right, for the deciding department.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub statement: String,
}

#[derive(Serialize, ToSchema)]
pub struct FiledRepair {
    pub repair_id: String,
    /// Always `pending` when filed.
    pub status: String,
    /// Three working days (Monday–Friday, China Standard Time) ahead.
    #[serde(with = "time::serde::rfc3339")]
    pub due_by: OffsetDateTime,
}

fn target_of(body: &RepairRequest) -> Result<RepairRef, ApiError> {
    match (body.entry_id.as_deref().map(str::trim), body.event_id.as_deref().map(str::trim)) {
        (Some(entry), None) if !entry.is_empty() => Ok(RepairRef::Entry(entry.to_owned())),
        (None, Some(event)) if !event.is_empty() => Ok(RepairRef::Event(event.to_owned())),
        _ => Err(ApiError::invalid(
            "entry_id",
            "须给出 entry_id 或 event_id 之一 / give exactly one of entry_id and event_id",
        )),
    }
}

/// Asks for credit repair. One pending request per entry or event; only
/// the citizen's own; only something there is to repair.
#[utoipa::path(post, path = "/v1/me/repairs", tag = "citizen", security(("citizen" = [])),
    request_body = RepairRequest,
    responses((status = 201, body = FiledRepair),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "not the citizen's entry or event"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "repair_pending: one is pending already"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "nothing_to_repair, or a bad field")))]
pub async fn file_repair(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiJson(body): ApiJson<RepairRequest>,
) -> Result<(StatusCode, Json<FiledRepair>), ApiError> {
    let target = target_of(&body)?;
    let statement = visible_text(&body.statement, 2000)
        .ok_or_else(|| ApiError::invalid("statement", "须为 1 到 2000 个字符 / must be 1 to 2000 characters"))?;
    let now = super::whole_second_now();
    let stored = state.store.repair_target(citizen.number, &target).await?;
    let stored =
        stored.ok_or_else(|| ApiError::not_found("你的名单条目或信用事件 / your list entry or score event"))?;
    check_repairable(&stored, now).map_err(|_| ApiError::Refused {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "nothing_to_repair",
        title: "无需修复 / Nothing to repair",
        detail: "只能修复生效中的失信名单条目或未修复的扣分事件 / Only an active black-list entry or a penalty not yet repaired can be repaired".into(),
    })?;
    let repair = NewRepair {
        repair_id: new_id("rep"),
        citizen: citizen.number,
        target,
        statement: statement.to_owned(),
        due_by: due_by(now),
        created_at: now,
    };
    if !state.store.file_repair(&repair).await? {
        return Err(ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "repair_pending",
            title: "已有待处理的修复申请 / A request is pending",
            detail: "此条目已有待处理的信用修复申请 / A repair request for this is pending already".into(),
        });
    }
    let filed = FiledRepair { repair_id: repair.repair_id, status: "pending".into(), due_by: repair.due_by };
    Ok((StatusCode::CREATED, Json(filed)))
}

/// The citizen's repair requests, newest first, with each decision and its reason.
#[utoipa::path(get, path = "/v1/me/repairs", tag = "citizen", security(("citizen" = [])),
    responses((status = 200, body = Vec<Repair>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_repairs(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
) -> Result<Json<Vec<Repair>>, ApiError> {
    Ok(Json(state.store.repairs_of(citizen.number, OffsetDateTime::now_utc()).await?))
}
