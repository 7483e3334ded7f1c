//! What was posted into citizens' records: score events and list entries,
//! newest first. Coordinators and auditors read all of it; a department
//! reads what it posted under its own source, and nothing else.

use super::auth::RecordReaderAuth;
use super::list_entries::ListEntryView;
use super::me::ScoreEventView;
use super::problem::{ApiError, ApiQuery};
use super::state::AppState;
use crate::domain::principals::is_source;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostedQuery {
    /// One source only; a department may name only its own (and reads it when absent).
    #[param(pattern = "^([a-z][a-z0-9-]{1,63})?$")]
    pub source: Option<String>,
    /// One citizen only.
    #[param(max_length = 255)]
    pub citizen_id: Option<String>,
    /// How many, newest first (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

struct Filter<'a> {
    source: Option<&'a str>,
    citizen_id: Option<&'a str>,
    limit: u32,
}

impl PostedQuery {
    fn filter<'a>(&'a self, principal: &'a crate::domain::principals::Principal) -> Result<Filter<'a>, ApiError> {
        let asked = self.source.as_deref().filter(|s| !s.is_empty());
        if asked.is_some_and(|s| !is_source(s)) {
            return Err(ApiError::invalid("source", "须为小写字母、数字和 - / must match ^[a-z][a-z0-9-]{1,63}$"));
        }
        let citizen_id = self.citizen_id.as_deref().filter(|c| !c.is_empty());
        if citizen_id.is_some_and(|c| c.chars().count() > 255) {
            return Err(ApiError::invalid("citizen_id", "至多 255 个字符 / must be at most 255 characters"));
        }
        let limit = super::limits::listing_limit(self.limit, 100)?;
        Ok(Filter { source: principal.readable_source(asked)?, citizen_id, limit })
    }
}

#[derive(Serialize, ToSchema)]
pub struct PostedScoreEvent {
    pub citizen_id: String,
    #[serde(flatten)]
    pub event: ScoreEventView,
}

#[derive(Serialize, ToSchema)]
pub struct PostedListEntry {
    pub citizen_id: String,
    #[serde(flatten)]
    pub entry: ListEntryView,
}

/// Score events, newest recorded first.
#[utoipa::path(get, path = "/v1/score-events", tag = "coordinator",
    security(("coordinator" = []), ("auditor" = []), ("department" = [])),
    params(PostedQuery), responses((status = 200, body = Vec<PostedScoreEvent>)))]
pub async fn score_events(
    State(state): State<AppState>,
    RecordReaderAuth(principal): RecordReaderAuth,
    ApiQuery(query): ApiQuery<PostedQuery>,
) -> Result<Json<Vec<PostedScoreEvent>>, ApiError> {
    let filter = query.filter(&principal)?;
    let events = state.store.score_events_posted(filter.source, filter.citizen_id, filter.limit).await?;
    Ok(Json(
        events.into_iter().map(|e| PostedScoreEvent { citizen_id: e.citizen_id.clone(), event: e.into() }).collect(),
    ))
}

/// Red- and black-list entries, newest start first, ended ones included.
#[utoipa::path(get, path = "/v1/list-entries", tag = "coordinator",
    security(("coordinator" = []), ("auditor" = []), ("department" = [])),
    params(PostedQuery), responses((status = 200, body = Vec<PostedListEntry>)))]
pub async fn list_entries(
    State(state): State<AppState>,
    RecordReaderAuth(principal): RecordReaderAuth,
    ApiQuery(query): ApiQuery<PostedQuery>,
) -> Result<Json<Vec<PostedListEntry>>, ApiError> {
    let filter = query.filter(&principal)?;
    let entries = state.store.list_entries_posted(filter.source, filter.citizen_id, filter.limit).await?;
    Ok(Json(
        entries.into_iter().map(|e| PostedListEntry { citizen_id: e.citizen_id.clone(), entry: e.into() }).collect(),
    ))
}
