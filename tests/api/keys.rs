//! Signing keys: published, rotated with a pre-publication delay, sealed.

use crate::helpers::*;
use std::time::Duration;
use time::OffsetDateTime;
use xinyi_merchant_sdk::JsonWebKeySet;

async fn published(app: &TestApp) -> JsonWebKeySet {
    app.http.get(app.url("/v1/keys")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
async fn keys_sealed_under_one_master_key_do_not_open_under_another() {
    let app = TestApp::spawn().await;
    let other = xinyi::signing::MasterKey::from_secret("a different master key, also long enough").unwrap();
    let loaded = xinyi::signing::SigningKeys::load(app.state.store.clone(), Some(other)).await;
    assert!(matches!(loaded, Err(xinyi::signing::KeyError::MasterKey(_))));
    let loaded = xinyi::signing::SigningKeys::load(app.state.store.clone(), None).await;
    assert!(matches!(loaded, Err(xinyi::signing::KeyError::MasterKey(_))), "and not without one");
}
