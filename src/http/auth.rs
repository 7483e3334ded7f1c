//! Authentication as extractor types: a handler that takes a
//! `CitizenAuth` or a `CoordinatorAuth` cannot run for anyone else. Each
//! staff extractor names the roles it lets in; `docs/roles.md` is the
//! whole matrix, and the `roles` test holds the routes to it.

use super::problem::ApiError;
use super::state::AppState;
use crate::auth::bearer_tokens::{MERCHANT_KEY_PREFIX, token_hash};
use crate::domain::principals::{Principal, Role};
use crate::storage::{Citizen, Merchant, Terminal};
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

/// The bearer credential. A request without one is told 401 even from a
/// blocked address: it guesses nothing, so the limit on failed sign-ins has
/// nothing to stop, and a client that lost its token learns what is missing.
/// Any credential, malformed ones too, waits out a block and counts as a
/// failure when refused.
fn credential<'a>(parts: &'a Parts, state: &AppState, kind: &'static str) -> Result<&'a str, ApiError> {
    let presented = parts.headers.contains_key(AUTHORIZATION);
    if presented {
        state.rate_limits.refuse_if_blocked(parts)?;
    }
    bearer(parts).map_err(|error| match presented {
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
        let token = credential(parts, state, "citizen")?;
        if Role::is_staff_token(token) || token.starts_with(MERCHANT_KEY_PREFIX) {
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

/// The live staff principal of the bearer token, if its role is one of `roles`.
async fn staff(parts: &Parts, state: &AppState, roles: &'static [Role]) -> Result<Principal, ApiError> {
    let token = credential(parts, state, "staff")?;
    if !Role::is_staff_token(token) {
        return Err(wrong_kind(&format!("工作人员凭证 / This endpoint needs a staff token ({})", role_list(roles))));
    }
    let principal = state.store.active_principal_by_token_hash(&token_hash(token)).await?.ok_or_else(|| {
        let refused = ApiError::Unauthorized {
            detail: "工作人员凭证无效或已撤销 / Unknown or revoked staff token".into(),
        };
        state.rate_limits.failed(parts, "staff", refused)
    })?;
    if !roles.contains(&principal.role) {
        return Err(ApiError::ForbiddenForRole { role: principal.role, needed: roles });
    }
    Ok(principal)
}

pub(super) fn role_list(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

/// An extractor that lets in a live staff principal of the roles named.
macro_rules! staff_extractor {
    ($(#[$doc:meta])* $name:ident: $($role:ident),+) => {
        $(#[$doc])*
        pub struct $name(pub Principal);

        impl $name {
            pub const ROLES: &'static [Role] = &[$(Role::$role),+];
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
                staff(parts, state, Self::ROLES).await.map($name)
            }
        }
    };
}

staff_extractor!(
    /// The city credit center: creates, edits, voids and decides.
    CoordinatorAuth: Coordinator
);
staff_extractor!(
    /// Who may read the books and the queues: coordinators and auditors.
    ReaderAuth: Coordinator, Auditor
);
staff_extractor!(
    /// Who may post score events and list entries: coordinators, and
    /// departments under their own source within their limit.
    RecorderAuth: Coordinator, Department
);
staff_extractor!(
    /// Who may read what departments posted: coordinators and auditors all
    /// of it, a department its own source only.
    RecordReaderAuth: Coordinator, Auditor, Department
);
staff_extractor!(
    /// A department: reviews the declarations addressed to it.
    DepartmentAuth: Department
);
staff_extractor!(
    /// Who may read one citizen's standing: coordinators and service desks.
    StandingAuth: Coordinator, ServiceDesk
);

/// A checkout terminal with a live API key of a merchant that is not suspended.
pub struct MerchantAuth(pub Merchant, pub Terminal);

impl FromRequestParts<AppState> for MerchantAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
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

/// A merchant's terminal, or a staff principal who may read the books
/// (coordinators and auditors): who may ask for a redemption's receipt.
pub enum MerchantOrReaderAuth {
    Merchant(Merchant),
    Reader(Principal),
}

impl FromRequestParts<AppState> for MerchantOrReaderAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let merchant_key = bearer(parts).is_ok_and(|token| token.starts_with(MERCHANT_KEY_PREFIX));
        if merchant_key {
            let MerchantAuth(merchant, _) = MerchantAuth::from_request_parts(parts, state).await?;
            return Ok(MerchantOrReaderAuth::Merchant(merchant));
        }
        let ReaderAuth(principal) = ReaderAuth::from_request_parts(parts, state).await?;
        Ok(MerchantOrReaderAuth::Reader(principal))
    }
}
