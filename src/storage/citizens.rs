//! Citizens and their score events.

use super::dialect::Col;
use super::idempotent::{self, WriteOutcome};
use super::rows;
use super::{Source, Store, StoreError, json, unix};
use crate::citizen_handle::CitizenNumber;
use crate::domain::score_event::{NewScoreEvent, ScoreEvent};
use sqlx::Row;
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub number: CitizenNumber,
    pub citizen_id: String,
    pub score_delta: i64,
    /// Has a red- or black-list entry, active or not.
    pub listed: bool,
}

/// What recording one score event did.
pub type EventOutcome = WriteOutcome<ScoreEvent>;

/// With whether the citizen has any list entry, so that the many who have
/// none cost no second read when they get a code.
/// Creates, at base score, every citizen of `citizen_ids` not yet known:
/// records for new citizens arrive from departments before they sign in.
pub(super) async fn create_missing_citizens(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    d: super::dialect::Dialect,
    citizen_ids: &[&str],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO citizens (citizen_id, created_at) SELECT DISTINCT c.value, $1 FROM {} AS c WHERE true \
         ON CONFLICT (citizen_id) DO NOTHING",
        d.json_texts("$2")
    )))
    .bind(unix(now))
    .bind(json(&citizen_ids))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const CITIZEN_COLUMNS: &str = "SELECT number, citizen_id, score_delta, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM list_entries l WHERE l.citizen_number = citizens.number) THEN 1 ELSE 0 END AS BIGINT) \
     AS listed \
     FROM citizens";
const EVENT_COLUMNS: &str = "SELECT e.event_id, c.citizen_id, e.delta, e.reason, e.source, e.occurred_at \
     FROM score_events e JOIN citizens c ON c.number = e.citizen_number";

