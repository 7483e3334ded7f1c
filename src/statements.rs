//! Daily settlement statements, shared by the merchant's and the
//! coordinators' HTTP paths and `xinyi statement`: one merchant's
//! redemptions and voids of one China Standard Time calendar day, with
//! totals, as JSON or as CSV for a bookkeeper's spreadsheet.

use crate::domain::periods::day_span;
use crate::domain::text::spreadsheet_safe;
use crate::storage::{Source, StatementRow, Store, StoreError};
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime};
use utoipa::ToSchema;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::LevelView;

/// How long after a day ends its statement is settled. A write carries the
/// time its request arrived and commits a moment later; by then every
/// write of the day has committed or failed.
pub const SETTLE_AFTER: Duration = Duration::minutes(5);

/// A China Standard Time calendar day, `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("须为日期,如 2026-11-29 / must be a date such as 2026-11-29, not {text:?}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatementEntryKind {
    Redemption,
    Void,
}

/// One redemption, or one void on the day it happened. A void's amounts
/// are negative, so each amount column adds up to the day's net.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatementEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: StatementEntryKind,
    /// The redemption recorded, or voided.
    pub redemption_id: String,
    /// The label of the terminal that recorded the redemption or voided it;
    /// null for a coordinator's void on a dispute.
    pub terminal: Option<String>,
    pub offer_id: String,
    pub level: LevelView,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    /// Scanned offline and sent later.
    pub offline: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatementTotals {
    pub redemptions: i64,
    /// Voids made on the day.
    pub reversals: i64,
    /// What the redemptions' sales came to before their discounts.
    pub gross_fen: i64,
    /// Discounts granted by the day's redemptions.
    pub discount_fen: i64,
    /// Discounts given back by the day's voids.
    pub reversed_fen: i64,
    /// discount_fen − reversed_fen: the day's net fee reduction.
    pub net_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statement {
    pub merchant_id: String,
    /// The China Standard Time calendar day.
    pub date: String,
    /// The day is over (and its last writes have committed): the statement
    /// will never change, byte for byte.
    pub settled: bool,
    pub entries: Vec<StatementEntry>,
    pub totals: StatementTotals,
}

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("the day has not begun")]
    NotYetBegun,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The statement of `merchant_id` for `day`, as of `now`.
pub async fn statement(
    store: &Store,
    merchant_id: &str,
    day: Date,
    now: OffsetDateTime,
) -> Result<Statement, StatementError> {
    let (start, end) = day_span(day);
    if start > now {
        return Err(StatementError::NotYetBegun);
    }
    let settled = now >= end + SETTLE_AFTER;
    let rows = store.statement_rows(merchant_id, start, end, source(store, settled, end).await).await?;
    let entries = rows.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
    Ok(Statement {
        merchant_id: merchant_id.to_owned(),
        date: day.to_string(),
        settled,
        totals: totals(&entries),
        entries,
    })
}

/// A settled day's statement reads the replica once the replica has
/// replayed past the day's settling time, so it holds every write of the
/// day and its bytes are the primary's. Anything else, a replica behind or
/// away included, reads the primary.
async fn source(store: &Store, settled: bool, end: OffsetDateTime) -> Source {
    if !settled || !store.has_replica() {
        return Source::Primary;
    }
    match store.read_as_of(Source::Replica).await {
        Ok(Some(as_of)) if as_of >= end + SETTLE_AFTER => Source::Replica,
        _ => Source::Primary,
    }
}

fn entry(row: StatementRow) -> Result<StatementEntry, StoreError> {
    let level = CreditLevel::from_rank(row.level).ok_or_else(|| StoreError::Corrupt(format!("level {}", row.level)))?;
    let sign = if row.is_void { -1 } else { 1 };
    Ok(StatementEntry {
        at: row.at,
        kind: if row.is_void { StatementEntryKind::Void } else { StatementEntryKind::Redemption },
        redemption_id: row.redemption_id,
        terminal: row.terminal,
        offer_id: row.offer_id,
        level: level.into(),
        amount_fen: sign * row.amount_fen,
        discount_fen: sign * row.discount_fen,
        payable_fen: sign * row.payable_fen,
        offline: row.offline,
    })
}

