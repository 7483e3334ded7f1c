//! A citizen's standing for the counter: a service desk helping a resident
//! who is present reads the score, the levels and the active list entries,
//! never the history or the redemptions. Each look-up is in the audit log,
//! so a resident can be told who looked.

use super::auth::StandingAuth;
use super::list_entries::ListEntryView;
use super::problem::{ApiError, Problem};
use super::state::AppState;
use crate::standing::{Standing, standing};
use crate::storage::Citizen;
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use xinyi_merchant_sdk::LevelView;

#[derive(Serialize, ToSchema)]
pub struct CitizenStanding {
    pub citizen_id: String,
    /// False for a resident the service has no record of yet, who stands at the base score.
    pub known: bool,
    pub score: i64,
    pub level: LevelView,
    /// The level the citizen's codes carry: one more while on the red list.
    pub benefit_level: LevelView,
    /// Every active red- and black-list entry.
    pub lists: Vec<ListEntryView>,
}

/// One citizen's standing now. A resident without a record stands at the
/// base score; reading creates no record.
#[utoipa::path(get, path = "/v1/citizens/{citizen_id}/standing", tag = "service desk",
    security(("coordinator" = []), ("service_desk" = [])),
    params(("citizen_id" = String, Path, description = "the identity provider's subject id")),
    responses((status = 200, body = CitizenStanding),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn citizen_standing(
    State(state): State<AppState>,
    StandingAuth(principal): StandingAuth,
    Path(citizen_id): Path<String>,
) -> Result<Json<CitizenStanding>, ApiError> {
    check_citizen_id(&citizen_id)?;
    let now = OffsetDateTime::now_utc();
    let found = state.store.citizen_by_id(&citizen_id).await?;
    let known = found.is_some();
    // A resident without a record stands where a new one would: the base
    // score and no list entry (number 0 is never read: nothing is listed).
    let citizen = found.unwrap_or(Citizen {
        number: crate::citizen_handle::CitizenNumber(0),
        citizen_id: citizen_id.clone(),
        score_delta: 0,
        listed: false,
    });
    let Standing { score, level, benefit_level, active } =
        standing(&state.store, &state.policy.thresholds, &citizen, now).await?;
    let look_up = super::audit::entry_by(principal, format!("GET /v1/citizens/{citizen_id}/standing"), String::new());
    state.store.record_audit(&look_up).await?;
    Ok(Json(CitizenStanding {
        citizen_id,
        known,
        score,
        level: level.into(),
        benefit_level: benefit_level.into(),
        lists: active.into_iter().map(Into::into).collect(),
    }))
}

/// A citizen id as a counter types it: the identity provider's subject,
/// 1 to 255 bytes and not blank.
pub(super) fn check_citizen_id(citizen_id: &str) -> Result<(), ApiError> {
    if citizen_id.trim().is_empty() || citizen_id.len() > 255 {
        return Err(ApiError::invalid("citizen_id", "须为 1 到 255 字节 / must be 1 to 255 bytes"));
    }
    Ok(())
}
