//! Signing keys: published, rotated with a pre-publication delay, sealed.

use crate::helpers::*;
use std::time::Duration;
use time::OffsetDateTime;
use xinyi_merchant_sdk::JsonWebKeySet;

async fn published(app: &TestApp) -> JsonWebKeySet {
    app.http.get(app.url("/v1/keys")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_publishes_one_ed25519_key_sealed_under_the_master_key() {
    let app = TestApp::spawn().await;
    let set = published(&app).await;
    assert_eq!(set.keys.len(), 1);
    assert_eq!((set.keys[0].kty.as_str(), set.keys[0].crv.as_str()), ("OKP", "Ed25519"));
    let stored = app.state.store.signing_keys().await.unwrap();
    assert!(stored[0].sealed);
    let list = app.xinyi(&["keys", "list"]);
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains(&set.keys[0].kid) && list.contains("signing"), "{list}");
    let master = xinyi::signing::MasterKey::from_secret(MASTER_KEY).unwrap();
    let seed = master.open(&stored[0].kid, &stored[0].secret).unwrap();
    assert_ne!(stored[0].secret, seed.to_vec(), "the stored secret is not the raw seed");
    if let Some(file) = app.database.file() {
        let raw = std::fs::read(file).unwrap();
        assert!(!raw.windows(32).any(|w| w == seed), "the seed appears nowhere in the database file");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_published_at_once_and_signs_after_the_delay() {
    let app = TestApp::spawn().await;
    let old_code = app.code_text("chen").await;
    let old_kid = published(&app).await.keys[0].kid.clone();

    let out = app.xinyi(&["keys", "rotate", "--delay-secs", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new_kid = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    app.state.keys.reload().await.unwrap();

    let set = published(&app).await;
    let kids: Vec<&str> = set.keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, [old_kid.as_str(), new_kid.as_str()], "both keys are published during the overlap");
    let verifier = app.verifier().await;
    let now = OffsetDateTime::now_utc();
    assert!(verifier.verify(&old_code, now).is_ok(), "the old key's code still verifies");
    let during_delay = verifier.verify(&app.code_text("chen").await, now).unwrap();
    assert_eq!(during_delay.key_id.to_base64url(), old_kid, "the old key signs until the delay has passed");

    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let after = app.code_text("chen").await;
    let verified = app.verifier().await.verify(&after, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(verified.key_id.to_base64url(), new_kid, "the new key signs after the delay");
    assert!(app.verifier().await.verify(&old_code, OffsetDateTime::now_utc()).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_sealed_under_one_master_key_do_not_open_under_another() {
    let app = TestApp::spawn().await;
    let other = xinyi::signing::MasterKey::from_secret("a different master key, also long enough").unwrap();
    let loaded = xinyi::signing::SigningKeys::load(app.state.store.clone(), Some(other)).await;
    assert!(matches!(loaded, Err(xinyi::signing::KeyError::MasterKey(_))));
    let loaded = xinyi::signing::SigningKeys::load(app.state.store.clone(), None).await;
    assert!(matches!(loaded, Err(xinyi::signing::KeyError::MasterKey(_))), "and not without one");
}

const WRONG_MASTER_KEY: &str = "a different master key, also long enough";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_with_a_wrong_master_key_fails_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let before = app.state.store.signing_keys().await.unwrap();
    let out = app.xinyi_with_master_key(&["keys", "rotate", "--delay-secs", "0"], Some(WRONG_MASTER_KEY));
    assert!(!out.status.success(), "a wrong master key must fail the rotation");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("XINYI_MASTER_KEY"), "the error names the master key: {said}");
    assert_eq!(app.state.store.signing_keys().await.unwrap(), before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_without_a_master_key_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let before = app.state.store.signing_keys().await.unwrap();
    for args in [&["keys", "rotate"][..], &["keys", "rotate", "--unsealed"][..]] {
        let out = app.xinyi_with_master_key(args, None);
        assert!(!out.status.success(), "keys are sealed, so {args:?} must be refused");
    }
    assert_eq!(app.state.store.signing_keys().await.unwrap(), before);
}

/// What the old `keys rotate` did with a wrong master key: a new key,
/// signing at once, sealed under a key no node has.
async fn add_key_sealed_under_the_wrong_master_key(app: &TestApp) -> String {
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let kid = xinyi_merchant_sdk::KeyId::of(&key.verifying_key()).to_base64url();
    let wrong = xinyi::signing::MasterKey::from_secret(WRONG_MASTER_KEY).unwrap();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let stored = xinyi::storage::StoredSigningKey {
        secret: wrong.seal(&kid, key.as_bytes()),
        kid: kid.clone(),
        public_key: key.verifying_key().to_bytes(),
        sealed: true,
        created_at: now,
        sign_from: now,
        sign_until: None,
    };
    app.state.store.add_signing_key(&stored, false).await.unwrap();
    kid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_meets_a_key_it_cannot_open_serves_on_with_the_keys_it_can() {
    let app = TestApp::spawn().await;
    let good_kid = published(&app).await.keys[0].kid.clone();
    let bad_kid = add_key_sealed_under_the_wrong_master_key(&app).await;
    app.state.keys.reload().await.unwrap();

    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let kids: Vec<String> = published(&app).await.keys.into_iter().map(|k| k.kid).collect();
    assert_eq!(kids, std::slice::from_ref(&good_kid), "the key it cannot open is not published");
    let code = app.code_text("chen").await;
    let verified = app.verifier().await.verify(&code, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(verified.key_id.to_base64url(), good_kid, "the key it can open signs on");
    assert_ne!(good_kid, bad_kid);

    // A node starting now does the same instead of failing.
    let node = app.second_node().await;
    let health = app.http.get(format!("{}/healthz", node.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let code = app.http.post(format!("{}/v1/me/code?format=text", node.base));
    let code = code.bearer_auth(app.citizen_token("chen")).send().await.unwrap();
    assert_eq!(code.status(), 200);
}
