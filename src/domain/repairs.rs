//! Credit repair (信用修复): which requests may be filed, when they are due,
//! and what approving one does. The history stays append-only: an approved
//! score event is offset by a new event, never edited.

use super::lists::ListWindow;
use super::periods::CHINA_STANDARD_TIME;
use time::{Duration, OffsetDateTime, Weekday};

/// Working days (Monday to Friday, China Standard Time) a department has
/// to decide; public holidays are not known to the service.
pub const WORKING_DAYS_TO_DECIDE: u32 = 3;

/// The reason of every compensating score event.
pub const REPAIR_REASON: &str = "信用修复 credit repair";

/// The same time of day, `WORKING_DAYS_TO_DECIDE` working days after `filed_at`.
pub fn due_by(filed_at: OffsetDateTime) -> OffsetDateTime {
    let mut at = filed_at.to_offset(CHINA_STANDARD_TIME);
    let mut left = WORKING_DAYS_TO_DECIDE;
    while left > 0 {
        at += Duration::days(1);
        if !matches!(at.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    at.to_offset(time::UtcOffset::UTC)
}

/// What a repair asks to lift, as stored when it is filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairTarget {
    /// A black-list entry, and when it holds.
    Entry { entry_id: String, black: bool, window: ListWindow },
    /// A score event, its delta, and whether a repair of it was approved.
    Event { event_id: String, delta: i64, repaired: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairRefusal {
    /// The entry is not a black-list entry, or has ended; the event is
    /// positive or was repaired already.
    NothingToRepair,
}

/// Whether `target` may be asked to be repaired at `now`.
pub fn check_repairable(target: &RepairTarget, now: OffsetDateTime) -> Result<(), RepairRefusal> {
    let repairable = match target {
        RepairTarget::Entry { black, window, .. } => *black && !window.is_over(now),
        RepairTarget::Event { delta, repaired, .. } => *delta < 0 && !repaired,
    };
    if repairable { Ok(()) } else { Err(RepairRefusal::NothingToRepair) }
}

/// What approving a repair writes, with the decision, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairEffect {
    /// Rejected: nothing but the decision.
    None,
    EndEntry {
        entry_id: String,
        end_reason: String,
    },
    /// A new score event that offsets the repaired one exactly; its id is
    /// the repair's, so it is written once.
    CompensatingEvent {
        event_id: String,
        delta: i64,
        reason: &'static str,
        source: String,
    },
}

pub fn effect_of_approval(repair_id: &str, target: &RepairTarget) -> RepairEffect {
    match target {
        RepairTarget::Entry { entry_id, .. } => {
            RepairEffect::EndEntry { entry_id: entry_id.clone(), end_reason: format!("{REPAIR_REASON} {repair_id}") }
        }
        RepairTarget::Event { delta, .. } => {
            assert!(*delta < 0, "only a negative event is repaired");
            RepairEffect::CompensatingEvent {
                event_id: repair_id.to_owned(),
                delta: -delta,
                reason: REPAIR_REASON,
                source: format!("repair {repair_id}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn three_working_days_skip_the_weekend_in_china() {
        // Friday 10:00 in Beijing is due Wednesday 10:00.
        assert_eq!(due_by(datetime!(2026-11-27 10:00 +8)), datetime!(2026-12-02 10:00 +8));
        // Tuesday is due Friday.
        assert_eq!(due_by(datetime!(2026-12-01 09:00 +8)), datetime!(2026-12-04 09:00 +8));
        // Saturday 23:30 UTC is already Sunday in Beijing: due Wednesday.
        assert_eq!(due_by(datetime!(2026-11-28 23:30 UTC)), datetime!(2026-12-02 07:30 +8));
    }

    #[test]
    fn only_a_live_black_entry_or_an_unrepaired_penalty_can_be_repaired() {
        let now = datetime!(2026-11-29 08:00 UTC);
        let window = ListWindow { starts_at: now - Duration::days(1), ends_at: None, ended_at: None };
        let entry = |black, window| RepairTarget::Entry { entry_id: "e".into(), black, window };
        assert_eq!(check_repairable(&entry(true, window), now), Ok(()));
        assert!(check_repairable(&entry(false, window), now).is_err(), "a red entry");
        let ended = ListWindow { ended_at: Some(now), ..window };
        assert!(check_repairable(&entry(true, ended), now).is_err());
        let event = |delta, repaired| RepairTarget::Event { event_id: "v".into(), delta, repaired };
        assert_eq!(check_repairable(&event(-30, false), now), Ok(()));
        assert!(check_repairable(&event(20, false), now).is_err());
        assert!(check_repairable(&event(-30, true), now).is_err());
    }

    #[test]
    fn approving_a_penalty_offsets_it_exactly() {
        let target = RepairTarget::Event { event_id: "v".into(), delta: -30, repaired: false };
        let RepairEffect::CompensatingEvent { event_id, delta, reason, .. } = effect_of_approval("rep_1", &target)
        else {
            panic!()
        };
        assert_eq!((event_id.as_str(), delta, reason), ("rep_1", 30, REPAIR_REASON));
    }
}
