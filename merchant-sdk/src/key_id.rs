//! Key ids: the RFC 7638 thumbprint of an Ed25519 public key (RFC 8037 OKP form).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::fmt;

/// How many leading bytes of the thumbprint a credit code carries.
pub const SHORT_KEY_ID_LEN: usize = 8;

/// The SHA-256 thumbprint of a public key, which names it everywhere.
///
/// In the published key set (`kid`) it is written in full as base64url; a
/// credit code carries only its first [`SHORT_KEY_ID_LEN`] bytes, which is
/// plenty to tell a handful of live keys apart and keeps the QR small.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; 32]);

impl KeyId {
    /// The thumbprint of `key`: SHA-256 over the RFC 7638 canonical JSON
    /// `{"crv":"Ed25519","kty":"OKP","x":"<base64url of the key>"}`.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, URL_SAFE_NO_PAD.encode(key.as_bytes()));
        KeyId(Sha256::digest(canonical.as_bytes()).into())
    }

    /// The full thumbprint, as the JWK `kid`.
    pub fn to_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// The prefix a credit code carries.
    pub fn short(&self) -> [u8; SHORT_KEY_ID_LEN] {
        let mut short = [0; SHORT_KEY_ID_LEN];
        short.copy_from_slice(&self.0[..SHORT_KEY_ID_LEN]);
        short
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.to_base64url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_id_is_the_rfc7638_thumbprint_of_the_okp_jwk() {
        // RFC 8037 appendix A.3: the thumbprint of the appendix A.2 public key.
        let x = URL_SAFE_NO_PAD.decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        let key = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        assert_eq!(KeyId::of(&key).to_base64url(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }
}
