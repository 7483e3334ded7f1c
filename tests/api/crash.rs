//! A node killed with SIGKILL in the middle of concurrent redemptions loses
//! nothing it acknowledged and duplicates nothing: every request re-sent
//! with its Idempotency-Key to a restarted node gets its first answer, or
//! is decided afresh, and the budget holds to the fen.

use crate::helpers::*;
use futures::StreamExt as _;
use serde_json::{Value, json};

const SHOPPERS: usize = 120;
/// Answered before the crash; fewer than the budget's 30, so the crash
/// falls among the successes.
const FIRST_WAVE: usize = 20;

async fn redeem_at(app: &TestApp, base: &str, shop: &Shop, key: &str, code: &str) -> Result<(u16, Value), String> {
    let response = app
        .http
        .post(format!("{base}/v1/redemptions"))
        .bearer_auth(&shop.api_key)
        .header("Idempotency-Key", key)
        .json(&json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 3333}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.map_err(|e| e.to_string())?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_during_concurrent_redemptions_loses_and_duplicates_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    // 10% of ¥33.33 is 333 fen: exactly 30 fit the 10,000-fen budget.
    let shop = app.shop(&coordinator, budget_offer()).await;
    let mut attempts = Vec::new();
    for i in 0..SHOPPERS {
        attempts.push((format!("till-crash-{i}"), app.code_text(&format!("shopper-{i}")).await));
    }

    let node = app.second_node().await;
    let redeem_all = |range: std::ops::Range<usize>| {
        let (app, base, shop, attempts) = (&app, node.base.clone(), &shop, &attempts);
        range
            .map(move |i| {
                let base = base.clone();
                async move { (i, redeem_at(app, &base, shop, &attempts[i].0, &attempts[i].1).await) }
            })
            .collect::<futures::stream::FuturesUnordered<_>>()
    };
    // A first wave is answered: these are the acknowledged redemptions.
    let mut acknowledged = std::collections::HashMap::new();
    for (i, answer) in redeem_all(0..FIRST_WAVE).collect::<Vec<_>>().await {
        acknowledged.insert(i, answer.expect("the node is up"));
    }
    // The second wave reaches the node while its writer waits for a lock
    // another process holds: queued, or in a batch that cannot commit.
    // Then the node is killed, and nothing of that wave was answered.
    let lock = crate::database::hold_the_write_lock(&app.database_url).await;
    let mut second_wave = redeem_all(FIRST_WAVE..SHOPPERS);
    let answered_meanwhile =
        tokio::time::timeout(std::time::Duration::from_millis(500), second_wave.next()).await.is_ok();
    assert!(!answered_meanwhile, "the writer answered while another process held the write lock");
    node.kill_hard();
    for (i, answer) in second_wave.collect::<Vec<_>>().await {
        assert!(answer.is_err(), "request {i} was answered by a killed node");
    }
    drop(lock);

    let restarted = app.second_node().await;
    let mut created = 0;
    for (i, (key, code)) in attempts.iter().enumerate() {
        let (status, body) = redeem_at(&app, &restarted.base, &shop, key, code).await.unwrap();
        if let Some((first_status, first_body)) = acknowledged.get(&i).filter(|(s, _)| *s == 201) {
            assert_eq!((status, &body), (*first_status, first_body), "an acknowledged redemption comes back unchanged");
        }
        match status {
            201 => created += 1,
            422 => assert_eq!(body["code"], "budget_exhausted", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 30, "exactly the budget's worth succeeded, across the crash");
    let offers = app.get_json(&shop.api_key, "/v1/merchant/offers").await;
    assert_eq!(offers[0]["granted_fen"], 9_990);
    let recent = app.get_json(&shop.api_key, "/v1/merchant/redemptions").await;
    assert_eq!(recent.as_array().unwrap().len(), 30, "nothing is duplicated");
    let out = app.ledger_verify();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": 30 entries"), "{}", String::from_utf8_lossy(&out.stdout));
}
