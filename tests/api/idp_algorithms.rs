//! The identity provider may sign with EdDSA, ES256 or RS256; the
//! algorithm is pinned to each key's type, and the key set may be a URL.

use crate::helpers::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::rngs::OsRng;
use serde_json::json;
use time::OffsetDateTime;

fn claims(app: &TestApp, sub: &str) -> serde_json::Value {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    json!({"sub": sub, "iss": app.idp.issuer, "aud": app.idp.audience, "exp": now + 600})
}

fn sign(alg: Algorithm, kid: &str, key: &EncodingKey, claims: &serde_json::Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

struct Es256 {
    jwk: serde_json::Value,
    key: EncodingKey,
}

fn es256_key(kid: &str) -> Es256 {
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::SecretKey::random(&mut OsRng);
    let mut jwk: serde_json::Value = serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap();
    jwk["kid"] = json!(kid);
    Es256 { jwk, key: EncodingKey::from_ec_der(secret.to_pkcs8_der().unwrap().as_bytes()) }
}

fn rs256_key(kid: &str) -> (serde_json::Value, EncodingKey) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    let private = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
    let jwk = json!({"kty": "RSA", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(private.e().to_bytes_be())});
    (jwk, EncodingKey::from_rsa_der(private.to_pkcs1_der().unwrap().as_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn es256_and_rs256_tokens_are_accepted_with_their_own_keys() {
    let es = es256_key("ec-1");
    let (rsa_jwk, rsa_key) = rs256_key("rsa-1");
    let app = TestApp::spawn_with_idp_keys(vec![es.jwk.clone(), rsa_jwk], None).await;
    let es_token = sign(Algorithm::ES256, "ec-1", &es.key, &claims(&app, "ec-citizen"));
    assert_eq!(app.me(&es_token).await.status(), 200);
    let rs_token = sign(Algorithm::RS256, "rsa-1", &rsa_key, &claims(&app, "rsa-citizen"));
    assert_eq!(app.me(&rs_token).await.status(), 200);
    // A token that names the RSA key but claims another algorithm is refused.
    let confused = sign(Algorithm::RS384, "rsa-1", &rsa_key, &claims(&app, "rsa-citizen"));
    assert_problem(app.me(&confused).await, 401, "unauthorized").await;
    let wrong_key = sign(Algorithm::ES256, "rsa-1", &es.key, &claims(&app, "x"));
    assert_problem(app.me(&wrong_key).await, 401, "unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_provider_s_keys_can_be_fetched_from_a_url() {
    let es = es256_key("ec-url");
    let served = json!({"keys": [es.jwk.clone()]});
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let router = axum::Router::new().route("/jwks.json", axum::routing::get(move || async move { axum::Json(served) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    let app = TestApp::spawn_with_idp_keys(vec![], Some(url)).await;
    let token = sign(Algorithm::ES256, "ec-url", &es.key, &claims(&app, "fetched"));
    let me: serde_json::Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["citizen_id"], "fetched");
}