fn totals(entries: &[StatementEntry]) -> StatementTotals {
    let mut totals = StatementTotals::default();
    for e in entries {
        match e.kind {
            StatementEntryKind::Redemption => {
                totals.redemptions += 1;
                totals.gross_fen += e.amount_fen;
                totals.discount_fen += e.discount_fen;
            }
            StatementEntryKind::Void => {
                totals.reversals += 1;
                totals.reversed_fen -= e.discount_fen;
            }
        }
    }
    totals.net_fen = totals.discount_fen - totals.reversed_fen;
    assert_eq!(totals.net_fen, entries.iter().map(|e| e.discount_fen).sum::<i64>(), "the entries add up to the net");
    totals
}

/// The statement as compact JSON: the same bytes for the same statement.
pub fn to_json(statement: &Statement) -> Vec<u8> {
    serde_json::to_vec(statement).expect("a statement serialises")
}

/// Ids written as `="…"`, which a spreadsheet shows as the text itself
/// instead of guessing a number or a date from it.
fn as_text(id: &str) -> String {
    format!("=\"{id}\"")
}

/// The statement as CSV: a UTF-8 byte-order mark (so Excel reads the
/// Chinese right), a header, one row per entry, and a last row starting
/// with `total` whose amount columns are the columns' sums.
pub fn to_csv(statement: &Statement) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = ["at", "kind", "redemption_id", "terminal", "offer_id", "level", "amount_fen", "discount_fen"];
    writer.write_record(header.iter().chain(&["payable_fen", "offline"])).expect("writing CSV to memory");
    for e in &statement.entries {
        let kind = match e.kind {
            StatementEntryKind::Redemption => "redemption",
            StatementEntryKind::Void => "void",
        };
        writer
            .write_record([
                e.at.format(&time::format_description::well_known::Rfc3339).expect("a time formats"),
                kind.to_owned(),
                as_text(&e.redemption_id),
                spreadsheet_safe(e.terminal.as_deref().unwrap_or("")),
                as_text(&e.offer_id),
                e.level.name.clone(),
                e.amount_fen.to_string(),
                e.discount_fen.to_string(),
                e.payable_fen.to_string(),
                if e.offline { "1" } else { "0" }.to_owned(),
            ])
            .expect("writing CSV to memory");
    }
    let t = &statement.totals;
    let sum = |f: fn(&StatementEntry) -> i64| statement.entries.iter().map(f).sum::<i64>().to_string();
    let offline = statement.entries.iter().filter(|e| e.offline).count();
    writer
        .write_record([
            "total".to_owned(),
            format!("{} redemption / {} void", t.redemptions, t.reversals),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            sum(|e| e.amount_fen),
            t.net_fen.to_string(),
            sum(|e| e.payable_fen),
            offline.to_string(),
        ])
        .expect("writing CSV to memory");
    writer.into_inner().expect("flushing CSV to memory")
}

/// `Repr-Digest` (RFC 9530) of a body: `sha-256=:<base64>:`.
pub fn repr_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn a_day_is_the_calendar_day_in_china() {
        let (start, end) = day_span(date!(2026 - 11 - 29));
        assert_eq!(start, datetime!(2026-11-28 16:00 UTC));
        assert_eq!(end, datetime!(2026-11-29 16:00 UTC));
        assert!(parse_day("2026-11-31").is_err());
        assert!(parse_day("20261129").is_err());
    }

    #[test]
    fn the_digest_is_rfc_9530_sha_256_of_the_bytes() {
        // The digest of the empty body, as RFC 9530's examples compute it.
        assert_eq!(repr_digest(b""), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
    }
}
