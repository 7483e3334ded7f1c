//! Listing redemptions, disputes (异议申诉) and the audit log, filing
//! disputes, and reading the ledger back.

use super::dialect::Dialect;
use super::rows::{self, StoredRow};
use super::{
    AuditEntry, CitizenRedemption, Dispute, DisputeOutcome, LedgerPage, MerchantRedemption, Source, Store, StoreError,
    unix,
};
use crate::citizen_handle::CitizenNumber;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::Redemption;

pub(crate) const LEDGER_COLUMNS: &str = "SELECT seq, at, kind, redemption_id, merchant_id, category, district, \
     offer_id, level, citizen_pseudonym, amount_fen, discount_fen, payable_fen, prev_hash, hash FROM ledger";

/// The answer a redemption row gives, as first given.
pub(crate) fn redemption_answer(row: &AnyRow) -> Result<Redemption, StoreError> {
    redemption_answer_from(
        row,
        [
            "redemption_id",
            "level",
            "amount_fen",
            "discount_fen",
            "payable_fen",
            "ledger_seq",
            "terminal_label",
            "medium",
            "code_level",
        ],
    )
}

/// The same, from columns with other names.
/// A redemption answer from a row, by the names of its columns: id, level,
/// amount, discount, payable, ledger seq, terminal label, medium, code level.
pub(crate) fn redemption_answer_from(
    row: &AnyRow,
    [id, level, amount, discount, payable, seq, terminal, medium, code_level]: [&str; 9],
) -> Result<Redemption, StoreError> {
    let stored_level = |rank: i64| {
        let rank = rows::small(rank, "level")?;
        CreditLevel::from_rank(rank).ok_or_else(|| StoreError::Corrupt(format!("level {rank}")))
    };
    let level = stored_level(row.int(level)?)?;
    let code_level = row.opt_int(code_level)?.map(stored_level).transpose()?;
    let medium = row.text(medium)?;
    if !matches!(medium.as_str(), "phone" | "paper") {
        return Err(StoreError::Corrupt(format!("medium {medium:?}")));
    }
    Ok(Redemption {
        redemption_id: row.text(id)?,
        level: level.into(),
        amount_fen: row.int(amount)?,
        discount_fen: row.int(discount)?,
        payable_fen: row.int(payable)?,
        ledger_seq: row.int(seq)?,
        terminal: row.opt_text(terminal)?,
        medium,
        code_level: code_level.map(Into::into),
    })
}

/// A dispute with what its redemption was, as coordinators list it.
pub(crate) fn dispute_columns(dialect: Dialect) -> String {
    format!(
        "SELECT d.dispute_id, d.redemption_id, m.name AS merchant_name, {} AS offer_title, r.discount_fen, \
             d.reason, d.status, d.note, d.created_at, d.resolved_at, d.resolved_by, r.terminal_label FROM disputes d \
             JOIN redemptions r ON r.redemption_id = d.redemption_id \
             JOIN merchants m ON m.merchant_id = r.merchant_id JOIN offers o ON o.offer_id = r.offer_id",
        dialect.json_field("o.rules", "title")
    )
}

impl Store {
    /// The redemption an Idempotency-Key already produced, with its request hash.
    pub async fn idempotent_redemption(
        &self,
        merchant_id: &str,
        key: &str,
    ) -> Result<Option<(String, Redemption)>, StoreError> {
        let row = sqlx::query(
            "SELECT i.request_hash, r.redemption_id, r.level, r.amount_fen, r.discount_fen, r.payable_fen, r.ledger_seq, \
             r.terminal_label, r.medium, r.code_level FROM idempotency_keys i JOIN redemptions r ON r.redemption_id = i.redemption_id \
             WHERE i.merchant_id = $1 AND i.idempotency_key = $2",
        )
        .bind(merchant_id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((row.text("request_hash")?, redemption_answer(&row)?))).transpose()
    }

