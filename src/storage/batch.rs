//! The engine's primitives: inside one write transaction, read the state a
//! batch of commands needs with one statement, then write the batch's rows
//! with one more. Every statement is a round trip (to SQLite's worker
//! thread, or over the network to PostgreSQL) while the writer lock is
//! held, so a batch makes as few as it can. Which rows, and why, is
//! decided above storage.

use super::dialect::Dialect;
use super::rows::{self, StoredRow};
use super::{Dispute, Store, StoreError, StoredOffer, Terminal, json};
use crate::domain::ledger::LedgerEntry;
use sqlx::{Any, AnyConnection, Executor as _};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;
use xinyi_merchant_sdk::api::Redemption;

/// A per-citizen limit's counter: offer, citizen number, period.
pub type UsageKey = (String, i64, String);
/// A report rollup: CST day, merchant, offer, level.
pub type RollupKey = (String, String, String, u8);

/// A stored redemption, as a void needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The batch's citizens that exist, with their score delta.
    pub citizens: HashMap<i64, i64>,
    pub offers: HashMap<String, StoredOffer>,
    pub usage: HashMap<UsageKey, i64>,
    /// (merchant, Idempotency-Key) → (request hash, first answer).
    pub idempotency: HashMap<(String, String), (String, Redemption)>,
    pub redemptions: HashMap<String, StoredRedemption>,
    pub disputes: HashMap<String, Dispute>,
    /// The last ledger entry's seq and hash (0 and the genesis hash if none).
    pub ledger_head: (i64, String),
    /// Each rollup's last citizen part: its number and its list.
    pub open_parts: HashMap<RollupKey, (i64, Vec<u8>)>,
    /// The black-list entries of the batch's citizens, by citizen number.
    pub black_windows: HashMap<i64, Vec<crate::domain::lists::ListWindow>>,
    /// The red-list entries, likewise: a paper code's level is capped by
    /// the citizen's current benefit level.
    pub red_windows: HashMap<i64, Vec<crate::domain::lists::ListWindow>>,
    /// The batch's paper codes by code id, with when their sheet was
    /// revoked (none: not revoked). A code id not here is no paper code.
    pub paper_codes: HashMap<String, Option<time::OffsetDateTime>>,
    /// The batch's codes that a family proxy fetched under a grant since
    /// ended, by code id, with when it ended: ending a grant withdraws the
    /// codes already fetched too.
    pub withdrawn_codes: HashMap<String, time::OffsetDateTime>,
}

/// What a batch of redemptions reads, by key. Usage counters and rollups
/// are candidates: every period a limit could count in, every rollup a
/// redemption would fold into, so one read serves the whole batch.
#[derive(Debug, Default)]
pub struct BatchKeys<'k> {
    pub code_ids: Vec<&'k str>,
    /// The paper codes among them: only these are looked up among the
    /// sheets' codes, so a batch of phone codes pays nothing for paper.
    pub paper_code_ids: Vec<&'k str>,
    pub citizens: Vec<i64>,
    pub offer_ids: Vec<&'k str>,
    pub idempotency: Vec<(&'k str, &'k str)>,
    pub usage: Vec<UsageKey>,
    pub rollups: Vec<RollupKey>,
}

/// A redemption the batch makes: its row as a later void reads it, and
/// what only the insert needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRedemption {
    pub redemption_id: String,
    pub code_id: String,
    pub stored: StoredRedemption,
    pub scanned_at: OffsetDateTime,
    pub ledger_seq: i64,
    pub idempotency_key: String,
    pub request_hash: String,
    /// Voided later in the same batch.
    pub voided: Option<NewVoid>,
    /// Scanned offline and sent later than an online terminal may.
    pub offline: bool,
    /// The terminal that recorded it.
    pub terminal: Terminal,
    pub medium: xinyi_merchant_sdk::CodeMedium,
    /// The level the code carried, when the level applied is lower.
    pub code_level: Option<u8>,
}

