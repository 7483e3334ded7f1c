//! C2SP `tlog-cosignature` (`cosignature/v1`, Ed25519): a witness's
//! statement that, at a time, the checkpoint is the largest consistent
//! tree it has seen of the log. The signed message is `cosignature/v1`,
//! `time <seconds>`, then the checkpoint's text; the signature line carries
//! the key id, the big-endian u64 time and the signature. Key id =
//! SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4].

use crate::signed_note::{NoteError, read_vkey, signature_line, split_note, typed_key_id, valid_name, write_vkey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The key type byte of Ed25519 cosignatures.
const COSIGNATURE_V1: u8 = 0x04;

fn message(checkpoint_text: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{checkpoint_text}")
}

/// A witness's public key: `<name>+<8 hex key id>+<base64(0x04 ‖ key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignerKey {
    pub name: String,
    pub id: u32,
    key: VerifyingKey,
}

impl CosignerKey {
    pub fn new(name: &str, key: VerifyingKey) -> Result<CosignerKey, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadKey("the name is empty or has a space or a +"));
        }
        Ok(CosignerKey { name: name.to_owned(), id: typed_key_id(name, COSIGNATURE_V1, key.as_bytes()), key })
    }

    pub fn parse(text: &str) -> Result<CosignerKey, NoteError> {
        let (name, key) = read_vkey(text, COSIGNATURE_V1)?;
        CosignerKey::new(name, key)
    }

    pub fn encode(&self) -> String {
        write_vkey(&self.name, self.id, COSIGNATURE_V1, &self.key)
    }

    /// The time of this witness's cosignature on the note, if one verifies.
    /// Other keys' lines are passed over; a bad line of this key fails.
    pub fn verify(&self, note: &str) -> Result<u64, NoteError> {
        let (text, lines) = split_note(note)?;
        let mut time = None;
        for line in lines {
            let (name, id, bytes) = signature_line(line)?;
            if name != self.name || id != self.id {
                continue;
            }
            let [t0, t1, t2, t3, t4, t5, t6, t7, signature @ ..] = bytes.as_slice() else {
                return Err(NoteError::BadSignature);
            };
            let at = u64::from_be_bytes([*t0, *t1, *t2, *t3, *t4, *t5, *t6, *t7]);
            let signature = Signature::from_slice(signature).map_err(|_| NoteError::BadSignature)?;
            self.key.verify(message(text, at).as_bytes(), &signature).map_err(|_| NoteError::BadSignature)?;
            time = Some(at);
        }
        time.ok_or(NoteError::Unverified)
    }
}

/// A witness's signing key.
pub struct Cosigner {
    public: CosignerKey,
    key: SigningKey,
}

impl Cosigner {
    pub fn new(name: &str, key: SigningKey) -> Result<Cosigner, NoteError> {
        Ok(Cosigner { public: CosignerKey::new(name, key.verifying_key())?, key })
    }

    pub fn key(&self) -> &CosignerKey {
        &self.public
    }

    /// The cosignature line (with its newline) over a checkpoint's text at `time`.
    pub fn cosign(&self, checkpoint_text: &str, time: u64) -> String {
        assert!(time < 1 << 63, "a cosignature's time is below 2^63");
        let mut bytes = self.public.id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&time.to_be_bytes());
        bytes.extend_from_slice(&self.key.sign(message(checkpoint_text, time).as_bytes()).to_bytes());
        format!("\u{2014} {} {}\n", self.public.name, STANDARD.encode(bytes))
    }
}
