//! Redeeming codes at checkout: the rules, the money, and exactly once.

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_redeems_for_the_tier_of_the_citizen_s_level_and_lands_in_the_ledger() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "aa-citizen", 650).await;
    let code = app.code_text("aa-citizen").await;
    let response = app.redeem_code(&shop, &code, 15_000).await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["level"], json!({"rank": 4, "name": "AA"}));
    assert_eq!(
        (body["amount_fen"].as_i64(), body["discount_fen"].as_i64(), body["payable_fen"].as_i64()),
        (Some(15_000), Some(2_000), Some(13_000))
    );
    assert_eq!(body["ledger_seq"], 1);
    let out = app.ledger_verify();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_redeems_once_across_all_merchants() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let first = app.shop(&coordinator, legal_offer()).await;
    let mut no_limit = legal_offer();
    no_limit["per_citizen_limit"] = serde_json::Value::Null;
    let second = app.shop(&coordinator, no_limit).await;
    let code = app.code_text("wang").await;
    assert_eq!(app.redeem_code(&first, &code, 1000).await.status(), 201);
    assert_problem(app.redeem_code(&first, &code, 1000).await, 409, "code_used").await;
    assert_problem(app.redeem_code(&second, &code, 1000).await, 409, "code_used").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_returns_the_first_answer_and_writes_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let code = app.code_text("li").await;
    let body = json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 8000});
    let first: serde_json::Value = app.redeem(&shop.api_key, "till-7-0001", body.clone()).await.json().await.unwrap();
    let again = app.redeem(&shop.api_key, "till-7-0001", body.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap(), first);
    let mut other = body.clone();
    other["amount_fen"] = json!(9000);
    assert_problem(app.redeem(&shop.api_key, "till-7-0001", other).await, 422, "idempotency_mismatch").await;
    assert!(String::from_utf8_lossy(&app.ledger_verify().stdout).contains("1 entries"));
    let missing =
        app.http.post(app.url("/v1/redemptions")).bearer_auth(&shop.api_key).json(&body).send().await.unwrap();
    assert_problem(missing, 400, "bad_request").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_refuses_with_its_own_problem_type_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let other = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "b-citizen", 450).await;
    assert_problem(app.redeem_code(&shop, &app.code_text("b-citizen").await, 5000).await, 422, "level_too_low").await;
    app.citizen_with_score(&coordinator, "aa", 650).await;
    assert_problem(app.redeem_code(&shop, &app.code_text("aa").await, 5000).await, 422, "min_spend_not_met").await;
    let code = app.code_text("a").await;
    let body = json!({"code": code, "offer_id": other.offer_id, "amount_fen": 5000});
    assert_problem(app.redeem(&shop.api_key, "k1", body).await, 404, "offer_not_yours").await;
    let body = json!({"code": "XY:NOT A CODE", "offer_id": shop.offer_id, "amount_fen": 5000});
    assert_problem(app.redeem(&shop.api_key, "k2", body).await, 422, "code_malformed").await;
    let mut tampered = app.code_text("a").await.into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let body = json!({"code": String::from_utf8(tampered).unwrap(), "offer_id": shop.offer_id, "amount_fen": 5000});
    let problem = app.redeem(&shop.api_key, "k3", body).await;
    assert!(matches!(problem.status().as_u16(), 422), "a tampered code is refused");
    let body = json!({"code": app.code_text("a").await, "offer_id": shop.offer_id, "amount_fen": 0});
    assert_problem(app.redeem(&shop.api_key, "k4", body).await, 422, "invalid_field").await;
    assert!(
        String::from_utf8_lossy(&app.ledger_verify().stdout).contains("0 entries"),
        "no refusal wrote to the ledger"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_merchant_s_keys_stop_working_until_resumed_and_a_revoked_key_is_unknown() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let suspend =
        app.coordinator_post(&coordinator, &format!("/v1/merchants/{}/suspend", shop.merchant_id), json!({})).await;
    assert_eq!(suspend.status(), 200);
    assert_problem(app.redeem_code(&shop, &app.code_text("a").await, 5000).await, 403, "merchant_suspended").await;
    app.coordinator_post(&coordinator, &format!("/v1/merchants/{}/resume", shop.merchant_id), json!({})).await;
    assert_eq!(app.redeem_code(&shop, &app.code_text("a").await, 5000).await.status(), 201);
    let keys: serde_json::Value = app
        .coordinator_post(&coordinator, &format!("/v1/merchants/{}/keys", shop.merchant_id), json!({"label": "tablet"}))
        .await
        .json()
        .await
        .unwrap();
    let revoke = app
        .http
        .delete(app.url(&format!("/v1/merchants/{}/keys/{}", shop.merchant_id, keys["key_id"].as_str().unwrap())))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let offers = app
        .http
        .get(app.url("/v1/merchant/offers"))
        .bearer_auth(keys["api_key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_problem(offers, 401, "unauthorized").await;
    let offers: serde_json::Value = app.get_json(&shop.api_key, "/v1/merchant/offers").await;
    assert_eq!(offers[0]["granted_fen"], 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_offer_names_the_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let merchant: serde_json::Value = app
        .coordinator_post(
            &coordinator,
            "/v1/merchants",
            json!({"name": "万达广场", "category": "mall", "district": "西城区"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/v1/merchants/{}/offers", merchant["merchant_id"].as_str().unwrap());
    let mut empty = legal_offer();
    empty["tiers"] = json!([]);
    let mut below = legal_offer();
    below["tiers"][0]["min_level"] = json!(2);
    let mut percent = legal_offer();
    percent["tiers"][0]["percent"] = json!(150);
    for (offer, field) in [(empty, "tiers"), (below, "tiers[0].min_level"), (percent, "tiers[0].percent")] {
        let problem =
            assert_problem(app.coordinator_post(&coordinator, &path, offer).await, 422, "invalid_field").await;
        assert_eq!(problem["field"], field);
    }
    let bad_category = app
        .coordinator_post(&coordinator, "/v1/merchants", json!({"name": "x", "category": "bank", "district": "y"}))
        .await;
    assert_eq!(assert_problem(bad_category, 422, "unknown_category").await["field"], "category");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_void_gives_back_the_quota_and_the_budget_and_a_second_void_is_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let first: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("zhou").await, 5000).await.json().await.unwrap();
    assert_problem(app.redeem_code(&shop, &app.code_text("zhou").await, 5000).await, 422, "citizen_limit_reached")
        .await;
    let void_url = app.url(&format!("/v1/redemptions/{}/void", first["redemption_id"].as_str().unwrap()));
    let other = app.shop(&coordinator, legal_offer()).await;
    let not_yours = app.http.post(&void_url).bearer_auth(&other.api_key).send().await.unwrap();
    assert_problem(not_yours, 404, "not_found").await;
    let voided = app.http.post(&void_url).bearer_auth(&shop.api_key).send().await.unwrap();
    assert_eq!(voided.status(), 200);
    assert_eq!(voided.json::<serde_json::Value>().await.unwrap()["ledger_seq"], 2);
    assert_problem(app.http.post(&void_url).bearer_auth(&shop.api_key).send().await.unwrap(), 409, "already_voided")
        .await;
    assert_eq!(app.redeem_code(&shop, &app.code_text("zhou").await, 5000).await.status(), 201, "the quota came back");
    let offers: serde_json::Value = app.get_json(&shop.api_key, "/v1/merchant/offers").await;
    assert_eq!((offers[0]["granted_fen"].as_i64(), offers[0]["granted_count"].as_i64()), (Some(500), Some(1)));
    assert!(String::from_utf8_lossy(&app.ledger_verify().stdout).contains("3 entries"));
}
