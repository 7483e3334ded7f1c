//! Declarations (信息申报): filed by citizens, at most a few pending each;
//! decided once by their department, with an approval's score event in the
//! same transaction as the decision.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use crate::citizen_handle::CitizenNumber;
use crate::domain::declarations::{DeclarationForm, MAX_PENDING};
use crate::domain::score_event::ScoreEvent;
use serde::Serialize;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// A declaration as the citizen and the department see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Declaration {
    pub declaration_id: String,
    pub citizen_id: String,
    /// The department's source it is addressed to.
    pub source: String,
    pub kind: String,
    pub description: String,
    /// The declared day, in China Standard Time.
    #[schema(value_type = String, format = Date)]
    #[serde(serialize_with = "iso_date")]
    pub occurred_on: Date,
    pub evidence: Option<String>,
    /// pending, approved or rejected.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_by: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// Why it was approved or rejected, for the citizen to read.
    pub decision_reason: Option<String>,
    /// The points an approval gave.
    pub delta: Option<i64>,
    /// Still pending past `due_by`.
    pub overdue: bool,
}

fn iso_date<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&date.format(format_description!("[year]-[month]-[day]")).expect("a date formats"))
}

const COLUMNS: &str = "SELECT d.declaration_id, c.citizen_id, d.source, d.kind, d.description, d.occurred_on, \
     d.evidence, d.status, d.due_by, d.created_at, d.decided_at, d.decision_reason, d.delta, d.citizen_number \
     FROM declarations d JOIN citizens c ON c.number = d.citizen_number";

fn declaration(row: &impl StoredRow, now: OffsetDateTime) -> Result<Declaration, StoreError> {
    let status = row.text("status")?;
    let due_by = row.time("due_by")?;
    let day = row.text("occurred_on")?;
    let occurred_on = Date::parse(&day, format_description!("[year]-[month]-[day]"))
        .map_err(|_| StoreError::Corrupt(format!("declared day {day:?}")))?;
    Ok(Declaration {
        declaration_id: row.text("declaration_id")?,
        citizen_id: row.text("citizen_id")?,
        source: row.text("source")?,
        kind: row.text("kind")?,
        description: row.text("description")?,
        occurred_on,
        evidence: row.opt_text("evidence")?,
        overdue: status == "pending" && now > due_by,
        status,
        due_by,
        created_at: row.time("created_at")?,
        decided_at: row.opt_time("decided_at")?,
        decision_reason: row.opt_text("decision_reason")?,
        delta: row.opt_int("delta")?,
    })
}

/// A declaration to file.
pub struct NewDeclaration<'a> {
    pub declaration_id: &'a str,
    pub citizen: CitizenNumber,
    pub form: &'a DeclarationForm,
    pub due_by: OffsetDateTime,
    pub now: OffsetDateTime,
}

/// A department's decision on one declaration.
pub struct DeclarationDecision<'a> {
    pub declaration_id: &'a str,
    pub citizen: CitizenNumber,
    /// The approval's score event; none for a rejection.
    pub event: Option<&'a ScoreEvent>,
    pub reason: &'a str,
    pub by: &'a str,
    pub at: OffsetDateTime,
}

impl Store {
    /// Files a declaration unless the citizen has `MAX_PENDING` pending
    /// already; false (nothing written) then. Counted under the writer
    /// lock, so two at once cannot both be the sixth.
    pub async fn file_declaration(&self, new: &NewDeclaration<'_>) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let pending = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM declarations WHERE citizen_number = $1 AND status = 'pending'",
        )
        .bind(new.citizen.0 as i64)
        .fetch_one(&mut *tx)
        .await?
        .int("n")?;
        if pending >= MAX_PENDING {
            return Ok(false);
        }
        let day = new.form.occurred_on.format(format_description!("[year]-[month]-[day]")).expect("a date formats");
        sqlx::query(
            "INSERT INTO declarations (declaration_id, citizen_number, source, kind, description, occurred_on, \
             evidence, status, due_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)",
        )
        .bind(new.declaration_id)
        .bind(new.citizen.0 as i64)
        .bind(&new.form.source)
        .bind(&new.form.kind)
        .bind(&new.form.description)
        .bind(day)
        .bind(&new.form.evidence)
        .bind(unix(new.due_by))
        .bind(unix(new.now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The citizen's declarations, newest first.
    pub async fn declarations_of(
        &self,
        citizen: CitizenNumber,
        now: OffsetDateTime,
    ) -> Result<Vec<Declaration>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLUMNS} WHERE d.citizen_number = $1 ORDER BY d.created_at DESC, d.declaration_id"
        )))
        .bind(citizen.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| declaration(r, now)).collect()
    }

    /// A department's queue: of one source and status, oldest first.
    pub async fn declaration_queue(
        &self,
        source: &str,
        status: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<Declaration>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLUMNS} WHERE d.source = $1 AND d.status = $2 ORDER BY d.created_at, d.declaration_id LIMIT 500"
        )))
        .bind(source)
        .bind(status)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| declaration(r, now)).collect()
    }

    /// One declaration, with the number of the citizen who filed it.
    pub async fn declaration(
        &self,
        declaration_id: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Declaration, CitizenNumber)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE d.declaration_id = $1")))
            .bind(declaration_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((declaration(&row, now)?, super::rows::citizen_number(&row, "citizen_number")?)))
    }

    /// Decides a pending declaration and records an approval's score event
    /// in the same transaction; false (nothing written) when it was decided
    /// already, so its points count once however often it is decided.
    pub async fn decide_declaration(&self, decision: &DeclarationDecision<'_>) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let status = if decision.event.is_some() { "approved" } else { "rejected" };
        let decided = sqlx::query(
            "UPDATE declarations SET status = $1, decided_at = $2, decided_by = $3, decision_reason = $4, delta = $5 \
             WHERE declaration_id = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(unix(decision.at))
        .bind(decision.by)
        .bind(decision.reason)
        .bind(decision.event.map(|e| e.delta))
        .bind(decision.declaration_id)
        .execute(&mut *tx)
        .await?;
        if decided.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(event) = decision.event {
            super::citizens::insert_score_event(&mut tx, decision.citizen, event, decision.at).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
