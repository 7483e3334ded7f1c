//! The keys in memory: which one signs now, which are published, and which
//! opens a handle. Reloaded from storage every few seconds, so a rotation
//! made by `xinyi keys rotate` (or another node) is picked up without restart.

use super::master_key::{MasterKey, MasterKeyError};
use crate::citizen_handle::HandleSealer;
use crate::domain::code_sheets::ISSUE_SPREAD;
use crate::storage::{SharedStore, StoreError, StoredSigningKey};
use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use std::sync::{Arc, RwLock};
use std::time::{Duration as StdDuration, Instant};
use time::{Duration, OffsetDateTime};
use xinyi_merchant_sdk::{
    CodeLifetime, CodeSigner, DEFAULT_CLOCK_SKEW, JsonWebKeySet, KeyId, PublishedKey, TrustedKeys, Verifier,
};

const RELOAD_EVERY: StdDuration = StdDuration::from_secs(5);

pub struct RingKey {
    pub kid: String,
    pub signer: CodeSigner,
    /// The same key for JWS (EdDSA): signed citizen statements.
    pub jws_key: jsonwebtoken::EncodingKey,
    pub sealer: HandleSealer,
    pub published: PublishedKey,
    pub sign_from: OffsetDateTime,
    pub sign_until: Option<OffsetDateTime>,
    /// The latest a paper code it signed may expire, if it signed any.
    pub paper_until: Option<OffsetDateTime>,
}

impl RingKey {
    fn open(stored: &StoredSigningKey, master: Option<&MasterKey>) -> Result<RingKey, KeyError> {
        let seed = match (stored.sealed, master) {
            (true, Some(master)) => master.open(&stored.kid, &stored.secret)?,
            (true, None) => return Err(MasterKeyError::Missing.into()),
            (false, _) => stored.secret.as_slice().try_into().map_err(|_| KeyError::Corrupt(stored.kid.clone()))?,
        };
        let key = SigningKey::from_bytes(&seed);
        if KeyId::of(&key.verifying_key()).to_base64url() != stored.kid {
            return Err(KeyError::Corrupt(stored.kid.clone()));
        }
        let der = ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(&key)
            .map_err(|_| KeyError::Corrupt(stored.kid.clone()))?;
        Ok(RingKey {
            kid: stored.kid.clone(),
            jws_key: jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes()),
            published: PublishedKey::ed25519(&key.verifying_key(), stored.sign_from, stored.sign_until),
            sealer: HandleSealer::for_signing_key(&key),
            signer: CodeSigner::new(key),
            sign_from: stored.sign_from,
            sign_until: stored.sign_until,
            paper_until: None,
        })
    }

    fn signs_at(&self, now: OffsetDateTime) -> bool {
        self.sign_from <= now && self.sign_until.is_none_or(|until| now < until)
    }

    /// Still published: some code it signed may not have expired yet, a
    /// phone code signed before its window ended or a paper code of a sheet.
    fn published_at(&self, now: OffsetDateTime) -> bool {
        let phone = |until| now < until + Duration::seconds(CodeLifetime::MAX.secs().into()) + DEFAULT_CLOCK_SKEW;
        self.sign_until.is_none_or(phone) || self.paper_until.is_some_and(|until| now < until + DEFAULT_CLOCK_SKEW)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no signing key stored here opens with this XINYI_MASTER_KEY; nothing was written (is it the key the nodes use?)"
    )]
    NoKeyOpens,
    #[error(
        "XINYI_MASTER_KEY is not set, so the new key would be stored unsealed; set it, or pass --unsealed for a local trial"
    )]
    WouldStoreUnsealed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error("signing key {0} is corrupt in storage")]
    Corrupt(String),
    #[error("no signing key may sign now")]
    NoActiveKey,
}

/// All keys, oldest first.
pub struct KeyRing {
    keys: Vec<RingKey>,
    /// Built once per load: a redemption verifies against it without
    /// re-parsing and re-decompressing every public key.
    every_key: Option<Verifier>,
}

impl KeyRing {
    pub fn signing_key_at(&self, now: OffsetDateTime) -> Option<&RingKey> {
        self.keys.iter().rev().find(|k| k.signs_at(now))
    }