/// One score event written in the caller's write transaction, with the
/// citizen's score kept beside it: a repair's compensating event and an
/// approved declaration's points.
pub(super) async fn insert_score_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    citizen: CitizenNumber,
    event: &ScoreEvent,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let number = citizen.0 as i64;
    sqlx::query(
        "INSERT INTO score_events (event_id, citizen_number, delta, reason, source, occurred_at, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&event.event_id)
    .bind(number)
    .bind(event.delta)
    .bind(&event.reason)
    .bind(&event.source)
    .bind(unix(event.occurred_at))
    .bind(unix(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE citizens SET score_delta = score_delta + $1 WHERE number = $2")
        .bind(event.delta)
        .bind(number)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The citizen with this identity-provider id, created at base score if new.
    pub async fn citizen_or_create(&self, citizen_id: &str, now: OffsetDateTime) -> Result<Citizen, StoreError> {
        let by_id = format!("{CITIZEN_COLUMNS} WHERE citizen_id = $1");
        let existing =
            sqlx::query(sqlx::AssertSqlSafe(by_id.clone())).bind(citizen_id).fetch_optional(&self.pool).await?;
        if let Some(row) = existing {
            return rows::citizen(&row);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO citizens (citizen_id, created_at) VALUES ($1, $2) ON CONFLICT (citizen_id) DO NOTHING",
        )
        .bind(citizen_id)
        .bind(unix(now))
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(by_id)).bind(citizen_id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        rows::citizen(&row)
    }

    /// The citizen with this identity-provider id, if the service knows it;
    /// a read never creates one.
    pub async fn citizen_by_id(&self, citizen_id: &str) -> Result<Option<Citizen>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CITIZEN_COLUMNS} WHERE citizen_id = $1")))
            .bind(citizen_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::citizen).transpose()
    }

    pub async fn citizen_by_number(&self, number: CitizenNumber) -> Result<Option<Citizen>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CITIZEN_COLUMNS} WHERE number = $1")))
            .bind(number.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::citizen).transpose()
    }

    pub async fn recent_score_events(&self, number: CitizenNumber, limit: u32) -> Result<Vec<ScoreEvent>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EVENT_COLUMNS} WHERE e.citizen_number = $1 ORDER BY e.occurred_at DESC, e.event_id LIMIT $2"
        )))
        .bind(number.0 as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::score_event).collect()
    }

    /// Score events newest first, of one source and one citizen when asked:
    /// what a department posted, for it and for the auditors.
    pub async fn score_events_posted(
        &self,
        source: Option<&str>,
        citizen_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ScoreEvent>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EVENT_COLUMNS} WHERE ($1 IS NULL OR e.source = $1) AND ($2 IS NULL OR c.citizen_id = $2) \
             ORDER BY e.recorded_at DESC, e.occurred_at DESC, e.event_id LIMIT $3"
        )))
        .bind(source)
        .bind(citizen_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool_for(Source::Replica))
        .await?;
        rows.iter().map(rows::score_event).collect()
    }

    /// Records events in one transaction, each idempotent by its event id;
    /// unknown citizens are created. Set-based, a handful of statements per
    /// batch whatever its size: per-row statements made a city-sized import
    /// take most of an hour.
    pub async fn record_score_events(
        &self,
        events: &[NewScoreEvent],
        now: OffsetDateTime,
    ) -> Result<Vec<EventOutcome>, StoreError> {
        let d = self.dialect;
        let mut tx = self.begin_write().await?;
        let ids: Vec<&str> = events.iter().map(|e| e.event().event_id.as_str()).collect();
        let stored =
            sqlx::query(sqlx::AssertSqlSafe(format!("{EVENT_COLUMNS} WHERE e.event_id IN {}", d.json_texts("$1"))))
                .bind(json(&ids))
                .fetch_all(&mut *tx)
                .await?;
        let stored: HashMap<String, ScoreEvent> = stored
            .iter()
            .map(|row| rows::score_event(row).map(|e| (e.event_id.clone(), e)))
            .collect::<Result<_, _>>()?;
        let plan = idempotent::plan(
            events.iter().map(NewScoreEvent::event),
            &stored,
            |e| &e.event_id,
            ScoreEvent::same_content_as,
        );

        let citizen_ids: Vec<&str> = plan.fresh.iter().map(|e| e.citizen_id.as_str()).collect();
        create_missing_citizens(&mut tx, d, &citizen_ids, now).await?;
        let numbers: HashMap<String, i64> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT number, citizen_id FROM citizens WHERE citizen_id IN {}",
            d.json_texts("$1")
        )))
        .bind(json(&citizen_ids))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("citizen_id")?, row.try_get("number")?)))
        .collect::<Result<_, sqlx::Error>>()?;

        let mut new_rows = Vec::with_capacity(plan.fresh.len());
        let mut sums: HashMap<i64, i64> = HashMap::new();
        for event in &plan.fresh {
            let number = numbers[&event.citizen_id];
            *sums.entry(number).or_default() += event.delta;
            new_rows.push(serde_json::json!([
                event.event_id,
                number,
                event.delta,
                event.reason,
                event.source,
                unix(event.occurred_at)
            ]));
        }
        let event_rows = d.json_rows(
            "$2",
            "r",
            &[
                ("event_id", Col::Text),
                ("citizen_number", Col::Int),
                ("delta", Col::Int),
                ("reason", Col::Text),
                ("source", Col::Text),
                ("occurred_at", Col::Int),
            ],
        );
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO score_events (event_id, citizen_number, delta, reason, source, occurred_at, recorded_at) \
             SELECT event_id, citizen_number, delta, reason, source, occurred_at, $1 FROM {event_rows}"
        )))
        .bind(unix(now))
        .bind(json(&new_rows))
        .execute(&mut *tx)
        .await?;
        let sums: Vec<[i64; 2]> = sums.into_iter().map(|(n, s)| [n, s]).collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE citizens SET score_delta = citizens.score_delta + d.s FROM {} WHERE citizens.number = d.n",
            d.json_rows("$1", "d", &[("n", Col::Int), ("s", Col::Int)])
        )))
        .bind(json(&sums))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(plan.outcomes)
    }
}
