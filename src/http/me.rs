use super::auth::CitizenAuth;
use super::list_entries::ListEntryView;
use super::problem::ApiError;
use super::state::AppState;
use crate::domain::score_event::ScoreEvent;
use crate::standing::{Standing, standing};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use xinyi_merchant_sdk::LevelView;

/// How many recent events `GET /v1/me` lists.
const RECENT_EVENTS: u32 = 20;

#[derive(Serialize, ToSchema)]
pub struct NextLevel {
    pub rank: u8,
    pub name: String,
    pub points_needed: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ScoreEventView {
    pub event_id: String,
    pub delta: i64,
    pub reason: String,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
}

impl From<ScoreEvent> for ScoreEventView {
    fn from(e: ScoreEvent) -> Self {
        ScoreEventView {
            event_id: e.event_id,
            delta: e.delta,
            reason: e.reason,
            source: e.source,
            occurred_at: e.occurred_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub citizen_id: String,
    pub score: i64,
    /// The level the score gives.
    pub level: LevelView,
    /// The level the citizen's codes carry: one more while on the red list.
    pub benefit_level: LevelView,
    /// Every active red- and black-list entry.
    pub lists: Vec<ListEntryView>,
    pub next_level: Option<NextLevel>,
    /// The most recent score events, newest first: why the score is what it is.
    pub events: Vec<ScoreEventView>,
}

/// The signed-in citizen's score, level, and the events behind them.
#[utoipa::path(get, path = "/v1/me", tag = "citizen", security(("citizen" = [])),
    responses((status = 200, body = Me), (status = 401, body = super::problem::Problem)))]
pub async fn me(State(state): State<AppState>, CitizenAuth(citizen): CitizenAuth) -> Result<Json<Me>, ApiError> {
    let Standing { score, level, benefit_level, active } =
        standing(&state.store, &state.policy.thresholds, &citizen, OffsetDateTime::now_utc()).await?;
    let thresholds = &state.policy.thresholds;
    let events = state.store.recent_score_events(citizen.number, RECENT_EVENTS).await?;
    Ok(Json(Me {
        citizen_id: citizen.citizen_id,
        score,
        level: level.into(),
        benefit_level: benefit_level.into(),
        lists: active.into_iter().map(Into::into).collect(),
        next_level: thresholds.next_level(score).map(|(level, points_needed)| NextLevel {
            rank: level.rank(),
            name: level.name().to_owned(),
            points_needed,
        }),
        events: events.into_iter().map(Into::into).collect(),
    }))
}
