//! The red and black lists, and credit repair, over HTTP.

use crate::helpers::*;
use serde_json::json;

impl TestApp {
    async fn list(&self, coordinator: &str, citizen_id: &str, body: serde_json::Value) -> reqwest::Response {
        self.coordinator_post(coordinator, &format!("/v1/citizens/{citizen_id}/list-entries"), body).await
    }

    async fn ask_repair(&self, citizen: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(self.url("/v1/me/repairs")).bearer_auth(citizen).json(&body).send().await.unwrap()
    }

    async fn penalty(&self, coordinator: &str, citizen_id: &str, event_id: &str, delta: i64, reason: &str) {
        let body = json!({"event_id": event_id, "delta": delta, "reason": reason, "source": "税务局",
            "occurred_at": "2026-11-01T09:00:00+08:00"});
        assert!(self.post_score_event(coordinator, citizen_id, body).await.status().is_success());
    }

    async fn decide(&self, coordinator: &str, repair_id: &str, decision: &str, reason: &str) -> reqwest::Response {
        let body = json!({"decision": decision, "reason": reason});
        self.coordinator_post(coordinator, &format!("/v1/repairs/{repair_id}/decide"), body).await
    }
}

fn court_listing() -> serde_json::Value {
    json!({"list": "black", "reason": "失信被执行人 judgment debtor", "source": "东城区人民法院"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blacklisted_citizen_gets_no_code_and_an_earlier_code_is_refused_at_the_counter() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let earlier = app.code_text("debtor").await;
    let quote_body = json!({"code": earlier, "offer_id": shop.offer_id, "amount_fen": 5000});

    let listed = app.list(&coordinator, "debtor", court_listing()).await;
    assert_eq!(listed.status(), 201);
    let listed: serde_json::Value = listed.json().await.unwrap();
    assert!(listed["entry_id"].as_str().unwrap().starts_with("lst_"));

    let token = app.citizen_token("debtor");
    let refused = assert_problem(app.issue_code(&token).await, 403, "blacklisted").await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("失信被执行人") && detail.contains("东城区人民法院") && detail.contains("repair"),
        "{detail}"
    );
    let quoted = app.http.post(app.url("/v1/redemptions/quote")).bearer_auth(&shop.api_key).json(&quote_body).send();
    assert_problem(quoted.await.unwrap(), 422, "citizen_blacklisted").await;
    assert_problem(app.redeem_code(&shop, &earlier, 5000).await, 422, "citizen_blacklisted").await;

    let me = app.get_json(&token, "/v1/me").await;
    assert_eq!(me["lists"][0]["list"], "black");
    assert_eq!(me["lists"][0]["source"], "东城区人民法院");

    let entry_id = listed["entry_id"].as_str().unwrap();
    let ended = app
        .coordinator_post(&coordinator, &format!("/v1/list-entries/{entry_id}/end"), json!({"reason": "已履行 paid"}))
        .await;
    assert_eq!(ended.status(), 200);
    assert_eq!(app.issue_code(&token).await.status(), 200, "off the list, codes again");
    assert_eq!(app.redeem_code(&shop, &earlier, 5000).await.status(), 201);
    let again = app
        .coordinator_post(&coordinator, &format!("/v1/list-entries/{entry_id}/end"), json!({"reason": "again"}))
        .await;
    assert_problem(again, 409, "already_ended").await;
    let audit = app.get_json(&coordinator, "/v1/audit").await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|a| a["action"].as_str()).collect();
    assert!(
        actions.iter().any(|a| a.ends_with("/list-entries")) && actions.iter().any(|a| a.ends_with("/end")),
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_red_listed_citizen_s_codes_carry_one_level_more_at_most_aaa() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "hero", 650).await;
    let honour = json!({"list": "red", "reason": "见义勇为 brave deed", "source": "市文明办", "ends_at": "2099-01-01T00:00:00Z"});
    assert_eq!(app.list(&coordinator, "hero", honour).await.status(), 201);
    let token = app.citizen_token("hero");
    let me = app.get_json(&token, "/v1/me").await;
    assert_eq!((me["level"]["name"].clone(), me["benefit_level"]["name"].clone()), (json!("AA"), json!("AAA")));
    let code: serde_json::Value = app.issue_code(&token).await.json().await.unwrap();
    assert_eq!(code["level"]["name"], "AAA");
    let verified =
        app.verifier().await.verify(code["code"].as_str().unwrap(), time::OffsetDateTime::now_utc()).unwrap();
    assert_eq!(verified.level, xinyi_merchant_sdk::CreditLevel::AAA);

    app.citizen_with_score(&coordinator, "top", 750).await;
    assert_eq!(
        app.list(&coordinator, "top", json!({"list": "red", "reason": "纳税", "source": "税务局"})).await.status(),
        201
    );
    let me = app.get_json(&app.citizen_token("top"), "/v1/me").await;
    assert_eq!(me["benefit_level"]["name"], "AAA", "never past AAA");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_that_has_not_begun_or_is_malformed_does_not_count() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let later = json!({"list": "black", "reason": "r", "source": "s", "starts_at": "2099-01-01T00:00:00Z"});
    assert_eq!(app.list(&coordinator, "future", later).await.status(), 201);
    assert_eq!(app.issue_code(&app.citizen_token("future")).await.status(), 200);
    let backwards = json!({"list": "black", "reason": "r", "source": "s", "starts_at": "2026-02-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"});
    assert_problem(app.list(&coordinator, "x", backwards).await, 422, "invalid_field").await;
    let grey = assert_problem(
        app.list(&coordinator, "x", json!({"list": "grey", "reason": "r", "source": "s"})).await,
        422,
        "invalid_field",
    )
    .await;
    assert_eq!(grey["field"], "list");
    let same = json!({"list": "black", "reason": "r", "source": "s", "entry_id": "court-7"});
    assert_eq!(app.list(&coordinator, "y", same.clone()).await.status(), 201);
    assert_eq!(app.list(&coordinator, "y", same).await.status(), 200, "the same entry again changes nothing");
    let changed = json!({"list": "black", "reason": "other", "source": "s", "entry_id": "court-7"});
    assert_problem(app.list(&coordinator, "y", changed).await, 409, "entry_id_reused").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_asks_for_repair_and_an_approval_lifts_the_entry_or_restores_the_score() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let listed: serde_json::Value = app.list(&coordinator, "mender", court_listing()).await.json().await.unwrap();
    let entry_id = listed["entry_id"].as_str().unwrap();
    app.penalty(&coordinator, "mender", "late-tax-1", -40, "逾期缴税 late tax").await;
    app.penalty(&coordinator, "mender", "volunteer-1", 20, "志愿服务 volunteering").await;
    let token = app.citizen_token("mender");

    let filed = app.ask_repair(&token, json!({"entry_id": entry_id, "statement": "已全额履行判决 paid in full"})).await;
    assert_eq!(filed.status(), 201);
    let filed: serde_json::Value = filed.json().await.unwrap();
    assert_eq!(filed["status"], "pending");
    let due =
        time::OffsetDateTime::parse(filed["due_by"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(due > time::OffsetDateTime::now_utc() + time::Duration::days(2), "three working days ahead");
    assert_problem(
        app.ask_repair(&token, json!({"entry_id": entry_id, "statement": "again"})).await,
        409,
        "repair_pending",
    )
    .await;
    assert_problem(
        app.ask_repair(&token, json!({"event_id": "volunteer-1", "statement": "s"})).await,
        422,
        "nothing_to_repair",
    )
    .await;
    let other = app.citizen_token("someone-else");
    assert_problem(app.ask_repair(&other, json!({"event_id": "late-tax-1", "statement": "s"})).await, 404, "not_found")
        .await;
    // Times are kept to the second: the queue's order is the order of filing.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let by_event = app.ask_repair(&token, json!({"event_id": "late-tax-1", "statement": "已补缴 paid"})).await;
    let by_event: serde_json::Value = by_event.json().await.unwrap();

    let queue = app.get_json(&coordinator, "/v1/repairs?status=pending").await;
    let ids: Vec<_> = queue.as_array().unwrap().iter().map(|r| r["repair_id"].clone()).collect();
    assert_eq!(ids, [filed["repair_id"].clone(), by_event["repair_id"].clone()], "oldest first");
    assert_eq!(queue[0]["overdue"], false);

    let approved = app.decide(&coordinator, filed["repair_id"].as_str().unwrap(), "approve", "核实已履行").await;
    assert_eq!(approved.status(), 200);
    assert_eq!(app.issue_code(&token).await.status(), 200, "the black-list entry ended");
    let before = app.get_json(&token, "/v1/me").await["score"].as_i64().unwrap();
    let restored = app.decide(&coordinator, by_event["repair_id"].as_str().unwrap(), "approve", "已补缴").await;
    assert_eq!(restored.status(), 200);
    let me = app.get_json(&token, "/v1/me").await;
    assert_eq!(me["score"].as_i64().unwrap(), before + 40, "the penalty is offset");
    assert_eq!(me["events"][0]["reason"], "信用修复 credit repair");
    assert_eq!(me["events"][0]["event_id"], by_event["repair_id"]);
    assert_problem(
        app.ask_repair(&token, json!({"event_id": "late-tax-1", "statement": "s"})).await,
        422,
        "nothing_to_repair",
    )
    .await;
    assert_problem(
        app.decide(&coordinator, by_event["repair_id"].as_str().unwrap(), "reject", "x").await,
        409,
        "already_decided",
    )
    .await;

    let mine = app.get_json(&token, "/v1/me/repairs").await;
    assert!(mine.as_array().unwrap().iter().all(|r| r["status"] == "approved" && r["decision_reason"].is_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_repair_says_why_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.penalty(&coordinator, "refused", "fine-1", -30, "罚款 fine").await;
    let token = app.citizen_token("refused");
    let score = app.get_json(&token, "/v1/me").await["score"].clone();
    let filed: serde_json::Value =
        app.ask_repair(&token, json!({"event_id": "fine-1", "statement": "s"})).await.json().await.unwrap();
    let rejected =
        app.decide(&coordinator, filed["repair_id"].as_str().unwrap(), "reject", "未提供缴费凭证 no receipt").await;
    assert_eq!(rejected.status(), 200);
    assert_eq!(app.get_json(&token, "/v1/me").await["score"], score);
    let mine = app.get_json(&token, "/v1/me/repairs").await;
    assert_eq!(
        (mine[0]["status"].clone(), mine[0]["decision_reason"].clone()),
        (json!("rejected"), json!("未提供缴费凭证 no receipt"))
    );
    assert_eq!(
        app.ask_repair(&token, json!({"event_id": "fine-1", "statement": "收据 receipt attached"})).await.status(),
        201,
        "may ask again"
    );
    let lost = app.http.get(app.url("/v1/repairs?status=lost")).bearer_auth(&coordinator).send().await.unwrap();
    assert_problem(lost, 422, "invalid_field").await;
}
