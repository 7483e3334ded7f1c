//! Appending to and reading the hash-chained ledger.

use crate::domain::ledger::{EntryKind, GENESIS_HASH, LedgerEntry};
use crate::storage::{StoreError, from_unix, unix};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

/// Appends `entry` after the last one, inside the caller's write
/// transaction (which holds SQLite's write lock, so no one appends between).
pub(super) async fn append(conn: &mut SqliteConnection, entry: LedgerEntry) -> Result<LedgerEntry, StoreError> {
    let last = sqlx::query("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let (seq, previous_hash) =
        last.map_or((1, GENESIS_HASH.to_owned()), |r| (r.get::<i64, _>("seq") + 1, r.get("hash")));
    let entry = LedgerEntry { seq, ..entry }.seal(&previous_hash);
    sqlx::query(
        "INSERT INTO ledger (seq, at, kind, redemption_id, merchant_id, category, district, offer_id, level, \
         citizen_pseudonym, amount_fen, discount_fen, payable_fen, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.seq)
    .bind(unix(entry.at))
    .bind(entry.kind.as_str())
    .bind(&entry.redemption_id)
    .bind(&entry.merchant_id)
    .bind(&entry.category)
    .bind(&entry.district)
    .bind(&entry.offer_id)
    .bind(i64::from(entry.level))
    .bind(&entry.citizen_pseudonym)
    .bind(entry.amount_fen)
    .bind(entry.discount_fen)
    .bind(entry.payable_fen)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(&mut *conn)
    .await?;
    Ok(entry)
}

pub(super) fn entry_from_row(row: &SqliteRow) -> Result<LedgerEntry, StoreError> {
    let kind: String = row.get("kind");
    Ok(LedgerEntry {
        seq: row.get("seq"),
        at: from_unix(row.get("at")),
        kind: EntryKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind:?}")))?,
        redemption_id: row.get("redemption_id"),
        merchant_id: row.get("merchant_id"),
        category: row.get("category"),
        district: row.get("district"),
        offer_id: row.get("offer_id"),
        level: row.get::<i64, _>("level").clamp(0, 255) as u8,
        citizen_pseudonym: row.get("citizen_pseudonym"),
        amount_fen: row.get("amount_fen"),
        discount_fen: row.get("discount_fen"),
        payable_fen: row.get("payable_fen"),
        prev_hash: row.get("prev_hash"),
        hash: row.get("hash"),
    })
}

pub(super) const LEDGER_COLUMNS: &str = "SELECT seq, at, kind, redemption_id, merchant_id, category, district, \
     offer_id, level, citizen_pseudonym, amount_fen, discount_fen, payable_fen, prev_hash, hash FROM ledger";
