//! Reduction reports reconcile with the ledger to the fen.

use crate::helpers::*;
use serde_json::json;
use xinyi::domain::ledger::EntryKind;

/// Two merchants, citizens at three levels, one void: a small real ledger.
async fn activity(app: &TestApp) -> String {
    let coordinator = app.coordinator_token().await;
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    let law = app.shop(&coordinator, offer.clone()).await;
    let mall =
        app.shop_of(&coordinator, json!({"name": "万达广场", "category": "mall", "district": "西城区"}), offer).await;
    for (citizen, score) in [("r-a", 500), ("r-aa", 650), ("r-aaa", 750)] {
        app.citizen_with_score(&coordinator, citizen, score).await;
    }
    for (shop, citizen, amount) in [
        (&law, "r-a", 12_345),
        (&law, "r-aa", 15_000),
        (&mall, "r-aaa", 8_000),
        (&mall, "r-a", 999),
        (&law, "r-a", 40_000),
    ] {
        assert_eq!(app.redeem_code(shop, &app.code_text(citizen).await, amount).await.status(), 201);
    }
    let last: serde_json::Value =
        app.redeem_code(&mall, &app.code_text("r-aa").await, 20_000).await.json().await.unwrap();
    let void = app
        .http
        .post(app.url(&format!("/v1/redemptions/{}/void", last["redemption_id"].as_str().unwrap())))
        .bearer_auth(&mall.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(void.status(), 200);
    coordinator
}

async fn ledger_net(app: &TestApp) -> i64 {
    let entries = app.state.store.ledger_entries(0, 10_000, xinyi::storage::Source::Primary).await.unwrap();
    entries.iter().map(|e| if e.kind == EntryKind::Redemption { e.discount_fen } else { -e.discount_fen }).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_grouping_sums_to_the_ledger_s_net_to_the_fen() {
    let app = TestApp::spawn().await;
    let coordinator = activity(&app).await;
    let net = ledger_net(&app).await;
    // 10% of 12,345 rounds down to 1,234; AA 2,000; AAA 8,000 (free up to 30,000); 10% of 999 is 99;
    // 10% of 40,000 is 4,000 (under the 5,000 cap); the second AA 2,000 was voided.
    assert_eq!(net, 1_234 + 2_000 + 8_000 + 99 + 4_000);
    for by in ["merchant", "category", "district", "level", "offer", "day", "month"] {
        let report = app.get_json(&coordinator, &format!("/v1/reports/reductions?group_by={by}")).await;
        let rows = report["rows"].as_array().unwrap();
        let sum = |field: &str| rows.iter().map(|r| r[field].as_i64().unwrap()).sum::<i64>();
        assert_eq!(sum("net_fen"), net, "group_by={by}");
        assert_eq!(report["totals"]["net_fen"], net);
        assert_eq!(sum("gross_fen") - sum("reversed_fen"), net);
        assert_eq!((sum("redemptions"), sum("reversals")), (6, 1), "group_by={by}");
    }
    let by_level = app.get_json(&coordinator, "/v1/reports/reductions?group_by=level").await;
    let labels: Vec<&str> = by_level["rows"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["A", "AA", "AAA"]);
    assert_eq!(by_level["headline"]["citizens"], 3, "three citizens, counted once each");
    assert_eq!(by_level["headline"]["net_yuan"], "153.33");
    assert_eq!(by_level["headline"]["merchants_with_redemptions"], 2);
    let by_category = app.get_json(&coordinator, "/v1/reports/reductions?group_by=category").await;
    let keys: Vec<&str> = by_category["rows"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["law_firm", "mall"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_comes_as_csv_with_a_header_row_and_from_the_command_line() {
    let app = TestApp::spawn().await;
    let coordinator = activity(&app).await;
    let csv = app
        .http
        .get(app.url("/v1/reports/reductions?group_by=merchant"))
        .bearer_auth(&coordinator)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "key,label,redemptions,reversals,gross_fen,reversed_fen,net_fen,citizens,offline_redemptions");
    assert_eq!(lines.len(), 4, "two merchants and the total:\n{text}");
    assert!(lines[3].starts_with("total,合计 Total,6,1,17333,2000,15333,3"), "{text}");
    let out = app.xinyi(&["report", "reductions", "--group-by", "merchant", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_report_parameters_name_the_field() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    for (query, field) in
        [("group_by=week", "group_by"), ("from=yesterday", "from"), ("from=2026-12-01&to=2026-11-01", "to")]
    {
        let response = app
            .http
            .get(app.url(&format!("/v1/reports/reductions?{query}")))
            .bearer_auth(&coordinator)
            .send()
            .await
            .unwrap();
        assert_eq!(assert_problem(response, 422, "invalid_field").await["field"], field);
    }
    let empty = app.get_json(&coordinator, "/v1/reports/reductions?from=2026-01-01&to=2026-01-31").await;
    assert_eq!(empty["headline"]["net_fen"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_name_a_spreadsheet_would_run_is_neutralised_in_every_csv() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let evil = "=HYPERLINK(\"http://evil.example\",\"点我\")";
    let merchant = json!({"name": evil, "category": "mall", "district": "-东城区"});
    let shop = app.shop_of(&coordinator, merchant, legal_offer()).await;
    assert_eq!(app.redeem_code(&shop, &app.code_text("csv").await, 5000).await.status(), 201);
    for by in ["merchant", "district"] {
        let csv = app
            .http
            .get(app.url(&format!("/v1/reports/reductions?group_by={by}")))
            .bearer_auth(&coordinator)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let out = app.xinyi(&["report", "reductions", "--group-by", by, "--format", "csv"]);
        for text in [csv, String::from_utf8(out.stdout).unwrap()] {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    let runs = cell.starts_with(['=', '+', '@', '\t', '\r'])
                        || (cell.starts_with('-') && cell.parse::<i64>().is_err());
                    assert!(!runs, "group_by={by}: a spreadsheet would run {cell:?}");
                }
            }
            assert!(text.contains("'=HYPERLINK") || text.contains("'-东城区"), "{text}");
        }
    }
}
