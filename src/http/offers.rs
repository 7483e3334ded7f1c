//! Offers: created by coordinators for a merchant, listed by its terminals.

use super::auth::{CoordinatorAuth, MerchantAuth, ReaderAuth};
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::domain::offers::OfferRules;
use crate::ids::new_id;
use crate::storage::StoredOffer;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use xinyi_merchant_sdk::api::{Offer, OfferRequest};

#[derive(Serialize, ToSchema)]
pub struct OfferCreated {
    pub offer_id: String,
}

pub fn offer_view(offer: StoredOffer) -> Offer {
    let r = offer.rules;
    Offer {
        offer_id: offer.offer_id,
        merchant_id: offer.merchant_id,
        title: r.title,
        min_level: r.min_level.rank(),
        tiers: r.tiers,
        per_citizen_limit: r.per_citizen_limit,
        budget_fen: r.budget_fen,
        budget_count: r.budget_count,
        granted_fen: offer.granted_fen,
        granted_count: offer.granted_count,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        active: r.active,
    }
}

/// Creates an offer for a merchant: tiers by level (a higher level gets a
/// bigger benefit), a per-citizen limit, budgets and a validity window.
#[utoipa::path(post, path = "/v1/merchants/{merchant_id}/offers", tag = "coordinator", security(("coordinator" = [])),
    params(("merchant_id" = String, Path)), request_body = OfferRequest,
    responses((status = 201, body = OfferCreated), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_offer(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(merchant_id): Path<String>,
    ApiJson(body): ApiJson<OfferRequest>,
) -> Result<(StatusCode, Json<OfferCreated>), ApiError> {
    let rules = OfferRules::parse(&body).map_err(|e| ApiError::invalid(&e.field, e.message))?;
    state.store.merchant(&merchant_id).await?.ok_or_else(|| ApiError::not_found("商户 / merchant"))?;
    let offer = StoredOffer { offer_id: new_id("off"), merchant_id, rules, granted_fen: 0, granted_count: 0 };
    state.store.create_offer(&offer, OffsetDateTime::now_utc()).await?;
    state.directory.changed();
    Ok((StatusCode::CREATED, Json(OfferCreated { offer_id: offer.offer_id })))
}

/// A merchant's offers, for coordinators.
#[utoipa::path(get, path = "/v1/merchants/{merchant_id}/offers", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    params(("merchant_id" = String, Path)), responses((status = 200, body = Vec<Offer>), (status = 404, body = Problem)))]
pub async fn merchant_offers(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    Path(merchant_id): Path<String>,
) -> Result<Json<Vec<Offer>>, ApiError> {
    if state.store.merchant(&merchant_id).await?.is_none() {
        return Err(ApiError::not_found("商户 / merchant"));
    }
    Ok(Json(state.store.offers_of(&merchant_id).await?.into_iter().map(offer_view).collect()))
}

/// The calling terminal's merchant's offers.
#[utoipa::path(get, path = "/v1/merchant/offers", tag = "merchant", security(("merchant" = [])),
    responses((status = 200, body = Vec<Offer>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn own_offers(
    State(state): State<AppState>,
    MerchantAuth(merchant, _): MerchantAuth,
) -> Result<Json<Vec<Offer>>, ApiError> {
    Ok(Json(state.store.offers_of(&merchant.merchant_id).await?.into_iter().map(offer_view).collect()))
}
