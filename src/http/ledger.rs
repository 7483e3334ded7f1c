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
use serde::Deserialize;
use utoipa::IntoParams;

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

/// Ledger entries in order, a page at a time: ask again after the last `seq`.
#[utoipa::path(get, path = "/v1/ledger", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    params(LedgerQuery), responses((status = 200, body = Vec<LedgerEntry>)))]
pub async fn ledger(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    ApiQuery(query): ApiQuery<LedgerQuery>,
) -> Result<Json<Vec<LedgerEntry>>, ApiError> {
    let after_seq = query.after_seq.unwrap_or(0);
    if after_seq < 0 {
        return Err(ApiError::invalid("after_seq", "不能为负 / must not be negative"));
    }
    let limit = super::limits::listing_limit(query.limit, 500)?;
    Ok(Json(state.store.ledger_entries(after_seq, limit, crate::storage::Source::Replica).await?))
}
