//! The service's published signing keys (`GET /v1/keys`), as JWKs (RFC 8037).

use crate::key_id::{KeyId, SHORT_KEY_ID_LEN};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The body of `GET /v1/keys`: `{"keys":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JsonWebKeySet {
    pub keys: Vec<PublishedKey>,
}

/// One published public key. `nbf` and `exp` (Unix seconds) bound the time
/// in which the key may *sign*; the key stays published after `exp` until
/// every code it signed has expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedKey {
    pub kid: String,
    pub kty: String,
    pub crv: String,
    pub x: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
}

impl PublishedKey {
    /// The JWK for `key`, allowed to sign from `nbf` until `exp` (if ever).
    pub fn ed25519(key: &VerifyingKey, nbf: OffsetDateTime, exp: Option<OffsetDateTime>) -> Self {
        PublishedKey {
            kid: KeyId::of(key).to_base64url(),
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: URL_SAFE_NO_PAD.encode(key.as_bytes()),
            alg: Some("EdDSA".into()),
            key_use: Some("sig".into()),
            nbf: Some(nbf.unix_timestamp()),
            exp: exp.map(OffsetDateTime::unix_timestamp),
        }
    }
}

/// Why a published key set cannot be trusted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeySetError {
    #[error("密钥集不是有效的 JSON / the key set is not valid JSON: {0}")]
    NotJson(String),
    #[error("密钥 {kid} 的 x 不是有效的 Ed25519 公钥 / key {kid}: x is not an Ed25519 public key")]
    BadPublicKey { kid: String },
    #[error("密钥 {kid} 的 kid 与其指纹 {thumbprint} 不符 / key {kid}: kid does not match its thumbprint {thumbprint}")]
    KidMismatch { kid: String, thumbprint: String },
    #[error("密钥 {kid} 的 nbf 晚于 exp / key {kid}: nbf is after exp")]
    InvertedWindow { kid: String },
    #[error("密钥集中没有 Ed25519 签名密钥 / the key set holds no Ed25519 signing key")]
    Empty,
}

/// A key the verifier trusts, parsed and checked once so that verifying a
/// code costs no more than the signature check itself.
#[derive(Debug, Clone)]
pub(crate) struct TrustedKey {
    pub(crate) id: KeyId,
    pub(crate) short_id: [u8; SHORT_KEY_ID_LEN],
    pub(crate) key: VerifyingKey,
    pub(crate) nbf: Option<i64>,
    pub(crate) exp: Option<i64>,
}

impl TrustedKey {
    /// May this key have signed a code issued at `issued_at` (Unix seconds)?
    pub(crate) fn could_sign_at(&self, issued_at: i64) -> bool {
        self.nbf.is_none_or(|nbf| issued_at >= nbf) && self.exp.is_none_or(|exp| issued_at <= exp)
    }
}

/// The parsed key set. Entries of other key types are skipped, so the
/// service may publish more kinds of key later without breaking terminals.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    pub(crate) keys: Vec<TrustedKey>,
}

impl TrustedKeys {
    pub fn from_json(json: &str) -> Result<TrustedKeys, KeySetError> {
        let set: JsonWebKeySet = serde_json::from_str(json).map_err(|e| KeySetError::NotJson(e.to_string()))?;
        TrustedKeys::from_set(&set)
    }

    pub fn from_set(set: &JsonWebKeySet) -> Result<TrustedKeys, KeySetError> {
        let mut keys = Vec::with_capacity(set.keys.len());
        for published in &set.keys {
            if published.kty != "OKP" || published.crv != "Ed25519" {
                continue;
            }
            let bad_key = || KeySetError::BadPublicKey { kid: published.kid.clone() };
            let bytes: [u8; 32] =
                URL_SAFE_NO_PAD.decode(&published.x).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad_key)?;
            let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad_key())?;
            let id = KeyId::of(&key);
            if id.to_base64url() != published.kid {
                return Err(KeySetError::KidMismatch { kid: published.kid.clone(), thumbprint: id.to_base64url() });
            }
            if let (Some(nbf), Some(exp)) = (published.nbf, published.exp)
                && nbf > exp
            {
                return Err(KeySetError::InvertedWindow { kid: published.kid.clone() });
            }
            keys.push(TrustedKey { id, short_id: id.short(), key, nbf: published.nbf, exp: published.exp });
        }
        if keys.is_empty() {
            return Err(KeySetError::Empty);
        }
        Ok(TrustedKeys { keys })
    }

    pub(crate) fn find(&self, short_id: &[u8]) -> Option<&TrustedKey> {
        self.keys.iter().find(|k| k.short_id == short_id)
    }

    /// The ids of the trusted keys, as published.
    pub fn key_ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.keys.iter().map(|k| k.id)
    }
}
