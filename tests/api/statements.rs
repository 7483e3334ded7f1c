//! Daily settlement statements: what a bookkeeper takes away.

use crate::helpers::*;
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

pub(crate) fn china_day(at: OffsetDateTime) -> String {
    at.to_offset(time::macros::offset!(+8)).date().to_string()
}

impl TestApp {
    async fn statement(&self, token: &str, path: &str, accept: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).header("Accept", accept).send().await.unwrap()
    }
}

/// The body, after checking that `Repr-Digest` is its SHA-256.
async fn digested_body(response: reqwest::Response) -> Vec<u8> {
    assert_eq!(response.status(), 200);
    let digest = response.headers()["repr-digest"].to_str().unwrap().to_owned();
    let body = response.bytes().await.unwrap().to_vec();
    let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&body));
    assert_eq!(digest, format!("sha-256=:{expected}:"));
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_s_statement_lists_redemptions_and_voids_with_their_terminals_and_totals() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let other = app.shop(&coordinator, legal_offer()).await;
    let first: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("qian").await, 5000).await.json().await.unwrap();
    let second: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("sun").await, 8000).await.json().await.unwrap();
    assert_eq!(app.redeem_code(&other, &app.code_text("li").await, 8000).await.status(), 201);
    let id = first["redemption_id"].as_str().unwrap();
    let void = app.http.post(app.url(&format!("/v1/redemptions/{id}/void"))).bearer_auth(&shop.api_key).send().await;
    assert_eq!(void.unwrap().status(), 200);

    let today = china_day(OffsetDateTime::now_utc());
    let own = format!("/v1/merchant/statements/{today}");
    let body = digested_body(app.statement(&shop.api_key, &own, "application/json").await).await;
    let statement: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (statement["merchant_id"].as_str(), statement["date"].as_str()),
        (Some(&*shop.merchant_id), Some(&*today))
    );
    assert_eq!(statement["settled"], false, "today is not over");
    let entries = statement["entries"].as_array().unwrap();
    let kinds: Vec<_> = entries.iter().map(|e| (e["kind"].as_str().unwrap(), e["redemption_id"].clone())).collect();
    assert_eq!(
        kinds,
        [("redemption", json!(id)), ("redemption", second["redemption_id"].clone()), ("void", json!(id))]
    );
    assert!(entries.iter().all(|e| e["terminal"] == "front desk" && e["offline"] == false));
    assert_eq!(entries[2]["discount_fen"], -500, "a void's amounts are negative");
    assert_eq!(
        statement["totals"],
        json!({"redemptions": 2, "reversals": 1, "gross_fen": 13_000, "discount_fen": 1300, "reversed_fen": 500, "net_fen": 800})
    );

    let coordinator_path = format!("/v1/merchants/{}/statements/{today}", shop.merchant_id);
    let theirs = digested_body(app.statement(&coordinator, &coordinator_path, "application/json").await).await;
    assert_eq!(theirs, body, "coordinators see the same document");
    assert_problem(app.statement(&shop.api_key, &coordinator_path, "application/json").await, 403, "wrong_token_kind")
        .await;
    let unknown = format!("/v1/merchants/mer_nobody/statements/{today}");
    assert_problem(app.statement(&coordinator, &unknown, "application/json").await, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_statement_opens_in_excel_with_ids_as_text_and_ends_with_the_totals() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let redeemed: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("zhou").await, 5000).await.json().await.unwrap();
    let today = china_day(OffsetDateTime::now_utc());
    let response = app.statement(&shop.api_key, &format!("/v1/merchant/statements/{today}"), "text/csv").await;
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = digested_body(response).await;
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 byte-order mark first");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][2], format!("=\"{}\"", redeemed["redemption_id"].as_str().unwrap()));
    assert_eq!((rows[0][3].as_str(), rows[0][5].as_str(), rows[0][7].as_str()), ("front desk", "A", "500"));
    assert_eq!(rows[1][0], "total");
    assert_eq!((rows[1][6].as_str(), rows[1][7].as_str(), rows[1][8].as_str()), ("5000", "500", "4500"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settled_day_gives_the_same_bytes_however_later_days_change() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let redeemed: serde_json::Value =
        app.redeem_code(&shop, &app.code_text("wu").await, 5000).await.json().await.unwrap();
    let id = redeemed["redemption_id"].as_str().unwrap();
    // Recorded 23 h 58 min ago: yesterday (China time), settled, and still
    // inside the 24 h void window. (Not so between 23:58 and 00:05 CST.)
    let moved = format!("UPDATE redemptions SET created_at = created_at - 86280 WHERE redemption_id = '{id}'");
    app.database.execute(&moved).await.unwrap();
    let yesterday = format!("/v1/merchant/statements/{}", china_day(OffsetDateTime::now_utc() - Duration::days(1)));
    let before = digested_body(app.statement(&shop.api_key, &yesterday, "application/json").await).await;
    let statement: serde_json::Value = serde_json::from_slice(&before).unwrap();
    assert_eq!((statement["settled"].clone(), statement["entries"].as_array().unwrap().len()), (json!(true), 1));

    let void = app.http.post(app.url(&format!("/v1/redemptions/{id}/void"))).bearer_auth(&shop.api_key).send().await;
    assert_eq!(void.unwrap().status(), 200);
    assert_eq!(app.redeem_code(&shop, &app.code_text("zheng").await, 5000).await.status(), 201);
    let after = digested_body(app.statement(&shop.api_key, &yesterday, "application/json").await).await;
    assert_eq!(after, before, "the void and the new redemption belong to today");
    let today = format!("/v1/merchant/statements/{}", china_day(OffsetDateTime::now_utc()));
    let today: serde_json::Value = app.get_json(&shop.api_key, &today).await;
    assert_eq!(today["totals"]["reversals"], 1);
    assert_eq!(today["totals"]["redemptions"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_of_a_day_not_yet_begun_or_of_no_date_is_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let tomorrow = china_day(OffsetDateTime::now_utc() + Duration::days(1));
    let refused = app.statement(&shop.api_key, &format!("/v1/merchant/statements/{tomorrow}"), "*/*").await;
    assert_problem(refused, 422, "invalid_field").await;
    assert_problem(
        app.statement(&shop.api_key, "/v1/merchant/statements/2026-13-01", "*/*").await,
        422,
        "invalid_field",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statement_command_writes_the_same_bytes_as_the_api() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    assert_eq!(app.redeem_code(&shop, &app.code_text("feng").await, 5000).await.status(), 201);
    let today = china_day(OffsetDateTime::now_utc());
    let api =
        digested_body(app.statement(&shop.api_key, &format!("/v1/merchant/statements/{today}"), "text/csv").await)
            .await;
    let out = app.dir.path().join("statement.csv");
    let run =
        app.xinyi(&["statement", "--merchant", &shop.merchant_id, "--date", &today, "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), api);
    let json = app.xinyi(&["statement", "--merchant", &shop.merchant_id, "--date", &today, "--format", "json"]);
    let statement: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(statement["totals"]["discount_fen"], 500);
    let unknown = app.xinyi(&["statement", "--merchant", "mer_nobody", "--date", &today]);
    assert_eq!(unknown.status.code(), Some(2));
}
