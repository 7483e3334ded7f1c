//! `XINYI_MASTER_KEY`: seals signing-key secrets at rest (AES-256-GCM).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

const NONCE_LEN: usize = 12;
/// Short master keys are refused: it guards every signing key.
pub const MIN_MASTER_KEY_LEN: usize = 32;

pub struct MasterKey {
    cipher: Aes256Gcm,
}

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("XINYI_MASTER_KEY must be at least {MIN_MASTER_KEY_LEN} characters (try: openssl rand -base64 32)")]
    TooShort,
    #[error("a signing key is sealed, but XINYI_MASTER_KEY is not set")]
    Missing,
    #[error("a signing key cannot be opened with this XINYI_MASTER_KEY (wrong key, or the stored secret was altered)")]
    WrongKey,
}

impl MasterKey {
    pub fn from_secret(secret: &str) -> Result<MasterKey, MasterKeyError> {
        if secret.len() < MIN_MASTER_KEY_LEN {
            return Err(MasterKeyError::TooShort);
        }
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"xinyi"), secret.as_bytes())
            .expand(b"signing key seal v1", &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 length");
        Ok(MasterKey { cipher: Aes256Gcm::new(&key.into()) })
    }

    /// nonce || ciphertext-with-tag. `kid` is bound as associated data, so a
    /// sealed secret cannot be swapped onto another key's row.
    pub fn seal(&self, kid: &str, seed: &[u8; 32]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = aes_gcm::aead::Payload { msg: seed, aad: kid.as_bytes() };
        let mut sealed = nonce.to_vec();
        sealed.extend(self.cipher.encrypt(&nonce, payload).expect("AES-GCM encryption of 32 bytes cannot fail"));
        sealed
    }

    pub fn open(&self, kid: &str, sealed: &[u8]) -> Result<[u8; 32], MasterKeyError> {
        if sealed.len() < NONCE_LEN {
            return Err(MasterKeyError::WrongKey);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let payload = aes_gcm::aead::Payload { msg: ciphertext, aad: kid.as_bytes() };
        let seed = self.cipher.decrypt(Nonce::from_slice(nonce), payload).map_err(|_| MasterKeyError::WrongKey)?;
        seed.try_into().map_err(|_| MasterKeyError::WrongKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "correct horse battery staple, but longer";

    #[test]
    fn a_sealed_seed_opens_with_the_same_master_key_and_kid_only() {
        let master = MasterKey::from_secret(SECRET).unwrap();
        let sealed = master.seal("kid-1", &[7; 32]);
        assert!(!sealed.windows(32).any(|w| w == [7; 32]));
        assert_eq!(master.open("kid-1", &sealed).unwrap(), [7; 32]);
        assert!(master.open("kid-2", &sealed).is_err());
        let other = MasterKey::from_secret("another master key that is long enough").unwrap();
        assert!(other.open("kid-1", &sealed).is_err());
    }

    #[test]
    fn a_short_master_key_is_refused() {
        assert!(matches!(MasterKey::from_secret("hunter2"), Err(MasterKeyError::TooShort)));
    }
}
