//! Citizen sign-in tokens and coordinator tokens: what is refused, and how.

use crate::helpers::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use time::OffsetDateTime;

fn claims(app: &TestApp, exp_offset: i64) -> serde_json::Value {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    json!({"sub": "alice", "iss": app.idp.issuer, "aud": app.idp.audience, "iat": now, "exp": now + exp_offset})
}

async fn refused(app: &TestApp, token: &str) {
    assert_problem(app.me(token).await, 401, "unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_signs_a_new_citizen_in_at_500() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = app.me(&app.citizen_token("new-citizen")).await.json().await.unwrap();
    assert_eq!(body["citizen_id"], "new-citizen");
    assert_eq!(body["score"], 500);
    assert_eq!(body["level"], json!({"rank": 3, "name": "A"}));
    assert_eq!(body["next_level"], json!({"rank": 4, "name": "AA", "points_needed": 100}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    refused(&app, &app.idp.token_with_claims(&claims(&app, -3600))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_for_another_audience_or_from_another_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let mut wrong_aud = claims(&app, 600);
    wrong_aud["aud"] = json!("another-service");
    refused(&app, &app.idp.token_with_claims(&wrong_aud)).await;
    let mut wrong_iss = claims(&app, 600);
    wrong_iss["iss"] = json!("https://evil.example");
    refused(&app, &app.idp.token_with_claims(&wrong_iss)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_missing_exp_or_sub_is_refused() {
    let app = TestApp::spawn().await;
    let mut no_exp = claims(&app, 600);
    no_exp.as_object_mut().unwrap().remove("exp");
    refused(&app, &app.idp.token_with_claims(&no_exp)).await;
    let mut no_sub = claims(&app, 600);
    no_sub.as_object_mut().unwrap().remove("sub");
    refused(&app, &app.idp.token_with_claims(&no_sub)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsigned_alg_none_token_is_refused() {
    let app = TestApp::spawn().await;
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": app.idp.kid}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims(&app, 600).to_string());
    refused(&app, &format!("{header}.{payload}.")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hs256_token_signed_with_the_public_key_is_refused() {
    let app = TestApp::spawn().await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(app.idp.kid.clone());
    let raw = app.idp.public_key_bytes();
    let x = URL_SAFE_NO_PAD.encode(raw);
    for secret in [raw.as_slice(), x.as_bytes()] {
        let token = jsonwebtoken::encode(&header, &claims(&app, 600), &EncodingKey::from_secret(secret)).unwrap();
        refused(&app, &token).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_with_an_unknown_kid_is_refused() {
    let app = TestApp::spawn().await;
    let mut stranger = xinyi::demo_idp::DemoIdp::generate();
    stranger.kid = "someone-else".into();
    refused(&app, &stranger.token("alice", time::Duration::hours(1))).await;
    // Same kid, different key: the signature fails.
    let impostor = xinyi::demo_idp::DemoIdp::generate();
    refused(&app, &impostor.token("alice", time::Duration::hours(1))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_credentials_is_refused() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/v1/me")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, 401, "unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_and_citizen_tokens_only_open_their_own_endpoints() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    assert_problem(app.me(&coordinator).await, 403, "wrong_token_kind").await;
    let citizen = app.citizen_token("alice");
    let event =
        json!({"event_id": "e1", "delta": 5, "reason": "r", "source": "s", "occurred_at": "2026-01-01T00:00:00Z"});
    assert_problem(app.post_score_event(&citizen, "alice", event).await, 403, "wrong_token_kind").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_coordinator_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let out = app.xinyi(&["coordinator", "create", "wang"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let event = |id: &str| json!({"event_id": id, "delta": 5, "reason": "r", "source": "s", "occurred_at": "2026-01-01T00:00:00Z"});
    assert_eq!(app.post_score_event(&token, "alice", event("e1")).await.status(), 201);
    let out = app.xinyi(&["coordinator", "revoke", "wang"]);
    assert!(out.status.success());
    assert_problem(app.post_score_event(&token, "alice", event("e2")).await, 401, "unauthorized").await;
    assert!(!app.xinyi(&["coordinator", "revoke", "wang"]).status.success(), "a second revoke says there is none");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_not_yet_valid_or_issued_in_the_future_is_refused_and_creates_no_citizen() {
    let app = TestApp::spawn().await;
    let day = 86_400;
    let mut not_yet = claims(&app, 3600);
    not_yet["nbf"] = json!(not_yet["iat"].as_i64().unwrap() + day);
    refused(&app, &app.idp.token_with_claims(&not_yet)).await;
    let mut from_the_future = claims(&app, 2 * day);
    from_the_future["iat"] = json!(from_the_future["iat"].as_i64().unwrap() + day);
    refused(&app, &app.idp.token_with_claims(&from_the_future)).await;
    // A minute of clock difference is allowed.
    let mut slightly_ahead = claims(&app, 3600);
    slightly_ahead["iat"] = json!(slightly_ahead["iat"].as_i64().unwrap() + 30);
    slightly_ahead["nbf"] = slightly_ahead["iat"].clone();
    assert_eq!(app.me(&app.idp.token_with_claims(&slightly_ahead)).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_whose_sub_is_empty_or_over_255_bytes_is_refused_and_creates_no_citizen() {
    let app = TestApp::spawn().await;
    for sub in [String::new(), "   ".to_owned(), "x".repeat(256), "长".repeat(100)] {
        let mut odd = claims(&app, 3600);
        odd["sub"] = json!(sub);
        refused(&app, &app.idp.token_with_claims(&odd)).await;
    }
    let mut longest = claims(&app, 3600);
    longest["sub"] = json!("y".repeat(255));
    assert_eq!(app.me(&app.idp.token_with_claims(&longest)).await.status(), 200);
    let coordinator = app.coordinator_token().await;
    let long_id = "x".repeat(256);
    let events = app.post_score_event(
        &coordinator,
        &long_id,
        json!({"event_id": "e-1", "delta": 10, "reason": "r", "source": "s", "occurred_at": "2026-01-01T00:00:00Z"}),
    );
    assert_ne!(events.await.status(), 201, "a citizen id over 255 bytes is not created by a coordinator either");
}
