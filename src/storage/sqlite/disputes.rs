//! Listing redemptions, disputes (异议申诉) and the audit log.

use super::SqliteStore;
use super::redemptions::void_in;
use crate::citizen_handle::CitizenNumber;
use crate::storage::*;
use sqlx::{SqliteConnection, SqlitePool};
use time::OffsetDateTime;

pub(super) async fn merchant_redemptions(
    pool: &SqlitePool,
    merchant_id: &str,
    limit: u32,
) -> Result<Vec<MerchantRedemption>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.redemption_id, r.offer_id, o.rules ->> '$.title' AS offer_title, r.level, r.amount_fen, r.discount_fen, \
         r.payable_fen, r.created_at, r.voided_at FROM redemptions r JOIN offers o ON o.offer_id = r.offer_id \
         WHERE r.merchant_id = ? ORDER BY r.created_at DESC, r.ledger_seq DESC LIMIT ?",
    )
    .bind(merchant_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(crate::storage::rows::merchant_redemption).collect())
}

pub(super) async fn citizen_redemptions(
    pool: &SqlitePool,
    citizen: CitizenNumber,
    limit: u32,
) -> Result<Vec<CitizenRedemption>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.redemption_id, m.name AS merchant_name, o.rules ->> '$.title' AS offer_title, r.amount_fen, \
         r.discount_fen, r.payable_fen, r.created_at, r.voided_at, \
         (SELECT d.status FROM disputes d WHERE d.redemption_id = r.redemption_id ORDER BY d.created_at DESC LIMIT 1) AS dispute_status \
         FROM redemptions r JOIN merchants m ON m.merchant_id = r.merchant_id JOIN offers o ON o.offer_id = r.offer_id \
         WHERE r.citizen_number = ? ORDER BY r.created_at DESC, r.ledger_seq DESC LIMIT ?",
    )
    .bind(citizen.0 as i64)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(crate::storage::rows::citizen_redemption).collect())
}

const DISPUTE_COLUMNS: &str = "SELECT d.dispute_id, d.redemption_id, m.name AS merchant_name, \
     o.rules ->> '$.title' AS offer_title, r.discount_fen, d.reason, d.status, d.note, d.created_at, d.resolved_at, \
     d.resolved_by FROM disputes d JOIN redemptions r ON r.redemption_id = d.redemption_id \
     JOIN merchants m ON m.merchant_id = r.merchant_id JOIN offers o ON o.offer_id = r.offer_id";

async fn dispute_in(conn: &mut SqliteConnection, dispute_id: &str) -> Result<Option<Dispute>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{DISPUTE_COLUMNS} WHERE d.dispute_id = ?")))
        .bind(dispute_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(crate::storage::rows::dispute))
}

pub(super) async fn list(pool: &SqlitePool, status: Option<&str>) -> Result<Vec<Dispute>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{DISPUTE_COLUMNS} WHERE (? IS NULL OR d.status = ?) ORDER BY d.created_at, d.dispute_id"
    )))
    .bind(status)
    .bind(status)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(crate::storage::rows::dispute).collect())
}

pub(super) async fn file(
    store: &SqliteStore,
    dispute_id: &str,
    citizen: CitizenNumber,
    redemption_id: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<DisputeOutcome, StoreError> {
    let mut tx = store.begin_write().await?;
    let own = sqlx::query("SELECT 1 FROM redemptions WHERE redemption_id = ? AND citizen_number = ?")
        .bind(redemption_id)
        .bind(citizen.0 as i64)
        .fetch_optional(&mut *tx)
        .await?;
    if own.is_none() {
        return Ok(DisputeOutcome::NotFound);
    }
    let open = sqlx::query("SELECT 1 FROM disputes WHERE redemption_id = ? AND status = 'open'")
        .bind(redemption_id)
        .fetch_optional(&mut *tx)
        .await?;
    if open.is_some() {
        return Ok(DisputeOutcome::AlreadyOpen);
    }
    sqlx::query(
        "INSERT INTO disputes (dispute_id, redemption_id, citizen_number, reason, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)",
    )
    .bind(dispute_id)
    .bind(redemption_id)
    .bind(citizen.0 as i64)
    .bind(reason)
    .bind(unix(now))
    .execute(&mut *tx)
    .await?;
    let dispute = dispute_in(&mut tx, dispute_id).await?.expect("just inserted");
    tx.commit().await?;
    Ok(DisputeOutcome::Filed(Box::new(dispute)))
}

pub(super) async fn resolve(
    store: &SqliteStore,
    dispute_id: &str,
    resolution: Resolution,
    note: &str,
    coordinator: &str,
    now: OffsetDateTime,
) -> Result<ResolveOutcome, StoreError> {
    let mut tx = store.begin_write().await?;
    let Some(dispute) = dispute_in(&mut tx, dispute_id).await? else {
        return Ok(ResolveOutcome::NotFound);
    };
    if dispute.status != "open" {
        return Ok(ResolveOutcome::AlreadyResolved);
    }
    let status = match resolution {
        Resolution::Void => {
            // Already voided at the counter still resolves the dispute as voided.
            void_in(&mut tx, &dispute.redemption_id, VoidBy::Coordinator, now).await?;
            "voided"
        }
        Resolution::Reject => "rejected",
    };
    sqlx::query("UPDATE disputes SET status = ?, note = ?, resolved_at = ?, resolved_by = ? WHERE dispute_id = ?")
        .bind(status)
        .bind(note)
        .bind(unix(now))
        .bind(coordinator)
        .bind(dispute_id)
        .execute(&mut *tx)
        .await?;
    let resolved = dispute_in(&mut tx, dispute_id).await?.expect("exists");
    tx.commit().await?;
    Ok(ResolveOutcome::Resolved(Box::new(resolved)))
}

pub(super) async fn record_audit(pool: &SqlitePool, entry: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)")
        .bind(unix(entry.at))
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.detail)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn audit_log(pool: &SqlitePool, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query("SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?")
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(crate::storage::rows::audit_entry).collect())
}
