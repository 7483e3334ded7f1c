//! The city's red and black lists: who is on which, from when to when,
//! and what that does to a citizen's benefits.

use super::score_event::{FieldError, MAX_ID_LEN, MAX_TEXT_LEN, checked_text};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use xinyi_merchant_sdk::CreditLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 失信黑名单: barred from incentives while listed.
    Black,
    /// 守信红名单: one benefit level more while listed.
    Red,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Black => "black",
            ListKind::Red => "red",
        }
    }

    pub fn parse(text: &str) -> Option<ListKind> {
        match text {
            "black" => Some(ListKind::Black),
            "red" => Some(ListKind::Red),
            _ => None,
        }
    }
}

/// When an entry holds: from `starts_at` until `ends_at` (none: until
/// ended), unless it was ended early at `ended_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListWindow {
    pub starts_at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
}

impl ListWindow {
    pub fn active_at(&self, at: OffsetDateTime) -> bool {
        self.starts_at <= at && self.ends_at.is_none_or(|end| at < end) && self.ended_at.is_none_or(|end| at < end)
    }

    /// Over for good: ended early, or past its planned end.
    pub fn is_over(&self, at: OffsetDateTime) -> bool {
        self.ended_at.is_some() || self.ends_at.is_some_and(|end| end <= at)
    }
}

/// A list entry as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub entry_id: String,
    pub citizen_id: String,
    pub list: ListKind,
    pub reason: String,
    pub source: String,
    pub window: ListWindow,
    pub end_reason: Option<String>,
}

/// A list entry that passed every field check, and whether its sender
/// named its start (else it starts when first recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListEntry(ListEntry, bool);

impl NewListEntry {
    /// `starts_at` defaults to `now`; `ends_at`, when given, is after it.
    pub fn parse(
        entry_id: &str,
        citizen_id: &str,
        list: &str,
        reason: &str,
        source: &str,
        (starts_at, ends_at): (Option<OffsetDateTime>, Option<OffsetDateTime>),
        now: OffsetDateTime,
    ) -> Result<NewListEntry, FieldError> {
        let list = ListKind::parse(list.trim())
            .ok_or_else(|| FieldError {
                field: "list", message: "must be black or red / 须为 black 或 red".into()
            })?;
        let start_given = starts_at.is_some();
        let starts_at = starts_at.unwrap_or(now);
        if ends_at.is_some_and(|end| end <= starts_at) {
            return Err(FieldError {
                field: "ends_at", message: "must be after starts_at / 须晚于 starts_at".into()
            });
        }
        Ok(NewListEntry(
            ListEntry {
                entry_id: checked_text("entry_id", entry_id, MAX_ID_LEN)?,
                citizen_id: checked_text("citizen_id", citizen_id, MAX_ID_LEN)?,
                list,
                reason: checked_text("reason", reason, MAX_TEXT_LEN)?,
                source: checked_text("source", source, MAX_ID_LEN)?,
                window: ListWindow { starts_at, ends_at, ended_at: None },
                end_reason: None,
            },
            start_given,
        ))
    }

    pub fn entry(&self) -> &ListEntry {
        &self.0
    }

    /// The entry as it would be stored beside `earlier`, recorded before
    /// under the same id: a repeat that named no start takes the earlier
    /// start, so sending the same thing again later is a repeat and not a
    /// conflict (the start was "when first recorded" both times).
    pub fn beside(&self, earlier: Option<&ListEntry>) -> ListEntry {
        match earlier {
            Some(earlier) if !self.1 => ListEntry {
                window: ListWindow { starts_at: earlier.window.starts_at, ..self.0.window },
                ..self.0.clone()
            },
            _ => self.0.clone(),
        }
    }
}

impl ListEntry {
    /// Same content as `other`, to the second as stored: a repeated import.
    pub fn same_content_as(&self, other: &ListEntry) -> bool {
        let second = |t: OffsetDateTime| t.unix_timestamp();
        self.citizen_id == other.citizen_id
            && self.list == other.list
            && self.reason == other.reason
            && self.source == other.source
            && second(self.window.starts_at) == second(other.window.starts_at)
            && self.window.ends_at.map(second) == other.window.ends_at.map(second)
    }
}

/// The level a citizen's codes carry: the score's, one more while on the
/// red list (at most AAA).
pub fn benefit_level(score_level: CreditLevel, active: &[ListEntry]) -> CreditLevel {
    benefit_level_of(score_level, active.iter().any(|e| e.list == ListKind::Red))
}

/// The same rule, for a caller that knows only whether the citizen is on
/// the red list now.
pub fn benefit_level_of(score_level: CreditLevel, on_red_list: bool) -> CreditLevel {
    if on_red_list { score_level.next().unwrap_or(score_level) } else { score_level }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-29 08:00 UTC);

    #[test]
    fn an_entry_holds_from_its_start_until_its_end_or_until_ended() {
        let w = ListWindow { starts_at: NOW, ends_at: Some(NOW + time::Duration::days(30)), ended_at: None };
        assert!(!w.active_at(NOW - time::Duration::seconds(1)));
        assert!(w.active_at(NOW) && w.active_at(NOW + time::Duration::days(29)));
        assert!(!w.active_at(NOW + time::Duration::days(30)) && w.is_over(NOW + time::Duration::days(30)));
        let ended = ListWindow { ended_at: Some(NOW + time::Duration::days(1)), ..w };
        assert!(!ended.active_at(NOW + time::Duration::days(2)) && ended.is_over(NOW));
    }

    #[test]
    fn the_red_list_lifts_codes_one_level_and_never_past_aaa() {
        let red = NewListEntry::parse("e1", "c", "red", "见义勇为", "city", (None, None), NOW).unwrap().entry().clone();
        assert_eq!(benefit_level(CreditLevel::A, std::slice::from_ref(&red)), CreditLevel::AA);
        assert_eq!(benefit_level(CreditLevel::AAA, &[red]), CreditLevel::AAA);
        assert_eq!(benefit_level(CreditLevel::A, &[]), CreditLevel::A);
    }

    #[test]
    fn a_repeat_without_a_start_takes_the_first_start_and_one_with_a_start_keeps_its_own() {
        let later = NOW + time::Duration::hours(1);
        let first = NewListEntry::parse("e", "c", "red", "r", "s", (None, None), NOW).unwrap().entry().clone();
        let again = NewListEntry::parse("e", "c", "red", "r", "s", (None, None), later).unwrap();
        assert!(again.beside(Some(&first)).same_content_as(&first));
        assert!(!again.entry().same_content_as(&first), "alone, the repeat starts later");
        let dated = NewListEntry::parse("e", "c", "red", "r", "s", (Some(later), None), later).unwrap();
        assert!(!dated.beside(Some(&first)).same_content_as(&first));
    }

    #[test]
    fn a_bad_list_or_an_end_before_the_start_is_refused() {
        assert_eq!(NewListEntry::parse("e", "c", "grey", "r", "s", (None, None), NOW).unwrap_err().field, "list");
        let backwards = (Some(NOW), Some(NOW - time::Duration::days(1)));
        assert_eq!(NewListEntry::parse("e", "c", "black", "r", "s", backwards, NOW).unwrap_err().field, "ends_at");
    }
}
