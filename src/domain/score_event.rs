//! Score events: parsed once at the edge (HTTP or CSV), trusted after.

use time::{Duration, OffsetDateTime};

/// The largest change one event may make, either way.
pub const MAX_ABS_DELTA: i64 = 1000;
pub(crate) const MAX_ID_LEN: usize = 128;
pub(crate) const MAX_TEXT_LEN: usize = 500;

/// A score event as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreEvent {
    pub event_id: String,
    pub citizen_id: String,
    pub delta: i64,
    pub reason: String,
    pub source: String,
    pub occurred_at: OffsetDateTime,
}

/// A score event that passed every field check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScoreEvent(ScoreEvent);

/// Which field was wrong, and why, in words for the sender.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

pub(crate) fn checked_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(field_error(field, "must not be empty / 不能为空"));
    }
    if value.chars().count() > max {
        return Err(field_error(field, format!("must be at most {max} characters / 不能超过 {max} 个字符")));
    }
    Ok(value.to_owned())
}

impl NewScoreEvent {
    pub fn parse(
        event_id: &str,
        citizen_id: &str,
        delta: i64,
        reason: &str,
        source: &str,
        occurred_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<NewScoreEvent, FieldError> {
        let event_id = checked_text("event_id", event_id, MAX_ID_LEN)?;
        let citizen_id = checked_text("citizen_id", citizen_id, MAX_ID_LEN)?;
        if delta == 0 || delta.abs() > MAX_ABS_DELTA {
            return Err(field_error(
                "delta",
                format!("must be a non-zero whole number from -{MAX_ABS_DELTA} to {MAX_ABS_DELTA} / 必须是非零整数"),
            ));
        }
        let reason = checked_text("reason", reason, MAX_TEXT_LEN)?;
        let source = checked_text("source", source, MAX_ID_LEN)?;
        if occurred_at > now + Duration::days(1) {
            return Err(field_error("occurred_at", "is in the future / 不能是未来时间"));
        }
        Ok(NewScoreEvent(ScoreEvent { event_id, citizen_id, delta, reason, source, occurred_at }))
    }

    pub fn event(&self) -> &ScoreEvent {
        &self.0
    }
}

impl ScoreEvent {
    /// Same content as `other`, judged to the second as stored.
    pub fn same_content_as(&self, other: &ScoreEvent) -> bool {
        self.citizen_id == other.citizen_id
            && self.delta == other.delta
            && self.reason == other.reason
            && self.source == other.source
            && self.occurred_at.unix_timestamp() == other.occurred_at.unix_timestamp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 08:00 UTC);

    #[test]
    fn an_event_with_every_field_right_is_accepted() {
        let e = NewScoreEvent::parse("e1", "c1", 20, " 志愿服务 volunteering ", "district-a", NOW, NOW).unwrap();
        assert_eq!(e.event().reason, "志愿服务 volunteering");
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = [
            (NewScoreEvent::parse("", "c1", 20, "r", "s", NOW, NOW), "event_id"),
            (NewScoreEvent::parse("e", " ", 20, "r", "s", NOW, NOW), "citizen_id"),
            (NewScoreEvent::parse("e", "c", 0, "r", "s", NOW, NOW), "delta"),
            (NewScoreEvent::parse("e", "c", 1001, "r", "s", NOW, NOW), "delta"),
            (NewScoreEvent::parse("e", "c", 5, "", "s", NOW, NOW), "reason"),
            (NewScoreEvent::parse("e", "c", 5, "r", "", NOW, NOW), "source"),
            (NewScoreEvent::parse("e", "c", 5, "r", "s", NOW + Duration::days(2), NOW), "occurred_at"),
        ];
        for (result, field) in bad {
            assert_eq!(result.unwrap_err().field, field);
        }
    }
}
