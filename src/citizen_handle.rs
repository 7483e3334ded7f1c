//! Sealing a citizen's internal number into the opaque handle a credit code
//! carries, and opening it again when the code is redeemed.
//!
//! The handle is one AES-256 block: the citizen number (8 bytes) and 8 fresh
//! random bytes. The random half makes every handle of the same citizen look
//! unrelated, so merchants cannot link two visits; the signature over the
//! whole code is what makes a handle trustworthy, so no MAC is needed here.

use aes::Aes256;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use ed25519_dalek::SigningKey;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use xinyi_merchant_sdk::CitizenHandle;

/// The service's internal number for a citizen. Never leaves the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenNumber(pub u64);

/// Seals and opens handles under the key that goes with one signing key:
/// when the signing key rotates, so does this one.
pub struct HandleSealer {
    cipher: Aes256,
}

impl HandleSealer {
    /// Derives the handle key from the signing key's secret seed (HKDF-SHA256),
    /// so that nothing more needs to be stored or rotated.
    pub fn for_signing_key(signing_key: &SigningKey) -> HandleSealer {
        let kdf = Hkdf::<Sha256>::new(Some(b"xinyi"), signing_key.as_bytes());
        let mut key = [0u8; 32];
        kdf.expand(b"citizen handle key v1", &mut key).expect("32 bytes is a valid HKDF-SHA256 length");
        HandleSealer { cipher: Aes256::new(&key.into()) }
    }

    pub fn seal(&self, citizen: CitizenNumber, rng: &mut impl RngCore) -> CitizenHandle {
        let mut block = [0u8; 16];
        block[..8].copy_from_slice(&citizen.0.to_be_bytes());
        rng.fill_bytes(&mut block[8..]);
        let mut block = block.into();
        self.cipher.encrypt_block(&mut block);
        CitizenHandle(block.into())
    }

    pub fn open(&self, handle: &CitizenHandle) -> CitizenNumber {
        let mut block = handle.0.into();
        self.cipher.decrypt_block(&mut block);
        let block: [u8; 16] = block.into();
        CitizenNumber(u64::from_be_bytes(block[..8].try_into().expect("8 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn a_sealed_handle_opens_to_the_same_citizen() {
        let sealer = HandleSealer::for_signing_key(&SigningKey::from_bytes(&[7; 32]));
        let handle = sealer.seal(CitizenNumber(5_260_000), &mut OsRng);
        assert_eq!(sealer.open(&handle), CitizenNumber(5_260_000));
    }

    #[test]
    fn two_handles_of_one_citizen_differ() {
        let sealer = HandleSealer::for_signing_key(&SigningKey::from_bytes(&[7; 32]));
        let a = sealer.seal(CitizenNumber(42), &mut OsRng);
        let b = sealer.seal(CitizenNumber(42), &mut OsRng);
        assert_ne!(a, b);
    }

    #[test]
    fn another_signing_keys_sealer_cannot_open_the_handle() {
        let sealer = HandleSealer::for_signing_key(&SigningKey::from_bytes(&[7; 32]));
        let other = HandleSealer::for_signing_key(&SigningKey::from_bytes(&[8; 32]));
        let handle = sealer.seal(CitizenNumber(42), &mut OsRng);
        assert_ne!(other.open(&handle), CitizenNumber(42));
    }
}