    pub fn published(&self, now: OffsetDateTime) -> JsonWebKeySet {
        JsonWebKeySet { keys: self.keys.iter().filter(|k| k.published_at(now)).map(|k| k.published.clone()).collect() }
    }

    pub fn by_kid(&self, kid: &KeyId) -> Option<&RingKey> {
        self.keys.iter().find(|k| k.signer.key_id() == *kid)
    }

    /// A verifier over every key the service has ever had, for redemptions:
    /// an offline redemption may arrive after its key stopped being published.
    pub fn verifier_all(&self) -> Option<&Verifier> {
        self.every_key.as_ref()
    }

    pub fn keys(&self) -> &[RingKey] {
        &self.keys
    }
}

/// The shared, self-refreshing key ring.
pub struct SigningKeys {
    store: SharedStore,
    master: Option<MasterKey>,
    ring: RwLock<(Arc<KeyRing>, Instant)>,
}

impl SigningKeys {
    /// Loads the keys, generating the first one if there is none.
    pub async fn load(store: SharedStore, master: Option<MasterKey>) -> Result<SigningKeys, KeyError> {
        if store.signing_keys().await?.is_empty() {
            let first = new_key(master.as_ref(), OffsetDateTime::now_utc(), Duration::ZERO);
            if store.add_signing_key(&first, true).await? {
                tracing::info!(kid = %first.kid, "generated the first credit-code signing key");
            }
        }
        let ring = read_ring(&store, master.as_ref()).await?;
        Ok(SigningKeys { store, master, ring: RwLock::new((Arc::new(ring), Instant::now())) })
    }

    /// The current ring, reloaded from storage when it is a few seconds old.
    /// A reload that fails (the database is away, or no key opens any more)
    /// is logged and the ring in hand serves on: one bad row or a short
    /// outage must not turn every request into a 500.
    pub async fn ring(&self) -> Result<Arc<KeyRing>, KeyError> {
        let current = {
            let (ring, loaded) = &*self.ring.read().expect("key ring lock");
            if loaded.elapsed() < RELOAD_EVERY {
                return Ok(ring.clone());
            }
            ring.clone()
        };
        let fresh = match read_ring(&self.store, self.master.as_ref()).await {
            Ok(fresh) => Arc::new(fresh),
            Err(error) => {
                tracing::error!(%error, "reloading the signing keys failed; serving with the keys already loaded");
                current
            }
        };
        *self.ring.write().expect("key ring lock") = (fresh.clone(), Instant::now());
        Ok(fresh)
    }

    /// Reloads now, for callers that just changed the keys.
    pub async fn reload(&self) -> Result<(), KeyError> {
        let fresh = Arc::new(read_ring(&self.store, self.master.as_ref()).await?);
        *self.ring.write().expect("key ring lock") = (fresh, Instant::now());
        Ok(())
    }
}

/// Opens every stored key this node can. A key it cannot open (sealed
/// under another master key, or altered) is logged and left out: the node
/// neither signs with it nor publishes it, and the key before it signs on
/// in its place. Only when no key opens at all is that an error.
async fn read_ring(store: &SharedStore, master: Option<&MasterKey>) -> Result<KeyRing, KeyError> {
    let stored = store.signing_keys().await?;
    let paper = store.paper_codes_valid_until().await?;
    let mut keys = Vec::with_capacity(stored.len());
    let mut first_error = None;
    for key in &stored {
        match RingKey::open(key, master) {
            // A sheet's code may outlive its printed expiry by less than the spread.
            Ok(mut opened) => {
                opened.paper_until = paper.get(&key.kid).map(|until| *until + ISSUE_SPREAD);
                keys.push(opened)
            }
            Err(error) => {
                tracing::error!(kid = %key.kid, %error, "a signing key cannot be opened; it is left out");
                first_error.get_or_insert(error);
            }
        }
    }
    if let (true, Some(error)) = (keys.is_empty(), first_error) {
        return Err(error);
    }
    // A key's signing window ends where the next key this node can use
    // begins (that is how rotation sets it), so a successor left out
    // above does not leave the node without a signing key.
    let starts: Vec<OffsetDateTime> = keys.iter().map(|k| k.sign_from).collect();
    for (key, next_start) in keys.iter_mut().zip(starts.iter().skip(1).map(Some).chain([None])) {
        key.sign_until = next_start.copied();
        key.published.exp = key.sign_until.map(OffsetDateTime::unix_timestamp);
    }
    let every_key: Vec<PublishedKey> = keys.iter().map(|k| k.published.clone()).collect();
    let every_key = TrustedKeys::from_set(&JsonWebKeySet { keys: every_key }).ok().map(Verifier::new);
    Ok(KeyRing { keys, every_key })
}

