//! Coordinators edit an offer and suspend and resume it; a suspended offer
//! grants nothing, and an edit keeps what the offer granted.

use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_offer_grants_nothing_until_it_is_resumed_and_an_edit_keeps_what_it_granted() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "resident-1", 650).await;
    app.citizen_with_score(&coordinator, "resident-2", 650).await;
    let path = |action: &str| format!("/v1/offers/{}{action}", shop.offer_id);

    let suspended: Value = app.coordinator_post(&coordinator, &path("/suspend"), json!({})).await.json().await.unwrap();
    assert_eq!(suspended["active"], false);
    let code = app.code_text("resident-1").await;
    assert_problem(app.redeem_code(&shop, &code, 20_000).await, 422, "offer_inactive").await;
    let resumed: Value = app.coordinator_post(&coordinator, &path("/resume"), json!({})).await.json().await.unwrap();
    assert_eq!(resumed["active"], true);
    assert_eq!(app.redeem_code(&shop, &app.code_text("resident-1").await, 20_000).await.status(), 201);

    let mut edited = legal_offer();
    edited["title"] = json!("法律咨询 Legal advice");
    edited["budget_count"] = json!(1);
    let response = app.http.put(app.url(&path(""))).bearer_auth(&coordinator).json(&edited).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let offer: Value = response.json().await.unwrap();
    assert_eq!((offer["title"].as_str(), offer["granted_count"].as_i64()), (Some("法律咨询 Legal advice"), Some(1)));
    let spent = app.redeem_code(&shop, &app.code_text("resident-2").await, 20_000).await;
    assert_eq!(spent.status(), 422, "a budget of one, granted once already");

    edited["tiers"] = json!([]);
    let bad = app.http.put(app.url(&path(""))).bearer_auth(&coordinator).json(&edited).send().await.unwrap();
    assert_problem(bad, 422, "invalid_field").await;
    let missing = app.coordinator_post(&coordinator, "/v1/offers/off_none/suspend", json!({})).await;
    assert_problem(missing, 404, "not_found").await;
    let listed: Value = app.get_json(&coordinator, &format!("/v1/merchants/{}/offers", shop.merchant_id)).await;
    assert_eq!(listed[0]["title"], "法律咨询 Legal advice", "the bad edit changed nothing");
}
