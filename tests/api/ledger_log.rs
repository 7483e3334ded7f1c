//! The ledger as a transparency log over HTTP: signed checkpoints, the log
//! key, hash tiles and entry bundles, consistency proofs and receipts, all
//! checked with the merchant SDK's verifiers (RFC 9162, C2SP), never with
//! the service's own code.

use crate::helpers::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::time::Duration;
use xinyi_merchant_sdk::ledger_entry::decode_entry;
use xinyi_merchant_sdk::merkle::{Hash, leaf_hash, root_of, verify_consistency};
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteVerifier};
use xinyi_merchant_sdk::tlog_proof::verify_receipt;

async fn text(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.http.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

pub(crate) async fn log_key(app: &TestApp) -> NoteVerifier {
    let (status, key) = text(app, "/v1/ledger/key").await;
    assert_eq!(status, 200);
    NoteVerifier::parse(key.trim_end()).expect("the key is in the note format")
}

/// The newest checkpoint, verified with the log key.
/// A node signs its first checkpoint just after it starts: until then, 503.
pub(crate) async fn checkpoint(app: &TestApp, key: &NoteVerifier) -> Checkpoint {
    for _ in 0..100 {
        let (status, note) = text(app, "/v1/ledger/checkpoint").await;
        if status == 503 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        assert_eq!(status, 200, "{note}");
        return Checkpoint::parse(key.open(&note).expect("the checkpoint is signed by the log key")).unwrap();
    }
    panic!("no checkpoint within 2 s of starting")
}

/// Waits for a checkpoint of at least `size` entries.
pub(crate) async fn checkpoint_of(app: &TestApp, key: &NoteVerifier, size: u64) -> Checkpoint {
    for _ in 0..100 {
        let newest = checkpoint(app, key).await;
        if newest.size >= size {
            return newest;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no checkpoint of {size} entries within 5 s")
}

pub(crate) async fn redemptions(app: &TestApp, shop: &Shop, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let response = app.redeem_code(shop, &app.code_text(&format!("log-{i}")).await, 5000).await;
        assert_eq!(response.status(), 201);
        ids.push(response.json::<serde_json::Value>().await.unwrap()["redemption_id"].as_str().unwrap().to_owned());
    }
    ids
}

pub(crate) fn unlimited_offer() -> serde_json::Value {
    let mut offer = legal_offer();
    offer["per_citizen_limit"] = serde_json::Value::Null;
    offer
}

/// The entries of the first `size` leaves, from the entry bundles.
pub(crate) async fn bundled_entries(app: &TestApp, token: &str, size: u64) -> Vec<Vec<u8>> {
    assert!(size < 256, "one partial bundle");
    let response = app
        .http
        .get(app.url(&format!("/v1/ledger/tile/entries/000.p/{size}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bundle = response.bytes().await.unwrap();
    let mut entries = Vec::new();
    let mut rest = &bundle[..];
    while !rest.is_empty() {
        let length = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        entries.push(rest[2..2 + length].to_vec());
        rest = &rest[2 + length..];
    }
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_ledger_serves_a_signed_checkpoint_of_the_empty_tree_under_its_origin() {
    let app = TestApp::spawn().await;
    let key = log_key(&app).await;
    assert_eq!(key.name, "xinyi.example/ledger");
    let newest = checkpoint(&app, &key).await;
    assert_eq!((newest.origin.as_str(), newest.size, newest.root), ("xinyi.example/ledger", 0, root_of(&[])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_redemption_is_a_leaf_and_the_checkpoint_root_is_the_tree_of_the_entry_bundles() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    redemptions(&app, &shop, 5).await;
    let newest = checkpoint_of(&app, &key, 5).await;
    assert_eq!(newest.size, 5);
    let entries = bundled_entries(&app, &coordinator, 5).await;
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(root_of(&leaves), newest.root, "the signed root is the RFC 9162 tree of the entries");
    // The level-0 hash tile holds the same leaf hashes, for anyone.
    let tile = app.http.get(app.url("/v1/ledger/tile/0/000.p/5")).send().await.unwrap();
    assert_eq!(tile.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(tile.bytes().await.unwrap().to_vec(), leaves.concat());
    for (i, entry) in entries.iter().enumerate() {
        let decoded = decode_entry(entry).unwrap();
        assert_eq!(decoded.seq, i as i64 + 1);
        assert_eq!(decoded.merchant_id, shop.merchant_id);
    }
    // Nothing beyond the checkpoint, and nothing spelled another way.
    for path in
        ["/v1/ledger/tile/0/000.p/6", "/v1/ledger/tile/0/000", "/v1/ledger/tile/0/0.p/5", "/v1/ledger/tile/1/000.p/1"]
    {
        assert_problem(app.http.get(app.url(path)).send().await.unwrap(), 404, "not_found").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entry_bundles_are_for_auditors_and_coordinators_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    redemptions(&app, &shop, 1).await;
    checkpoint_of(&app, &log_key(&app).await, 1).await;
    let auditor = app.staff_token("auditor", None, None).await;
    assert_eq!(bundled_entries(&app, &auditor, 1).await.len(), 1);
    let get =
        |token: &str| app.http.get(app.url("/v1/ledger/tile/entries/000.p/1")).bearer_auth(token.to_owned()).send();
    assert_problem(get(&shop.api_key).await.unwrap(), 403, "wrong_token_kind").await;
    assert_problem(get(&app.citizen_token("someone")).await.unwrap(), 403, "wrong_token_kind").await;
    let anonymous = app.http.get(app.url("/v1/ledger/tile/entries/000.p/1")).send().await.unwrap();
    assert_problem(anonymous, 401, "unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_s_receipt_verifies_offline_and_says_what_was_redeemed() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    let ids = redemptions(&app, &shop, 3).await;
    checkpoint_of(&app, &key, 3).await;
    let response = app
        .http
        .get(app.url(&format!("/v1/redemptions/{}/proof", ids[1])))
        .bearer_auth(&shop.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let proof = response.text().await.unwrap();
    let (included, entry) = verify_receipt(&proof, &key).expect("the receipt verifies against the log key");
    assert_eq!((included.index, included.checkpoint.size), (1, 3));
    let entry = decode_entry(&entry).unwrap();
    assert_eq!(
        (entry.redemption_id.as_str(), entry.kind.as_str(), entry.amount_fen),
        (ids[1].as_str(), "redemption", 5000)
    );
    // Any one changed character of the proof fails it.
    let at = proof.find("index").unwrap() + 6;
    let mut forged = proof.clone().into_bytes();
    forged[at] = b'2';
    assert!(verify_receipt(std::str::from_utf8(&forged).unwrap(), &key).is_err());
    // An auditor may ask for it; another merchant is told it does not exist.
    let auditor = app.staff_token("auditor", None, None).await;
    let response =
        app.http.get(app.url(&format!("/v1/redemptions/{}/proof", ids[0]))).bearer_auth(&auditor).send().await.unwrap();
    verify_receipt(&response.text().await.unwrap(), &key).unwrap();
    let other = app.shop(&coordinator, unlimited_offer()).await;
    let response = app
        .http
        .get(app.url(&format!("/v1/redemptions/{}/proof", ids[0])))
        .bearer_auth(&other.api_key)
        .send()
        .await
        .unwrap();
    assert_problem(response, 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voided_redemption_has_a_receipt_for_its_reversal_too() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    let id = redemptions(&app, &shop, 1).await.remove(0);
    let path = format!("/v1/redemptions/{id}/proof?entry=reversal");
    let response = app.http.get(app.url(&path)).bearer_auth(&shop.api_key).send().await.unwrap();
    assert_problem(response, 404, "not_found").await;
    let void =
        app.http.post(app.url(&format!("/v1/redemptions/{id}/void"))).bearer_auth(&shop.api_key).send().await.unwrap();
    assert_eq!(void.status(), 200);
    checkpoint_of(&app, &key, 2).await;
    let response = app.http.get(app.url(&path)).bearer_auth(&shop.api_key).send().await.unwrap();
    let (included, entry) = verify_receipt(&response.text().await.unwrap(), &key).unwrap();
    let entry = decode_entry(&entry).unwrap();
    assert_eq!((included.index, entry.kind.as_str(), entry.redemption_id), (1, "reversal", id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consistency_proofs_between_checkpoints_verify_and_bad_sizes_are_refused() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    redemptions(&app, &shop, 3).await;
    let old = checkpoint_of(&app, &key, 3).await;
    redemptions(&app, &shop, 4).await;
    let new = checkpoint_of(&app, &key, 7).await;
    let (status, body) = text(&app, &format!("/v1/ledger/consistency?old={}&new={}", old.size, new.size)).await;
    assert_eq!(status, 200, "{body}");
    let proof: Vec<Hash> = body.lines().map(|l| STANDARD.decode(l).unwrap().try_into().unwrap()).collect();
    verify_consistency(old.size, new.size, &old.root, &new.root, &proof).unwrap();
    let mut flipped = proof.clone();
    flipped[0][0] ^= 1;
    assert!(verify_consistency(old.size, new.size, &old.root, &new.root, &flipped).is_err());
    for query in [format!("old=2&new={}", new.size + 1), "old=5&new=4".to_owned()] {
        let response = app.http.get(app.url(&format!("/v1/ledger/consistency?{query}"))).send().await.unwrap();
        assert_problem(response, 422, "invalid_field").await;
    }
}

/// Every hash a tree of these entries stores, by tlog index, as computed by
/// `tlog_tiles` (not the service's code): what a forger would write.
pub(crate) fn tree_of(entries: &[Vec<u8>]) -> Vec<(u64, [u8; 32])> {
    struct Stored(std::collections::HashMap<u64, tlog_tiles::Hash>);
    impl tlog_tiles::HashReader for Stored {
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
            Ok(indexes.iter().map(|i| self.0[i]).collect())
        }
    }
    let mut stored = Stored(Default::default());
    for (n, entry) in entries.iter().enumerate() {
        let first = tlog_tiles::stored_hash_count(n as u64);
        let hashes = tlog_tiles::stored_hashes(n as u64, entry, &stored).unwrap();
        stored.0.extend(hashes.into_iter().enumerate().map(|(i, h)| (first + i as u64, h)));
    }
    let mut all: Vec<(u64, [u8; 32])> = stored.0.into_iter().map(|(i, h)| (i, h.0)).collect();
    all.sort();
    all
}

/// Rewrites entry 2 in the database (100 fen more discount), re-seals the
/// hash chain after it and recomputes the whole tree, as someone who runs
/// the database could: every check inside the database passes after this.
/// Returns the forged entries' bytes.
pub(crate) async fn rewrite_history(app: &TestApp) -> Vec<Vec<u8>> {
    let mut entries = app.state.store.ledger_entries(0, 1_000, xinyi::storage::Source::Primary).await.unwrap();
    entries[1].discount_fen += 100;
    entries[1].payable_fen -= 100;
    for i in 1..entries.len() {
        let previous = entries[i - 1].hash.clone();
        entries[i] = entries[i].clone().seal(&previous);
    }
    app.database.disable_ledger_triggers().await;
    for e in &entries[1..] {
        let update = format!(
            "UPDATE ledger SET discount_fen = {}, payable_fen = {}, prev_hash = '{}', hash = '{}' WHERE seq = {}",
            e.discount_fen, e.payable_fen, e.prev_hash, e.hash, e.seq
        );
        app.database.execute(&update).await.unwrap();
    }
    let forged: Vec<Vec<u8>> = entries.iter().map(|e| e.canonical_bytes()).collect();
    app.database.replace_ledger_tree(&tree_of(&forged)).await;
    forged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_refuses_to_sign_a_tree_whose_history_was_rewritten() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    redemptions(&app, &shop, 3).await;
    let honest = checkpoint_of(&app, &key, 3).await;
    rewrite_history(&app).await;
    // A node started now has no memory of the honest tree: only the
    // stored checkpoint stands between the forgery and a signature.
    let log = app.dir.path().join("node.log");
    let node = app.second_node_logging("info", Some(log.clone())).await;
    let key_url = format!("{}/v1/ledger/checkpoint", node.base);
    assert_eq!(app.http.get(&key_url).send().await.unwrap().status(), 200);
    let shop_code = app.code_text("after-the-forgery").await;
    let body = serde_json::json!({"code": shop_code, "offer_id": shop.offer_id, "amount_fen": 5000});
    let response = app
        .http
        .post(format!("{}/v1/redemptions", node.base))
        .bearer_auth(&shop.api_key)
        .header("Idempotency-Key", "after-forgery")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the books still take redemptions");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let newest = checkpoint(&app, &key).await;
    assert_eq!((newest.size, newest.root), (honest.size, honest.root), "no checkpoint signs the rewritten history");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("REFUSED to sign: the stored tree of 4 entries does not extend the checkpoint of 3"),
        "{logged}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_database_grow_one_tree_under_one_log_key() {
    let app = TestApp::spawn().await;
    let node = app.second_node().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    let other_key = app.http.get(format!("{}/v1/ledger/key", node.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(other_key.trim_end(), key.encode(), "both nodes sign with the one log key");
    let mut redemptions = Vec::new();
    for i in 0..12 {
        let base = if i % 2 == 0 { app.base.clone() } else { node.base.clone() };
        let code = app.code_text(&format!("two-trees-{i}")).await;
        let body = serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 5000});
        let request = app.http.post(format!("{base}/v1/redemptions")).bearer_auth(&shop.api_key);
        redemptions.push(request.header("Idempotency-Key", format!("two-{i}")).json(&body).send());
    }
    for response in futures::future::join_all(redemptions).await {
        assert_eq!(response.unwrap().status(), 201);
    }
    let newest = checkpoint_of(&app, &key, 12).await;
    let leaves: Vec<Hash> = bundled_entries(&app, &coordinator, 12).await.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(root_of(&leaves), newest.root, "one tree over the entries both nodes wrote");
    let out = app.ledger_verify();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("12 entries, hash chain intact, Merkle tree matches, checkpoint of 12 entries"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_verify_names_a_tree_hash_that_no_longer_matches_its_entry() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    redemptions(&app, &shop, 3).await;
    checkpoint_of(&app, &log_key(&app).await, 3).await;
    let entries = bundled_entries(&app, &coordinator, 3).await;
    let mut forged = tree_of(&entries);
    forged[2].1[0] ^= 1; // index 2: the hash of leaves 0 and 1
    app.database.replace_ledger_tree(&forged).await;
    let out = app.ledger_verify();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the tree's hash 2 does not match entry 2"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_verify_catches_a_history_rewritten_with_its_tree_after_a_checkpoint() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    redemptions(&app, &shop, 3).await;
    checkpoint_of(&app, &log_key(&app).await, 3).await;
    let forged = rewrite_history(&app).await;
    assert_eq!(decode_entry(&forged[1]).unwrap().discount_fen, 600);
    let out = app.ledger_verify();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the checkpoint of 3 entries signs a root the entries do not make"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_from_before_the_tree_become_its_first_leaves_when_the_migration_runs() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, unlimited_offer()).await;
    let key = log_key(&app).await;
    redemptions(&app, &shop, 7).await;
    let before = checkpoint_of(&app, &key, 7).await;
    // Back to a database of migration 13 with entries and no tree.
    let mut undo = vec!["DROP TABLE ledger_tree", "DROP TABLE ledger_checkpoints", "DROP TABLE ledger_log_key"];
    if app.database.file().is_none() {
        undo.extend([
            "DROP FUNCTION ledger_tree_is_append_only",
            "DROP FUNCTION ledger_checkpoints_are_append_only",
            "DROP FUNCTION ledger_log_key_is_kept",
        ]);
    }
    undo.push("DELETE FROM _sqlx_migrations WHERE version = 14");
    for statement in undo {
        app.database.execute(statement).await.unwrap();
    }
    let out = app.xinyi(&["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = app.ledger_verify();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("7 entries, hash chain intact, Merkle tree matches"));
    // A node started on it signs the same root over the same entries, under a
    // new log key. (The running app signed size 7 already, and never signs
    // that size again, so the node's is the only checkpoint.)
    let node = app.second_node().await;
    let key = app.http.get(format!("{}/v1/ledger/key", node.base)).send().await.unwrap().text().await.unwrap();
    let key = NoteVerifier::parse(key.trim_end()).unwrap();
    for _ in 0..100 {
        let response = app.http.get(format!("{}/v1/ledger/checkpoint", node.base)).send().await.unwrap();
        if response.status() == 200 {
            let checkpoint = Checkpoint::parse(key.open(&response.text().await.unwrap()).unwrap()).unwrap();
            assert_eq!((checkpoint.size, checkpoint.root), (7, before.root));
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the node signed no checkpoint");
}
