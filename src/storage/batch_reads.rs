//! Everything a batch of redemptions reads, in one `UNION ALL` statement:
//! each branch fills the columns it has and types the rest as NULL.

use super::batch::{BatchKeys, BatchReads, WriteBatch, q};
use super::dialect::Col::{self, Bytes, Int, Text};
use super::dialect::Dialect;
use super::disputes::redemption_answer_from;
use super::merchants::OFFER_COLUMNS;
use super::rows::{self, StoredRow};
use super::{Store, StoreError, StoredOffer, json};
use crate::domain::ledger::GENESIS_HASH;
use crate::domain::lists::ListWindow;
use crate::domain::offers::OfferRules;
use serde_json::json;
use sqlx::any::AnyRow;

/// The columns every branch has: a kind, six texts, six numbers, bytes.
const TEXTS: [&str; 6] = ["t1", "t2", "t3", "t4", "t5", "t6"];
const INTS: [&str; 6] = ["n1", "n2", "n3", "n4", "n5", "n6"];

/// One branch: `kind`, then its own expressions for the leading columns.
fn branch(d: Dialect, kind: &str, texts: &[&str], ints: &[&str], bytes: Option<&str>, from: &str) -> String {
    let mut columns = vec![format!("'{kind}' AS kind")];
    let fill = |names: &[&str], given: &[&str], col: Col| -> Vec<String> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{} AS {name}", given.get(i).copied().unwrap_or(d.null(col))))
            .collect()
    };
    columns.extend(fill(&TEXTS, texts, Text));
    columns.extend(fill(&INTS, ints, Int));
    columns.push(format!("{} AS b", bytes.unwrap_or(d.null(Bytes))));
    format!("SELECT {} FROM {from}", columns.join(", "))
}

fn statement(d: Dialect) -> String {
    let idempotency = d.json_rows("$1", "k", &[("m", Text), ("k", Text)]);
    let citizens = d.json_rows("$3", "c", &[("n", Int)]);
    let usage = d.json_rows("$5", "k", &[("o", Text), ("c", Int), ("p", Text)]);
    let rollups = d.json_rows("$6", "k", &[("day", Text), ("m", Text), ("o", Text), ("l", Int)]);
    let branches = [
        branch(
            d,
            "idem",
            &[
                "i.merchant_id",
                "i.idempotency_key",
                "i.request_hash",
                "r.redemption_id",
                "r.terminal_label",
                "r.medium",
            ],
            &["r.level", "r.amount_fen", "r.discount_fen", "r.payable_fen", "r.ledger_seq", "r.code_level"],
            None,
            &format!(
                "idempotency_keys i JOIN {idempotency} ON i.merchant_id = k.m AND i.idempotency_key = k.k \
                 JOIN redemptions r ON r.redemption_id = i.redemption_id"
            ),
        ),
        branch(d, "code", &["code_id"], &[], None, &format!("redemptions WHERE code_id IN {}", d.json_texts("$2"))),
        branch(
            d,
            "citizen",
            &[],
            &["number", "score_delta"],
            None,
            &format!("citizens WHERE number IN (SELECT n FROM {citizens})"),
        ),
        branch(
            d,
            "offer",
            &["offer_id", "merchant_id", "rules"],
            &["granted_fen", "granted_count"],
            None,
            &format!("({OFFER_COLUMNS} WHERE offer_id IN {}) AS o", d.json_texts("$4")),
        ),
        branch(
            d,
            "usage",
            &["u.offer_id", "u.period_key"],
            &["u.citizen_number", "u.used"],
            None,
            &format!(
                "citizen_offer_usage u JOIN {usage} ON u.offer_id = k.o AND u.citizen_number = k.c AND u.period_key = k.p"
            ),
        ),
        branch(
            d,
            "part",
            &["r.day", "r.merchant_id", "r.offer_id"],
            &["r.level", "r.part"],
            Some("r.citizens"),
            &format!(
                // The last part by a seek on the whole key: correlated with the
                // rollup's own rows instead, it visited every part of the day.
                "{rollups} JOIN reduction_rollups r ON r.day = k.day AND r.merchant_id = k.m AND r.offer_id = k.o \
                 AND r.level = k.l AND r.part = (SELECT MAX(p.part) FROM reduction_rollups p WHERE p.day = k.day \
                 AND p.merchant_id = k.m AND p.offer_id = k.o AND p.level = k.l)"
            ),
        ),
        // List entries of the batch's citizens, active or not: each
        // redemption decides at its own time.
        branch(
            d,
            "list",
            &["list"],
            &["citizen_number", "starts_at", "ends_at", "ended_at"],
            None,
            &format!("list_entries WHERE citizen_number IN (SELECT n FROM {citizens})"),
        ),
        // The batch's paper codes (an index probe each; phone codes are not looked up).
        branch(
            d,
            "paper",
            &["p.code_id"],
            &["s.revoked_at"],
            None,
            &format!(
                "paper_codes p JOIN code_sheets s ON s.sheet_id = p.sheet_id WHERE p.code_id IN {}",
                d.json_texts("$7")
            ),
        ),
        // The batch's codes fetched by a proxy under a grant since ended
        // (an index probe each; most codes find none).
        branch(
            d,
            "withdrawn",
            &["p.code_id"],
            &["g.ended_at"],
            None,
            &format!(
                "proxy_codes p JOIN proxy_grants g ON g.grant_id = p.grant_id \
                 WHERE g.ended_at IS NOT NULL AND p.code_id IN {}",
                d.json_texts("$2")
            ),
        ),
        branch(d, "head", &["hash"], &["seq"], None, "(SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1) AS h"),
    ];
    branches.join(" UNION ALL ")
}