    pub async fn merchant_redemptions(
        &self,
        merchant_id: &str,
        limit: u32,
    ) -> Result<Vec<MerchantRedemption>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.redemption_id, r.offer_id, {} AS offer_title, r.level, r.amount_fen, r.discount_fen, \
             r.payable_fen, r.created_at, r.voided_at, r.offline, r.terminal_label, r.void_terminal_label \
             FROM redemptions r JOIN offers o ON o.offer_id = r.offer_id \
             WHERE r.merchant_id = $1 ORDER BY r.created_at DESC, r.ledger_seq DESC LIMIT $2",
            self.dialect.json_field("o.rules", "title")
        )))
        .bind(merchant_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::merchant_redemption).collect()
    }

    pub async fn citizen_redemptions(
        &self,
        citizen: CitizenNumber,
        limit: u32,
    ) -> Result<Vec<CitizenRedemption>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.redemption_id, m.name AS merchant_name, {} AS offer_title, r.amount_fen, \
             r.discount_fen, r.payable_fen, r.created_at, r.voided_at, \
             (SELECT d.status FROM disputes d WHERE d.redemption_id = r.redemption_id \
              ORDER BY d.created_at DESC LIMIT 1) AS dispute_status \
             FROM redemptions r JOIN merchants m ON m.merchant_id = r.merchant_id JOIN offers o ON o.offer_id = r.offer_id \
             WHERE r.citizen_number = $1 ORDER BY r.created_at DESC, r.ledger_seq DESC LIMIT $2",
            self.dialect.json_field("o.rules", "title")
        )))
        .bind(citizen.0 as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::citizen_redemption).collect()
    }

    pub async fn dispute(&self, dispute_id: &str) -> Result<Option<Dispute>, StoreError> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("{} WHERE d.dispute_id = $1", dispute_columns(self.dialect))))
                .bind(dispute_id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(rows::dispute).transpose()
    }

    /// Disputes, oldest first; only those with `status` when given.
    pub async fn disputes(&self, status: Option<&str>) -> Result<Vec<Dispute>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE ($1 IS NULL OR d.status = $1) ORDER BY d.created_at, d.dispute_id",
            dispute_columns(self.dialect)
        )))
        .bind(status)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::dispute).collect()
    }

    pub async fn file_dispute(
        &self,
        dispute_id: &str,
        citizen: CitizenNumber,
        redemption_id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<DisputeOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let own = sqlx::query("SELECT voided_at FROM redemptions WHERE redemption_id = $1 AND citizen_number = $2")
            .bind(redemption_id)
            .bind(citizen.0 as i64)
            .fetch_optional(&mut *tx)
            .await?;
        match own {
            None => return Ok(DisputeOutcome::NotFound),
            Some(row) if row.opt_int("voided_at")?.is_some() => return Ok(DisputeOutcome::AlreadyVoided),
            Some(_) => {}
        }
        let open = sqlx::query("SELECT 1 FROM disputes WHERE redemption_id = $1 AND status = 'open'")
            .bind(redemption_id)
            .fetch_optional(&mut *tx)
            .await?;
        if open.is_some() {
            return Ok(DisputeOutcome::AlreadyOpen);
        }
        sqlx::query(
            "INSERT INTO disputes (dispute_id, redemption_id, citizen_number, reason, status, created_at) \
             VALUES ($1, $2, $3, $4, 'open', $5)",
        )
        .bind(dispute_id)
        .bind(redemption_id)
        .bind(citizen.0 as i64)
        .bind(reason)
        .bind(unix(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let dispute = self.dispute(dispute_id).await?;
        Ok(DisputeOutcome::Filed(Box::new(
            dispute.ok_or_else(|| StoreError::Corrupt("a filed dispute vanished".into()))?,
        )))
    }

    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, principal_id, role, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(unix(entry.at))
        .bind(&entry.actor)
        .bind(&entry.principal_id)
        .bind(&entry.role)
        .bind(&entry.action)
        .bind(&entry.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Staff actions, newest first, of one principal or one role when asked.
    pub async fn audit_log(
        &self,
        principal_id: Option<&str>,
        role: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, principal_id, role, action, detail FROM audit_log \
             WHERE ($1 IS NULL OR principal_id = $1) AND ($2 IS NULL OR role = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(principal_id)
        .bind(role)
        .bind(i64::from(limit))
        .fetch_all(self.pool_for(Source::Replica))
        .await?;
        rows.iter().map(rows::audit_entry).collect()
    }

    /// The highest ledger seq any redemption or void refers to (0 if none):
    /// a ledger shorter than that has lost entries from its end.
    pub async fn highest_ledger_reference(&self) -> Result<i64, StoreError> {
        let greatest = self.dialect.greatest("ledger_seq", "COALESCE(void_ledger_seq, 0)");
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(MAX({greatest}), 0) AS highest FROM redemptions"
        )))
        .fetch_one(&self.pool)
        .await?;
        row.int("highest")
    }

    /// Ledger entries after `after_seq`, in order, at most `limit`.
    pub async fn ledger_entries(&self, after_seq: i64, limit: u32, source: Source) -> Result<LedgerPage, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{LEDGER_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2")))
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(self.pool_for(source))
            .await?;
        rows.iter().map(rows::ledger_entry).collect()
    }
}
