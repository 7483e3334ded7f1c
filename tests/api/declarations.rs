//! Declarations (信息申报): a citizen declares, the department of the
//! source decides, and an approval's points count once.

use crate::helpers::*;
use serde_json::{Value, json};

async fn department(app: &TestApp, source: &str, max_delta: i64) -> String {
    app.staff_token("department", Some(source), Some(max_delta)).await
}

/// A few days ago, in China: a day a declaration may name whenever the test runs.
pub fn days_ago(days: i64) -> String {
    let day =
        (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)) - time::Duration::days(days)).date();
    day.format(time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

fn volunteering(source: &str) -> Value {
    json!({"source": source, "kind": "志愿服务 volunteering", "description": "社区养老院 12 小时 / 12 hours at the care home",
        "occurred_on": days_ago(3), "evidence": "证书 No. 2026-1120"})
}

async fn declare(app: &TestApp, citizen: &str, body: Value) -> reqwest::Response {
    let token = app.citizen_token(citizen);
    app.http.post(app.url("/v1/me/declarations")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn decide(app: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/v1/declarations/{id}/decide")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn score(app: &TestApp, citizen: &str) -> i64 {
    let me: Value = app.me(&app.citizen_token(citizen)).await.json().await.unwrap();
    me["score"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_declaration_raises_the_score_at_once_and_counts_once_however_often_it_is_decided() {
    let app = TestApp::spawn().await;
    let civil = department(&app, "civil-affairs", 30).await;
    let departments: Value = app.http.get(app.url("/v1/departments")).send().await.unwrap().json().await.unwrap();
    assert_eq!(departments[0]["source"], "civil-affairs");

    let filed = declare(&app, "resident-1", volunteering("civil-affairs")).await;
    assert_eq!(filed.status(), 201);
    let filed: Value = filed.json().await.unwrap();
    assert_eq!(filed["status"], "pending");
    assert!(filed["due_by"].is_string());
    let id = filed["declaration_id"].as_str().unwrap();

    let queue: Value = app.get_json(&civil, "/v1/declarations?status=pending").await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!((queue[0]["citizen_id"].as_str(), queue[0]["overdue"].as_bool()), (Some("resident-1"), Some(false)));
    assert_eq!(queue[0]["evidence"], "证书 No. 2026-1120");

    let too_much = decide(&app, &civil, id, json!({"approve": true, "delta": 31, "reason": "ok"})).await;
    assert_problem(too_much, 422, "delta_too_large").await;
    let approve = json!({"approve": true, "delta": 12, "reason": "已核实 checked"});
    let (first, second) =
        tokio::join!(decide(&app, &civil, id, approve.clone()), decide(&app, &civil, id, approve.clone()));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "decided twice at once: one decision");
    assert_problem(decide(&app, &civil, id, approve).await, 409, "already_decided").await;
    assert_eq!(score(&app, "resident-1").await, 512, "the points count once, at once");

    let mine: Value = app.get_json(&app.citizen_token("resident-1"), "/v1/me/declarations").await;
    assert_eq!((mine[0]["status"].as_str(), mine[0]["delta"].as_i64()), (Some("approved"), Some(12)));
    assert_eq!(mine[0]["decision_reason"], "已核实 checked");
    let events: Value = app.get_json(&civil, "/v1/score-events").await;
    assert_eq!(events[0]["event_id"], id);
    assert_eq!(events[0]["source"], "civil-affairs");
    assert!(app.get_json(&civil, "/v1/declarations").await.as_array().unwrap().is_empty(), "the queue is empty");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_sees_and_decides_only_the_declarations_of_its_own_source() {
    let app = TestApp::spawn().await;
    let civil = department(&app, "civil-affairs", 30).await;
    let health = department(&app, "health", 30).await;
    let filed: Value = declare(&app, "resident-1", volunteering("civil-affairs")).await.json().await.unwrap();
    let id = filed["declaration_id"].as_str().unwrap();
    assert!(app.get_json(&health, "/v1/declarations").await.as_array().unwrap().is_empty());
    let elsewhere = decide(&app, &health, id, json!({"approve": true, "delta": 5, "reason": "ok"})).await;
    assert_problem(elsewhere, 403, "source_not_yours").await;

    app.database.execute("UPDATE declarations SET due_by = 0").await.unwrap();
    let queue: Value = app.get_json(&civil, "/v1/declarations").await;
    assert_eq!(queue[0]["overdue"], true, "past its due day");

    let reject = json!({"approve": false, "reason": "无服务记录 / no record of the service"});
    let rejected: Value = decide(&app, &civil, id, reject).await.json().await.unwrap();
    assert_eq!((rejected["status"].as_str(), rejected["overdue"].as_bool()), (Some("rejected"), Some(false)));
    let mine: Value = app.get_json(&app.citizen_token("resident-1"), "/v1/me/declarations").await;
    assert_eq!(mine[0]["decision_reason"], "无服务记录 / no record of the service");
    assert_eq!(score(&app, "resident-1").await, 500);
    let queue: Value = app.get_json(&civil, "/v1/declarations?status=rejected").await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_to_no_department_a_bad_field_or_a_sixth_pending_is_refused_and_not_filed() {
    let app = TestApp::spawn().await;
    let civil = department(&app, "civil-affairs", 30).await;
    assert_problem(declare(&app, "resident-1", volunteering("tax")).await, 404, "unknown_source").await;
    let mut future = volunteering("civil-affairs");
    future["occurred_on"] = json!("2099-01-01");
    let problem = assert_problem(declare(&app, "resident-1", future).await, 422, "invalid_field").await;
    assert_eq!(problem["field"], "occurred_on");
    for _ in 0..5 {
        assert_eq!(declare(&app, "resident-1", volunteering("civil-affairs")).await.status(), 201);
    }
    assert_problem(declare(&app, "resident-1", volunteering("civil-affairs")).await, 409, "too_many_pending").await;
    assert_eq!(app.get_json(&civil, "/v1/declarations").await.as_array().unwrap().len(), 5);
    assert_eq!(declare(&app, "resident-2", volunteering("civil-affairs")).await.status(), 201, "per citizen");
}
