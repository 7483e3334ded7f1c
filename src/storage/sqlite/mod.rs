//! The embedded default: one SQLite file in WAL mode.

mod disputes;
mod ledger;
mod merchants;
mod redemptions;

use super::{Citizen, Coordinator, EventOutcome, StoreError, StoredSigningKey, unix};
use crate::citizen_handle::CitizenNumber;
use crate::domain::score_event::{NewScoreEvent, ScoreEvent};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

pub struct SqliteStore {
    pub(super) pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Writers queue on SQLite's one write lock instead of failing.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        Ok(SqliteStore { pool })
    }

    /// Write transactions take the write lock up front (BEGIN IMMEDIATE), so
    /// two writers never both read and then deadlock upgrading their locks.
    pub(super) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

async fn citizen_or_create_in(
    conn: &mut SqliteConnection,
    citizen_id: &str,
    now: OffsetDateTime,
) -> Result<Citizen, StoreError> {
    sqlx::query("INSERT INTO citizens (citizen_id, created_at) VALUES (?, ?) ON CONFLICT (citizen_id) DO NOTHING")
        .bind(citizen_id)
        .bind(unix(now))
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query("SELECT number, citizen_id, score_delta FROM citizens WHERE citizen_id = ?")
        .bind(citizen_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(crate::storage::rows::citizen(&row))
}

pub(super) fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("plain values serialise")
}

const EVENT_COLUMNS: &str = "SELECT e.event_id, c.citizen_id, e.delta, e.reason, e.source, e.occurred_at \
     FROM score_events e JOIN citizens c ON c.number = e.citizen_number";

#[async_trait]
impl super::Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    async fn citizen_or_create(&self, citizen_id: &str, now: OffsetDateTime) -> Result<Citizen, StoreError> {
        let existing = sqlx::query("SELECT number, citizen_id, score_delta FROM citizens WHERE citizen_id = ?")
            .bind(citizen_id)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = existing {
            return Ok(crate::storage::rows::citizen(&row));
        }
        let mut tx = self.begin_write().await?;
        let citizen = citizen_or_create_in(&mut tx, citizen_id, now).await?;
        tx.commit().await?;
        Ok(citizen)
    }

    async fn citizen_by_number(&self, number: CitizenNumber) -> Result<Option<Citizen>, StoreError> {
        let row = sqlx::query("SELECT number, citizen_id, score_delta FROM citizens WHERE number = ?")
            .bind(number.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(crate::storage::rows::citizen))
    }

    async fn recent_score_events(&self, number: CitizenNumber, limit: u32) -> Result<Vec<ScoreEvent>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EVENT_COLUMNS} WHERE e.citizen_number = ? ORDER BY e.occurred_at DESC, e.event_id LIMIT ?"
        )))
        .bind(number.0 as i64)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(crate::storage::rows::score_event).collect())
    }

    async fn record_score_events(
        &self,
        events: &[NewScoreEvent],
        now: OffsetDateTime,
    ) -> Result<Vec<EventOutcome>, StoreError> {
        // Set-based, a handful of statements per batch whatever its size:
        // per-row statements made a city-sized import take most of an hour.
        let mut tx = self.begin_write().await?;
        let ids: Vec<&str> = events.iter().map(|e| e.event().event_id.as_str()).collect();
        let stored = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EVENT_COLUMNS} WHERE e.event_id IN (SELECT value FROM json_each(?))"
        )))
        .bind(json(&ids))
        .fetch_all(&mut *tx)
        .await?;
        let stored: HashMap<String, ScoreEvent> =
            stored.iter().map(crate::storage::rows::score_event).map(|e| (e.event_id.clone(), e)).collect();
        let plan = super::plan_score_events(events, &stored);

        let citizen_ids: Vec<&str> = plan.fresh.iter().map(|e| e.citizen_id.as_str()).collect();
        sqlx::query(
            "INSERT INTO citizens (citizen_id, created_at) SELECT DISTINCT value, ? FROM json_each(?) WHERE true \
             ON CONFLICT (citizen_id) DO NOTHING",
        )
        .bind(unix(now))
        .bind(json(&citizen_ids))
        .execute(&mut *tx)
        .await?;
        let numbers: HashMap<String, i64> =
            sqlx::query("SELECT number, citizen_id FROM citizens WHERE citizen_id IN (SELECT value FROM json_each(?))")
                .bind(json(&citizen_ids))
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| (row.get("citizen_id"), row.get("number")))
                .collect();

        let mut rows = Vec::with_capacity(plan.fresh.len());
        let mut sums: HashMap<i64, i64> = HashMap::new();
        for event in &plan.fresh {
            let number = numbers[&event.citizen_id];
            *sums.entry(number).or_default() += event.delta;
            rows.push(serde_json::json!([
                event.event_id,
                number,
                event.delta,
                event.reason,
                event.source,
                unix(event.occurred_at)
            ]));
        }
        sqlx::query(
            "INSERT INTO score_events (event_id, citizen_number, delta, reason, source, occurred_at, recorded_at) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, ? FROM json_each(?)",
        )
        .bind(unix(now))
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *tx)
        .await?;
        let sums: Vec<[i64; 2]> = sums.into_iter().map(|(n, s)| [n, s]).collect();
        sqlx::query(
            "UPDATE citizens SET score_delta = score_delta + d.s \
             FROM (SELECT value ->> 0 AS n, value ->> 1 AS s FROM json_each(?)) AS d WHERE citizens.number = d.n",
        )
        .bind(json(&sums))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(plan.outcomes)
    }

    async fn create_coordinator(&self, name: &str, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let exists =
            sqlx::query("SELECT 1 FROM coordinators WHERE name = ?").bind(name).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("coordinator {name}")));
        }
        sqlx::query("INSERT INTO coordinators (name, token_hash, created_at) VALUES (?, ?, ?)")
            .bind(name)
            .bind(token_hash)
            .bind(unix(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoke_coordinator(&self, name: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE coordinators SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
            .bind(unix(now))
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn active_coordinator_by_token_hash(&self, token_hash: &str) -> Result<Option<Coordinator>, StoreError> {
        let row = sqlx::query("SELECT name FROM coordinators WHERE token_hash = ? AND revoked_at IS NULL")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| Coordinator { name: r.get("name") }))
    }

    async fn signing_keys(&self) -> Result<Vec<StoredSigningKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT kid, public_key, secret, sealed, created_at, sign_from, sign_until FROM signing_keys ORDER BY sign_from",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(crate::storage::rows::signing_key).collect())
    }

    async fn add_signing_key(&self, key: &StoredSigningKey, only_if_none: bool) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        if only_if_none && sqlx::query("SELECT 1 FROM signing_keys LIMIT 1").fetch_optional(&mut *tx).await?.is_some() {
            return Ok(false);
        }
        sqlx::query("UPDATE signing_keys SET sign_until = ? WHERE sign_until IS NULL OR sign_until > ?")
            .bind(unix(key.sign_from))
            .bind(unix(key.sign_from))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO signing_keys (kid, public_key, secret, sealed, created_at, sign_from, sign_until) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.kid)
        .bind(key.public_key.as_slice())
        .bind(&key.secret)
        .bind(key.sealed as i64)
        .bind(unix(key.created_at))
        .bind(unix(key.sign_from))
        .bind(key.sign_until.map(unix))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
