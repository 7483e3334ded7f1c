//! A till whose answer was lost asks by its own Idempotency-Key what
//! became of the redemption, instead of guessing or retrying blind.

use super::auth::MerchantAuth;
use super::problem::{ApiError, ApiQuery, Problem};
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use xinyi_merchant_sdk::api::Redemption;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The Idempotency-Key the redemption was sent with.
    #[param(min_length = 1, max_length = 255, pattern = "\\S")]
    pub idempotency_key: String,
}

/// The answer a redemption sent with this Idempotency-Key got, exactly; 404
/// when nothing was committed under it by the calling merchant.
#[utoipa::path(get, path = "/v1/redemptions", tag = "merchant", security(("merchant" = [])), params(LookupQuery),
    responses((status = 200, body = Redemption),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "nothing was committed under this key: the redemption did not happen, send it again")))]
pub async fn lookup(
    State(state): State<AppState>,
    MerchantAuth(merchant, _): MerchantAuth,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Redemption>, ApiError> {
    let key = query.idempotency_key.trim();
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::invalid("idempotency_key", "须为 1 到 255 个字符 / must be 1 to 255 characters"));
    }
    match state.store.idempotent_redemption(&merchant.merchant_id, key).await? {
        Some((_, answer)) => Ok(Json(answer)),
        None => Err(ApiError::not_found("此 Idempotency-Key 下的核销 / a redemption under this Idempotency-Key")),
    }
}