/// The batch read, bound to the batch's keys.
fn bound(sql: String, keys: &BatchKeys<'_>) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let usage: Vec<_> = keys.usage.iter().map(|(o, c, p)| json!([o, c, p])).collect();
    let rollups: Vec<_> = keys.rollups.iter().map(|(day, m, o, l)| json!([day, m, o, l])).collect();
    let citizens: Vec<[i64; 1]> = keys.citizens.iter().map(|&n| [n]).collect();
    q(sql)
        .bind(json(&keys.idempotency))
        .bind(json(&keys.code_ids))
        .bind(json(&citizens))
        .bind(json(&keys.offer_ids))
        .bind(json(&usage))
        .bind(json(&rollups))
        .bind(json(&keys.paper_code_ids))
}

fn reads_from(rows: &[AnyRow]) -> Result<BatchReads, StoreError> {
    let mut reads = BatchReads { ledger_head: (0, GENESIS_HASH.to_owned()), ..Default::default() };
    for row in rows {
        take(&mut reads, row)?;
    }
    Ok(reads)
}

impl WriteBatch<'_> {
    /// The stored state a batch of redemptions (and voids) decides against.
    pub async fn read(&mut self, keys: &BatchKeys<'_>) -> Result<BatchReads, StoreError> {
        assert!(!self.begun || self.dialect.batch_transaction().before_read.is_empty(), "one read a batch");
        let sql = format!("{}{}", self.dialect.batch_transaction().before_read, statement(self.dialect));
        let rows = bound(sql, keys).fetch_all(&mut *self.conn).await?;
        self.begun = true;
        reads_from(&rows)
    }
}

impl Store {
    /// The same read outside any write, for a quote: a snapshot that a
    /// batch may change a moment later, which is why a quote promises nothing.
    pub async fn read_for_quote(&self, keys: &BatchKeys<'_>) -> Result<BatchReads, StoreError> {
        let rows = bound(statement(self.dialect), keys).fetch_all(&self.pool).await?;
        reads_from(&rows)
    }
}

fn take(reads: &mut BatchReads, r: &AnyRow) -> Result<(), StoreError> {
    match r.text("kind")?.as_str() {
        "idem" => {
            let answer = redemption_answer_from(r, ["t4", "n1", "n2", "n3", "n4", "n5", "t5", "t6", "n6"])?;
            reads.idempotency.insert((r.text("t1")?, r.text("t2")?), (r.text("t3")?, answer));
        }
        "code" => {
            reads.used_codes.insert(r.text("t1")?);
        }
        "citizen" => {
            reads.citizens.insert(r.int("n1")?, r.int("n2")?);
        }
        "offer" => {
            let rules: OfferRules =
                serde_json::from_str(&r.text("t3")?).map_err(|e| StoreError::Corrupt(format!("offer rules: {e}")))?;
            let offer = StoredOffer {
                offer_id: r.text("t1")?,
                merchant_id: r.text("t2")?,
                rules,
                granted_fen: r.int("n1")?,
                granted_count: r.int("n2")?,
            };
            reads.offers.insert(offer.offer_id.clone(), offer);
        }
        "usage" => {
            reads.usage.insert((r.text("t1")?, r.int("n1")?, r.text("t2")?), r.int("n2")?);
        }
        "part" => {
            let key = (r.text("t1")?, r.text("t2")?, r.text("t3")?, rows::small(r.int("n1")?, "level")?);
            reads.open_parts.insert(key, (r.int("n2")?, r.bytes("b")?));
        }
        "list" => {
            let window =
                ListWindow { starts_at: r.time("n2")?, ends_at: r.opt_time("n3")?, ended_at: r.opt_time("n4")? };
            let windows = match r.text("t1")?.as_str() {
                "black" => &mut reads.black_windows,
                "red" => &mut reads.red_windows,
                other => return Err(StoreError::Corrupt(format!("list {other:?}"))),
            };
            windows.entry(r.int("n1")?).or_default().push(window);
        }
        "paper" => {
            reads.paper_codes.insert(r.text("t1")?, r.opt_time("n1")?);
        }
        "withdrawn" => {
            reads.withdrawn_codes.insert(r.text("t1")?, r.time("n1")?);
        }
        "head" => reads.ledger_head = (r.int("n1")?, r.text("t1")?),
        other => return Err(StoreError::Corrupt(format!("a batch read of kind {other:?}"))),
    }
    Ok(())
}
