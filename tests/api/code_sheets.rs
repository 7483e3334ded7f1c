//! Printed code sheets (纸质信用码): printed at home or at a counter,
//! verified offline like any code, redeemed once, refused once revoked.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

impl TestApp {
    async fn sheet_for(&self, citizen_id: &str, body: Value) -> Value {
        let printed = self.post_as(&self.citizen_token(citizen_id), "/v1/me/code-sheets", body).await;
        assert_eq!(printed.status(), 201, "{}", printed.text().await.unwrap());
        assert_eq!(printed.headers()["cache-control"], "no-store");
        printed.json().await.unwrap()
    }
}

fn code(sheet: &Value, number: usize) -> &str {
    sheet["codes"][number - 1]["code"].as_str().unwrap()
}

fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_holds_ten_paper_codes_for_28_days_by_default_and_none_of_them_look_alike() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let sheet = app.sheet_for("grandmother", json!({})).await;
    assert!(sheet["sheet_id"].as_str().unwrap().starts_with("cs_"));
    assert_eq!(sheet["level"]["rank"], 3);
    let numbers: Vec<u64> = sheet["codes"].as_array().unwrap().iter().map(|c| c["number"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    let valid_until = at(sheet["valid_until"].as_str().unwrap());
    let created_at = at(sheet["created_at"].as_str().unwrap());
    let days = (valid_until - created_at).whole_minutes();
    assert!((27 * 24 * 60 + 23 * 60..=28 * 24 * 60).contains(&days), "{days} minutes");

    let verifier = app.verifier().await;
    let phone = verifier.verify(&app.code_text("grandmother").await, OffsetDateTime::now_utc()).unwrap();
    let (mut handles, mut times, mut signatures) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    handles.insert(phone.citizen_handle.0);
    for entry in sheet["codes"].as_array().unwrap() {
        let text = entry["code"].as_str().unwrap();
        let checked = verifier.verify(text, OffsetDateTime::now_utc()).unwrap();
        assert_eq!(checked.medium.as_str(), "paper");
        assert!(checked.expires_at >= valid_until && checked.issued_at <= created_at);
        assert!(handles.insert(checked.citizen_handle.0), "a handle repeats");
        assert!(times.insert(checked.issued_at), "an issued_at repeats");
        assert!(signatures.insert(text[text.len() - 40..].to_owned()), "a signature repeats");
    }
    let page = app.get_json(&app.citizen_token("grandmother"), "/v1/me/code-sheets").await;
    assert_eq!(page["sheets"][0]["status"], "active");
    assert_eq!(page["sheets"][0]["codes"], 10);
    assert_eq!(page["sheets"][0]["numbers_used"], json!([]));
    assert_eq!(page["sheets"][0]["created_by"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_counts_and_days_are_refused_and_no_sheet_is_stored() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let token = app.citizen_token("careful");
    for (body, field) in [
        (json!({"codes": 0}), "codes"),
        (json!({"codes": 21}), "codes"),
        (json!({"valid_days": 29}), "valid_days"),
        (json!({"valid_days": 0}), "valid_days"),
    ] {
        let refused = assert_problem(app.post_as(&token, "/v1/me/code-sheets", body).await, 422, "invalid_field").await;
        assert_eq!(refused["field"], field);
    }
    let unknown = app.post_as(&token, "/v1/me/code-sheets", json!({"codes": 2, "name": "王"})).await;
    assert_eq!(unknown.status(), 400, "an unknown field is refused, not ignored");
    let bad_format = app.http.post(app.url("/v1/me/code-sheets?format=pdf")).bearer_auth(&token).json(&json!({}));
    assert_problem(bad_format.send().await.unwrap(), 422, "invalid_field").await;
    assert_eq!(app.get_json(&token, "/v1/me/code-sheets").await["sheets"], json!([]));
    let small = app.sheet_for("careful", json!({"codes": 1, "valid_days": 1})).await;
    assert_eq!(small["codes"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_print_page_is_a4_with_one_qr_per_code_and_nothing_that_names_the_resident() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let token = app.citizen_token("resident-7731");
    for request in [
        app.http.post(app.url("/v1/me/code-sheets?format=html")),
        app.http.post(app.url("/v1/me/code-sheets")).header("Accept", "text/html"),
    ] {
        let page = request.bearer_auth(&token).json(&json!({"codes": 4})).send().await.unwrap();
        assert_eq!(page.status(), 201);
        assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("size:A4"));
        assert_eq!(html.matches("<svg ").count(), 4);
        assert!(html.contains("svg{width:38mm;height:38mm"), "at least 35 mm a QR");
        assert!(html.contains("有效期至") && html.contains("北京时间"));
        assert!(!html.contains("resident-7731") && !html.contains("500"), "no id, no score");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_active_sheet_is_refused_until_one_is_revoked() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let token = app.citizen_token("two-sheets");
    let first = app.sheet_for("two-sheets", json!({"codes": 2})).await;
    app.sheet_for("two-sheets", json!({"codes": 2})).await;
    let third = app.post_as(&token, "/v1/me/code-sheets", json!({"codes": 2})).await;
    assert_problem(third, 409, "too_many_sheets").await;
    assert_eq!(app.get_json(&token, "/v1/me/code-sheets").await["sheets"].as_array().unwrap().len(), 2);

    let sheet_id = first["sheet_id"].as_str().unwrap();
    let stranger = app.citizen_token("someone-else");
    let theirs = app.post_as(&stranger, &format!("/v1/me/code-sheets/{sheet_id}/revoke"), json!({})).await;
    assert_problem(theirs, 404, "not_found").await;
    let revoked = app.post_as(&token, &format!("/v1/me/code-sheets/{sheet_id}/revoke"), json!({})).await;
    assert_eq!(revoked.status(), 200);
    let revoked: Value = revoked.json().await.unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revoked_by"], Value::Null);
    let again: Value =
        app.post_as(&token, &format!("/v1/me/code-sheets/{sheet_id}/revoke"), json!({})).await.json().await.unwrap();
    assert_eq!(again["revoked_at"], revoked["revoked_at"], "the first revocation stands");
    app.sheet_for("two-sheets", json!({"codes": 2})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blacklisted_resident_gets_no_sheet_and_an_earlier_sheets_code_is_refused() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let earlier = app.sheet_for("debtor-2", json!({"codes": 2})).await;
    let listing = json!({"list": "black", "reason": "失信被执行人 judgment debtor", "source": "东城区人民法院"});
    let listed = app.coordinator_post(&coordinator, "/v1/citizens/debtor-2/list-entries", listing).await;
    assert_eq!(listed.status(), 201);
    let token = app.citizen_token("debtor-2");
    assert_problem(app.post_as(&token, "/v1/me/code-sheets", json!({})).await, 403, "blacklisted").await;
    let desk = app.staff_token("service_desk", None, None).await;
    assert_problem(app.post_as(&desk, "/v1/citizens/debtor-2/code-sheets", json!({})).await, 403, "blacklisted").await;
    assert_problem(app.redeem_code(&shop, code(&earlier, 1), 5000).await, 422, "citizen_blacklisted").await;
    assert_eq!(app.get_json(&token, "/v1/me/code-sheets").await["sheets"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paper_code_verifies_offline_with_the_sdk_example_then_redeems_once() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let sheet = app.sheet_for("no-phone", json!({"codes": 3})).await;
    let paper = code(&sheet, 2);
    if let Some(example) = sdk_example("verify") {
        let keys = app.dir.path().join("keys.json");
        std::fs::write(&keys, app.http.get(app.url("/v1/keys")).send().await.unwrap().text().await.unwrap()).unwrap();
        let out = std::process::Command::new(example).args(["--keys", keys.to_str().unwrap(), paper]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["ok"], true);
        assert_eq!(printed["medium"], "paper");
        assert_eq!(printed["level"], 3);
    }
    let redeemed = app.redeem_code(&shop, paper, 5000).await;
    assert_eq!(redeemed.status(), 201);
    let redeemed: Value = redeemed.json().await.unwrap();
    assert_eq!(redeemed["medium"], "paper");
    assert_eq!(redeemed["level"]["rank"], 3);
    assert!(redeemed.get("code_level").is_none(), "the level did not fall: {redeemed}");
    assert_problem(app.redeem_code(&shop, paper, 5000).await, 409, "code_used").await;
    let sheets = app.get_json(&app.citizen_token("no-phone"), "/v1/me/code-sheets").await;
    assert_eq!(sheets["sheets"][0]["numbers_used"], json!([2]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_sheets_unspent_code_is_refused_on_a_second_node() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let other = app.second_node().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, budget_offer()).await;
    let desk = app.staff_token("service_desk", None, None).await;
    let printed = app.post_as(&desk, "/v1/citizens/hall-visitor/code-sheets", json!({"codes": 3})).await;
    assert_eq!(printed.status(), 201);
    let sheet: Value = printed.json().await.unwrap();
    assert_eq!(app.redeem_code(&shop, code(&sheet, 1), 3000).await.status(), 201);

    let sheet_id = sheet["sheet_id"].as_str().unwrap();
    let revoke =
        app.post_as(&desk, &format!("/v1/citizens/hall-visitor/code-sheets/{sheet_id}/revoke"), json!({})).await;
    assert_eq!(revoke.status(), 200);
    let unspent = app
        .http
        .post(format!("{}/v1/redemptions", other.base))
        .bearer_auth(&shop.api_key)
        .header("Idempotency-Key", xinyi::ids::new_id("idem"))
        .json(&json!({"code": code(&sheet, 2), "offer_id": shop.offer_id, "amount_fen": 3000}))
        .send()
        .await
        .unwrap();
    assert_problem(unspent, 422, "sheet_revoked").await;
    assert_problem(app.redeem_code(&shop, code(&sheet, 3), 3000).await, 422, "sheet_revoked").await;

    let listed = app.get_json(&desk, "/v1/citizens/hall-visitor/code-sheets").await;
    let listed = &listed["sheets"][0];
    assert_eq!(listed["status"], "revoked");
    assert_eq!(listed["numbers_used"], json!([1]));
    assert!(listed["created_by"].is_string(), "printed at a counter: {listed}");
    assert_eq!(listed["created_by"], listed["revoked_by"], "the same desk printed and revoked it");
    let own = app.get_json(&app.citizen_token("hall-visitor"), "/v1/me/code-sheets").await;
    assert_eq!(own["sheets"][0]["sheet_id"], sheet_id, "the resident sees what the desk printed");
    let audit = app.get_json(&coordinator, "/v1/audit").await.to_string();
    assert!(audit.contains("GET /v1/citizens/hall-visitor/code-sheets"), "the desk's read is in the audit log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lowered_score_lowers_a_paper_codes_applied_level_and_the_answer_says_so() {
    let app = TestApp::spawn().await;
    app.age_signing_keys().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "volunteer", 650).await;
    let sheet = app.sheet_for("volunteer", json!({"codes": 2})).await;
    assert_eq!(sheet["level"]["rank"], 4);
    let fine = json!({"event_id": "volunteer-fine", "delta": -100, "reason": "逾期 late", "source": "tests",
        "occurred_at": "2026-11-01T00:00:00Z"});
    assert_eq!(app.post_score_event(&coordinator, "volunteer", fine).await.status(), 201);

    let redeemed = app.redeem_code(&shop, code(&sheet, 1), 15_000).await;
    assert_eq!(redeemed.status(), 201);
    let redeemed: Value = redeemed.json().await.unwrap();
    assert_eq!(redeemed["level"]["rank"], 3, "the current level, A: {redeemed}");
    assert_eq!(redeemed["code_level"]["rank"], 4, "the printed level, AA");
    assert_eq!(redeemed["discount_fen"], 1500, "A's 10 %, not AA's 20 yuan off");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_asked_for_in_the_first_seconds_of_a_new_key_is_put_off_not_dated_alike() {
    let app = TestApp::spawn().await;
    let refused = app.post_as(&app.citizen_token("early"), "/v1/me/code-sheets", json!({"codes": 20})).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_problem(refused, 429, "rate_limited").await;
    assert_eq!(app.get_json(&app.citizen_token("early"), "/v1/me/code-sheets").await["sheets"], json!([]));
}
