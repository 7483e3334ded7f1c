//! The merchant SDK keeps a receipt of each of its redemptions: the ledger
//! inclusion proof, verified offline against the pinned log key, with the
//! entry checked against the redemption's answer.

use crate::helpers::*;
use std::time::Duration;
use xinyi_merchant_sdk::client::{ClientConfig, MerchantClient, RedeemOutcome};
use xinyi_merchant_sdk::signed_note::{NoteSigner, NoteVerifier};
use xinyi_merchant_sdk::tlog_proof::verify_receipt;

async fn log_key(app: &TestApp) -> NoteVerifier {
    let key = app.http.get(app.url("/v1/ledger/key")).send().await.unwrap().text().await.unwrap();
    NoteVerifier::parse(key.trim_end()).unwrap()
}

fn unlimited_offer() -> serde_json::Value {
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    offer
}

async fn redeemed(terminal: &MerchantClient, app: &TestApp, shop: &Shop, citizen: &str) -> String {
    match terminal.redeem(&app.code_text(citizen).await, &shop.offer_id, 5000).await.unwrap() {
        RedeemOutcome::Redeemed(r) => r.redemption_id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_keeps_a_verified_receipt_of_each_redemption_once_it_is_checkpointed() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    let dir = app.dir.path().join("receipts");
    let terminal = MerchantClient::new(ClientConfig::new(&app.base, &shop.api_key).with_receipts(&dir, key.clone()));
    let first = redeemed(&terminal, &app, &shop, "receipt-1").await;
    let second = redeemed(&terminal, &app, &shop, "receipt-2").await;
    let mut kept = Vec::new();
    for _ in 0..100 {
        let report = terminal.collect_receipts().await.unwrap();
        assert!(report.refused.is_empty(), "{report:?}");
        kept.extend(report.kept);
        if report.waiting.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kept.sort();
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(kept, expected);
    // Kept on disk: a new client over the same directory has them, and asks for nothing more.
    let later = MerchantClient::new(ClientConfig::new(&app.base, &shop.api_key).with_receipts(&dir, key.clone()));
    assert_eq!(later.collect_receipts().await.unwrap(), Default::default());
    let proof = later.receipt(&first).unwrap().expect("the receipt is kept");
    let (included, _) = verify_receipt(&proof, &key).unwrap();
    assert_eq!(included.index, 0);
    assert_eq!(later.receipt("red_never_was").unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_that_does_not_verify_against_the_pinned_key_is_refused_and_not_kept() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    // A terminal pinned to some other log's key: the service's proofs are not that log's.
    let other_log = NoteSigner::new("xinyi.example/ledger", ed25519_dalek::SigningKey::from_bytes(&[7; 32])).unwrap();
    let dir = app.dir.path().join("receipts");
    let config = ClientConfig::new(&app.base, &shop.api_key).with_receipts(&dir, other_log.verifier().clone());
    let terminal = MerchantClient::new(config);
    let id = redeemed(&terminal, &app, &shop, "receipt-x").await;
    let mut refused = Vec::new();
    for _ in 0..100 {
        let report = terminal.collect_receipts().await.unwrap();
        assert!(report.kept.is_empty());
        refused = report.refused;
        if !refused.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, id);
    assert!(refused[0].1.contains("checkpoint"), "{}", refused[0].1);
    assert_eq!(terminal.receipt(&id).unwrap(), None, "a refused receipt is not kept");
}
