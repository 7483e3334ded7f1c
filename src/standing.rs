//! Where a citizen stands now: the score, its level, the active list
//! entries, and the level codes carry. Read once here for `GET /v1/me`,
//! code issuance and the signed statement alike.

use crate::domain::levels::{BASE_SCORE, LevelThresholds};
use crate::domain::lists::{ListEntry, benefit_level};
use crate::storage::{Citizen, Store, StoreError};
use time::OffsetDateTime;
use xinyi_merchant_sdk::CreditLevel;

pub struct Standing {
    pub score: i64,
    pub level: CreditLevel,
    pub benefit_level: CreditLevel,
    /// The red- and black-list entries active now.
    pub active: Vec<ListEntry>,
}

/// The citizen's standing at `now`. Citizens with no list entry at all (the
/// citizen's own read says so) cost no second read.
pub async fn standing(
    store: &Store,
    thresholds: &LevelThresholds,
    citizen: &Citizen,
    now: OffsetDateTime,
) -> Result<Standing, StoreError> {
    let score = BASE_SCORE + citizen.score_delta;
    let level = thresholds.level_for(score);
    let mut active = if citizen.listed { store.list_entries_of(citizen.number).await? } else { Vec::new() };
    active.retain(|e| e.window.active_at(now));
    Ok(Standing { score, level, benefit_level: benefit_level(level, &active), active })
}
