//! The engine's primitives: inside one write transaction, read the state a
//! batch of commands needs, then write the batch's rows with one multi-row
//! statement per table. Which rows, and why, is decided above storage.

use super::dialect::{Col, Dialect};
use super::disputes::{LEDGER_COLUMNS, redemption_answer};
use super::merchants::OFFER_COLUMNS;
use super::rows::{self, StoredRow};
use super::{Dispute, Store, StoreError, StoredOffer, json};
use crate::domain::ledger::{GENESIS_HASH, LedgerEntry};
use serde_json::json;
use sqlx::{Any, AnyConnection, Connection as _};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;
use xinyi_merchant_sdk::api::Redemption;

/// A per-citizen limit's counter: offer, citizen number, period.
pub type UsageKey = (String, i64, String);
/// A report rollup: CST day, merchant, offer, level.
pub type RollupKey = (String, String, String, u8);

/// A stored redemption, as a void needs it.
#[derive(Debug, Clone)]
pub struct StoredRedemption {
    pub merchant_id: String,
    pub offer_id: String,
    pub citizen_number: i64,
    pub level: u8,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub period_key: Option<String>,
    pub created_at: OffsetDateTime,
    pub voided_at: Option<OffsetDateTime>,
    pub category: String,
    pub district: String,
    pub citizen_pseudonym: String,
}

/// Everything stored that a batch's decisions depend on.
#[derive(Debug, Default)]
pub struct BatchReads {
    pub used_codes: HashSet<String>,
    pub citizens: HashSet<i64>,
    pub offers: HashMap<String, StoredOffer>,
    pub usage: HashMap<UsageKey, i64>,
    /// (merchant, Idempotency-Key) → (request hash, first answer).
    pub idempotency: HashMap<(String, String), (String, Redemption)>,
    pub redemptions: HashMap<String, StoredRedemption>,
    pub disputes: HashMap<String, Dispute>,
    /// The last ledger entry's seq and hash (0 and the genesis hash if none).
    pub ledger_head: (i64, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRedemption {
    pub redemption_id: String,
    pub code_id: String,
    pub merchant_id: String,
    pub offer_id: String,
    pub citizen_number: i64,
    pub level: u8,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub period_key: Option<String>,
    pub scanned_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub ledger_seq: i64,
    pub idempotency_key: String,
    pub request_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupDelta {
    pub category: String,
    pub district: String,
    pub redemptions: i64,
    pub reversals: i64,
    pub gross_fen: i64,
    pub reversed_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeResolution {
    pub dispute_id: String,
    pub status: String,
    pub note: String,
    pub at: OffsetDateTime,
    pub by: String,
}

/// Everything a batch writes. Sums are per key, already added up in memory.
#[derive(Debug, Default)]
pub struct BatchWrites {
    pub redemptions: Vec<NewRedemption>,
    pub ledger: Vec<LedgerEntry>,
    /// (redemption, voided at, the reversal's ledger seq).
    pub voids: Vec<(String, OffsetDateTime, i64)>,
    pub usage: HashMap<UsageKey, i64>,
    /// offer → (fen, count) granted by the batch, net of voids.
    pub offer_totals: HashMap<String, (i64, i64)>,
    pub rollups: HashMap<RollupKey, RollupDelta>,
    /// (rollup, part) → the part's whole citizen list, rewritten.
    pub citizen_parts: Vec<(RollupKey, RollupDelta, i64, Vec<u8>)>,
    pub resolutions: Vec<DisputeResolution>,
}

/// One batch's write transaction, holding the writer lock.
pub struct WriteBatch<'c> {
    pub(super) tx: sqlx::Transaction<'c, Any>,
    pub(super) dialect: Dialect,
}

/// The connection a node's writer keeps for itself. Always the same one,
/// so SQLite's page cache stays warm: a connection drops its cache whenever
/// another connection has written.
pub struct WriterConnection(AnyConnection);

pub(super) fn q(sql: String) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

impl Store {
    pub async fn writer_connection(&self) -> Result<WriterConnection, StoreError> {
        Ok(WriterConnection(self.pool.acquire().await?.detach()))
    }

    /// A transaction on the writer's connection, holding the writer lock.
    pub async fn write_batch<'c>(&self, writer: &'c mut WriterConnection) -> Result<WriteBatch<'c>, StoreError> {
        let (begin, lock) = self.dialect.begin_write();
        let mut tx = writer.0.begin_with(begin).await?;
        if let Some(lock) = lock {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        Ok(WriteBatch { tx, dialect: self.dialect })
    }
}

impl WriteBatch<'_> {
    /// Commits; only after this returns is anything the batch did durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    pub async fn used_codes(&mut self, code_ids: &[&str]) -> Result<HashSet<String>, StoreError> {
        let sql = format!("SELECT code_id FROM redemptions WHERE code_id IN {}", self.dialect.json_texts("$1"));
        let rows = q(sql).bind(json(&code_ids)).fetch_all(&mut *self.tx).await?;
        rows.iter().map(|r| r.text("code_id")).collect()
    }

