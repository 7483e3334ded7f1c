//! Verifying the city identity provider's JWTs against its JWKS.
//!
//! The algorithm is pinned to each key's type (Ed25519 → EdDSA, P-256 →
//! ES256, RSA → RS256), so a token's own `alg` header can never pick a
//! weaker check: `alg: none` does not parse, and HS256 "signed" with a
//! public key is refused because no key is an HMAC key.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Refetch a URL key set on an unknown `kid` at most this often.
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub enum JwksSource {
    File(std::path::PathBuf),
    Url(String),
}

impl JwksSource {
    pub fn parse(location: &str) -> JwksSource {
        if location.starts_with("https://") || location.starts_with("http://") {
            JwksSource::Url(location.to_owned())
        } else {
            JwksSource::File(location.into())
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IdpError {
    #[error("cannot read the identity provider's key set from {0}: {1}")]
    Unreadable(String, String),
    #[error("the identity provider's key set has no usable EdDSA, ES256 or RS256 key")]
    NoUsableKey,
}

/// Why a citizen token was refused. Shown to the caller as 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token names no key id (kid)")]
    NoKeyId,
    #[error("the token's key id is not one of the identity provider's keys")]
    UnknownKey,
    #[error("the token's alg {0} does not match its key")]
    WrongAlgorithm(String),
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

struct PinnedKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

#[derive(Deserialize)]
struct CitizenClaims {
    sub: String,
    iat: Option<i64>,
}

/// How far ahead of our clock a token's `iat` and `nbf` may be: the two
/// clocks' difference, no more.
const CLOCK_SKEW_SECS: u64 = 60;
/// The longest citizen id (`sub`) accepted; ids become database rows.
const MAX_SUB_BYTES: usize = 255;

impl CitizenClaims {
    /// What the signature does not vouch for: a sensible subject, and a
    /// token not issued in the future.
    fn citizen_id(self) -> Result<String, TokenError> {
        if self.sub.trim().is_empty() || self.sub.len() > MAX_SUB_BYTES {
            return Err(TokenError::Invalid(format!("sub must be 1 to {MAX_SUB_BYTES} bytes")));
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        if self.iat.is_some_and(|iat| iat > now + CLOCK_SKEW_SECS as i64) {
            return Err(TokenError::Invalid("iat is in the future".into()));
        }
        Ok(self.sub)
    }
}

pub struct IdpVerifier {
    source: JwksSource,
    issuer: String,
    audience: String,
    keys: RwLock<(HashMap<String, PinnedKey>, Instant)>,
    http: reqwest::Client,
}

fn pinned_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => Some(Algorithm::EdDSA),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Some(Algorithm::ES256),
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        _ => None,
    }
}

fn pin_keys(set: &JwkSet) -> HashMap<String, PinnedKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let algorithm = pinned_algorithm(jwk)?;
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, PinnedKey { algorithm, key }))
        })
        .collect()
}

impl IdpVerifier {
    pub async fn new(source: JwksSource, issuer: String, audience: String) -> Result<IdpVerifier, IdpError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("a plain HTTP client");
        let keys = pin_keys(&fetch(&source, &http).await?);
        if keys.is_empty() {
            return Err(IdpError::NoUsableKey);
        }
        Ok(IdpVerifier { source, issuer, audience, keys: RwLock::new((keys, Instant::now())), http })
    }

    /// The citizen id (`sub`) of a valid token.
    pub async fn verify(&self, token: &str) -> Result<String, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        let kid = header.kid.ok_or(TokenError::NoKeyId)?;
        if let Some(result) = self.verify_with_known_key(token, &kid, header.alg) {
            return result;
        }
        self.refetch_if_due().await;
        self.verify_with_known_key(token, &kid, header.alg).unwrap_or(Err(TokenError::UnknownKey))
    }

    fn verify_with_known_key(&self, token: &str, kid: &str, alg: Algorithm) -> Option<Result<String, TokenError>> {
        let keys = self.keys.read().expect("idp key lock");
        let pinned = keys.0.get(kid)?;
        if alg != pinned.algorithm {
            return Some(Err(TokenError::WrongAlgorithm(format!("{alg:?}"))));
        }
        let mut validation = Validation::new(pinned.algorithm);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = CLOCK_SKEW_SECS;
        Some(
            decode::<CitizenClaims>(token, &pinned.key, &validation)
                .map_err(|e| TokenError::Invalid(e.to_string()))
                .and_then(|data| data.claims.citizen_id()),
        )
    }

    async fn refetch_if_due(&self) {
        if !matches!(self.source, JwksSource::Url(_)) {
            return;
        }
        if self.keys.read().expect("idp key lock").1.elapsed() < REFETCH_AT_MOST_EVERY {
            return;
        }
        match fetch(&self.source, &self.http).await {
            Ok(set) => *self.keys.write().expect("idp key lock") = (pin_keys(&set), Instant::now()),
            Err(e) => {
                tracing::warn!(error = %e, "refetching the identity provider's keys failed");
                self.keys.write().expect("idp key lock").1 = Instant::now();
            }
        }
    }
}

async fn fetch(source: &JwksSource, http: &reqwest::Client) -> Result<JwkSet, IdpError> {
    let (name, text) = match source {
        JwksSource::File(path) => (
            path.display().to_string(),
            tokio::fs::read_to_string(path)
                .await
                .map_err(|e| IdpError::Unreadable(path.display().to_string(), e.to_string())),
        ),
        JwksSource::Url(url) => {
            (url.clone(), fetch_url(url, http).await.map_err(|e| IdpError::Unreadable(url.clone(), e)))
        }
    };
    serde_json::from_str(&text?).map_err(|e| IdpError::Unreadable(name, e.to_string()))
}

async fn fetch_url(url: &str, http: &reqwest::Client) -> Result<String, String> {
    let response = http.get(url).send().await.map_err(|e| e.to_string())?;
    let response = response.error_for_status().map_err(|e| e.to_string())?;
    response.text().await.map_err(|e| e.to_string())
}
