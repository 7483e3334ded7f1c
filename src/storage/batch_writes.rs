//! A batch's rows, written with one multi-row statement per table: the rows
//! travel as one JSON parameter, so each statement is prepared once.

use super::batch::{DisputeResolution, NewRedemption, RollupDelta, RollupKey, UsageKey, WriteBatch, q};
use super::dialect::Col::{Int, Text};
use super::{StoreError, json, unix};
use crate::domain::ledger::LedgerEntry;
use serde_json::{Value, json};
use std::collections::HashMap;
use time::OffsetDateTime;

impl WriteBatch<'_> {
    async fn run(&mut self, sql: String, rows: Vec<Value>) -> Result<(), StoreError> {
        if !rows.is_empty() {
            q(sql).bind(json(&rows)).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub(super) async fn insert_redemptions(&mut self, new: &[NewRedemption]) -> Result<(), StoreError> {
        let columns = [
            ("redemption_id", Text),
            ("code_id", Text),
            ("merchant_id", Text),
            ("offer_id", Text),
            ("citizen_number", Int),
            ("level", Int),
            ("amount_fen", Int),
            ("discount_fen", Int),
            ("payable_fen", Int),
            ("period_key", Text),
            ("scanned_at", Int),
            ("created_at", Int),
            ("ledger_seq", Int),
        ];
        let names = columns.map(|(name, _)| name).join(", ");
        let sql = format!(
            "INSERT INTO redemptions ({names}) SELECT {names} FROM {}",
            self.dialect.json_rows("$1", "r", &columns)
        );
        let rows = new
            .iter()
            .map(|r| {
                json!([
                    r.redemption_id,
                    r.code_id,
                    r.merchant_id,
                    r.offer_id,
                    r.citizen_number,
                    r.level,
                    r.amount_fen,
                    r.discount_fen,
                    r.payable_fen,
                    r.period_key,
                    unix(r.scanned_at),
                    unix(r.created_at),
                    r.ledger_seq
                ])
            })
            .collect();
        self.run(sql, rows).await?;
        let columns = [
            ("merchant_id", Text),
            ("idempotency_key", Text),
            ("request_hash", Text),
            ("redemption_id", Text),
            ("created_at", Int),
        ];
        let names = columns.map(|(name, _)| name).join(", ");
        let sql = format!(
            "INSERT INTO idempotency_keys ({names}) SELECT {names} FROM {}",
            self.dialect.json_rows("$1", "i", &columns)
        );
        let rows = new
            .iter()
            .map(|r| json!([r.merchant_id, r.idempotency_key, r.request_hash, r.redemption_id, unix(r.created_at)]))
            .collect();
        self.run(sql, rows).await
    }

    pub(super) async fn insert_ledger(&mut self, entries: &[LedgerEntry]) -> Result<(), StoreError> {
        let columns = [
            ("seq", Int),
            ("at", Int),
            ("kind", Text),
            ("redemption_id", Text),
            ("merchant_id", Text),
            ("category", Text),
            ("district", Text),
            ("offer_id", Text),
            ("level", Int),
            ("citizen_pseudonym", Text),
            ("amount_fen", Int),
            ("discount_fen", Int),
            ("payable_fen", Int),
            ("prev_hash", Text),
            ("hash", Text),
        ];
        let names = columns.map(|(name, _)| name).join(", ");
        let sql =
            format!("INSERT INTO ledger ({names}) SELECT {names} FROM {}", self.dialect.json_rows("$1", "l", &columns));
        let rows = entries
            .iter()
            .map(|e| {
                json!([
                    e.seq,
                    unix(e.at),
                    e.kind.as_str(),
                    e.redemption_id,
                    e.merchant_id,
                    e.category,
                    e.district,
                    e.offer_id,
                    e.level,
                    e.citizen_pseudonym,
                    e.amount_fen,
                    e.discount_fen,
                    e.payable_fen,
                    e.prev_hash,
                    e.hash
                ])
            })
            .collect();
        self.run(sql, rows).await
    }

    pub(super) async fn mark_voids(&mut self, voids: &[(String, OffsetDateTime, i64)]) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE redemptions SET voided_at = v.at, void_ledger_seq = v.seq FROM {} WHERE redemptions.redemption_id = v.id",
            self.dialect.json_rows("$1", "v", &[("id", Text), ("at", Int), ("seq", Int)])
        );
        self.run(sql, voids.iter().map(|(id, at, seq)| json!([id, unix(*at), seq])).collect()).await
    }

    pub(super) async fn add_usage(&mut self, usage: &HashMap<UsageKey, i64>) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO citizen_offer_usage (offer_id, citizen_number, period_key, used) SELECT o, c, p, n FROM {} \
             WHERE true ON CONFLICT (offer_id, citizen_number, period_key) \
             DO UPDATE SET used = citizen_offer_usage.used + excluded.used",
            self.dialect.json_rows("$1", "u", &[("o", Text), ("c", Int), ("p", Text), ("n", Int)])
        );
        self.run(sql, usage.iter().map(|((o, c, p), n)| json!([o, c, p, n])).collect()).await
    }

    pub(super) async fn add_offer_totals(&mut self, totals: &HashMap<String, (i64, i64)>) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE offers SET granted_fen = offers.granted_fen + d.fen, granted_count = offers.granted_count + d.n \
             FROM {} WHERE offers.offer_id = d.offer_id",
            self.dialect.json_rows("$1", "d", &[("offer_id", Text), ("fen", Int), ("n", Int)])
        );
        self.run(sql, totals.iter().map(|(offer, (fen, n))| json!([offer, fen, n])).collect()).await
    }

    /// Part 0 of each rollup carries its sums.
    pub(super) async fn add_rollups(&mut self, rollups: &HashMap<RollupKey, RollupDelta>) -> Result<(), StoreError> {
        let rows = self.rollup_rows("$1");
        let sql = format!(
            "INSERT INTO reduction_rollups (day, merchant_id, category, district, offer_id, level, part, redemptions, \
             reversals, gross_fen, reversed_fen, citizens) SELECT day, m, c, d, o, l, 0, r, v, g, x, {} FROM {rows} \
             WHERE true ON CONFLICT (day, merchant_id, offer_id, level, part) DO UPDATE SET \
             redemptions = reduction_rollups.redemptions + excluded.redemptions, \
             reversals = reduction_rollups.reversals + excluded.reversals, \
             gross_fen = reduction_rollups.gross_fen + excluded.gross_fen, \
             reversed_fen = reduction_rollups.reversed_fen + excluded.reversed_fen",
            self.dialect.from_hex("''")
        );
        let values = rollups.iter().map(|(key, delta)| rollup_row(key, delta, 0, &[])).collect();
        self.run(sql, values).await
    }

    /// Later parts carry only citizens: their sums stay zero.
    pub(super) async fn rewrite_citizen_parts(
        &mut self,
        parts: &[(RollupKey, RollupDelta, i64, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let rows = self.rollup_rows("$1");
        let sql = format!(
            "INSERT INTO reduction_rollups (day, merchant_id, category, district, offer_id, level, part, redemptions, \
             reversals, gross_fen, reversed_fen, citizens) SELECT day, m, c, d, o, l, p, 0, 0, 0, 0, {} FROM {rows} \
             WHERE true ON CONFLICT (day, merchant_id, offer_id, level, part) DO UPDATE SET citizens = excluded.citizens",
            self.dialect.from_hex("h")
        );
        let values = parts.iter().map(|(key, place, part, citizens)| rollup_row(key, place, *part, citizens)).collect();
        self.run(sql, values).await
    }

    fn rollup_rows(&self, param: &str) -> String {
        let columns = [
            ("day", Text),
            ("m", Text),
            ("c", Text),
            ("d", Text),
            ("o", Text),
            ("l", Int),
            ("p", Int),
            ("r", Int),
            ("v", Int),
            ("g", Int),
            ("x", Int),
            ("h", Text),
        ];
        self.dialect.json_rows(param, "k", &columns)
    }

    pub(super) async fn resolve_disputes(&mut self, resolutions: &[DisputeResolution]) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE disputes SET status = d.status, note = d.note, resolved_at = d.at, resolved_by = d.who \
             FROM {} WHERE disputes.dispute_id = d.id",
            self.dialect.json_rows(
                "$1",
                "d",
                &[("id", Text), ("status", Text), ("note", Text), ("at", Int), ("who", Text)]
            )
        );
        let rows = resolutions.iter().map(|r| json!([r.dispute_id, r.status, r.note, unix(r.at), r.by])).collect();
        self.run(sql, rows).await
    }
}

fn rollup_row(key: &RollupKey, delta: &RollupDelta, part: i64, citizens: &[u8]) -> Value {
    let (day, merchant, offer, level) = key;
    json!([
        day,
        merchant,
        delta.category,
        delta.district,
        offer,
        level,
        part,
        delta.redemptions,
        delta.reversals,
        delta.gross_fen,
        delta.reversed_fen,
        hex::encode(citizens)
    ])
}
