//! A local stand-in for the city identity provider, for `xinyi demo` and
//! tests: an Ed25519 key, its JWKS, and citizen tokens signed with it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use time::{Duration, OffsetDateTime};

pub const DEMO_ISSUER: &str = "https://idp.demo.xinyi.invalid";
pub const DEMO_AUDIENCE: &str = "xinyi";

pub struct DemoIdp {
    key: SigningKey,
    pub kid: String,
    pub issuer: String,
    pub audience: String,
}

impl DemoIdp {
    pub fn generate() -> DemoIdp {
        DemoIdp {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
            kid: "demo-idp-1".into(),
            issuer: DEMO_ISSUER.into(),
            audience: DEMO_AUDIENCE.into(),
        }
    }

    pub fn jwks(&self) -> serde_json::Value {
        json!({"keys": [{
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes()),
        }]})
    }

    /// A token for `citizen_id`, valid for `lifetime`.
    pub fn token(&self, citizen_id: &str, lifetime: Duration) -> String {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        self.token_with_claims(&json!({
            "sub": citizen_id, "iss": self.issuer, "aud": self.audience,
            "iat": now, "exp": now + lifetime.whole_seconds(),
        }))
    }

    /// A token with exactly these claims, for tests of what is refused.
    pub fn token_with_claims(&self, claims: &serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        let der = self.key.to_pkcs8_der().expect("an Ed25519 key encodes as PKCS#8");
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(der.as_bytes())).expect("signing a JWT")
    }

    /// The raw public key, for tests that misuse it as an HMAC secret.
    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }
}
