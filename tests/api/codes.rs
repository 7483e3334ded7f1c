//! Issuing credit codes, and checking them with the merchant SDK.

use crate::helpers::*;
use time::OffsetDateTime;
use xinyi_merchant_sdk::{CreditLevel, VerifyError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_code_verifies_with_the_sdk_against_the_published_keys() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "zhao", 650).await;
    let response = app.issue_code(&app.citizen_token("zhao")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["level"]["name"], "AA");
    assert!(body["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let code = body["code"].as_str().unwrap();
    let verified = app.verifier().await.verify(code, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(verified.level, CreditLevel::AA);
    assert_eq!(
        verified.expires_at.unix_timestamp(),
        OffsetDateTime::parse(body["expires_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    );
    let citizen = app.state.store.citizen_or_create("zhao", OffsetDateTime::now_utc()).await.unwrap();
    let ring = app.state.keys.ring().await.unwrap();
    let key = ring.by_kid(&verified.key_id).unwrap();
    assert_eq!(key.sealer.open(&verified.citizen_handle), citizen.number, "only the service opens the handle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_below_the_minimum_level_gets_no_code_and_is_told_why() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "qian", 350).await;
    let problem = assert_problem(app.issue_code(&app.citizen_token("qian")).await, 403, "level_too_low").await;
    assert!(problem["detail"].as_str().unwrap().contains("no benefits"));
    app.citizen_with_score(&coordinator, "sun", 400).await;
    assert_eq!(app.issue_code(&app.citizen_token("sun")).await.status(), 200, "level B is the default minimum");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_png_code_is_an_image() {
    let app = TestApp::spawn().await;
    let response =
        app.http.post(app.url("/v1/me/code?format=png")).bearer_auth(app.citizen_token("zhou")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(response.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    let text =
        app.http.post(app.url("/v1/me/code?format=text")).bearer_auth(app.citizen_token("zhou")).send().await.unwrap();
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    let code = text.text().await.unwrap();
    assert!(app.verifier().await.verify(&code, OffsetDateTime::now_utc()).is_ok());
    let bad =
        app.http.post(app.url("/v1/me/code?format=gif")).bearer_auth(app.citizen_token("zhou")).send().await.unwrap();
    assert_problem(bad, 422, "invalid_field").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuing_codes_writes_nothing_to_the_database() {
    let app = TestApp::spawn().await;
    let token = app.citizen_token("wang");
    assert_eq!(app.me(&token).await.status(), 200, "the citizen exists before issuing");
    let before = app.database.snapshot().await;
    for _ in 0..20 {
        assert_eq!(app.issue_code(&token).await.status(), 200);
    }
    assert!(before == app.database.snapshot().await, "the database changed while issuing codes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_codes_of_one_citizen_have_different_code_ids() {
    let app = TestApp::spawn().await;
    let verifier = app.verifier().await;
    let now = OffsetDateTime::now_utc();
    let a = verifier.verify(&app.code_text("he").await, now).unwrap();
    let b = verifier.verify(&app.code_text("he").await, now).unwrap();
    assert_ne!(a.code_id, b.code_id);
    assert_ne!(a.citizen_handle, b.citizen_handle);
    let mut guard = xinyi_merchant_sdk::ReplayGuard::default();
    let text = app.code_text("he").await;
    verifier.verify_once(&text, now, &mut guard).unwrap();
    assert_eq!(verifier.verify_once(&text, now, &mut guard), Err(VerifyError::Replay));
}
