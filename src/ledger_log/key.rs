//! The log's Ed25519 key: made on first start, sealed under the master key
//! like the credit-code keys, and never replaced: a new key would be a new
//! log, which every merchant and witness would have to be told of.

use crate::signing::{MasterKey, MasterKeyError};
use crate::storage::{SharedStore, StoreError, StoredLogKey};
use ed25519_dalek::SigningKey;
use time::OffsetDateTime;
use xinyi_merchant_sdk::signed_note::{NoteError, NoteSigner};

#[derive(Debug, thiserror::Error)]
pub enum LogKeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error("the log key cannot sign under the origin {0:?}: {1}")]
    Name(String, NoteError),
    #[error(
        "the ledger log was made with the origin {stored:?}, but XINYI_LOG_ORIGIN is {configured:?}: \
         an origin names one log and is never changed"
    )]
    OtherOrigin { stored: String, configured: String },
    #[error("the stored log key is corrupt")]
    Corrupt,
}

/// The sealed secret's associated data: a secret moved onto another row fails to open.
const SEAL_NAME: &str = "ledger-log-key";

pub(super) async fn load(
    store: &SharedStore,
    master: Option<&MasterKey>,
    origin: &str,
) -> Result<NoteSigner, LogKeyError> {
    let fresh = SigningKey::generate(&mut rand::rngs::OsRng);
    let candidate = StoredLogKey {
        origin: origin.to_owned(),
        public_key: fresh.verifying_key().to_bytes(),
        secret: match master {
            Some(master) => master.seal(SEAL_NAME, &fresh.to_bytes()),
            None => fresh.to_bytes().to_vec(),
        },
        sealed: master.is_some(),
    };
    let stored = store.log_key(&candidate, OffsetDateTime::now_utc()).await?;
    if stored.origin != origin {
        return Err(LogKeyError::OtherOrigin { stored: stored.origin, configured: origin.to_owned() });
    }
    let seed: [u8; 32] = match (stored.sealed, master) {
        (true, Some(master)) => master.open(SEAL_NAME, &stored.secret)?,
        (true, None) => return Err(MasterKeyError::Missing.into()),
        (false, _) => stored.secret.as_slice().try_into().map_err(|_| LogKeyError::Corrupt)?,
    };
    let key = SigningKey::from_bytes(&seed);
    if key.verifying_key().to_bytes() != stored.public_key {
        return Err(LogKeyError::Corrupt);
    }
    NoteSigner::new(origin, key).map_err(|e| LogKeyError::Name(origin.to_owned(), e))
}
