//! The reduced-fee ledger, read page by page by auditors and coordinators:
//! every entry with its hash and the previous entry's, so a reader can
//! re-walk the chain as `xinyi ledger verify` does. Citizens appear only as
//! the ledger's keyed pseudonyms.

use super::auth::ReaderAuth;
use super::problem::{ApiError, ApiQuery};
use super::state::AppState;
use crate::domain::ledger::LedgerEntry;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// Entries after this sequence number (0, the default, from the start).
    #[param(minimum = 0)]
    pub after_seq: Option<i64>,
    /// How many, in order (default 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// One ledger entry as stored. Amounts are fen.
#[derive(Serialize, ToSchema)]
pub struct LedgerEntryView {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// redemption or reversal.
    pub kind: &'static str,
    pub redemption_id: String,
    pub merchant_id: String,
    pub category: String,
    pub district: String,
    pub offer_id: String,
    pub level: u8,
    pub citizen_pseudonym: String,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl From<LedgerEntry> for LedgerEntryView {
    fn from(e: LedgerEntry) -> Self {
        LedgerEntryView {
            seq: e.seq,
            at: e.at,
            kind: e.kind.as_str(),
            redemption_id: e.redemption_id,
            merchant_id: e.merchant_id,
            category: e.category,
            district: e.district,
            offer_id: e.offer_id,
            level: e.level,
            citizen_pseudonym: e.citizen_pseudonym,
            amount_fen: e.amount_fen,
            discount_fen: e.discount_fen,
            payable_fen: e.payable_fen,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// Ledger entries in order, a page at a time: ask again after the last `seq`.
#[utoipa::path(get, path = "/v1/ledger", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    params(LedgerQuery), responses((status = 200, body = Vec<LedgerEntryView>)))]
pub async fn ledger(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    ApiQuery(query): ApiQuery<LedgerQuery>,
) -> Result<Json<Vec<LedgerEntryView>>, ApiError> {
    let after_seq = query.after_seq.unwrap_or(0);
    if after_seq < 0 {
        return Err(ApiError::invalid("after_seq", "不能为负 / must not be negative"));
    }
    let limit = super::limits::listing_limit(query.limit, 500)?;
    let entries = state.store.ledger_entries(after_seq, limit).await?;
    Ok(Json(entries.into_iter().map(LedgerEntryView::from).collect()))
}
