//! What must hold after a failure, read from the new primary: every
//! acknowledged redemption there unchanged, nothing twice, budgets to the
//! fen, and the ledger's own verifier content.

use super::load::Run;
use super::seed::Shop;
use sqlx::{Connection as _, PgConnection, Row as _};
use std::collections::HashMap;

struct Stored {
    offer_id: String,
    amount_fen: i64,
    discount_fen: i64,
    payable_fen: i64,
    ledger_seq: i64,
}

/// The redemptions stored for these merchants, by id.
async fn stored(db: &mut PgConnection, shops: &[Shop]) -> HashMap<String, Stored> {
    let ids: Vec<String> = shops.iter().map(|s| s.merchant_id.clone()).collect();
    let rows = sqlx::query(
        "SELECT redemption_id, offer_id, amount_fen, discount_fen, payable_fen, ledger_seq FROM redemptions \
         WHERE merchant_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| {
            let stored = Stored {
                offer_id: r.get(1),
                amount_fen: r.get(2),
                discount_fen: r.get(3),
                payable_fen: r.get(4),
                ledger_seq: r.get(5),
            };
            (r.get(0), stored)
        })
        .collect()
}

/// Panics unless every acknowledged redemption is stored as acknowledged
/// and in the ledger once, nothing else was redeemed, and each offer's
/// granted total is its ledger's sum, within its budget. Returns the
/// redemptions stored.
pub async fn books_hold(url: &str, shops: &[Shop], runs: &[&Run]) -> usize {
    let mut db = PgConnection::connect(url).await.unwrap();
    let stored = stored(&mut db, shops).await;
    let mut acknowledged = 0;
    for answer in runs.iter().flat_map(|run| run.successes()) {
        acknowledged += 1;
        let id = answer.body["redemption_id"].as_str().expect("a success names its redemption");
        let row = stored.get(id).unwrap_or_else(|| panic!("acknowledged redemption {id} is lost"));
        assert_eq!(row.offer_id, shops[answer.shop].offer_id, "{id}");
        for (field, value) in
            [("amount_fen", row.amount_fen), ("discount_fen", row.discount_fen), ("payable_fen", row.payable_fen)]
        {
            assert_eq!(answer.body[field].as_i64(), Some(value), "{id}: {field} changed");
        }
        assert_eq!(answer.body["ledger_seq"].as_i64(), Some(row.ledger_seq), "{id}: ledger_seq changed");
    }
    // Every answered success is a distinct redemption; what was stored
    // beyond them can only be a request given up on after its commit.
    let given_up: usize = runs.iter().map(|run| run.gave_up).sum();
    assert!(stored.len() >= acknowledged, "{} stored, {acknowledged} acknowledged", stored.len());
    assert!(stored.len() - acknowledged <= given_up, "{} stored, {acknowledged} acknowledged", stored.len());
    let twice: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT redemption_id FROM ledger WHERE kind = 'redemption' \
         GROUP BY redemption_id HAVING COUNT(*) > 1) AS twice",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(twice, 0, "a redemption is in the ledger twice");
    let entries: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE kind = 'redemption'").fetch_one(&mut db).await.unwrap();
    assert_eq!(entries as usize, stored.len(), "ledger entries and redemptions differ");
    for shop in shops {
        let row = sqlx::query(
            "SELECT o.granted_fen, (SELECT CAST(COALESCE(SUM(discount_fen), 0) AS BIGINT) FROM ledger l WHERE l.offer_id = o.offer_id) \
             FROM offers o WHERE o.offer_id = $1",
        )
        .bind(&shop.offer_id)
        .fetch_one(&mut db)
        .await
        .unwrap();
        let (granted, ledger): (i64, i64) = (row.get(0), row.get(1));
        assert_eq!(granted, ledger, "{}: granted {granted} fen, the ledger says {ledger}", shop.offer_id);
        if let Some(budget) = shop.budget_fen {
            assert!(granted <= budget, "{}: granted {granted} fen of a {budget} fen budget", shop.offer_id);
        }
    }
    stored.len()
}

/// `xinyi ledger verify` on `url`: its output, panicking unless it passes.
pub fn ledger_verifies(url: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xinyi"))
        .args(["ledger", "verify"])
        .env("XINYI_DATABASE_URL", url)
        .env("XINYI_MASTER_KEY", super::seed::MASTER_KEY)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "xinyi ledger verify failed: {text}");
    text
}

/// Polls `node`'s report, which reads the standby, until its totals are the
/// ledger's on the primary (count and fen), for at most 30 s: the replica
/// catching up. Returns the report's `as_of` and how long it took.
pub async fn replica_report_reconciles(node: &str, auditor: &str, url: &str) -> (String, std::time::Duration) {
    let (fen, count) = {
        let mut db = PgConnection::connect(url).await.unwrap();
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(discount_fen), 0) AS BIGINT), COUNT(*) FROM ledger WHERE kind = 'redemption'",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        (row.get::<i64, _>(0), row.get::<i64, _>(1))
    };
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    let mut last = serde_json::Value::Null;
    while started.elapsed() < std::time::Duration::from_secs(30) {
        let response = client.get(format!("{node}/v1/reports/reductions")).bearer_auth(auditor).send().await.unwrap();
        if response.status() == 200 {
            last = response.json().await.unwrap();
            let totals = &last["totals"];
            if totals["net_fen"].as_i64() == Some(fen) && totals["redemptions"].as_i64() == Some(count) {
                let as_of = last["as_of"].as_str().expect("a report says as_of").to_owned();
                return (as_of, started.elapsed());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the replica's report never reconciled with the ledger ({count} redemptions, {fen} fen): {last}");
}

/// A settled day's statement, read through the node whose settled
/// statements go to the standby, is byte for byte the primary's, and the
/// same again when asked again. One of `shop`'s redemptions is moved two
/// days back on the primary first, so that day holds exactly one entry; the
/// standby has replayed the move once the replica's statement shows it
/// (a real settled day is never written to, so only this test's own move
/// needs the wait). Returns how long the standby took.
pub async fn settled_statement_is_the_same_on_the_replica(
    bases: &[String],
    shop: &Shop,
    url: &str,
) -> std::time::Duration {
    let mut db = PgConnection::connect(url).await.unwrap();
    let moved: i64 = sqlx::query_scalar(
        "UPDATE redemptions SET created_at = created_at - 172800 WHERE redemption_id = \
         (SELECT MIN(redemption_id) FROM redemptions WHERE merchant_id = $1) RETURNING created_at",
    )
    .bind(&shop.merchant_id)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let moved = time::OffsetDateTime::from_unix_timestamp(moved).unwrap();
    let day = moved.to_offset(time::macros::offset!(+8)).date();
    let client = reqwest::Client::new();
    let fetch = |base: &String| {
        let request = client.get(format!("{base}/v1/merchant/statements/{day}")).bearer_auth(&shop.api_key);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "the statement of {day}");
            response.bytes().await.unwrap().to_vec()
        }
    };
    let on_primary = fetch(&bases[0]).await;
    let statement: serde_json::Value = serde_json::from_slice(&on_primary).unwrap();
    let entries = statement["entries"].as_array().map(Vec::len);
    assert_eq!((statement["settled"].as_bool(), entries), (Some(true), Some(1)), "{statement}");
    let started = std::time::Instant::now();
    loop {
        let on_replica = fetch(&bases[1]).await;
        if on_replica == on_primary {
            assert_eq!(fetch(&bases[1]).await, on_primary, "a settled statement changed between two reads");
            return started.elapsed();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the standby never replayed the move");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