/// Checks that `master` is the master key the stored keys were sealed
/// with before anything is added under it: a key sealed under a wrong one
/// could not be opened by any node.
async fn check_master_key(
    store: &SharedStore,
    master: Option<&MasterKey>,
    allow_unsealed: bool,
) -> Result<(), KeyError> {
    let stored = store.signing_keys().await?;
    match (master, stored.iter().rev().find(|k| k.sealed)) {
        (Some(master), Some(sealed)) => {
            master.open(&sealed.kid, &sealed.secret).map_err(|_| KeyError::NoKeyOpens)?;
            Ok(())
        }
        (Some(_), None) => Ok(()),
        (None, Some(_)) => Err(MasterKeyError::Missing.into()),
        (None, None) if allow_unsealed => Ok(()),
        (None, None) => Err(KeyError::WouldStoreUnsealed),
    }
}

/// Adds a new key, published at once and signing from `now + delay`; the
/// keys signing before it stop at that moment.
/// The master key must open the newest sealed key; without one, a key is
/// added unsealed only when `allow_unsealed` says so and none is sealed.
pub async fn add_key(
    store: &SharedStore,
    master: Option<&MasterKey>,
    now: OffsetDateTime,
    delay: Duration,
    allow_unsealed: bool,
) -> Result<StoredSigningKey, KeyError> {
    check_master_key(store, master, allow_unsealed).await?;
    let stored = new_key(master, now, delay);
    store.add_signing_key(&stored, false).await?;
    Ok(stored)
}

/// A fresh key, sealed under `master` when there is one, signing from `now + delay`.
fn new_key(master: Option<&MasterKey>, now: OffsetDateTime, delay: Duration) -> StoredSigningKey {
    let key = SigningKey::generate(&mut OsRng);
    let kid = KeyId::of(&key.verifying_key()).to_base64url();
    let (secret, sealed) = match master {
        Some(master) => (master.seal(&kid, key.as_bytes()), true),
        None => (key.as_bytes().to_vec(), false),
    };
    let now = now.replace_nanosecond(0).expect("0 ns is valid");
    StoredSigningKey {
        kid,
        public_key: key.verifying_key().to_bytes(),
        secret,
        sealed,
        created_at: now,
        sign_from: now + delay,
        sign_until: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-02 08:00 UTC);

    fn retired_at(until: OffsetDateTime) -> RingKey {
        let mut key = RingKey::open(&new_key(None, NOW - Duration::days(30), Duration::ZERO), None).unwrap();
        key.sign_until = Some(until);
        key
    }

    #[test]
    fn a_retired_key_stays_published_for_a_phone_codes_lifetime_and_no_longer() {
        let key = retired_at(NOW - Duration::hours(1));
        assert!(!key.published_at(NOW), "an hour after its window, no phone code of it lives");
        let key = retired_at(NOW - Duration::seconds(10));
        assert!(key.published_at(NOW));
    }

    #[test]
    fn a_key_that_signed_paper_codes_stays_published_until_they_expire() {
        let mut key = retired_at(NOW - Duration::days(3));
        key.paper_until = Some(NOW + Duration::days(20));
        assert!(key.published_at(NOW), "its paper codes are still good");
        assert!(key.published_at(NOW + Duration::days(20)), "within the clock skew");
        assert!(!key.published_at(NOW + Duration::days(20) + DEFAULT_CLOCK_SKEW), "every code it signed has expired");
        assert!(!key.signs_at(NOW), "published is not signing");
    }
}
