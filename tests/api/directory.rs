//! The public directory of where a code works.

use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

impl TestApp {
    /// The directory with `query`, once it satisfies `until` (it refreshes within seconds).
    async fn directory_until(&self, query: &str, until: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let mut last = serde_json::Value::Null;
        for _ in 0..60 {
            let response = self.http.get(self.url(&format!("/v1/offers{query}"))).send().await.unwrap();
            assert_eq!(response.status(), 200);
            last = response.json().await.unwrap();
            if until(&last) {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the directory never became what was expected: {last}");
    }
}

fn ids(directory: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> =
        directory.as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_lists_live_offers_with_their_place_filters_them_and_hides_the_money() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let law_firm = json!({"name": "明理律师事务所", "category": "law_firm", "district": "东城区",
        "address": "东长安街 1 号", "location": {"lat": 39.908722, "lon": 116.397499}});
    let mut consult = legal_offer();
    consult["title"] = json!("consult");
    let lawyer = app.shop_of(&coordinator, law_firm, consult).await;
    let mall = json!({"name": "万达广场", "category": "mall", "district": "西城区", "address": "西单北大街 130 号"});
    let mut one_left = budget_offer();
    one_left["title"] = json!("one-left");
    one_left["budget_count"] = json!(1);
    let shop = app.shop_of(&coordinator, mall.clone(), one_left).await;
    let mut aaa = budget_offer();
    aaa["title"] = json!("aaa-only");
    aaa["min_level"] = json!(5);
    aaa["tiers"] = json!([{"min_level": 5, "kind": "percent_off", "percent": 20}]);
    app.shop_of(&coordinator, mall.clone(), aaa).await;
    let mut later = budget_offer();
    later["title"] = json!("later");
    later["valid_from"] = json!("2099-01-01T00:00:00+08:00");
    app.shop_of(&coordinator, mall, later).await;

    let all = app.directory_until("", |d| d.as_array().unwrap().len() == 3).await;
    assert_eq!(ids(&all), ["aaa-only", "consult", "one-left"], "not an offer whose window has not opened");
    let entry = all.as_array().unwrap().iter().find(|e| e["title"] == "consult").unwrap();
    assert_eq!(
        entry["merchant"],
        json!({"merchant_id": lawyer.merchant_id, "name": "明理律师事务所", "category": "law_firm",
        "category_name_zh": "律师事务所", "category_name_en": "Law firms", "district": "东城区", "address": "东长安街 1 号", "location": {"lat": 39.908722, "lon": 116.397499}})
    );
    assert_eq!(entry["min_level"], 3);
    let text = all.to_string();
    for secret in ["budget", "granted", "api_key", "xym_"] {
        assert!(!text.contains(secret), "the directory shows {secret}: {text}");
    }

    assert_eq!(ids(&app.directory_until("?level=3", |_| true).await), ["consult", "one-left"]);
    assert_eq!(ids(&app.directory_until("?level=5", |_| true).await), ["aaa-only", "consult", "one-left"]);
    assert_eq!(ids(&app.directory_until("?category=law_firm", |_| true).await), ["consult"]);
    assert_eq!(
        ids(&app.directory_until("?district=%E8%A5%BF%E5%9F%8E%E5%8C%BA", |_| true).await),
        ["aaa-only", "one-left"]
    );
    let bad = app.http.get(app.url("/v1/offers?level=9")).send().await.unwrap();
    assert_problem(bad, 422, "invalid_field").await;

    // The budget spent, the merchant suspended: gone within seconds.
    let spent = app.redeem_code(&shop, &app.code_text("spender").await, 3333).await;
    assert_eq!(spent.status(), 201, "{}", spent.text().await.unwrap());
    app.directory_until("", |d| !ids(d).contains(&"one-left".to_owned())).await;
    let suspended =
        app.coordinator_post(&coordinator, &format!("/v1/merchants/{}/suspend", lawyer.merchant_id), json!({})).await;
    assert_eq!(suspended.status(), 200);
    assert_eq!(ids(&app.directory_until("", |d| d.as_array().unwrap().len() == 1).await), ["aaa-only"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_edits_where_a_merchant_is() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let path = app.url(&format!("/v1/merchants/{}", shop.merchant_id));
    let moved = app
        .http
        .patch(&path)
        .bearer_auth(&coordinator)
        .json(&json!({"address": "王府井大街 255 号", "location": {"lat": 39.9149, "lon": 116.4108}}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let moved: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(
        (moved["address"].clone(), moved["location"]["lat"].clone()),
        (json!("王府井大街 255 号"), json!(39.9149))
    );
    let listed = app.directory_until("", |d| d[0]["merchant"]["address"] == "王府井大街 255 号").await;
    assert_eq!(listed[0]["merchant"]["location"], json!({"lat": 39.9149, "lon": 116.4108}));
    let cleared: serde_json::Value = app
        .http
        .patch(&path)
        .bearer_auth(&coordinator)
        .json(&json!({"location": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((cleared["address"].clone(), cleared["location"].clone()), (json!("王府井大街 255 号"), json!(null)));
    let off_globe = app
        .http
        .patch(&path)
        .bearer_auth(&coordinator)
        .json(&json!({"location": {"lat": 95, "lon": 0}}))
        .send()
        .await
        .unwrap();
    assert_problem(off_globe, 422, "invalid_field").await;
    let merchants = app.get_json(&coordinator, "/v1/merchants").await;
    assert_eq!(merchants[0]["address"], "王府井大街 255 号");
}
