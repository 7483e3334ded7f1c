//! Staff principals: who runs the program beside the citizens and the
//! merchants' terminals, each with one role and only what that role needs.

use super::score_event::{FieldError, MAX_ABS_DELTA};
use super::text::visible_text;
use time::OffsetDateTime;

/// A staff principal's one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The city credit center: everything.
    Coordinator,
    /// A department bound to one score-event source and a limit per event.
    Department,
    /// The audit office: reads, never writes.
    Auditor,
    /// Counter staff helping a resident who is present.
    ServiceDesk,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Coordinator, Role::Department, Role::Auditor, Role::ServiceDesk];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Department => "department",
            Role::Auditor => "auditor",
            Role::ServiceDesk => "service_desk",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The role's name in Chinese, for messages.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Coordinator => "协调员",
            Role::Department => "部门",
            Role::Auditor => "审计",
            Role::ServiceDesk => "服务窗口",
        }
    }

    /// Tokens begin with a prefix naming the role, so a person holding one
    /// can tell what it is; the role itself is read from the database.
    pub fn token_prefix(self) -> &'static str {
        match self {
            Role::Coordinator => "xyc_",
            Role::Department => "xyd_",
            Role::Auditor => "xya_",
            Role::ServiceDesk => "xyk_",
        }
    }

    /// Whether a bearer token is any staff principal's, by its prefix.
    pub fn is_staff_token(token: &str) -> bool {
        Role::ALL.iter().any(|role| token.starts_with(role.token_prefix()))
    }
}

/// A department's score-event source, `^[a-z][a-z0-9-]{1,63}$`: `civil-affairs`, `health`, `utilities`.
pub fn is_source(text: &str) -> bool {
    super::text::is_slug(text, (2, 64), '-')
}

/// What binds a department: its one source and its largest change per event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentScope {
    pub source: String,
    pub max_delta: i64,
}

/// A staff principal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub principal_id: String,
    pub role: Role,
    pub name: String,
    /// Departments only.
    pub scope: Option<DepartmentScope>,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl Principal {
    /// The source a department may post under; None for every other role.
    pub fn own_source(&self) -> Option<&str> {
        self.scope.as_ref().map(|s| s.source.as_str())
    }
}

/// Why a principal may not record an event or an entry as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRefusal {
    /// A department posting under a source not its own.
    SourceNotYours { own: String },
    /// A department's event beyond its limit per event.
    DeltaTooLarge { max_delta: i64 },
}

impl Principal {
    /// Whether this principal may record under `source` a change of
    /// `delta` points (none for a list entry). Coordinators may record
    /// anything; a department only its own source, within its limit. Other
    /// roles never reach here: their extractors refuse them first.
    pub fn may_record(&self, source: &str, delta: Option<i64>) -> Result<(), RecordRefusal> {
        let Some(scope) = &self.scope else {
            assert_eq!(self.role, Role::Coordinator, "only coordinators and departments record");
            return Ok(());
        };
        if source.trim() != scope.source {
            return Err(RecordRefusal::SourceNotYours { own: scope.source.clone() });
        }
        match delta {
            Some(delta) if delta.abs() > scope.max_delta => {
                Err(RecordRefusal::DeltaTooLarge { max_delta: scope.max_delta })
            }
            _ => Ok(()),
        }
    }

    /// The source this principal may read records of: a department only
    /// its own; everyone else whichever it asks for (or all).
    pub fn readable_source<'a>(&'a self, asked: Option<&'a str>) -> Result<Option<&'a str>, RecordRefusal> {
        match (self.own_source(), asked) {
            (None, asked) => Ok(asked),
            (Some(own), None) => Ok(Some(own)),
            (Some(own), Some(asked)) if asked == own => Ok(Some(own)),
            (Some(own), Some(_)) => Err(RecordRefusal::SourceNotYours { own: own.to_owned() }),
        }
    }
}

/// A principal that passed every check, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPrincipal {
    pub role: Role,
    pub name: String,
    pub scope: Option<DepartmentScope>,
}

