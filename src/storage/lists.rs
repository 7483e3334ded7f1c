//! Red- and black-list entries: recorded idempotently by their ids (one by
//! one over HTTP, in batches by the import), read per citizen, ended early.

use super::dialect::Col;
use super::idempotent::{self, WriteOutcome};
use super::rows::StoredRow;
use super::{Source, Store, StoreError, json, unix};
use crate::citizen_handle::CitizenNumber;
use crate::domain::lists::{ListEntry, ListKind, ListWindow, NewListEntry};
use std::collections::HashMap;
use time::OffsetDateTime;

/// What recording one list entry did.
pub type EntryOutcome = WriteOutcome<ListEntry>;

const ENTRY_COLUMNS: &str = "SELECT l.entry_id, c.citizen_id, l.list, l.reason, l.source, l.starts_at, l.ends_at, \
     l.ended_at, l.end_reason FROM list_entries l JOIN citizens c ON c.number = l.citizen_number";

fn list_entry(row: &impl StoredRow) -> Result<ListEntry, StoreError> {
    let list = row.text("list")?;
    Ok(ListEntry {
        entry_id: row.text("entry_id")?,
        citizen_id: row.text("citizen_id")?,
        list: ListKind::parse(&list).ok_or_else(|| StoreError::Corrupt(format!("list {list:?}")))?,
        reason: row.text("reason")?,
        source: row.text("source")?,
        window: ListWindow {
            starts_at: row.time("starts_at")?,
            ends_at: row.opt_time("ends_at")?,
            ended_at: row.opt_time("ended_at")?,
        },
        end_reason: row.opt_text("end_reason")?,
    })
}

impl Store {
    /// Records entries in one transaction, each idempotent by its entry id;
    /// unknown citizens are created. Set-based, like score events.
    pub async fn record_list_entries(
        &self,
        entries: &[NewListEntry],
        now: OffsetDateTime,
    ) -> Result<Vec<EntryOutcome>, StoreError> {
        let d = self.dialect;
        let mut tx = self.begin_write().await?;
        let ids: Vec<&str> = entries.iter().map(|e| e.entry().entry_id.as_str()).collect();
        let stored =
            sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY_COLUMNS} WHERE l.entry_id IN {}", d.json_texts("$1"))))
                .bind(json(&ids))
                .fetch_all(&mut *tx)
                .await?;
        let stored: HashMap<String, ListEntry> =
            stored.iter().map(|r| list_entry(r).map(|e| (e.entry_id.clone(), e))).collect::<Result<_, _>>()?;
        let entries: Vec<ListEntry> = entries.iter().map(|e| e.beside(stored.get(&e.entry().entry_id))).collect();
        let plan = idempotent::plan(entries.iter(), &stored, |e| &e.entry_id, ListEntry::same_content_as);
        let citizen_ids: Vec<&str> = plan.fresh.iter().map(|e| e.citizen_id.as_str()).collect();
        super::citizens::create_missing_citizens(&mut tx, d, &citizen_ids, now).await?;
        let rows: Vec<_> = plan
            .fresh
            .iter()
            .map(|e| {
                let w = &e.window;
                serde_json::json!([
                    e.entry_id,
                    e.citizen_id,
                    e.list.as_str(),
                    e.reason,
                    e.source,
                    unix(w.starts_at),
                    w.ends_at.map(unix)
                ])
            })
            .collect();
        let source = d.json_rows(
            "$2",
            "r",
            &[
                ("entry_id", Col::Text),
                ("citizen_id", Col::Text),
                ("list", Col::Text),
                ("reason", Col::Text),
                ("source", Col::Text),
                ("starts_at", Col::Int),
                ("ends_at", Col::Int),
            ],
        );
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO list_entries (entry_id, citizen_number, list, reason, source, starts_at, ends_at, created_at) \
             SELECT r.entry_id, c.number, r.list, r.reason, r.source, r.starts_at, r.ends_at, $1 \
             FROM {source} JOIN citizens c ON c.citizen_id = r.citizen_id"
        )))
        .bind(unix(now))
        .bind(json(&rows))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(plan.outcomes)
    }

    pub async fn list_entry(&self, entry_id: &str) -> Result<Option<ListEntry>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY_COLUMNS} WHERE l.entry_id = $1")))
            .bind(entry_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(list_entry).transpose()
    }

    /// Every entry of the citizen, ended or not, oldest first.
    pub async fn list_entries_of(&self, citizen: CitizenNumber) -> Result<Vec<ListEntry>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ENTRY_COLUMNS} WHERE l.citizen_number = $1 ORDER BY l.starts_at, l.entry_id"
        )))
        .bind(citizen.0 as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(list_entry).collect()
    }

    /// Entries newest first, of one source and one citizen when asked.
    pub async fn list_entries_posted(
        &self,
        source: Option<&str>,
        citizen_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ListEntry>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ENTRY_COLUMNS} WHERE ($1 IS NULL OR l.source = $1) AND ($2 IS NULL OR c.citizen_id = $2) \
             ORDER BY l.starts_at DESC, l.entry_id LIMIT $3"
        )))
        .bind(source)
        .bind(citizen_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool_for(Source::Replica))
        .await?;
        rows.iter().map(list_entry).collect()
    }

    /// Ends the entry at `now` unless it was ended already; false if it was.
    pub async fn end_list_entry(&self, entry_id: &str, reason: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE list_entries SET ended_at = $1, end_reason = $2 WHERE entry_id = $3 AND ended_at IS NULL",
        )
        .bind(unix(now))
        .bind(reason)
        .bind(entry_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
