//! Appending to and reading the hash-chained ledger.

use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::{EntryKind, GENESIS_HASH, LedgerEntry};
use crate::domain::periods::period_key;
use crate::domain::reports::RollupRow;
use crate::storage::{StoreError, from_unix, unix};
use roaring::RoaringBitmap;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use xinyi_merchant_sdk::api::LimitPeriod;

/// Appends `entry` after the last one, inside the caller's write
/// transaction (which holds SQLite's write lock, so no one appends between),
/// and folds it into the report rollups in the same transaction.
pub(super) async fn append(
    conn: &mut SqliteConnection,
    entry: LedgerEntry,
    citizen: CitizenNumber,
) -> Result<LedgerEntry, StoreError> {
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
    fold_into_rollups(conn, &entry, citizen).await?;
    Ok(entry)
}

async fn fold_into_rollups(
    conn: &mut SqliteConnection,
    entry: &LedgerEntry,
    citizen: CitizenNumber,
) -> Result<(), StoreError> {
    let day = period_key(LimitPeriod::Day, entry.at);
    let stored: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT citizens FROM reduction_rollups WHERE day = ? AND merchant_id = ? AND offer_id = ? AND level = ?",
    )
    .bind(&day)
    .bind(&entry.merchant_id)
    .bind(&entry.offer_id)
    .bind(i64::from(entry.level))
    .fetch_optional(&mut *conn)
    .await?;
    let mut citizens = match stored {
        Some(bytes) => RoaringBitmap::deserialize_from(bytes.as_slice())
            .map_err(|e| StoreError::Corrupt(format!("rollup citizens: {e}")))?,
        None => RoaringBitmap::new(),
    };
    let (redemptions, reversals, gross, reversed) = match entry.kind {
        EntryKind::Redemption => {
            let number =
                u32::try_from(citizen.0).map_err(|_| StoreError::Corrupt("citizen number beyond u32".into()))?;
            citizens.insert(number);
            (1, 0, entry.discount_fen, 0)
        }
        EntryKind::Reversal => (0, 1, 0, entry.discount_fen),
    };
    let mut bytes = Vec::with_capacity(citizens.serialized_size());
    citizens.serialize_into(&mut bytes).expect("writing to a Vec cannot fail");
    sqlx::query(
        "INSERT INTO reduction_rollups (day, merchant_id, category, district, offer_id, level, redemptions, reversals, \
         gross_fen, reversed_fen, citizens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (day, merchant_id, offer_id, level) DO UPDATE SET redemptions = redemptions + excluded.redemptions, \
         reversals = reversals + excluded.reversals, gross_fen = gross_fen + excluded.gross_fen, \
         reversed_fen = reversed_fen + excluded.reversed_fen, citizens = excluded.citizens",
    )
    .bind(&day)
    .bind(&entry.merchant_id)
    .bind(&entry.category)
    .bind(&entry.district)
    .bind(&entry.offer_id)
    .bind(i64::from(entry.level))
    .bind(redemptions)
    .bind(reversals)
    .bind(gross)
    .bind(reversed)
    .bind(bytes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rollups for the CST days `from` to `to`, both included (`YYYY-MM-DD`).
pub(super) async fn rollups(conn: &mut SqliteConnection, from: &str, to: &str) -> Result<Vec<RollupRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT day, merchant_id, category, district, offer_id, level, redemptions, reversals, gross_fen, reversed_fen, \
         citizens FROM reduction_rollups WHERE day >= ? AND day <= ?",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let bytes: &[u8] = r.get("citizens");
            Ok(RollupRow {
                day: r.get("day"),
                merchant_id: r.get("merchant_id"),
                category: r.get("category"),
                district: r.get("district"),
                offer_id: r.get("offer_id"),
                level: r.get::<i64, _>("level").clamp(0, 255) as u8,
                redemptions: r.get("redemptions"),
                reversals: r.get("reversals"),
                gross_fen: r.get("gross_fen"),
                reversed_fen: r.get("reversed_fen"),
                citizens: RoaringBitmap::deserialize_from(bytes)
                    .map_err(|e| StoreError::Corrupt(format!("rollup citizens: {e}")))?,
            })
        })
        .collect()
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
