//! Declarations (信息申报): a resident declares something a department
//! confirms, such as 12 hours of volunteering; approval turns it into a
//! score event under the department's source, once.

use super::periods::CHINA_STANDARD_TIME;
use super::principals::{Principal, RecordRefusal};
use super::score_event::{FieldError, NewScoreEvent};
use super::text::visible_text;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};

/// Pending declarations one citizen may have at once.
pub const MAX_PENDING: i64 = 5;
/// How far back a declared day may be.
pub const MAX_AGE_DAYS: i64 = 366;

fn field(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

fn text(name: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    visible_text(value, max)
        .map(str::to_owned)
        .ok_or_else(|| field(name, format!("须为 1 到 {max} 个字符 / must be 1 to {max} characters")))
}

/// A declaration that passed every field check, not yet filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationForm {
    pub source: String,
    pub kind: String,
    pub description: String,
    pub occurred_on: Date,
    pub evidence: Option<String>,
}

impl DeclarationForm {
    pub fn parse(
        source: &str,
        kind: &str,
        description: &str,
        occurred_on: &str,
        evidence: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<DeclarationForm, FieldError> {
        if !super::principals::is_source(source.trim()) {
            return Err(field("source", "须为部门的来源,如 civil-affairs / must be a department's source"));
        }
        let occurred_on = Date::parse(occurred_on.trim(), format_description!("[year]-[month]-[day]"))
            .map_err(|_| field("occurred_on", "须为日期,如 2026-11-20 / must be a date such as 2026-11-20"))?;
        let today = now.to_offset(CHINA_STANDARD_TIME).date();
        if occurred_on > today {
            return Err(field("occurred_on", "不能是未来的日期 / must not be in the future"));
        }
        if occurred_on < today - Duration::days(MAX_AGE_DAYS) {
            return Err(field("occurred_on", "不能早于一年前 / must be within the last year"));
        }
        Ok(DeclarationForm {
            source: source.trim().to_owned(),
            kind: text("kind", kind, 100)?,
            description: text("description", description, 1000)?,
            occurred_on,
            evidence: evidence.filter(|e| !e.trim().is_empty()).map(|e| text("evidence", e, 500)).transpose()?,
        })
    }
}

/// Why a department may not decide a declaration as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionRefusal {
    Field(FieldError),
    Record(RecordRefusal),
}

/// What a department decided, checked against what it may do: an approval
/// carries between 1 and the department's `max_delta` points, a rejection none.
pub fn check_decision(
    department: &Principal,
    source: &str,
    approve: bool,
    delta: Option<i64>,
    reason: &str,
) -> Result<(Option<i64>, String), DecisionRefusal> {
    let reason = text("reason", reason, 500).map_err(DecisionRefusal::Field)?;
    let delta = match (approve, delta) {
        (true, Some(delta)) if delta >= 1 => Some(delta),
        (true, _) => {
            return Err(DecisionRefusal::Field(field(
                "delta",
                "批准须给出正的分值 / an approval needs a positive delta",
            )));
        }
        (false, None) => None,
        (false, Some(_)) => {
            return Err(DecisionRefusal::Field(field("delta", "驳回不能给分 / a rejection carries no delta")));
        }
    };
    department.may_record(source, delta).map_err(DecisionRefusal::Record)?;
    Ok((delta, reason))
}

/// The score event an approval records: the declaration's id as its event
/// id, so it can count only once, on the declared day (midnight in China).
pub fn approval_event(
    declaration_id: &str,
    citizen_id: &str,
    source: &str,
    kind: &str,
    occurred_on: Date,
    delta: i64,
    now: OffsetDateTime,
) -> Result<NewScoreEvent, FieldError> {
    let occurred_at = occurred_on.midnight().assume_offset(CHINA_STANDARD_TIME).to_offset(time::UtcOffset::UTC);
    let reason = format!("信息申报 declaration: {kind}");
    NewScoreEvent::parse(declaration_id, citizen_id, delta, &reason, source, occurred_at, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::principals::{DepartmentScope, Role};
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-28 08:00 UTC);

    #[test]
    fn a_declaration_names_a_source_a_day_not_ahead_and_within_a_year() {
        let form =
            DeclarationForm::parse("civil-affairs", " 志愿服务 ", "12 小时", "2026-11-20", Some(" "), NOW).unwrap();
        assert_eq!((form.kind.as_str(), form.occurred_on, form.evidence), ("志愿服务", date!(2026 - 11 - 20), None));
        let bad = [
            (DeclarationForm::parse("Civil Affairs", "k", "d", "2026-11-20", None, NOW), "source"),
            (DeclarationForm::parse("civil-affairs", "k", "d", "2026-11-29", None, NOW), "occurred_on"),
            (DeclarationForm::parse("civil-affairs", "k", "d", "2025-11-01", None, NOW), "occurred_on"),
            (DeclarationForm::parse("civil-affairs", "k", "d", "20 Nov", None, NOW), "occurred_on"),
            (DeclarationForm::parse("civil-affairs", "\u{200B}", "d", "2026-11-20", None, NOW), "kind"),
            (DeclarationForm::parse("civil-affairs", "k", "", "2026-11-20", None, NOW), "description"),
        ];
        for (result, name) in bad {
            assert_eq!(result.unwrap_err().field, name);
        }
    }

    #[test]
    fn an_approval_carries_points_within_the_departments_limit_and_a_rejection_none() {
        let department = Principal {
            principal_id: "prn_1".into(),
            role: Role::Department,
            name: "民政局".into(),
            scope: Some(DepartmentScope { source: "civil-affairs".into(), max_delta: 30 }),
            created_at: NOW,
            revoked_at: None,
        };
        assert_eq!(check_decision(&department, "civil-affairs", true, Some(30), "ok"), Ok((Some(30), "ok".into())));
        assert_eq!(
            check_decision(&department, "civil-affairs", false, None, "no proof"),
            Ok((None, "no proof".into()))
        );
        let refused =
            |approve, delta, reason: &str| check_decision(&department, "civil-affairs", approve, delta, reason);
        assert!(matches!(
            refused(true, Some(31), "ok"),
            Err(DecisionRefusal::Record(RecordRefusal::DeltaTooLarge { .. }))
        ));
        assert!(matches!(refused(true, None, "ok"), Err(DecisionRefusal::Field(f)) if f.field == "delta"));
        assert!(matches!(refused(true, Some(-5), "ok"), Err(DecisionRefusal::Field(f)) if f.field == "delta"));
        assert!(matches!(refused(false, Some(5), "ok"), Err(DecisionRefusal::Field(f)) if f.field == "delta"));
        assert!(matches!(refused(false, None, " "), Err(DecisionRefusal::Field(f)) if f.field == "reason"));
        let elsewhere = check_decision(&department, "health", true, Some(1), "ok");
        assert!(matches!(elsewhere, Err(DecisionRefusal::Record(RecordRefusal::SourceNotYours { .. }))));
    }

    #[test]
    fn an_approved_declaration_counts_on_its_day_in_china_under_its_own_id() {
        let event = approval_event("dcl_1", "c1", "civil-affairs", "志愿服务", date!(2026 - 11 - 20), 12, NOW).unwrap();
        let event = event.event();
        assert_eq!((event.event_id.as_str(), event.delta), ("dcl_1", 12));
        assert_eq!(event.occurred_at, datetime!(2026-11-19 16:00 UTC));
        assert_eq!(event.reason, "信息申报 declaration: 志愿服务");
    }
}
