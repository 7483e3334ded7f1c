//! Citizens dispute redemptions; coordinators resolve them; all is audited.

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_disputes_a_redemption_and_a_coordinator_voids_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let redemption: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("sun").await, 5000).await.json().await.unwrap();
    let token = app.citizen_token("sun");
    let mine: serde_json::Value = app.get_json(&token, "/v1/me/redemptions").await;
    assert_eq!(mine[0]["merchant_name"], "明理律师事务所");
    assert_eq!(mine[0]["discount_fen"], 500);
    assert_eq!(mine[0]["voided"], false);
    let id = redemption["redemption_id"].as_str().unwrap();
    let dispute_url = app.url(&format!("/v1/me/redemptions/{id}/dispute"));
    let someone_else = app
        .http
        .post(&dispute_url)
        .bearer_auth(app.citizen_token("moon"))
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(someone_else, 404, "not_found").await;
    let filed = app
        .http
        .post(&dispute_url)
        .bearer_auth(&token)
        .json(&json!({"reason": "我没有来过这家店 I never visited"}))
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), 201);
    let again = app.http.post(&dispute_url).bearer_auth(&token).json(&json!({"reason": "again"})).send().await.unwrap();
    assert_problem(again, 409, "dispute_already_open").await;

    let queue: serde_json::Value = app.get_json(&coordinator, "/v1/disputes?status=open").await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let dispute_id = queue[0]["dispute_id"].as_str().unwrap();
    let resolved = app
        .coordinator_post(
            &coordinator,
            &format!("/v1/disputes/{dispute_id}/resolve"),
            json!({"action": "void", "note": "商户确认误扫 merchant confirmed a mis-scan"}),
        )
        .await;
    assert_eq!(resolved.status(), 200);
    assert_eq!(resolved.json::<serde_json::Value>().await.unwrap()["status"], "voided");
    let mine: serde_json::Value = app.get_json(&token, "/v1/me/redemptions").await;
    assert_eq!((mine[0]["voided"].as_bool(), mine[0]["dispute_status"].as_str()), (Some(true), Some("voided")));
    assert!(String::from_utf8_lossy(&app.ledger_verify().stdout).contains("2 entries"), "the void appended a reversal");
    let twice = app
        .coordinator_post(
            &coordinator,
            &format!("/v1/disputes/{dispute_id}/resolve"),
            json!({"action": "reject", "note": ""}),
        )
        .await;
    assert_problem(twice, 409, "dispute_already_resolved").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_coordinator_action_is_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.coordinator_post(&coordinator, &format!("/v1/merchants/{}/suspend", shop.merchant_id), json!({})).await;
    let log: serde_json::Value = app.get_json(&coordinator, "/v1/audit").await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions[0], format!("POST /v1/merchants/{}/suspend", shop.merchant_id));
    assert!(actions.contains(&"POST /v1/merchants"));
    assert!(actions.iter().any(|a| a.ends_with("/offers")));
    assert!(log[0]["actor"].as_str().unwrap().starts_with("coordinator-"));
    let created = log.as_array().unwrap().iter().find(|e| e["action"] == "POST /v1/merchants").unwrap();
    assert!(created["detail"].as_str().unwrap().contains("明理律师事务所"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_needs_a_visible_reason_and_a_redemption_that_is_not_voided() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let redemption: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("rain").await, 5000).await.json().await.unwrap();
    let id = redemption["redemption_id"].as_str().unwrap();
    let token = app.citizen_token("rain");
    let dispute = |reason: String| {
        app.http
            .post(app.url(&format!("/v1/me/redemptions/{id}/dispute")))
            .bearer_auth(&token)
            .json(&json!({ "reason": reason }))
            .send()
    };
    for reason in ["\u{200B}\u{200B}\u{FEFF}".to_owned(), " \u{3000} ".to_owned(), "长".repeat(1001)] {
        assert_problem(dispute(reason).await.unwrap(), 422, "invalid_field").await;
    }
    assert_eq!(app.get_json(&coordinator, "/v1/disputes").await.as_array().unwrap().len(), 0, "none was filed");

    let void = app.http.post(app.url(&format!("/v1/redemptions/{id}/void"))).bearer_auth(&shop.api_key);
    assert_eq!(void.send().await.unwrap().status(), 200);
    assert_problem(dispute("收费有误 overcharged".into()).await.unwrap(), 409, "already_voided").await;
    assert_eq!(app.get_json(&coordinator, "/v1/disputes").await.as_array().unwrap().len(), 0);
}
