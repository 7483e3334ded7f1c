//! A till that lost an answer looks the redemption up by its own key.

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_found_by_its_idempotency_key_and_only_by_its_own_merchant() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let code = app.code_text("lost-answer").await;
    let body = serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 5000});
    let first = app.redeem(&shop.api_key, "till-7-0042", body).await;
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();

    let lookup = |key: &str, api_key: &str| {
        app.http.get(app.url(&format!("/v1/redemptions?idempotency_key={key}"))).bearer_auth(api_key.to_owned()).send()
    };
    let found = lookup("till-7-0042", &shop.api_key).await.unwrap();
    assert_eq!(found.status(), 200);
    assert_eq!(found.json::<serde_json::Value>().await.unwrap(), first, "exactly the first answer");

    assert_problem(lookup("till-7-0043", &shop.api_key).await.unwrap(), 404, "not_found").await;
    let other = app.shop(&coordinator, legal_offer()).await;
    assert_problem(lookup("till-7-0042", &other.api_key).await.unwrap(), 404, "not_found").await;
    let no_key = app.http.get(app.url("/v1/redemptions")).bearer_auth(&shop.api_key).send().await.unwrap();
    assert_problem(no_key, 400, "bad_request").await;
}
