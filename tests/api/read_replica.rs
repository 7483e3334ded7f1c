//! `XINYI_READ_DATABASE_URL`: reports, listings and the directory read a
//! replica; redemptions and every check that decides one read the primary.
//! The replica here is a database with the schema and none of the data, as
//! a standby far behind would be, so which reads went where shows in the
//! answers. Meaningful on PostgreSQL; on SQLite a read URL is refused.

use crate::helpers::*;
use crate::statements::china_day;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_the_ledger_listing_read_the_replica_while_redemptions_and_their_checks_read_the_primary() {
    let app = TestApp::spawn().await;
    if !app.database_url.starts_with("postgres") {
        return; // a replica is a PostgreSQL standby; SQLite's refusal is tested below
    }
    let dir = tempfile::tempdir().unwrap();
    let behind = crate::database::TestDatabase::create(dir.path()).await;
    xinyi::storage::connect(behind.url()).await.unwrap();
    let node = app.second_node_with_env(&[("XINYI_READ_DATABASE_URL", behind.url())], "info", None).await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, budget_offer()).await;
    let code = app.code_text("reader").await;
    let redeem = |key: &'static str| {
        app.http
            .post(format!("{}/v1/redemptions", node.base))
            .bearer_auth(&shop.api_key)
            .header("Idempotency-Key", key)
            .json(&json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 10_000}))
            .send()
    };
    assert_eq!(redeem("first").await.unwrap().status(), 201, "the write path reads the primary");
    assert_problem(redeem("second").await.unwrap(), 409, "code_used").await;

    let report = |base: String| {
        let coordinator = coordinator.clone();
        let http = app.http.clone();
        async move {
            let r = http.get(format!("{base}/v1/reports/reductions")).bearer_auth(coordinator).send().await.unwrap();
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let (on_replica, on_primary) = (report(node.base.clone()).await, report(app.base.clone()).await);
    assert_eq!(on_replica["totals"]["redemptions"], 0, "the report read the replica");
    assert_eq!(on_primary["totals"]["redemptions"], 1);
    assert!(on_replica["as_of"].is_string() && on_primary["as_of"].is_string(), "every report says as_of");
    let ledger = app.http.get(format!("{}/v1/ledger", node.base)).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(ledger.json::<serde_json::Value>().await.unwrap().as_array().map(Vec::len), Some(0));

    // Today is not settled: its statement reads the primary, replica or not.
    let today = china_day(time::OffsetDateTime::now_utc());
    let statement = app
        .http
        .get(format!("{}/v1/merchant/statements/{today}", node.base))
        .bearer_auth(&shop.api_key)
        .send()
        .await
        .unwrap();
    let statement: serde_json::Value = statement.json().await.unwrap();
    assert_eq!(statement["entries"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_url_beside_a_sqlite_database_stops_the_node_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_xinyi"))
        .arg("serve")
        .env("XINYI_ADDR", "127.0.0.1:0")
        .env("XINYI_METRICS_ADDR", "")
        .env("XINYI_DATABASE_URL", &db)
        .env("XINYI_READ_DATABASE_URL", format!("{db}-replica"))
        .env("XINYI_IDP_JWKS", dir.path().join("none.json"))
        .env("XINYI_IDP_ISSUER", "https://idp.example")
        .env("XINYI_IDP_AUDIENCE", "xinyi")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            serve.kill().unwrap();
            panic!("the node started with a read URL beside SQLite");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(stderr.contains("XINYI_READ_DATABASE_URL must name a PostgreSQL standby"), "{stderr}");
}
