//! A node killed with SIGKILL in the middle of concurrent redemptions loses
//! nothing it acknowledged and duplicates nothing: every request re-sent
//! with its Idempotency-Key to a restarted node gets its first answer, or
//! is decided afresh, and the budget holds to the fen.

use crate::helpers::*;
use futures::StreamExt as _;
use serde_json::{Value, json};

const SHOPPERS: usize = 120;

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

#[tokio::test]
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
    let mut in_flight: futures::stream::FuturesUnordered<_> = attempts
        .iter()
        .enumerate()
        .map(|(i, (key, code))| {
            let (app, base, shop) = (&app, node.base.clone(), &shop);
            async move { (i, redeem_at(app, &base, shop, key, code).await) }
        })
        .collect();
    // Kill it as soon as the first answers are out: the rest are in the
    // queue, in a batch being written, or not yet read.
    let mut acknowledged = std::collections::HashMap::new();
    while acknowledged.len() < 5 {
        if let (i, Ok((status, body))) = in_flight.next().await.expect("requests outstanding") {
            acknowledged.insert(i, (status, body));
        }
    }
    node.kill_hard();
    for (i, answer) in in_flight.collect::<Vec<_>>().await {
        if let Ok(answer) = answer {
            acknowledged.insert(i, answer);
        }
    }
    assert!(acknowledged.len() < SHOPPERS, "the kill came before every request was answered");

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
