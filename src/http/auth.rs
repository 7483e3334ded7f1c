//! Authentication as extractor types: a handler that takes a
//! `CitizenAuth` or a `CoordinatorAuth` cannot run for anyone else.

use super::problem::ApiError;
use super::state::AppState;
use crate::auth::bearer_tokens::{COORDINATOR_TOKEN_PREFIX, MERCHANT_KEY_PREFIX, token_hash};
use crate::storage::{Citizen, Coordinator, Merchant, Terminal};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts.headers.get(AUTHORIZATION).ok_or_else(|| ApiError::Unauthorized {
        detail: "缺少 Authorization: Bearer 凭证 / Missing Authorization: Bearer credentials".into(),
    })?;
    value.to_str().ok().and_then(bearer_value).ok_or_else(|| ApiError::Unauthorized {
        detail: "Authorization 头须为 Bearer 凭证 / The Authorization header must be a Bearer token".into(),
    })
}

/// The credential of an `Authorization: Bearer …` value; the scheme name
/// is case-insensitive (RFC 9110 §11.1).
pub(super) fn bearer_value(value: &str) -> Option<&str> {
    let (scheme, credential) = value.trim_start().split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

/// The bearer credential; a malformed one counts as a failed
/// authentication, a missing one does not (nothing was guessed).
fn credential<'a>(parts: &'a Parts, state: &AppState, kind: &'static str) -> Result<&'a str, ApiError> {
    bearer(parts).map_err(|error| match parts.headers.contains_key(AUTHORIZATION) {
        true => state.rate_limits.failed(parts, kind, error),
        false => error,
    })
}

fn wrong_kind(expected: &str) -> ApiError {
    ApiError::Refused {
        status: axum::http::StatusCode::FORBIDDEN,
        code: "wrong_token_kind",
        title: "凭证类型不符 / Wrong kind of credentials",
        detail: format!("此接口需要{expected}"),
    }
}

/// A citizen signed in through the city identity provider.
pub struct CitizenAuth(pub Citizen);

impl FromRequestParts<AppState> for CitizenAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        state.rate_limits.refuse_if_blocked(parts)?;
        let token = credential(parts, state, "citizen")?;
        if token.starts_with(COORDINATOR_TOKEN_PREFIX) || token.starts_with(MERCHANT_KEY_PREFIX) {
            return Err(wrong_kind("市民登录凭证 / This endpoint needs a citizen's sign-in token"));
        }
        let citizen_id = state.idp.verify(token).await.map_err(|e| {
            let refused =
                ApiError::Unauthorized { detail: format!("登录凭证无效 / The sign-in token was refused: {e}") };
            state.rate_limits.failed(parts, "citizen", refused)
        })?;
        let citizen = state.store.citizen_or_create(&citizen_id, OffsetDateTime::now_utc()).await?;
        Ok(CitizenAuth(citizen))
    }
}

/// A coordinator with a live token from `xinyi coordinator create`.
pub struct CoordinatorAuth(pub Coordinator);

impl FromRequestParts<AppState> for CoordinatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        state.rate_limits.refuse_if_blocked(parts)?;
        let token = credential(parts, state, "coordinator")?;
        if !token.starts_with(COORDINATOR_TOKEN_PREFIX) {
            return Err(wrong_kind("协调员凭证 / This endpoint needs a coordinator token"));
        }
        let coordinator = state.store.active_coordinator_by_token_hash(&token_hash(token)).await?.ok_or_else(|| {
            let refused = ApiError::Unauthorized {
                detail: "协调员凭证无效或已撤销 / Unknown or revoked coordinator token".into(),
            };
            state.rate_limits.failed(parts, "coordinator", refused)
        })?;
        Ok(CoordinatorAuth(coordinator))
    }
}

/// A checkout terminal with a live API key of a merchant that is not suspended.
pub struct MerchantAuth(pub Merchant, pub Terminal);

impl FromRequestParts<AppState> for MerchantAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        state.rate_limits.refuse_if_blocked(parts)?;
        let token = credential(parts, state, "merchant")?;
        if !token.starts_with(MERCHANT_KEY_PREFIX) {
            return Err(wrong_kind("商户 API 密钥 / This endpoint needs a merchant API key"));
        }
        let (merchant, terminal) = state.merchant_keys.merchant(&token_hash(token)).await?.ok_or_else(|| {
            let refused = ApiError::Unauthorized {
                detail: "商户 API 密钥无效或已撤销 / Unknown or revoked merchant API key".into(),
            };
            state.rate_limits.failed(parts, "merchant", refused)
        })?;
        if merchant.suspended {
            return Err(ApiError::Refused {
            status: axum::http::StatusCode::FORBIDDEN,
                code: "merchant_suspended",
                title: "商户已暂停 / Merchant suspended",
                detail: "本商户已被暂停参与信易+,请联系协调员 / This merchant is suspended from the programme; contact a coordinator".into(),
            });
        }
        Ok(MerchantAuth(merchant, terminal))
    }
}
