//! The merchant SDK's online client against the real service: the whole
//! checkout story end to end, retries, and offline mode.

use crate::helpers::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xinyi_merchant_sdk::client::{ClientConfig, ClientError, MerchantClient, RedeemOutcome};
use xinyi_merchant_sdk::{CreditLevel, VerifyError};

fn client(app: &TestApp, shop: &Shop) -> MerchantClient {
    MerchantClient::new(ClientConfig::new(&app.base, &shop.api_key))
}

/// An address where nothing listens: the service "cannot be reached".
pub(crate) async fn dead_address() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    address
}

pub(crate) fn offline_config(base: &str, api_key: &str, queue: &std::path::Path) -> ClientConfig {
    let mut config = ClientConfig::new(base, api_key).with_offline_queue(queue);
    config.retries = 1;
    config.backoff = Duration::from_millis(10);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_redeem_refuse_a_replay_void_dispute_and_verify_the_ledger_through_the_sdk() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "e2e", 720).await;
    let terminal = client(&app, &shop);

    let offers = terminal.offers().await.unwrap();
    assert_eq!(offers.len(), 1);
    let code = app.code_text("e2e").await;
    let verified = terminal.verify(&code, time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(verified.level, CreditLevel::AAA);
    assert_eq!(
        offers[0].preview_discount(verified.level.rank(), 20_000),
        Some(Ok(20_000)),
        "a free consultation up to ¥300"
    );

    let RedeemOutcome::Redeemed(redemption) = terminal.redeem(&code, &offers[0].offer_id, 20_000).await.unwrap() else {
        panic!("the service is up, so the redemption is online");
    };
    assert_eq!((redemption.discount_fen, redemption.payable_fen), (20_000, 0));
    match terminal.redeem(&code, &offers[0].offer_id, 20_000).await {
        Err(ClientError::Refused(problem)) => assert_eq!(problem.code, "code_used"),
        other => panic!("a replay must be refused, got {other:?}"),
    }
    let voided = terminal.void(&redemption.redemption_id).await.unwrap();
    assert_eq!(voided.ledger_seq, 2);

    let dispute = app
        .http
        .post(app.url(&format!("/v1/me/redemptions/{}/dispute", redemption.redemption_id)))
        .bearer_auth(app.citizen_token("e2e"))
        .json(&json!({"reason": "已撤销但仍显示 voided but still listed"}))
        .send()
        .await
        .unwrap();
    assert_problem(dispute, 409, "already_voided").await;
    let out = app.ledger_verify();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_retries_server_errors_under_the_same_idempotency_key() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = seen.clone();
    let router = axum::Router::new().route(
        "/v1/redemptions",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let seen = recorder.clone();
            async move {
                let mut seen = seen.lock().unwrap();
                seen.push(headers["idempotency-key"].to_str().unwrap().to_owned());
                if seen.len() < 3 {
                    return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "busy".to_owned());
                }
                let body = json!({"redemption_id": "red_1", "level": {"rank": 4, "name": "AA"}, "amount_fen": 100,
                                  "discount_fen": 10, "payable_fen": 90, "ledger_seq": 7});
                (axum::http::StatusCode::CREATED, body.to_string())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let mut config = ClientConfig::new(base, "xym_test");
    config.backoff = Duration::from_millis(10);
    let outcome = MerchantClient::new(config).redeem("XY:ANY", "off_1", 100).await.unwrap();
    assert!(matches!(outcome, RedeemOutcome::Redeemed(r) if r.ledger_seq == 7));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|k| k == &seen[0]), "every attempt used the same key: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_redemptions_are_queued_durably_and_synced_exactly_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    let shop = app.shop(&coordinator, offer).await;
    let queue = app.dir.path().join("terminal-queue.jsonl");

    // Online once, to fetch and keep the keys.
    MerchantClient::new(offline_config(&app.base, &shop.api_key, &queue)).refresh_keys().await.unwrap();

    let offline = MerchantClient::new(offline_config(&dead_address().await, &shop.api_key, &queue));
    let kept = app.code_text("offline-1").await;
    let taken_elsewhere = app.code_text("offline-2").await;
    assert!(matches!(offline.redeem(&kept, &shop.offer_id, 5000).await.unwrap(), RedeemOutcome::Queued(_)));
    assert!(matches!(offline.redeem(&taken_elsewhere, &shop.offer_id, 5000).await.unwrap(), RedeemOutcome::Queued(_)));
    match offline.redeem(&kept, &shop.offer_id, 5000).await {
        Err(ClientError::Code(VerifyError::Replay)) => {}
        other => panic!("a second scan at the same terminal is a replay, got {other:?}"),
    }
    let garbage = offline.redeem("XY:GARBAGE", &shop.offer_id, 5000).await;
    assert!(matches!(garbage, Err(ClientError::Code(VerifyError::Malformed(_)))));
    drop(offline); // the terminal crashes; the queue is on disk

    // Meanwhile the second code is redeemed online at another merchant.
    let mut other_offer = legal_offer();
    other_offer["per_citizen_limit"] = serde_json::Value::Null;
    let other_shop = app.shop(&coordinator, other_offer).await;
    assert_eq!(app.redeem_code(&other_shop, &taken_elsewhere, 5000).await.status(), 201);

    let restarted = MerchantClient::new(offline_config(&app.base, &shop.api_key, &queue));
    let report = restarted.sync().await.unwrap();
    assert_eq!(report.accepted.len(), 1);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].1.code, "code_used");
    assert!(report.pending.is_empty());
    let again = restarted.sync().await.unwrap();
    assert!(again.accepted.is_empty() && again.refused.is_empty(), "the queue is empty after a sync");
    assert!(String::from_utf8_lossy(&app.ledger_verify().stdout).contains("2 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_redemption_submitted_after_the_offline_window_is_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let code = app.code_text("late").await;
    let scanned_at = time::OffsetDateTime::now_utc() - time::Duration::hours(25);
    let body = json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 5000,
                      "scanned_at": scanned_at.format(&time::format_description::well_known::Rfc3339).unwrap()});
    let stall = app.offline_key(&coordinator, &shop.merchant_id).await;
    assert_problem(app.redeem(&stall, "late-1", body).await, 422, "offline_window_passed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_quotes_then_redeems_and_looks_up_a_lost_answer_through_the_sdk() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "sdk-quote", 650).await;
    let terminal = client(&app, &shop);
    let code = app.code_text("sdk-quote").await;
    let quote = terminal.quote(&code, &shop.offer_id, 15_000).await.unwrap();
    assert_eq!((quote.level.name.as_str(), quote.discount_fen, quote.payable_fen), ("AA", 2000, 13_000));
    let RedeemOutcome::Redeemed(redeemed) = terminal.redeem(&code, &shop.offer_id, 15_000).await.unwrap() else {
        panic!("online");
    };
    assert_eq!((redeemed.discount_fen, redeemed.terminal.as_deref()), (2000, Some("front desk")));
    match terminal.quote(&code, &shop.offer_id, 15_000).await {
        Err(ClientError::Refused(problem)) => assert_eq!(problem.code, "code_used"),
        other => panic!("a used code quotes as refused, got {other:?}"),
    }

    let body = json!({"code": app.code_text("sdk-lost").await, "offer_id": shop.offer_id, "amount_fen": 5000});
    let sent: serde_json::Value = app.redeem(&shop.api_key, "till-9-0001", body).await.json().await.unwrap();
    let found = terminal.lookup("till-9-0001").await.unwrap().expect("committed");
    assert_eq!(serde_json::to_value(&found).unwrap(), sent);
    assert_eq!(terminal.lookup("till-9-0002").await.unwrap(), None);
}
