//! The citizen's signed credit statement (信用报告): a compact JWS (RFC 7515)
//! with EdDSA over the claims below, signed by a key of the service's
//! published set, header `typ` [`STATEMENT_TYPE`]. Anyone can check one
//! offline against `GET /v1/keys`, with any JOSE library or with
//! [`verify_statement`].
//!
//! A statement can never pass as a credit code, nor a code as a statement:
//! a code's signature covers bytes that begin `XINYI-CREDIT-CODE\0`, and a
//! JWS signing input is base64url text and dots, which never holds a NUL.

use crate::key_set::TrustedKeys;
use crate::level::LevelView;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signature;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The JWS header's `typ`.
pub const STATEMENT_TYPE: &str = "xinyi-statement+jwt";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementScoreEvent {
    pub event_id: String,
    pub delta: i64,
    pub reason: String,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementListEntry {
    pub entry_id: String,
    /// black or red.
    pub list: String,
    pub reason: String,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementRepair {
    pub repair_id: String,
    pub entry_id: Option<String>,
    pub event_id: Option<String>,
    /// pending, approved or rejected.
    pub status: String,
    pub decision_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementRedemption {
    pub redemption_id: String,
    pub merchant_name: String,
    pub offer_title: String,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    /// redeemed or voided.
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub redeemed_at: OffsetDateTime,
}

/// What a statement says about one citizen at `iat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementClaims {
    /// The citizen's id at the city's identity provider.
    pub sub: String,
    /// When it was signed, Unix seconds.
    pub iat: i64,
    pub score: i64,
    /// The level of the score.
    pub level: LevelView,
    /// The level codes carry (one more on the red list).
    pub benefit_level: LevelView,
    /// Every score event, oldest first.
    pub score_events: Vec<StatementScoreEvent>,
    /// Every red- and black-list entry active at `iat`.
    pub lists: Vec<StatementListEntry>,
    /// Every credit-repair request.
    pub repairs: Vec<StatementRepair>,
    /// Every redemption, oldest first.
    pub redemptions: Vec<StatementRedemption>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("不是有效的信用报告签名 / not a compact JWS: {0}")]
    Malformed(&'static str),
    #[error("不是信用报告(typ 须为 {STATEMENT_TYPE})/ not a credit statement: the typ is not {STATEMENT_TYPE}")]
    WrongType,
    #[error("签名算法须为 EdDSA / the algorithm must be EdDSA")]
    WrongAlgorithm,
    #[error("签名密钥不在公布的密钥中 / signed by a key that is not in the published set")]
    UnknownKey,
    #[error("签名无效,报告可能被篡改 / the signature is invalid: the statement may have been altered")]
    BadSignature,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
}

fn decode(part: &str, what: &'static str) -> Result<Vec<u8>, StatementError> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| StatementError::Malformed(what))
}

/// Checks `jws` against the published keys and returns its claims.
pub fn verify_statement(jws: &str, keys: &TrustedKeys) -> Result<StatementClaims, StatementError> {
    let jws = jws.trim();
    let mut parts = jws.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(StatementError::Malformed("three parts separated by dots"));
    };
    let header: Header =
        serde_json::from_slice(&decode(header, "header")?).map_err(|_| StatementError::Malformed("header"))?;
    if header.alg != "EdDSA" {
        return Err(StatementError::WrongAlgorithm);
    }
    if header.typ.as_deref() != Some(STATEMENT_TYPE) {
        return Err(StatementError::WrongType);
    }
    let kid = header.kid.ok_or(StatementError::Malformed("kid"))?;
    let key = keys.keys.iter().find(|k| k.id.to_base64url() == kid).ok_or(StatementError::UnknownKey)?;
    let signature: [u8; 64] =
        decode(signature, "signature")?.try_into().map_err(|_| StatementError::Malformed("signature length"))?;
    let signed = &jws[..header_and_payload_len(jws)];
    key.key
        .verify_strict(signed.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| StatementError::BadSignature)?;
    let claims: StatementClaims =
        serde_json::from_slice(&decode(payload, "payload")?).map_err(|_| StatementError::Malformed("claims"))?;
    if !key.could_sign_at(claims.iat) {
        return Err(StatementError::UnknownKey);
    }
    Ok(claims)
}

/// The signing input: everything before the last dot.
fn header_and_payload_len(jws: &str) -> usize {
    jws.rfind('.').expect("three parts were found")
}
