//! Coordinators edit an offer's rules, and suspend or resume it. What it
//! granted so far stays: a smaller budget than that leaves it spent.

use super::auth::CoordinatorAuth;
use super::offers::offer_view;
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::domain::offers::OfferRules;
use axum::Json;
use axum::extract::{Path, State};
use xinyi_merchant_sdk::api::{Offer, OfferRequest};

async fn changed(
    state: &AppState,
    offer_id: &str,
    change: impl FnOnce(&OfferRules) -> OfferRules,
) -> Result<Json<Offer>, ApiError> {
    let offer = state.store.change_offer(offer_id, change).await?.ok_or_else(|| ApiError::not_found("优惠 / offer"))?;
    state.directory.changed();
    Ok(Json(offer_view(offer)))
}

/// Replaces an offer's rules: title, tiers, limit, budgets, window, active.
#[utoipa::path(put, path = "/v1/offers/{offer_id}", tag = "coordinator", security(("coordinator" = [])),
    params(("offer_id" = String, Path)), request_body = OfferRequest,
    responses((status = 200, body = Offer),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn edit_offer(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(offer_id): Path<String>,
    ApiJson(body): ApiJson<OfferRequest>,
) -> Result<Json<Offer>, ApiError> {
    let rules = OfferRules::parse(&body).map_err(|e| ApiError::invalid(&e.field, e.message))?;
    changed(&state, &offer_id, |_| rules).await
}

/// Stops an offer at once: codes are refused for it until it is resumed.
#[utoipa::path(post, path = "/v1/offers/{offer_id}/suspend", tag = "coordinator", security(("coordinator" = [])),
    params(("offer_id" = String, Path)),
    responses((status = 200, body = Offer), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn suspend_offer(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(offer_id): Path<String>,
) -> Result<Json<Offer>, ApiError> {
    changed(&state, &offer_id, |rules| OfferRules { active: false, ..rules.clone() }).await
}

/// Lets a suspended offer grant again.
#[utoipa::path(post, path = "/v1/offers/{offer_id}/resume", tag = "coordinator", security(("coordinator" = [])),
    params(("offer_id" = String, Path)),
    responses((status = 200, body = Offer), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn resume_offer(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(offer_id): Path<String>,
) -> Result<Json<Offer>, ApiError> {
    changed(&state, &offer_id, |rules| OfferRules { active: true, ..rules.clone() }).await
}
