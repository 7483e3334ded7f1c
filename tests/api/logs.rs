//! The log of a whole flow, at debug level, names routes and outcomes but
//! never a citizen id, a token, a credit code or a merchant key.

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_flow_logged_at_debug_level_holds_no_citizen_id_token_code_or_key() {
    let app = TestApp::spawn().await;
    let log = app.dir.path().join("node.log");
    let node = app.second_node_logging("debug", Some(log.clone())).await;
    let url = |path: &str| format!("{}{path}", node.base);
    let coordinator = app.coordinator_token().await;
    let citizen_id = "secret-citizen-4711";
    let citizen = app.citizen_token(citizen_id);

    let post = |path: String, body: serde_json::Value| {
        let request = app.http.post(format!("{}{path}", node.base)).bearer_auth(&coordinator).json(&body);
        async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let merchant =
        post("/v1/merchants".into(), json!({"name": "明理律师事务所", "category": "law_firm", "district": "东城区"}))
            .await;
    let merchant_id = merchant["merchant_id"].as_str().unwrap();
    let key = post(format!("/v1/merchants/{merchant_id}/keys"), json!({"label": "front desk"})).await;
    let api_key = key["api_key"].as_str().unwrap();
    let offer = post(format!("/v1/merchants/{merchant_id}/offers"), legal_offer()).await;
    let event = json!({"event_id": "log-event-1", "delta": 150, "reason": "志愿服务 Volunteering",
                       "source": "civil-affairs", "occurred_at": "2026-01-01T00:00:00Z"});
    let scored = app
        .http
        .post(url(&format!("/v1/citizens/{citizen_id}/score-events")))
        .bearer_auth(&coordinator)
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(scored.status(), 201, "{}", scored.text().await.unwrap());
    let code = app.http.post(url("/v1/me/code?format=text")).bearer_auth(&citizen).send().await.unwrap();
    let code = code.text().await.unwrap();
    let redeemed = app
        .http
        .post(url("/v1/redemptions"))
        .bearer_auth(api_key)
        .header("Idempotency-Key", "log-1")
        .json(&json!({"code": code, "offer_id": offer["offer_id"], "amount_fen": 20_000}))
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.status(), 201);
    // A token in the query string, as a careless client might send it.
    let _ = app.http.get(url(&format!("/v1/me?access_token={citizen}"))).send().await.unwrap();
    let _ = app.http.get(url("/v1/me/redemptions")).bearer_auth(&citizen).send().await.unwrap();
    let guessed_key = "xym_a-guessed-merchant-key-0042";
    let guess = app.http.get(url("/v1/merchant/offers")).bearer_auth(guessed_key).send().await.unwrap();
    assert_eq!(guess.status(), 401);
    drop(node);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("/v1/citizens/{citizen_id}/score-events"), "spans name the route template");
    let failure = logged.lines().find(|l| l.contains("a failed authentication")).expect("failed sign-ins are logged");
    assert!(failure.contains("\"WARN\"") && failure.contains("merchant") && failure.contains("127.0.0.1"), "{failure}");
    for (what, secret) in [
        ("guessed key", guessed_key),
        ("citizen id", citizen_id),
        ("citizen token", citizen.as_str()),
        ("coordinator token", coordinator.as_str()),
        ("merchant key", api_key),
        ("credit code", code.trim()),
    ] {
        assert!(!logged.contains(secret), "the log holds a {what}");
    }
}
