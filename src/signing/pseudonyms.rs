//! Citizen pseudonyms for the ledger: a keyed hash (HMAC-SHA256) of the
//! citizen's internal number, so reports can count unique citizens and
//! auditors can follow one citizen's entries without learning who it is.

use super::master_key::{MasterKey, MasterKeyError};
use crate::citizen_handle::CitizenNumber;
use crate::storage::{SharedStore, StoreError};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use time::OffsetDateTime;

const SECRET_NAME: &str = "ledger-pseudonym-key";

#[derive(Debug, thiserror::Error)]
pub enum PseudonymKeyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error("the stored pseudonym key is corrupt")]
    Corrupt,
}

#[derive(Clone)]
pub struct Pseudonymizer {
    key: [u8; 32],
}

impl Pseudonymizer {
    /// Loads the service-wide key, creating it on first start. It never
    /// rotates: a new key would make every citizen look new in reports.
    pub async fn load(store: &SharedStore, master: Option<&MasterKey>) -> Result<Pseudonymizer, PseudonymKeyError> {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let candidate = match master {
            Some(master) => master.seal(SECRET_NAME, &fresh),
            None => fresh.to_vec(),
        };
        let (sealed, stored) =
            store.service_secret(SECRET_NAME, &candidate, master.is_some(), OffsetDateTime::now_utc()).await?;
        let key = match (sealed, master) {
            (true, Some(master)) => master.open(SECRET_NAME, &stored)?,
            (true, None) => return Err(MasterKeyError::Missing.into()),
            (false, _) => stored.try_into().map_err(|_| PseudonymKeyError::Corrupt)?,
        };
        Ok(Pseudonymizer { key })
    }

    /// 32 hex characters, the same for the same citizen, always.
    pub fn pseudonym(&self, citizen: CitizenNumber) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"xinyi citizen pseudonym v1");
        mac.update(&citizen.0.to_be_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}
