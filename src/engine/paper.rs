//! What a paper code (纸质信用码) meets beyond a phone code's rules. A sheet
//! lives for weeks, so two things may have changed since it was printed:
//! its sheet may have been revoked (reported lost), and the citizen's
//! score may have fallen. A phone code lives 5 minutes and meets neither.

use super::RedemptionAttempt;
use crate::domain::levels::BASE_SCORE;
use crate::domain::lists::benefit_level_of;
use crate::domain::redemption::Refusal;
use crate::storage::BatchReads;
use xinyi_merchant_sdk::{CodeMedium, CreditLevel};

/// The level the redemption is decided at: a phone code's own; a paper
/// code's, or the citizen's current benefit level when that is lower.
pub(super) fn applied_level(reads: &BatchReads, a: &RedemptionAttempt) -> Result<CreditLevel, Refusal> {
    if a.medium == CodeMedium::Phone {
        return Ok(a.level);
    }
    // A paper code the service has no record of is refused like a revoked
    // one: every genuine sheet is recorded before its codes are shown.
    match reads.paper_codes.get(&a.code_id) {
        Some(None) => {}
        Some(Some(revoked_at)) if *revoked_at > a.now => {}
        _ => return Err(Refusal::SheetRevoked),
    }
    let number = a.citizen.0 as i64;
    let score_delta = *reads.citizens.get(&number).ok_or(Refusal::UnknownCitizen)?;
    let level = a.thresholds.level_for(BASE_SCORE + score_delta);
    let on_red_list = reads.red_windows.get(&number).is_some_and(|ws| ws.iter().any(|w| w.active_at(a.now)));
    Ok(benefit_level_of(level, on_red_list).min(a.level))
}

/// Every level a paper code could be decided at: its own and each below.
/// The batch reads the rollup of each, since which applies is known only
/// once the citizen's score is read.
pub(super) fn possible_levels(a: &RedemptionAttempt) -> impl Iterator<Item = u8> {
    let lowest = if a.medium == CodeMedium::Phone { a.level.rank() } else { CreditLevel::LOWEST_RANK };
    lowest..=a.level.rank()
}
