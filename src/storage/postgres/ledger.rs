//! Appending to and reading the hash-chained ledger.

use super::pg;

use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::{EntryKind, GENESIS_HASH, LedgerEntry};
use crate::domain::periods::period_key;
use crate::domain::reports::{GroupBy, GroupFigures, citizen_list};
use crate::storage::{StoreError, unix};
use sqlx::{PgConnection, Row};
use xinyi_merchant_sdk::api::LimitPeriod;

/// Appends `entry` after the last one, inside the caller's write
/// transaction (which holds SQLite's write lock, so no one appends between),
/// and folds it into the report rollups in the same transaction.
pub(super) async fn append(
    conn: &mut PgConnection,
    entry: LedgerEntry,
    citizen: CitizenNumber,
) -> Result<LedgerEntry, StoreError> {
    let last =
        sqlx::query(pg("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")).fetch_optional(&mut *conn).await?;
    let (seq, previous_hash) =
        last.map_or((1, GENESIS_HASH.to_owned()), |r| (r.get::<i64, _>("seq") + 1, r.get("hash")));
    let entry = LedgerEntry { seq, ..entry }.seal(&previous_hash);
    sqlx::query(pg(
        "INSERT INTO ledger (seq, at, kind, redemption_id, merchant_id, category, district, offer_id, level, \
         citizen_pseudonym, amount_fen, discount_fen, payable_fen, prev_hash, hash) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
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
    conn: &mut PgConnection,
    entry: &LedgerEntry,
    citizen: CitizenNumber,
) -> Result<(), StoreError> {
    let day = period_key(LimitPeriod::Day, entry.at);
    let mut citizens: Vec<u8> = sqlx::query_scalar(pg(
        "SELECT citizens FROM reduction_rollups WHERE day = ? AND merchant_id = ? AND offer_id = ? AND level = ?",
    ))
    .bind(&day)
    .bind(&entry.merchant_id)
    .bind(&entry.offer_id)
    .bind(i64::from(entry.level))
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or_default();
    let (redemptions, reversals, gross, reversed) = match entry.kind {
        EntryKind::Redemption => {
            let number =
                u32::try_from(citizen.0).map_err(|_| StoreError::Corrupt("citizen number beyond u32".into()))?;
            citizen_list::insert(&mut citizens, number);
            (1, 0, entry.discount_fen, 0)
        }
        EntryKind::Reversal => (0, 1, 0, entry.discount_fen),
    };
    sqlx::query(pg(
        "INSERT INTO reduction_rollups (day, merchant_id, category, district, offer_id, level, redemptions, reversals, \
         gross_fen, reversed_fen, citizens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (day, merchant_id, offer_id, level) DO UPDATE SET \
         redemptions = reduction_rollups.redemptions + excluded.redemptions, \
         reversals = reduction_rollups.reversals + excluded.reversals, \
         gross_fen = reduction_rollups.gross_fen + excluded.gross_fen, \
         reversed_fen = reduction_rollups.reversed_fen + excluded.reversed_fen, citizens = excluded.citizens",
    ))
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
    .bind(citizens)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Everything in one `GROUP BY`: the sums, and each group's citizen lists
/// concatenated by SQLite (binary-safe), so a year of rollups comes back as
/// one row per group instead of hundreds of thousands.
pub(super) async fn groups(
    conn: &mut PgConnection,
    from: &str,
    to: &str,
    by: GroupBy,
) -> Result<(Vec<GroupFigures>, u64), StoreError> {
    let key = by.rollup_key_sql();
    let rows = sqlx::query(pg(&format!(
        "SELECT {key} AS k, SUM(redemptions)::bigint AS redemptions, SUM(reversals)::bigint AS reversals, \
         SUM(gross_fen)::bigint AS gross_fen, SUM(reversed_fen)::bigint AS reversed_fen, \
         COUNT(DISTINCT CASE WHEN redemptions > 0 THEN merchant_id END) AS merchants, \
         string_agg(citizens, ''::bytea) AS citizens \
         FROM reduction_rollups WHERE day >= ? AND day <= ? GROUP BY k"
    )))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let groups = rows
        .iter()
        .map(|r| GroupFigures {
            key: r.get("k"),
            redemptions: r.get("redemptions"),
            reversals: r.get("reversals"),
            gross_fen: r.get("gross_fen"),
            reversed_fen: r.get("reversed_fen"),
            merchants_with_redemptions: r.get::<i64, _>("merchants") as u64,
            citizens: citizen_list::values(r.get::<Option<&[u8]>, _>("citizens").unwrap_or_default()).collect(),
        })
        .collect();
    let merchants: i64 = sqlx::query_scalar(pg(
        "SELECT COUNT(DISTINCT merchant_id) FROM reduction_rollups WHERE day >= ? AND day <= ? AND redemptions > 0",
    ))
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok((groups, merchants as u64))
}

pub(super) const LEDGER_COLUMNS: &str = "SELECT seq, at, kind, redemption_id, merchant_id, category, district, \
     offer_id, level, citizen_pseudonym, amount_fen, discount_fen, payable_fen, prev_hash, hash FROM ledger";
