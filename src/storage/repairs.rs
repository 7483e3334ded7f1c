//! Credit-repair requests: what each asks to lift, filed one pending at a
//! time per entry or event, and decided once, with the decision's effect in
//! the same transaction.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use crate::citizen_handle::CitizenNumber;
use crate::domain::lists::{ListKind, ListWindow};
use crate::domain::repairs::{RepairEffect, RepairTarget};
use crate::domain::score_event::ScoreEvent;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A request as the citizen and the coordinators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Repair {
    pub repair_id: String,
    pub citizen_id: String,
    /// The black-list entry asked to be lifted, or null.
    pub entry_id: Option<String>,
    /// The negative score event asked to be repaired, or null.
    pub event_id: Option<String>,
    /// What the entry or event says: its reason (and the event's points).
    pub subject: String,
    /// What the citizen says was put right.
    pub statement: String,
    /// pending, approved or rejected.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub due_by: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    /// Why it was approved or rejected, for the citizen to read.
    pub decision_reason: Option<String>,
    /// Still pending past `due_by`.
    pub overdue: bool,
}

/// What a repair asks to lift, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairRef {
    Entry(String),
    Event(String),
}

/// A repair request to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRepair {
    pub repair_id: String,
    pub citizen: CitizenNumber,
    pub target: RepairRef,
    pub statement: String,
    pub due_by: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

const REPAIR_COLUMNS: &str = "SELECT r.repair_id, c.citizen_id, r.entry_id, r.event_id, \
     COALESCE(l.reason, e.reason || ' (' || CAST(e.delta AS TEXT) || ')') AS subject, r.statement, r.status, \
     r.due_by, r.created_at, r.decided_at, r.decided_by, r.decision_reason, r.citizen_number FROM repairs r \
     JOIN citizens c ON c.number = r.citizen_number LEFT JOIN list_entries l ON l.entry_id = r.entry_id \
     LEFT JOIN score_events e ON e.event_id = r.event_id";

fn repair(row: &impl StoredRow, now: OffsetDateTime) -> Result<Repair, StoreError> {
    let status = row.text("status")?;
    let due_by = row.time("due_by")?;
    Ok(Repair {
        repair_id: row.text("repair_id")?,
        citizen_id: row.text("citizen_id")?,
        entry_id: row.opt_text("entry_id")?,
        event_id: row.opt_text("event_id")?,
        subject: row.text("subject")?,
        statement: row.text("statement")?,
        overdue: status == "pending" && now > due_by,
        status,
        due_by,
        created_at: row.time("created_at")?,
        decided_at: row.opt_time("decided_at")?,
        decided_by: row.opt_text("decided_by")?,
        decision_reason: row.opt_text("decision_reason")?,
    })
}

