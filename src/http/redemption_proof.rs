//! A redemption's receipt: a C2SP `tlog-proof@v1` that its ledger entry is
//! in the tree of the newest signed checkpoint. The entry's canonical bytes
//! ride along as the proof's `extra`, so a merchant checks offline, against
//! the pinned log key, both that the entry is in the books and what it says
//! (the SDK's `verify_receipt`).

use super::auth::MerchantOrReaderAuth;
use super::ledger_log::{latest, text};
use super::problem::{ApiError, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::ledger_proofs::ProofPlan;
use axum::extract::{Path, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinyi_merchant_sdk::tlog_proof::TlogProof;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProofQuery {
    /// `redemption` (the default) for the redemption's entry, `reversal`
    /// for the entry that voided it.
    #[param(inline)]
    pub entry: Option<ProofEntry>,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProofEntry {
    Redemption,
    Reversal,
}

/// The inclusion proof of a redemption's ledger entry (or its reversal's)
/// against the newest checkpoint, as `text/plain`: `c2sp.org/tlog-proof@v1`,
/// `extra` (the entry's canonical bytes, base64), `index`, the hashes, an
/// empty line and the signed checkpoint. For the merchant that owns the
/// redemption, auditors and coordinators.
#[utoipa::path(get, path = "/v1/redemptions/{redemption_id}/proof", tag = "merchant",
    security(("merchant" = []), ("coordinator" = []), ("auditor" = [])),
    params(("redemption_id" = String, Path), ProofQuery),
    responses((status = 200, body = String, content_type = "text/plain", description = "the tlog-proof@v1"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "not_found: no such redemption of this merchant, or it has no reversal"),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "not_checkpointed: the entry is newer than the newest checkpoint; retry after Retry-After")))]
pub async fn proof(
    State(state): State<AppState>,
    caller: MerchantOrReaderAuth,
    Path(redemption_id): Path<String>,
    ApiQuery(query): ApiQuery<ProofQuery>,
) -> Result<Response, ApiError> {
    let reversal = query.entry == Some(ProofEntry::Reversal);
    let entry = state.store.redemption_entry(&redemption_id, reversal).await?;
    // Another merchant's redemption is as absent as one that never was.
    let entry = entry.filter(|e| match &caller {
        MerchantOrReaderAuth::Merchant(merchant) => e.merchant_id == merchant.merchant_id,
        MerchantOrReaderAuth::Reader(_) => true,
    });
    let entry = entry.ok_or_else(|| {
        ApiError::not_found(if reversal {
            "此核销的撤销 / this redemption's reversal"
        } else {
            "核销 / the redemption"
        })
    })?;
    let checkpoint = latest(&state).await?;
    let index = u64::try_from(entry.seq - 1).map_err(|_| ApiError::internal("a ledger seq below 1"))?;
    if index >= checkpoint.size {
        let mut refused = ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "not_checkpointed",
            title: "尚未进入检查点 / Not yet checkpointed",
            detail: "该记录尚未进入已签名的检查点,约一秒后重试 / The entry is not in a signed checkpoint yet; retry in about a second".into(),
        }
        .into_response();
        refused.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return Ok(refused);
    }
    let plan = ProofPlan::inclusion(index, checkpoint.size);
    let hashes = state.store.proof_hashes(&plan).await?;
    let proof = TlogProof { extra: Some(entry.canonical_bytes()), index, hashes, checkpoint: checkpoint.note };
    Ok(text(proof.to_text(), "private, no-store"))
}
