//! At the counter: a quote before paying, and the terminal on every entry.

use crate::helpers::*;
use serde_json::json;

impl TestApp {
    async fn quote(&self, api_key: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(self.url("/v1/redemptions/quote")).bearer_auth(api_key).json(&body).send().await.unwrap()
    }

    async fn ledger_entries(&self) -> String {
        String::from_utf8_lossy(&self.ledger_verify().stdout).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_answers_what_a_redemption_would_give_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "aa-citizen", 650).await;
    let code = app.code_text("aa-citizen").await;
    let body = json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 15_000});

    let quote = app.quote(&shop.api_key, body.clone()).await;
    assert_eq!(quote.status(), 200);
    let quote: serde_json::Value = quote.json().await.unwrap();
    assert_eq!(
        quote,
        json!({"offer_id": shop.offer_id, "level": {"rank": 4, "name": "AA"}, "discount_fen": 2000, "payable_fen": 13_000})
    );
    assert!(app.ledger_entries().await.contains("0 entries"), "a quote writes nothing");
    let again: serde_json::Value = app.quote(&shop.api_key, body.clone()).await.json().await.unwrap();
    assert_eq!(again, quote, "a quote does not use the code up");

    let redeemed = app.redeem(&shop.api_key, "till-1-0001", body.clone()).await;
    assert_eq!(redeemed.status(), 201, "a quoted code still redeems");
    let redeemed: serde_json::Value = redeemed.json().await.unwrap();
    assert_eq!((redeemed["discount_fen"].clone(), redeemed["payable_fen"].clone()), (json!(2000), json!(13_000)));
    assert_problem(app.quote(&shop.api_key, body).await, 409, "code_used").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_is_refused_as_the_redemption_would_be() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let mut one_only = legal_offer();
    one_only["budget_count"] = json!(1);
    let shop = app.shop(&coordinator, one_only).await;
    app.citizen_with_score(&coordinator, "b-citizen", 450).await;
    let low = json!({"code": app.code_text("b-citizen").await, "offer_id": shop.offer_id, "amount_fen": 5000});
    assert_problem(app.quote(&shop.api_key, low).await, 422, "level_too_low").await;

    assert_eq!(app.redeem_code(&shop, &app.code_text("first").await, 5000).await.status(), 201);
    let second = json!({"code": app.code_text("second").await, "offer_id": shop.offer_id, "amount_fen": 5000});
    assert_problem(app.quote(&shop.api_key, second.clone()).await, 422, "budget_exhausted").await;
    let mut zero = second.clone();
    zero["amount_fen"] = json!(0);
    assert_problem(app.quote(&shop.api_key, zero).await, 422, "invalid_field").await;
    let citizen = app.citizen_token("second");
    let wrong_kind =
        app.http.post(app.url("/v1/redemptions/quote")).bearer_auth(citizen).json(&second).send().await.unwrap();
    assert_problem(wrong_kind, 403, "wrong_token_kind").await;
    assert!(app.ledger_entries().await.contains("1 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_redemption_and_void_names_the_terminal_that_made_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let back_office: serde_json::Value = app
        .coordinator_post(
            &coordinator,
            &format!("/v1/merchants/{}/keys", shop.merchant_id),
            json!({"label": "后台 back office"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let back_office = back_office["api_key"].as_str().unwrap();

    let redeemed: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("zhao").await, 5000).await.json().await.unwrap();
    assert_eq!(redeemed["terminal"], "front desk");
    let id = redeemed["redemption_id"].as_str().unwrap();
    let voided =
        app.http.post(app.url(&format!("/v1/redemptions/{id}/void"))).bearer_auth(back_office).send().await.unwrap();
    assert_eq!(voided.status(), 200);

    let listed = app.get_json(&shop.api_key, "/v1/merchant/redemptions").await;
    assert_eq!(listed[0]["terminal"], "front desk");
    assert_eq!(listed[0]["void_terminal"], "后台 back office");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_s_report_groups_by_terminal_and_needs_the_merchant() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let stall = app.offline_key(&coordinator, &shop.merchant_id).await;
    assert_eq!(app.redeem_code(&shop, &app.code_text("chen").await, 5000).await.status(), 201);
    let body = json!({"code": app.code_text("chu").await, "offer_id": shop.offer_id, "amount_fen": 8000});
    assert_eq!(app.redeem(&stall, "stall-1", body).await.status(), 201);

    let path = format!("/v1/reports/reductions?group_by=terminal&merchant_id={}", shop.merchant_id);
    let report = app.get_json(&coordinator, &path).await;
    let rows: Vec<_> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["label"].as_str().unwrap().to_owned(), r["net_fen"].as_i64().unwrap()))
        .collect();
    let mut rows = rows;
    rows.sort();
    assert_eq!(rows, [("front desk".to_owned(), 500), ("market stall".to_owned(), 800)]);
    assert_eq!(report["totals"]["net_fen"], 1300);
    let everyone = app.http.get(app.url("/v1/reports/reductions?group_by=terminal")).bearer_auth(&coordinator).send();
    assert_problem(everyone.await.unwrap(), 422, "invalid_field").await;
}
