//! Score events and the levels they lead to.

use crate::helpers::*;
use serde_json::json;

fn event(id: &str, delta: i64) -> serde_json::Value {
    json!({"event_id": id, "delta": delta, "reason": "志愿服务 volunteering", "source": "civil-affairs",
           "occurred_at": "2026-11-01T09:00:00+08:00"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_level_boundary_score_lands_in_the_higher_level() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let cases = [
        (399, 1, "C"),
        (400, 2, "B"),
        (499, 2, "B"),
        (500, 3, "A"),
        (599, 3, "A"),
        (600, 4, "AA"),
        (699, 4, "AA"),
        (700, 5, "AAA"),
    ];
    for (score, rank, name) in cases {
        let citizen = format!("citizen-{score}");
        app.citizen_with_score(&coordinator, &citizen, score).await;
        let me: serde_json::Value = app.me(&app.citizen_token(&citizen)).await.json().await.unwrap();
        assert_eq!(me["score"], score);
        assert_eq!(me["level"], json!({"rank": rank, "name": name}), "score {score}");
    }
    let top: serde_json::Value = app.me(&app.citizen_token("citizen-700")).await.json().await.unwrap();
    assert_eq!(top["next_level"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_sending_an_event_never_counts_it_twice() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let first = app.post_score_event(&coordinator, "li", event("vol-1", 30)).await;
    assert_eq!(first.status(), 201);
    let again = app.post_score_event(&coordinator, "li", event("vol-1", 30)).await;
    assert_eq!(again.status(), 200);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["newly_recorded"], false);
    assert_eq!(body["score"], 530);
    let me: serde_json::Value = app.me(&app.citizen_token("li")).await.json().await.unwrap();
    assert_eq!(me["score"], 530);
    assert_eq!(me["events"].as_array().unwrap().len(), 1);
    assert_eq!(me["events"][0]["reason"], "志愿服务 volunteering");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_sending_an_event_id_with_other_content_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    assert_eq!(app.post_score_event(&coordinator, "li", event("vol-1", 30)).await.status(), 201);
    assert_problem(app.post_score_event(&coordinator, "li", event("vol-1", 300)).await, 409, "event_id_reused").await;
    assert_problem(app.post_score_event(&coordinator, "zhang", event("vol-1", 30)).await, 409, "event_id_reused").await;
    let me: serde_json::Value = app.me(&app.citizen_token("li")).await.json().await.unwrap();
    assert_eq!(me["score"], 530);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_event_names_its_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let mut bad_time = event("e", 10);
    bad_time["occurred_at"] = json!("yesterday");
    for (body, field) in [(event("e", 0), "delta"), (event("", 10), "event_id"), (bad_time, "occurred_at")] {
        let problem = assert_problem(app.post_score_event(&coordinator, "wu", body).await, 422, "invalid_field").await;
        assert_eq!(problem["field"], field);
    }
    let response = app
        .http
        .post(app.url("/v1/citizens/wu/score-events"))
        .bearer_auth(&coordinator)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "bad_request").await;
    assert!(
        app.state
            .store
            .recent_score_events(
                app.state.store.citizen_or_create("wu", time::OffsetDateTime::now_utc()).await.unwrap().number,
                10
            )
            .await
            .unwrap()
            .is_empty()
    );
}
