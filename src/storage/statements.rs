//! The rows of a merchant's daily statement: the redemptions recorded and
//! the voids made in a span of time, each by its own time, in ledger order.

use super::rows::{self, StoredRow};
use super::{Source, Store, StoreError, unix};
use time::OffsetDateTime;

/// A redemption, or a void of one, as a statement lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub at: OffsetDateTime,
    pub is_void: bool,
    pub redemption_id: String,
    /// The terminal's label as it was then; none for a coordinator's void.
    pub terminal: Option<String>,
    pub offer_id: String,
    pub level: u8,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub offline: bool,
    /// The ledger entry: redemption or reversal.
    pub ledger_seq: i64,
    /// The terminal's key; none for a coordinator's void.
    pub terminal_key_id: Option<String>,
    /// Internal: for counting citizens in a report, never shown.
    pub citizen_number: i64,
}

impl Store {
    /// Redemptions recorded, and voids made, at or after `from` and before
    /// `to`, by the merchant; ordered by their ledger entries.
    pub async fn statement_rows(
        &self,
        merchant_id: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        source: Source,
    ) -> Result<Vec<StatementRow>, StoreError> {
        let columns = "redemption_id, offer_id, level, amount_fen, discount_fen, payable_fen, offline, citizen_number";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT created_at AS at, CAST(0 AS BIGINT) AS is_void, terminal_key_id AS terminal_key, terminal_label AS terminal, ledger_seq AS seq, {columns} \
             FROM redemptions WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3 \
             UNION ALL \
             SELECT voided_at AS at, CAST(1 AS BIGINT) AS is_void, void_terminal_key_id AS terminal_key, void_terminal_label AS terminal, void_ledger_seq AS seq, {columns} \
             FROM redemptions WHERE merchant_id = $1 AND voided_at >= $2 AND voided_at < $3 \
             ORDER BY seq"
        )))
        .bind(merchant_id)
        .bind(unix(from))
        .bind(unix(to))
        .fetch_all(self.pool_for(source))
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StatementRow {
                    at: r.time("at")?,
                    is_void: r.flag("is_void")?,
                    redemption_id: r.text("redemption_id")?,
                    terminal: r.opt_text("terminal")?,
                    offer_id: r.text("offer_id")?,
                    level: rows::small(r.int("level")?, "level")?,
                    amount_fen: r.int("amount_fen")?,
                    discount_fen: r.int("discount_fen")?,
                    payable_fen: r.int("payable_fen")?,
                    offline: r.flag("offline")?,
                    ledger_seq: r.int("seq")?,
                    terminal_key_id: r.opt_text("terminal_key")?,
                    citizen_number: r.int("citizen_number")?,
                })
            })
            .collect()
    }
}
