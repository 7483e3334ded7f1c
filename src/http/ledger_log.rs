//! The ledger's log, for anyone: the newest signed checkpoint, the key that
//! checks it, and consistency proofs between two tree sizes (C2SP
//! `tlog-checkpoint`, `signed-note`, RFC 9162). Nothing here names a
//! citizen or a merchant: it is hashes and sizes.

use super::problem::{ApiError, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::ledger_proofs::ProofPlan;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use utoipa::IntoParams;

pub(super) const TEXT: &str = "text/plain; charset=utf-8";

pub(super) fn text(body: String, cache: &'static str) -> Response {
    ([(CONTENT_TYPE, TEXT), (CACHE_CONTROL, cache)], body).into_response()
}

/// The newest checkpoint, or 503 before the first is signed.
pub(super) async fn latest(state: &AppState) -> Result<crate::storage::StoredCheckpoint, ApiError> {
    state.store.latest_checkpoint().await?.ok_or(ApiError::Unavailable {
        detail: "账本尚无签名检查点,请稍后重试 / The ledger has no signed checkpoint yet; retry shortly",
    })
}

/// The newest signed checkpoint of the ledger tree: a C2SP signed note
/// whose text is the origin, the tree size and the root hash (base64).
/// A new one is signed within `XINYI_CHECKPOINT_INTERVAL_MS` of a commit.
#[utoipa::path(get, path = "/v1/ledger/checkpoint", tag = "public",
    responses((status = 200, body = String, content_type = "text/plain",
        description = "the signed checkpoint note, e.g. `xinyi.example/ledger\\n42\\n<root>\\n\\n— xinyi.example/ledger <sig>\\n`"),
        (status = 503, body = Problem, content_type = "application/problem+json",
            description = "unavailable: no checkpoint is signed yet")))]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(text(latest(&state).await?.note, "no-cache"))
}

/// The log's verifier key in the signed-note format
/// `<name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>`: pin it in a
/// merchant's SDK, a witness or an auditor. It never changes.
#[utoipa::path(get, path = "/v1/ledger/key", tag = "public",
    responses((status = 200, body = String, content_type = "text/plain", description = "the verifier key and a newline")))]
pub async fn key(State(state): State<AppState>) -> Response {
    text(format!("{}\n", state.log.verifier().encode()), "public, max-age=3600")
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The smaller tree size.
    #[param(minimum = 0)]
    pub old: u64,
    /// The larger tree size, at most the newest checkpoint's.
    #[param(minimum = 0)]
    pub new: u64,
}

/// The RFC 9162 consistency proof that the tree of `old` entries is a
/// prefix of the tree of `new`: its hashes, one base64 line each (none when
/// `old` is 0 or equals `new`).
#[utoipa::path(get, path = "/v1/ledger/consistency", tag = "public", params(ConsistencyQuery),
    responses((status = 200, body = String, content_type = "text/plain", description = "base64 hashes, one a line"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "invalid_field: old above new, or new above the newest checkpoint's size")))]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ConsistencyQuery>,
) -> Result<Response, ApiError> {
    let newest = latest(&state).await?;
    if query.new > newest.size {
        return Err(ApiError::invalid(
            "new",
            format!("不能超过最新检查点的 {0} / must be at most {0}, the newest checkpoint's size", newest.size),
        ));
    }
    if query.old > query.new {
        return Err(ApiError::invalid("old", "不能大于 new / must not be above new"));
    }
    let plan = ProofPlan::consistency(query.old, query.new);
    let hashes = state.store.proof_hashes(&plan).await?;
    let body: String =
        hashes.iter().map(|h| format!("{}\n", base64::engine::general_purpose::STANDARD.encode(h))).collect();
    // The proof between two sizes never changes.
    Ok(text(body, "public, max-age=31536000, immutable"))
}
