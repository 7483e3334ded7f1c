//! A till asks what a code would give before the sale is rung up, then
//! redeems after: the two-step flow of barcode-payment tills and voucher
//! engines (validate, then redeem).

use super::auth::MerchantAuth;
use super::problem::{ApiError, ApiJson, Problem};
use super::redemptions::{attempt, check_amount};
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use xinyi_merchant_sdk::api::{Quote, RedemptionRequest};

/// What this code would give on this offer and amount if redeemed now,
/// or the refusal a redemption would get. Writes nothing and does not use
/// the code up; the redemption decides again, so a budget or limit spent
/// in between still refuses it.
#[utoipa::path(post, path = "/v1/redemptions/quote", tag = "merchant", security(("merchant" = [])),
    request_body = RedemptionRequest,
    responses(
        (status = 200, body = Quote),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "offer_not_yours / offer_not_found"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "code_used"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "every other rule")))]
pub async fn quote(
    State(state): State<AppState>,
    MerchantAuth(merchant, terminal): MerchantAuth,
    ApiJson(body): ApiJson<RedemptionRequest>,
) -> Result<Json<Quote>, ApiError> {
    check_amount(&body)?;
    let ring = state.keys.ring().await?;
    // No Idempotency-Key: a quote is safe to repeat, and is never stored.
    let attempt = attempt(&state, &ring, (&merchant, &terminal), "", "", body)?;
    let (offer_id, level) = (attempt.offer_id.clone(), attempt.level);
    let decision = crate::engine::quote(&state.store, attempt).await??;
    Ok(Json(Quote {
        offer_id,
        level: level.into(),
        discount_fen: decision.discount_fen,
        payable_fen: decision.payable_fen,
    }))
}