/// A void the batch makes: when, the reversal's ledger seq, and the
/// terminal that asked for it (none when a coordinator voids on a dispute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVoid {
    pub at: OffsetDateTime,
    pub seq: i64,
    pub terminal: Option<Terminal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupDelta {
    pub category: String,
    pub district: String,
    pub redemptions: i64,
    pub reversals: i64,
    pub gross_fen: i64,
    pub reversed_fen: i64,
    /// Redemptions scanned offline and sent later.
    pub offline_redemptions: i64,
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
    /// Redemptions of earlier batches voided by this one.
    pub voids: Vec<(String, NewVoid)>,
    pub usage: HashMap<UsageKey, i64>,
    /// offer → (fen, count) granted by the batch, net of voids.
    pub offer_totals: HashMap<String, (i64, i64)>,
    /// Part 0 of each rollup: the batch's sums.
    pub rollups: HashMap<RollupKey, RollupDelta>,
    /// (rollup, where, part, the part's whole citizen list), rewritten.
    pub citizen_parts: Vec<(RollupKey, RollupDelta, i64, Vec<u8>)>,
    pub resolutions: Vec<DisputeResolution>,
    /// The ledger tree's new hashes, by stored index: the batch's entries'
    /// leaves and the subtrees they complete (the engine's `tree`).
    pub tree: Vec<(u64, xinyi_merchant_sdk::merkle::Hash)>,
    /// Signed checkpoints to store, each unless one as large is stored.
    pub checkpoints: Vec<super::StoredCheckpoint>,
}

/// One batch's write transaction on the writer's own connection, holding
/// the writer lock once begun. It is begun and committed by hand, folded
/// into the batch's own statements where the database allows
/// ([`Dialect::batch_transaction`]); if anything fails, the writer drops
/// the connection, which rolls the transaction back.
pub struct WriteBatch<'c> {
    pub(super) conn: &'c mut AnyConnection,
    pub(super) dialect: Dialect,
    pub(super) begun: bool,
    pub(super) committed: bool,
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
        let mut connection = self.pool.acquire().await?.detach();
        sqlx::query(self.dialect.writer_setup()).execute(&mut connection).await?;
        Ok(WriterConnection(connection))
    }

    /// Moves the write-ahead log into the database, off the writer's path;
    /// returns at once where the database does this itself.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Some(checkpoint) = self.dialect.checkpoint() {
            sqlx::query(checkpoint).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// A batch on the writer's connection; its transaction begins at once,
    /// or with its read.
    pub async fn write_batch<'c>(&self, writer: &'c mut WriterConnection) -> Result<WriteBatch<'c>, StoreError> {
        let begin_alone = self.dialect.batch_transaction().begin_alone;
        if let Some(begin) = begin_alone {
            writer.0.execute(begin).await?;
        }
        Ok(WriteBatch { conn: &mut writer.0, dialect: self.dialect, begun: begin_alone.is_some(), committed: false })
    }
}

impl WriteBatch<'_> {
    /// Commits, unless the write did; only after this returns is anything
    /// the batch did durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        assert!(self.begun, "a batch commits what it began");
        if !self.committed {
            self.conn.execute("COMMIT").await?;
        }
        Ok(())
    }

    pub async fn redemptions(&mut self, ids: &[&str]) -> Result<HashMap<String, StoredRedemption>, StoreError> {
        let sql = format!(
            "SELECT r.redemption_id, r.merchant_id, r.offer_id, r.citizen_number, r.level, r.amount_fen, \
             r.discount_fen, r.payable_fen, r.period_key, r.created_at, r.voided_at, l.category, l.district, \
             l.citizen_pseudonym FROM redemptions r JOIN ledger l ON l.seq = r.ledger_seq \
             WHERE r.redemption_id IN {}",
            self.dialect.json_texts("$1")
        );
        let rows = q(sql).bind(json(&ids)).fetch_all(&mut *self.conn).await?;
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
        let rows = q(sql).bind(json(&ids)).fetch_all(&mut *self.conn).await?;
        rows.iter().map(|r| rows::dispute(r).map(|d| (d.dispute_id.clone(), d))).collect()
    }
}