fn field(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

impl NewPrincipal {
    /// A department must name its source and limit; no other role may.
    pub fn parse(
        role: &str,
        name: &str,
        source: Option<&str>,
        max_delta: Option<i64>,
    ) -> Result<NewPrincipal, FieldError> {
        let role = Role::parse(role).ok_or_else(|| {
            field("role", "须为 coordinator、department、auditor 或 service_desk / must be coordinator, department, auditor or service_desk")
        })?;
        let name = visible_text(name, 100)
            .ok_or_else(|| field("name", "须为 1 到 100 个字符 / must be 1 to 100 characters"))?
            .to_owned();
        let scope = match (role, source, max_delta) {
            (Role::Department, Some(source), Some(max_delta)) => {
                if !is_source(source) {
                    return Err(field(
                        "source",
                        "须为小写字母、数字和 -,如 civil-affairs / must match ^[a-z][a-z0-9-]{1,63}$",
                    ));
                }
                if !(1..=MAX_ABS_DELTA).contains(&max_delta) {
                    return Err(field("max_delta", "须为 1 到 1000 / must be 1 to 1000"));
                }
                Some(DepartmentScope { source: source.to_owned(), max_delta })
            }
            (Role::Department, None, _) => return Err(field("source", "部门须有来源 / a department needs a source")),
            (Role::Department, _, None) => {
                return Err(field("max_delta", "部门须有单次分值上限 / a department needs max_delta"));
            }
            (_, Some(_), _) => return Err(field("source", "只有部门有来源 / only a department has a source")),
            (_, _, Some(_)) => return Err(field("max_delta", "只有部门有分值上限 / only a department has max_delta")),
            (_, None, None) => None,
        };
        Ok(NewPrincipal { role, name, scope })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_needs_a_source_and_a_limit_and_no_other_role_takes_them() {
        let department = NewPrincipal::parse("department", "民政局", Some("civil-affairs"), Some(50)).unwrap();
        assert_eq!(department.scope, Some(DepartmentScope { source: "civil-affairs".into(), max_delta: 50 }));
        assert_eq!(NewPrincipal::parse("department", "x", None, Some(50)).unwrap_err().field, "source");
        assert_eq!(NewPrincipal::parse("department", "x", Some("health"), None).unwrap_err().field, "max_delta");
        assert_eq!(NewPrincipal::parse("department", "x", Some("health"), Some(0)).unwrap_err().field, "max_delta");
        assert_eq!(NewPrincipal::parse("department", "x", Some("health"), Some(1001)).unwrap_err().field, "max_delta");
        assert_eq!(NewPrincipal::parse("department", "x", Some("Health"), Some(1)).unwrap_err().field, "source");
        assert_eq!(NewPrincipal::parse("auditor", "x", Some("health"), None).unwrap_err().field, "source");
        assert_eq!(NewPrincipal::parse("service_desk", "x", None, Some(5)).unwrap_err().field, "max_delta");
        assert_eq!(NewPrincipal::parse("root", "x", None, None).unwrap_err().field, "role");
        assert_eq!(NewPrincipal::parse("auditor", " \u{200B} ", None, None).unwrap_err().field, "name");
        assert_eq!(NewPrincipal::parse("auditor", " 审计局 ", None, None).unwrap().name, "审计局");
    }

    #[test]
    fn every_role_reads_back_from_its_name_and_has_a_token_prefix_of_its_own() {
        let mut prefixes = std::collections::HashSet::new();
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert!(prefixes.insert(role.token_prefix()));
            assert!(Role::is_staff_token(&format!("{}abc", role.token_prefix())));
        }
        assert!(!Role::is_staff_token("xym_abc"));
    }

    fn department(max_delta: i64) -> Principal {
        Principal {
            principal_id: "prn_1".into(),
            role: Role::Department,
            name: "民政局".into(),
            scope: Some(DepartmentScope { source: "civil-affairs".into(), max_delta }),
            created_at: OffsetDateTime::UNIX_EPOCH,
            revoked_at: None,
        }
    }

    #[test]
    fn a_department_records_only_under_its_source_and_within_its_limit() {
        let d = department(50);
        assert_eq!(d.may_record("civil-affairs", Some(50)), Ok(()));
        assert_eq!(d.may_record("civil-affairs", Some(-50)), Ok(()));
        assert_eq!(d.may_record("civil-affairs", None), Ok(()));
        assert_eq!(d.may_record("civil-affairs", Some(51)), Err(RecordRefusal::DeltaTooLarge { max_delta: 50 }));
        assert_eq!(d.may_record("civil-affairs", Some(-51)), Err(RecordRefusal::DeltaTooLarge { max_delta: 50 }));
        assert_eq!(d.may_record("health", Some(1)), Err(RecordRefusal::SourceNotYours { own: "civil-affairs".into() }));
        let coordinator = Principal { role: Role::Coordinator, scope: None, ..d.clone() };
        assert_eq!(coordinator.may_record("health", Some(1000)), Ok(()));
    }

    #[test]
    fn a_department_reads_only_its_own_source() {
        let d = department(5);
        assert_eq!(d.readable_source(None), Ok(Some("civil-affairs")));
        assert_eq!(d.readable_source(Some("civil-affairs")), Ok(Some("civil-affairs")));
        assert!(d.readable_source(Some("health")).is_err());
        let auditor = Principal { role: Role::Auditor, scope: None, ..d };
        assert_eq!(auditor.readable_source(None), Ok(None));
        assert_eq!(auditor.readable_source(Some("health")), Ok(Some("health")));
    }

    #[test]
    fn sources_are_lowercase_words_joined_by_hyphens() {
        assert!(is_source("civil-affairs"));
        assert!(is_source("h2"));
        assert!(!is_source("c"));
        assert!(!is_source("-civil"));
        assert!(!is_source("civil affairs"));
        assert!(!is_source(&"a".repeat(65)));
    }
}
