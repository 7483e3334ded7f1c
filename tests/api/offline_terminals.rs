//! Back-dated scans: only a terminal whose key was made for offline use may
//! send a scan older than the grace, and what it sends is marked offline.

use crate::helpers::*;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn at(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

fn body(shop: &Shop, code: &str, scanned_at: Option<OffsetDateTime>) -> serde_json::Value {
    let mut body = json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 20_000});
    if let Some(t) = scanned_at {
        body["scanned_at"] = json!(at(t));
    }
    body
}

async fn ledger_entries(app: &TestApp) -> String {
    String::from_utf8_lossy(&app.ledger_verify().stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_terminal_gets_code_expired_for_an_expired_code_however_it_back_dates_the_scan() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let issued_at = OffsetDateTime::now_utc() - Duration::minutes(10);
    let photographed = app.code_issued_at("photographed", issued_at).await;

    let now = app.redeem(&shop.api_key, "k-1", body(&shop, &photographed, None)).await;
    assert_problem(now, 422, "code_expired").await;
    let back_dated = body(&shop, &photographed, Some(issued_at + Duration::seconds(10)));
    assert_problem(app.redeem(&shop.api_key, "k-2", back_dated).await, 422, "code_expired").await;
    assert!(ledger_entries(&app).await.contains(": 0 entries"), "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_terminal_may_not_send_a_scan_older_than_the_grace_even_for_a_live_code() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    // Issued 70 s ago, valid for 90 s: still live, but scanned 65 s ago.
    let issued_at = OffsetDateTime::now_utc() - Duration::seconds(70);
    let code = app.code_issued_at("slow-till", issued_at).await;
    let old_scan = body(&shop, &code, Some(issued_at + Duration::seconds(5)));
    assert_problem(app.redeem(&shop.api_key, "k-1", old_scan).await, 422, "offline_not_allowed").await;
    // Within the grace it redeems, and is not marked offline.
    let recent_scan = body(&shop, &code, Some(OffsetDateTime::now_utc() - Duration::seconds(20)));
    assert_eq!(app.redeem(&shop.api_key, "k-2", recent_scan).await.status(), 201);
    let listed = app.get_json(&shop.api_key, "/v1/merchant/redemptions").await;
    assert_eq!(listed[0]["offline"], false, "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_terminal_may_send_a_back_dated_scan_and_the_redemption_is_marked_offline() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let stall = app.offline_key(&coordinator, &shop.merchant_id).await;
    let issued_at = OffsetDateTime::now_utc() - Duration::hours(3);
    let code = app.code_issued_at("market-day", issued_at).await;

    let queued = body(&shop, &code, Some(issued_at + Duration::seconds(30)));
    let response = app.redeem(&stall, "stall-1", queued).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let listed = app.get_json(&stall, "/v1/merchant/redemptions").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["offline"], true, "{listed}");
    let report = app.get_json(&coordinator, "/v1/reports/reductions?group_by=merchant").await;
    assert_eq!(report["rows"][0]["offline_redemptions"], 1, "{report}");
    assert_eq!(report["totals"]["offline_redemptions"], 1, "{report}");

    // Scanned after the code had expired: refused even offline.
    let late = app.code_issued_at("market-day-2", issued_at).await;
    let after_expiry = body(&shop, &late, Some(issued_at + Duration::minutes(5)));
    assert_problem(app.redeem(&stall, "stall-2", after_expiry).await, 422, "code_expired").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_before_the_code_was_issued_or_in_the_future_is_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let stall = app.offline_key(&coordinator, &shop.merchant_id).await;
    let issued_at = OffsetDateTime::now_utc() - Duration::seconds(30);
    let code = app.code_issued_at("clock-skew", issued_at).await;

    let before = body(&shop, &code, Some(issued_at - Duration::hours(1)));
    let refused = app.redeem(&stall, "c-1", before).await;
    assert_eq!(refused.status(), 422);
    let refusal: serde_json::Value = refused.json().await.unwrap();
    assert!(["scanned_before_issue", "code_not_yet_valid"].contains(&refusal["code"].as_str().unwrap()), "{refusal}");
    let future = body(&shop, &code, Some(OffsetDateTime::now_utc() + Duration::hours(1)));
    assert_problem(app.redeem(&stall, "c-2", future).await, 422, "scanned_at_in_future").await;
    assert!(ledger_entries(&app).await.contains(": 0 entries"));
}
