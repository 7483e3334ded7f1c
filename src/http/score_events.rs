use super::auth::RecorderAuth;
use super::me::ScoreEventView;
use super::problem::{ApiError, ApiJson};
use super::state::AppState;
use crate::domain::levels::BASE_SCORE;
use crate::domain::score_event::NewScoreEvent;
use crate::storage::EventOutcome;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;
use xinyi_merchant_sdk::LevelView;

#[derive(Deserialize, ToSchema)]
pub struct ScoreEventRequest {
    /// Makes the event idempotent: sending it again never counts twice.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub event_id: String,
    /// Points added (positive) or taken away (negative), at most 1000 either way; never 0.
    #[schema(minimum = -1000, maximum = 1000)]
    pub delta: i64,
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub reason: String,
    /// Who reported the event, e.g. a department.
    #[schema(min_length = 1, max_length = 128, pattern = "\\S")]
    pub source: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub occurred_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedScoreEvent {
    pub citizen_id: String,
    pub event: ScoreEventView,
    /// False when this event id had been recorded before with the same content.
    pub newly_recorded: bool,
    pub score: i64,
    pub level: LevelView,
}

/// Adds a score event to a citizen (created at 500 if new). Idempotent by
/// `event_id`: the same event again answers 200 and changes nothing; the
/// same id with different content is refused with 409. A department posts
/// only under its own `source` (else 403 `source_not_yours`) and within its
/// `max_delta` (else 422 `delta_too_large`).
#[utoipa::path(post, path = "/v1/citizens/{citizen_id}/score-events", tag = "coordinator",
    security(("coordinator" = []), ("department" = [])),
    params(("citizen_id" = String, Path, description = "the identity provider's subject id")),
    request_body = ScoreEventRequest,
    responses(
        (status = 201, body = RecordedScoreEvent),
        (status = 200, body = RecordedScoreEvent, description = "already recorded"),
        (status = 409, body = super::problem::Problem, description = "event id reused with other content"),
        (status = 422, body = super::problem::Problem)))]
pub async fn add_score_event(
    State(state): State<AppState>,
    RecorderAuth(principal): RecorderAuth,
    Path(citizen_id): Path<String>,
    ApiJson(body): ApiJson<ScoreEventRequest>,
) -> Result<(StatusCode, Json<RecordedScoreEvent>), ApiError> {
    principal.may_record(&body.source, Some(body.delta))?;
    let now = OffsetDateTime::now_utc();
    let occurred_at = OffsetDateTime::parse(&body.occurred_at, &Rfc3339).map_err(|_| ApiError::InvalidField {
        field: "occurred_at".into(),
        detail: "须为 RFC 3339 时间,如 2026-11-28T08:00:00+08:00 / must be an RFC 3339 time".into(),
    })?;
    let event =
        NewScoreEvent::parse(&body.event_id, &citizen_id, body.delta, &body.reason, &body.source, occurred_at, now)
            .map_err(|e| ApiError::InvalidField { field: e.field.into(), detail: e.message })?;
    let outcome = state.store.record_score_events(std::slice::from_ref(&event), now).await?.pop();
    let status = match outcome {
        Some(EventOutcome::Recorded) => StatusCode::CREATED,
        Some(EventOutcome::AlreadyRecorded) => StatusCode::OK,
        Some(EventOutcome::Conflict(stored)) => {
            return Err(ApiError::Refused {
                status: axum::http::StatusCode::CONFLICT,
                code: "event_id_reused",
                title: "事件编号已被使用 / Event id already used",
                detail: format!(
                    "事件 {} 已以不同内容记录(市民 {},分值 {})/ Event {} was recorded before with different content",
                    stored.event_id, stored.citizen_id, stored.delta, stored.event_id
                ),
            });
        }
        None => return Err(ApiError::internal("the store returned no outcome for one event")),
    };
    let citizen = state.store.citizen_or_create(&citizen_id, now).await?;
    let score = BASE_SCORE + citizen.score_delta;
    let e = event.event().clone();
    Ok((
        status,
        Json(RecordedScoreEvent {
            citizen_id: citizen.citizen_id,
            event: e.into(),
            newly_recorded: status == StatusCode::CREATED,
            score,
            level: state.policy.thresholds.level_for(score).into(),
        }),
    ))
}
