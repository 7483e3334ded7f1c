//! Two service processes against one database: the same keys, codes that
//! move between them, and exactly-once across both. Meaningful on
//! PostgreSQL (`XINYI_TEST_POSTGRES`); on SQLite both share one file.

use crate::helpers::*;
use futures::future::join_all;
use serde_json::json;

async fn redeem_at(app: &TestApp, base: &str, shop: &Shop, code: &str, amount_fen: i64) -> reqwest::Response {
    app.http
        .post(format!("{base}/v1/redemptions"))
        .bearer_auth(&shop.api_key)
        .header("Idempotency-Key", xinyi::ids::new_id("idem"))
        .json(&json!({"code": code, "offer_id": shop.offer_id, "amount_fen": amount_fen}))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_nodes_serve_the_same_keys_and_a_code_from_one_redeems_on_the_other() {
    let app = TestApp::spawn().await;
    let other = app.second_node().await;
    let keys_a = app.http.get(app.url("/v1/keys")).send().await.unwrap().text().await.unwrap();
    let keys_b = app.http.get(format!("{}/v1/keys", other.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(keys_a, keys_b);
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let code = app.code_text("traveller").await;
    assert_eq!(redeem_at(&app, &other.base, &shop, &code, 5000).await.status(), 201);
    assert_problem(redeem_at(&app, &app.base, &shop, &code, 5000).await, 409, "code_used").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_code_redeemed_concurrently_through_both_nodes_succeeds_once() {
    let app = TestApp::spawn().await;
    let other = app.second_node().await;
    let coordinator = app.coordinator_token().await;
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    offer["budget_count"] = serde_json::Value::Null;
    let shop = app.shop(&coordinator, offer).await;
    let code = app.code_text("racer").await;
    let bases = [app.base.clone(), other.base.clone()];
    let responses = join_all((0..200).map(|i| redeem_at(&app, &bases[i % 2], &shop, &code, 5000))).await;
    assert_eq!(responses.iter().filter(|r| r.status() == 201).count(), 1);
    assert!(String::from_utf8_lossy(&app.ledger_verify().stdout).contains("1 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_shared_by_both_nodes_is_never_exceeded_and_the_ledger_stays_one_chain() {
    let app = TestApp::spawn().await;
    let other = app.second_node().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, budget_offer()).await;
    let mut codes = Vec::new();
    for i in 0..60 {
        codes.push(app.code_text(&format!("two-node-{i}")).await);
    }
    let bases = [app.base.clone(), other.base.clone()];
    let responses =
        join_all(codes.iter().enumerate().map(|(i, code)| redeem_at(&app, &bases[i % 2], &shop, code, 3333))).await;
    assert_eq!(responses.iter().filter(|r| r.status() == 201).count(), 30);
    let offers = app.get_json(&shop.api_key, "/v1/merchant/offers").await;
    assert_eq!(offers[0]["granted_fen"], 9_990);
    let out = app.ledger_verify();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("30 entries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_starting_together_on_an_empty_database_agree_on_one_first_key() {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::database::TestDatabase::create(dir.path()).await;
    let store = xinyi::storage::connect(database.url()).await.unwrap();
    let master = || Some(xinyi::signing::MasterKey::from_secret(MASTER_KEY).unwrap());
    let (a, b) = tokio::join!(
        xinyi::signing::SigningKeys::load(store.clone(), master()),
        xinyi::signing::SigningKeys::load(store.clone(), master())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(store.signing_keys().await.unwrap().len(), 1);
    let now = time::OffsetDateTime::now_utc();
    let (ring_a, ring_b) = (a.ring().await.unwrap(), b.ring().await.unwrap());
    assert_eq!(ring_a.signing_key_at(now).unwrap().kid, ring_b.signing_key_at(now).unwrap().kid);
}