impl Store {
    /// The citizen's own entry or event the request names, as the rules
    /// need it; none when it is not the citizen's (or does not exist).
    pub async fn repair_target(
        &self,
        citizen: CitizenNumber,
        target: &RepairRef,
    ) -> Result<Option<RepairTarget>, StoreError> {
        let number = citizen.0 as i64;
        match target {
            RepairRef::Entry(entry_id) => {
                let row = sqlx::query(
                    "SELECT list, starts_at, ends_at, ended_at FROM list_entries WHERE entry_id = $1 AND citizen_number = $2",
                )
                .bind(entry_id)
                .bind(number)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    let window = ListWindow {
                        starts_at: r.time("starts_at")?,
                        ends_at: r.opt_time("ends_at")?,
                        ended_at: r.opt_time("ended_at")?,
                    };
                    let black = ListKind::parse(&r.text("list")?) == Some(ListKind::Black);
                    Ok(RepairTarget::Entry { entry_id: entry_id.clone(), black, window })
                })
                .transpose()
            }
            RepairRef::Event(event_id) => {
                let row = sqlx::query(
                    "SELECT delta, (SELECT COUNT(*) FROM repairs WHERE event_id = $1 AND status = 'approved') AS repaired \
                     FROM score_events WHERE event_id = $1 AND citizen_number = $2",
                )
                .bind(event_id)
                .bind(number)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok(RepairTarget::Event {
                        event_id: event_id.clone(),
                        delta: r.int("delta")?,
                        repaired: r.int("repaired")? > 0,
                    })
                })
                .transpose()
            }
        }
    }

    /// Files the request; false when one for the same entry or event is
    /// pending already (the unique index decides, so two at once cannot both win).
    pub async fn file_repair(&self, new: &NewRepair) -> Result<bool, StoreError> {
        let (entry_id, event_id) = match &new.target {
            RepairRef::Entry(id) => (Some(id), None),
            RepairRef::Event(id) => (None, Some(id)),
        };
        let done = sqlx::query(
            "INSERT INTO repairs (repair_id, citizen_number, entry_id, event_id, statement, status, due_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&new.repair_id)
        .bind(new.citizen.0 as i64)
        .bind(entry_id)
        .bind(event_id)
        .bind(&new.statement)
        .bind(unix(new.due_by))
        .bind(unix(new.created_at))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn repairs_of(&self, citizen: CitizenNumber, now: OffsetDateTime) -> Result<Vec<Repair>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPAIR_COLUMNS} WHERE r.citizen_number = $1 ORDER BY r.created_at DESC, r.repair_id"
        )))
        .bind(citizen.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| repair(r, now)).collect()
    }

    /// Requests with this status, oldest first: the coordinators' queue.
    pub async fn repairs_with_status(&self, status: &str, now: OffsetDateTime) -> Result<Vec<Repair>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPAIR_COLUMNS} WHERE r.status = $1 ORDER BY r.created_at, r.repair_id LIMIT 1000"
        )))
        .bind(status)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| repair(r, now)).collect()
    }

    /// The request and its citizen's number.
    pub async fn repair(
        &self,
        repair_id: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Repair, CitizenNumber)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{REPAIR_COLUMNS} WHERE r.repair_id = $1")))
            .bind(repair_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((repair(&r, now)?, super::rows::citizen_number(&r, "citizen_number")?))).transpose()
    }

    /// Decides a pending request and writes the decision's effect in the
    /// same transaction; false (and nothing written) when it was decided
    /// already.
    pub async fn decide_repair(
        &self,
        decision: &RepairDecision<'_>,
        effect: &RepairEffect,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let decided = sqlx::query(
            "UPDATE repairs SET status = $1, decided_at = $2, decided_by = $3, decision_reason = $4 \
             WHERE repair_id = $5 AND status = 'pending'",
        )
        .bind(decision.status)
        .bind(unix(decision.at))
        .bind(decision.by)
        .bind(decision.reason)
        .bind(decision.repair_id)
        .execute(&mut *tx)
        .await?;
        if decided.rows_affected() != 1 {
            return Ok(false);
        }
        match effect {
            RepairEffect::None => {}
            RepairEffect::EndEntry { entry_id, end_reason } => {
                sqlx::query(
                    "UPDATE list_entries SET ended_at = $1, end_reason = $2 WHERE entry_id = $3 AND ended_at IS NULL",
                )
                .bind(unix(decision.at))
                .bind(end_reason)
                .bind(entry_id)
                .execute(&mut *tx)
                .await?;
            }
            RepairEffect::CompensatingEvent { event_id, delta, reason, source } => {
                let event = ScoreEvent {
                    event_id: event_id.clone(),
                    citizen_id: String::new(),
                    delta: *delta,
                    reason: (*reason).to_owned(),
                    source: source.clone(),
                    occurred_at: decision.at,
                };
                super::citizens::insert_score_event(&mut tx, decision.citizen, &event, decision.at).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// A coordinator's decision on one request.
#[derive(Debug, Clone, Copy)]
pub struct RepairDecision<'a> {
    pub repair_id: &'a str,
    pub citizen: CitizenNumber,
    /// approved or rejected.
    pub status: &'a str,
    pub reason: &'a str,
    pub by: &'a str,
    pub at: OffsetDateTime,
}
