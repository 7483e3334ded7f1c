//! The service's Ed25519 signing keys: generated on first start, sealed
//! under the master key, rotated with a pre-publication delay.

mod key_ring;
mod master_key;
mod pseudonyms;

pub use key_ring::{KeyError, KeyRing, RingKey, SigningKeys, add_key};
pub use master_key::{MasterKey, MasterKeyError};
pub use pseudonyms::{PseudonymKeyError, Pseudonymizer};
