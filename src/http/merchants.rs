//! Coordinators manage merchants and their checkout keys.

use super::auth::{CoordinatorAuth, ReaderAuth};
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::auth::bearer_tokens::{new_merchant_key, token_hash};
use crate::domain::places::{GeoPoint, Location};
use crate::ids::new_id;
use crate::storage::{Merchant, MerchantKey};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct NewMerchant {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// A code of the catalogue (`GET /v1/categories`), e.g. law_firm, mall or gov_service.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,31}$")]
    pub category: String,
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub district: String,
    /// Street address, shown in the public directory.
    #[serde(default)]
    pub address: String,
    /// WGS-84, optional.
    pub location: Option<Location>,
}

/// Where a merchant is, as coordinators edit it. An absent field is left
/// as it is; `"location": null` removes the point.
#[derive(Deserialize, ToSchema)]
pub struct MerchantPlace {
    pub address: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Location>)]
    pub location: Option<Option<Location>>,
}

/// A field that is present (perhaps as null), told from one that is absent.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Location>>, D::Error> {
    Option::<Location>::deserialize(d).map(Some)
}

#[derive(Serialize, ToSchema)]
pub struct MerchantCreated {
    pub merchant_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct MerchantView {
    pub merchant_id: String,
    pub name: String,
    pub category: String,
    pub district: String,
    pub suspended: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub address: String,
    pub location: Option<Location>,
}

impl From<Merchant> for MerchantView {
    fn from(m: Merchant) -> Self {
        MerchantView {
            merchant_id: m.merchant_id,
            name: m.name,
            category: m.category,
            district: m.district,
            suspended: m.suspended,
            created_at: m.created_at,
            address: m.address,
            location: m.location.map(GeoPoint::location),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewKey {
    /// Which terminal the key is for, e.g. "front desk".
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub label: String,
    /// The terminal may queue scans while offline and send them later
    /// (within `XINYI_OFFLINE_WINDOW_SECS`); other terminals must send a
    /// scan within `XINYI_SCAN_GRACE_SECS`.
    #[serde(default)]
    pub offline: bool,
}

#[derive(Serialize, ToSchema)]
pub struct KeyCreated {
    pub key_id: String,
    /// Shown once; only its hash is stored.
    pub api_key: String,
}

/// An address: empty, or up to 300 visible characters.
fn address_field(value: &str) -> Result<String, ApiError> {
    if value.trim().is_empty() { Ok(String::new()) } else { text_field("address", value, 300) }
}

fn location_field(location: Option<Location>) -> Result<Option<GeoPoint>, ApiError> {
    location.map(GeoPoint::parse).transpose().map_err(|e| ApiError::invalid("location", e))
}

fn text_field(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    crate::domain::text::visible_text(value, max).map(str::to_owned).ok_or_else(|| {
        ApiError::invalid(field, format!("须为 1 到 {max} 个可见字符 / must be 1 to {max} visible characters"))
    })
}

async fn existing(state: &AppState, merchant_id: &str) -> Result<Merchant, ApiError> {
    state.store.merchant(merchant_id).await?.ok_or_else(|| ApiError::not_found("商户 / merchant"))
}

/// Registers a participating merchant.
#[utoipa::path(post, path = "/v1/merchants", tag = "coordinator", security(("coordinator" = [])), request_body = NewMerchant,
    responses((status = 201, body = MerchantCreated), (status = 422, body = Problem)))]
pub async fn create_merchant(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    ApiJson(body): ApiJson<NewMerchant>,
) -> Result<(StatusCode, Json<MerchantCreated>), ApiError> {
    let name = text_field("name", &body.name, 200)?;
    let district = text_field("district", &body.district, 100)?;
    if state.store.category(&body.category).await?.is_none() {
        return Err(ApiError::RefusedField {
            code: "unknown_category",
            title: "类别不存在 / Unknown category",
            field: "category",
            detail: format!(
                "目录中没有类别 {0},见 GET /v1/categories / There is no category {0} in the catalogue (GET /v1/categories)",
                body.category
            ),
        });
    }
    let merchant = Merchant {
        merchant_id: new_id("mer"),
        name,
        category: body.category,
        district,
        suspended: false,
        created_at: OffsetDateTime::now_utc(),
        address: address_field(&body.address)?,
        location: location_field(body.location)?,
    };
    state.store.create_merchant(&merchant).await?;
    state.directory.changed();
    Ok((StatusCode::CREATED, Json(MerchantCreated { merchant_id: merchant.merchant_id })))
}

/// Changes where a merchant is: its address, its point, or both.
#[utoipa::path(patch, path = "/v1/merchants/{merchant_id}", tag = "coordinator", security(("coordinator" = [])),
    params(("merchant_id" = String, Path)), request_body = MerchantPlace,
    responses((status = 200, body = MerchantView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn edit_place(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(merchant_id): Path<String>,
    ApiJson(body): ApiJson<MerchantPlace>,
) -> Result<Json<MerchantView>, ApiError> {
    let merchant = existing(&state, &merchant_id).await?;
    let address = match &body.address {
        Some(address) => address_field(address)?,
        None => merchant.address,
    };
    let location = match body.location {
        Some(location) => location_field(location)?,
        None => merchant.location,
    };
    state.store.set_merchant_place(&merchant_id, &address, location).await?;
    state.directory.changed();
    Ok(Json(existing(&state, &merchant_id).await?.into()))
}

/// Every merchant, for the coordinator dashboard.
#[utoipa::path(get, path = "/v1/merchants", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    responses((status = 200, body = Vec<MerchantView>)))]
pub async fn list_merchants(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
) -> Result<Json<Vec<MerchantView>>, ApiError> {
    Ok(Json(state.store.merchants(crate::storage::Source::Replica).await?.into_iter().map(Into::into).collect()))
}

/// Issues an API key for one of the merchant's checkout terminals.
#[utoipa::path(post, path = "/v1/merchants/{merchant_id}/keys", tag = "coordinator", security(("coordinator" = [])),
    params(("merchant_id" = String, Path)), request_body = NewKey,
    responses((status = 201, body = KeyCreated), (status = 404, body = Problem)))]
pub async fn create_key(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(merchant_id): Path<String>,
    ApiJson(body): ApiJson<NewKey>,
) -> Result<(StatusCode, Json<KeyCreated>), ApiError> {
    let label = text_field("label", &body.label, 100)?;
    existing(&state, &merchant_id).await?;
    let api_key = new_merchant_key();
    let key = MerchantKey {
        key_id: new_id("key"),
        label,
        created_at: OffsetDateTime::now_utc(),
        revoked: false,
        offline: body.offline,
    };
    state.store.add_merchant_key(&merchant_id, &key, &token_hash(&api_key)).await?;
    Ok((StatusCode::CREATED, Json(KeyCreated { key_id: key.key_id, api_key })))
}

/// Revokes one terminal's key; it stops working at once on the node that
/// revoked it, and within a second on every other node.
#[utoipa::path(delete, path = "/v1/merchants/{merchant_id}/keys/{key_id}", tag = "coordinator", security(("coordinator" = [])),
    params(("merchant_id" = String, Path), ("key_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_key(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path((merchant_id, key_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if state.store.revoke_merchant_key(&merchant_id, &key_id, OffsetDateTime::now_utc()).await? {
        state.merchant_keys.forget_all();
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("商户的有效密钥 / a live key of this merchant"))
    }
}

async fn set_suspended(state: &AppState, merchant_id: &str, suspended: bool) -> Result<Json<MerchantView>, ApiError> {
    if !state.store.set_merchant_suspended(merchant_id, suspended, OffsetDateTime::now_utc()).await? {
        return Err(ApiError::not_found("商户 / merchant"));
    }
    state.merchant_keys.forget_all();
    state.directory.changed();
    Ok(Json(existing(state, merchant_id).await?.into()))
}

/// Suspends a merchant: all its keys stop working until it is resumed.
#[utoipa::path(post, path = "/v1/merchants/{merchant_id}/suspend", tag = "coordinator", security(("coordinator" = [])),
    params(("merchant_id" = String, Path)), responses((status = 200, body = MerchantView), (status = 404, body = Problem)))]
pub async fn suspend(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(merchant_id): Path<String>,
) -> Result<Json<MerchantView>, ApiError> {
    set_suspended(&state, &merchant_id, true).await
}

/// Lets a suspended merchant's keys work again.
#[utoipa::path(post, path = "/v1/merchants/{merchant_id}/resume", tag = "coordinator", security(("coordinator" = [])),
    params(("merchant_id" = String, Path)), responses((status = 200, body = MerchantView), (status = 404, body = Problem)))]
pub async fn resume(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(merchant_id): Path<String>,
) -> Result<Json<MerchantView>, ApiError> {
    set_suspended(&state, &merchant_id, false).await
}
