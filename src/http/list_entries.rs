//! Red- and black-list entries, put on by coordinators and by departments
//! under their own source, ended early by coordinators. Both are in the
//! audit log (the audit layer records every staff write).

use super::auth::{CoordinatorAuth, RecorderAuth};
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::domain::lists::{ListEntry, ListKind, NewListEntry};
use crate::domain::text::visible_text;
use crate::ids::new_id;
use crate::storage::WriteOutcome;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct ListEntryRequest {
    /// black or red.
    #[schema(example = "black", pattern = "^(black|red)$")]
    pub list: String,
    /// Why, as the citizen will read it, e.g. "法院失信被执行人".
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
    /// Who listed the citizen, e.g. a court or a department.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub source: String,
    /// RFC 3339; now when absent.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub starts_at: Option<OffsetDateTime>,
    /// RFC 3339; null: until ended.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
    /// Makes the request idempotent (a department's own id); one is made when absent.
    pub entry_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListEntryView {
    pub entry_id: String,
    pub list: ListKind,
    pub reason: String,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
    /// When it was ended early, and why.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub end_reason: Option<String>,
}

impl From<ListEntry> for ListEntryView {
    fn from(e: ListEntry) -> Self {
        ListEntryView {
            entry_id: e.entry_id,
            list: e.list,
            reason: e.reason,
            source: e.source,
            starts_at: e.window.starts_at,
            ends_at: e.window.ends_at,
            ended_at: e.window.ended_at,
            end_reason: e.end_reason,
        }
    }
}

/// Puts a citizen (created if new) on the black or the red list. With an
/// `entry_id` sent before with the same content, answers 200 and changes nothing.
/// A department lists only under its own `source` (else 403 `source_not_yours`).
#[utoipa::path(post, path = "/v1/citizens/{citizen_id}/list-entries", tag = "coordinator",
    security(("coordinator" = []), ("department" = [])),
    params(("citizen_id" = String, Path, description = "the identity provider's subject id")),
    request_body = ListEntryRequest,
    responses((status = 201, body = ListEntryView), (status = 200, body = ListEntryView, description = "already recorded"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "entry_id reused with other content"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_list_entry(
    State(state): State<AppState>,
    RecorderAuth(principal): RecorderAuth,
    Path(citizen_id): Path<String>,
    ApiJson(body): ApiJson<ListEntryRequest>,
) -> Result<(StatusCode, Json<ListEntryView>), ApiError> {
    principal.may_record(&body.source, None)?;
    let now = OffsetDateTime::now_utc();
    let entry_id = body.entry_id.unwrap_or_else(|| new_id("lst"));
    let entry = NewListEntry::parse(
        &entry_id,
        &citizen_id,
        &body.list,
        &body.reason,
        &body.source,
        (body.starts_at, body.ends_at),
        now,
    )
    .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let status = match state.store.record_list_entries(std::slice::from_ref(&entry), now).await?.pop() {
        Some(WriteOutcome::Recorded) => StatusCode::CREATED,
        Some(WriteOutcome::AlreadyRecorded) => StatusCode::OK,
        Some(WriteOutcome::Conflict(stored)) => {
            return Err(ApiError::Refused {
                status: StatusCode::CONFLICT,
                code: "entry_id_reused",
                title: "名单条目编号已被使用 / Entry id already used",
                detail: format!(
                    "{} 已以不同内容记录 / {} was recorded before with different content",
                    stored.entry_id, stored.entry_id
                ),
            });
        }
        None => return Err(ApiError::internal("the store returned no outcome for one entry")),
    };
    let stored =
        state.store.list_entry(&entry_id).await?.ok_or_else(|| ApiError::internal("a recorded entry is gone"))?;
    Ok((status, Json(stored.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct EndRequest {
    /// Why it ends early, for the citizen and the audit log.
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
}

/// Ends a list entry now, before its planned end.
#[utoipa::path(post, path = "/v1/list-entries/{entry_id}/end", tag = "coordinator", security(("coordinator" = [])),
    params(("entry_id" = String, Path)), request_body = EndRequest,
    responses((status = 200, body = ListEntryView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already_ended"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn end_list_entry(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(entry_id): Path<String>,
    ApiJson(body): ApiJson<EndRequest>,
) -> Result<Json<ListEntryView>, ApiError> {
    let reason = visible_text(&body.reason, 500)
        .ok_or_else(|| ApiError::invalid("reason", "须为 1 到 500 个字符 / must be 1 to 500 characters"))?;
    let now = OffsetDateTime::now_utc();
    let entry = state.store.list_entry(&entry_id).await?.ok_or_else(|| ApiError::not_found("名单条目 / list entry"))?;
    if entry.window.is_over(now) || !state.store.end_list_entry(&entry_id, reason, now).await? {
        return Err(ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "already_ended",
            title: "名单条目已结束 / Entry already ended",
            detail: "此条目已结束,无需再结束 / This entry has ended already".into(),
        });
    }
    let ended = state.store.list_entry(&entry_id).await?.ok_or_else(|| ApiError::internal("an ended entry is gone"))?;
    Ok(Json(ended.into()))
}
