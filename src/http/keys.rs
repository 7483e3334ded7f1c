use super::problem::ApiError;
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use time::OffsetDateTime;
use xinyi_merchant_sdk::JsonWebKeySet;

/// The public keys that sign credit codes, as the merchant SDK reads them.
/// A new key appears here before it signs; a retired one stays until every
/// code it signed has expired.
#[utoipa::path(get, path = "/v1/keys", tag = "codes", responses((status = 200, body = JsonWebKeySet)))]
pub async fn published_keys(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let ring = state.keys.ring().await?;
    Ok(([(CACHE_CONTROL, "public, max-age=60")], Json(ring.published(OffsetDateTime::now_utc()))))
}
