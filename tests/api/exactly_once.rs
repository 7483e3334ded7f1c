//! Exactly once, under concurrency: the races peer voucher engines shipped.

use crate::helpers::*;
use futures::future::join_all;

async fn statuses(responses: Vec<reqwest::Response>) -> (usize, Vec<serde_json::Value>) {
    let mut created = 0;
    let mut bodies = Vec::new();
    for response in responses {
        if response.status() == 201 {
            created += 1;
        }
        bodies.push(response.json().await.unwrap());
    }
    (created, bodies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_redemptions_of_one_code_give_exactly_one_success() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let mut unlimited = legal_offer();
    unlimited["per_citizen_limit"] = serde_json::Value::Null;
    unlimited["budget_count"] = serde_json::Value::Null;
    let shop = app.shop(&coordinator, unlimited).await;
    let code = app.code_text("racer").await;
    let (created, bodies) = statuses(join_all((0..200).map(|_| app.redeem_code(&shop, &code, 5000))).await).await;
    assert_eq!(created, 1);
    assert_eq!(bodies.iter().filter(|b| b["code"] == "code_used").count(), 199);
    assert!(String::from_utf8_lossy(&app.ledger_verify().stdout).contains("1 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_codes_of_one_citizen_against_a_once_a_month_offer_give_exactly_one_success() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let mut codes = Vec::new();
    for _ in 0..200 {
        codes.push(app.code_text("monthly").await);
    }
    let (created, bodies) = statuses(join_all(codes.iter().map(|code| app.redeem_code(&shop, code, 5000))).await).await;
    assert_eq!(created, 1);
    assert_eq!(bodies.iter().filter(|b| b["code"] == "citizen_limit_reached").count(), 199);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redemptions_never_grant_more_than_the_budget_to_the_fen() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, budget_offer()).await;
    let mut codes = Vec::new();
    for i in 0..60 {
        codes.push(app.code_text(&format!("shopper-{i}")).await);
    }
    let (created, _) = statuses(join_all(codes.iter().map(|code| app.redeem_code(&shop, code, 3333))).await).await;
    assert_eq!(created, 30);
    let offers: serde_json::Value = app.get_json(&shop.api_key, "/v1/merchant/offers").await;
    assert_eq!(offers[0]["granted_fen"], 9_990);
    let out = app.ledger_verify();
    assert!(String::from_utf8_lossy(&out.stdout).contains("30 entries"), "{}", String::from_utf8_lossy(&out.stderr));
}