    pub async fn known_citizens(&mut self, numbers: &[i64]) -> Result<HashSet<i64>, StoreError> {
        let list = self.dialect.json_rows("$1", "k", &[("n", Col::Int)]);
        let sql = format!("SELECT number FROM citizens WHERE number IN (SELECT n FROM {list})");
        let numbers: Vec<[i64; 1]> = numbers.iter().map(|&n| [n]).collect();
        let rows = q(sql).bind(json(&numbers)).fetch_all(&mut *self.tx).await?;
        rows.iter().map(|r| r.int("number")).collect()
    }

    pub async fn offers(&mut self, offer_ids: &[&str]) -> Result<HashMap<String, StoredOffer>, StoreError> {
        let sql = format!("{OFFER_COLUMNS} WHERE offer_id IN {}", self.dialect.json_texts("$1"));
        let rows = q(sql).bind(json(&offer_ids)).fetch_all(&mut *self.tx).await?;
        rows.iter().map(|r| rows::offer(r).map(|o| (o.offer_id.clone(), o))).collect()
    }

    pub async fn usage(&mut self, keys: &[UsageKey]) -> Result<HashMap<UsageKey, i64>, StoreError> {
        let keyed = self.dialect.json_rows("$1", "k", &[("o", Col::Text), ("c", Col::Int), ("p", Col::Text)]);
        let sql = format!(
            "SELECT u.offer_id, u.citizen_number, u.period_key, u.used FROM citizen_offer_usage u \
             JOIN {keyed} ON u.offer_id = k.o AND u.citizen_number = k.c AND u.period_key = k.p"
        );
        let keys: Vec<_> = keys.iter().map(|(o, c, p)| json!([o, c, p])).collect();
        let rows = q(sql).bind(json(&keys)).fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| Ok(((r.text("offer_id")?, r.int("citizen_number")?, r.text("period_key")?), r.int("used")?)))
            .collect()
    }

    /// The first answers already given under these (merchant, key) pairs.
    pub async fn idempotency(
        &mut self,
        keys: &[(&str, &str)],
    ) -> Result<HashMap<(String, String), (String, Redemption)>, StoreError> {
        let keyed = self.dialect.json_rows("$1", "k", &[("m", Col::Text), ("k", Col::Text)]);
        let sql = format!(
            "SELECT i.merchant_id, i.idempotency_key, i.request_hash, r.redemption_id, r.level, r.amount_fen, \
             r.discount_fen, r.payable_fen, r.ledger_seq FROM idempotency_keys i \
             JOIN {keyed} ON i.merchant_id = k.m AND i.idempotency_key = k.k \
             JOIN redemptions r ON r.redemption_id = i.redemption_id"
        );
        let rows = q(sql).bind(json(&keys)).fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| {
                let key = (r.text("merchant_id")?, r.text("idempotency_key")?);
                Ok((key, (r.text("request_hash")?, redemption_answer(r)?)))
            })
            .collect()
    }

    pub async fn redemptions(&mut self, ids: &[&str]) -> Result<HashMap<String, StoredRedemption>, StoreError> {
        let sql = format!(
            "SELECT r.redemption_id, r.merchant_id, r.offer_id, r.citizen_number, r.level, r.amount_fen, \
             r.discount_fen, r.payable_fen, r.period_key, r.created_at, r.voided_at, l.category, l.district, \
             l.citizen_pseudonym FROM redemptions r JOIN ledger l ON l.seq = r.ledger_seq \
             WHERE r.redemption_id IN {}",
            self.dialect.json_texts("$1")
        );
        let rows = q(sql).bind(json(&ids)).fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| {
                let stored = StoredRedemption {
                    merchant_id: r.text("merchant_id")?,
                    offer_id: r.text("offer_id")?,
                    citizen_number: r.int("citizen_number")?,
                    level: rows::small(r.int("level")?, "level")?,
                    amount_fen: r.int("amount_fen")?,
                    discount_fen: r.int("discount_fen")?,
                    payable_fen: r.int("payable_fen")?,
                    period_key: r.opt_text("period_key")?,
                    created_at: r.time("created_at")?,
                    voided_at: r.opt_time("voided_at")?,
                    category: r.text("category")?,
                    district: r.text("district")?,
                    citizen_pseudonym: r.text("citizen_pseudonym")?,
                };
                Ok((r.text("redemption_id")?, stored))
            })
            .collect()
    }

    pub async fn disputes(&mut self, ids: &[&str]) -> Result<HashMap<String, Dispute>, StoreError> {
        let sql = format!(
            "{} WHERE d.dispute_id IN {}",
            super::disputes::dispute_columns(self.dialect),
            self.dialect.json_texts("$1")
        );
        let rows = q(sql).bind(json(&ids)).fetch_all(&mut *self.tx).await?;
        rows.iter().map(|r| rows::dispute(r).map(|d| (d.dispute_id.clone(), d))).collect()
    }

    pub async fn ledger_head(&mut self) -> Result<(i64, String), StoreError> {
        let sql = format!("{LEDGER_COLUMNS} ORDER BY seq DESC LIMIT 1");
        let last = q(sql).fetch_optional(&mut *self.tx).await?;
        match last {
            Some(row) => Ok((row.int("seq")?, row.text("hash")?)),
            None => Ok((0, GENESIS_HASH.to_owned())),
        }
    }

    /// Each rollup's last citizen part: its number and its list.
    pub async fn open_citizen_parts(
        &mut self,
        keys: &[&RollupKey],
    ) -> Result<HashMap<RollupKey, (i64, Vec<u8>)>, StoreError> {
        let keyed = self.dialect.json_rows(
            "$1",
            "k",
            &[("day", Col::Text), ("m", Col::Text), ("o", Col::Text), ("l", Col::Int)],
        );
        let sql = format!(
            "SELECT r.day, r.merchant_id, r.offer_id, r.level, r.part, r.citizens FROM reduction_rollups r \
             JOIN {keyed} ON r.day = k.day AND r.merchant_id = k.m AND r.offer_id = k.o AND r.level = k.l \
             WHERE r.part = (SELECT MAX(p.part) FROM reduction_rollups p WHERE p.day = r.day \
             AND p.merchant_id = r.merchant_id AND p.offer_id = r.offer_id AND p.level = r.level)"
        );
        let keys: Vec<_> = keys.iter().map(|(day, m, o, l)| json!([day, m, o, l])).collect();
        let rows = q(sql).bind(json(&keys)).fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| {
                let key = (
                    r.text("day")?,
                    r.text("merchant_id")?,
                    r.text("offer_id")?,
                    rows::small(r.int("level")?, "level")?,
                );
                Ok((key, (r.int("part")?, r.bytes("citizens")?)))
            })
            .collect()
    }

    /// Writes the batch: one statement per table, whatever the batch's size.
    pub async fn write(&mut self, writes: &BatchWrites) -> Result<(), StoreError> {
        self.insert_redemptions(&writes.redemptions).await?;
        self.insert_ledger(&writes.ledger).await?;
        self.mark_voids(&writes.voids).await?;
        self.add_usage(&writes.usage).await?;
        self.add_offer_totals(&writes.offer_totals).await?;
        self.add_rollups(&writes.rollups).await?;
        self.rewrite_citizen_parts(&writes.citizen_parts).await?;
        self.resolve_disputes(&writes.resolutions).await
    }
}
