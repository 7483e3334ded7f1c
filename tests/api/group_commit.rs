//! The writer's queue and its failures: a caller who is not served is told
//! to retry, nothing half-done is written, and a retry with the same
//! Idempotency-Key succeeds once.

use crate::helpers::*;
use futures::future::join_all;

fn unlimited_offer() -> serde_json::Value {
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    offer["budget_count"] = serde_json::Value::Null;
    offer["budget_fen"] = serde_json::Value::Null;
    offer
}

async fn redeem_with_key(app: &TestApp, shop: &Shop, key: &str, code: &str) -> reqwest::Response {
    let body = serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 5000});
    app.redeem(&shop.api_key, key, body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_write_queue_answers_503_with_retry_after_and_the_retries_redeem_once() {
    let app = TestApp::spawn_with_engine(EngineLimits { queue: 1, batch: 1 }).await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let mut codes = Vec::new();
    for i in 0..100 {
        codes.push((format!("till-{i}"), app.code_text(&format!("crowd-{i}")).await));
    }
    let responses = join_all(codes.iter().map(|(key, code)| redeem_with_key(&app, &shop, key, code))).await;
    let mut refused = Vec::new();
    for (response, attempt) in responses.into_iter().zip(&codes) {
        match response.status().as_u16() {
            201 => {}
            503 => {
                assert_eq!(response.headers()["retry-after"], "1");
                assert_problem(response, 503, "unavailable").await;
                refused.push(attempt);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(!refused.is_empty(), "a one-place queue turns some of 100 concurrent redemptions away");
    for (key, code) in refused {
        assert_eq!(redeem_with_key(&app, &shop, key, code).await.status(), 201);
    }
    let out = app.ledger_verify();
    assert!(String::from_utf8_lossy(&out.stdout).contains("100 entries"), "{}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_the_database_refuses_answers_503_writes_nothing_and_the_retry_succeeds() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let code = app.code_text("unlucky").await;
    app.database.break_ledger_appends().await;
    let failed = redeem_with_key(&app, &shop, "till-1", &code).await;
    assert_eq!(failed.headers()["retry-after"], "1");
    let problem = assert_problem(failed, 503, "unavailable").await;
    assert!(!problem["detail"].as_str().unwrap().contains("fire"), "the database's words are logged, not shown");
    let recent = app.get_json(&shop.api_key, "/v1/merchant/redemptions").await;
    assert_eq!(recent.as_array().unwrap().len(), 0, "nothing of the failed batch was written");
    let offers = app.get_json(&shop.api_key, "/v1/merchant/offers").await;
    assert_eq!(offers[0]["granted_fen"], 0);

    app.database.restore_ledger_appends().await;
    let retried = redeem_with_key(&app, &shop, "till-1", &code).await;
    assert_eq!(retried.status(), 201);
    let again = redeem_with_key(&app, &shop, "till-1", &code).await;
    assert_eq!(again.status(), 201, "the retry's answer is replayed");
    let out = app.ledger_verify();
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 entries"), "{}", String::from_utf8_lossy(&out.stdout));
}
