//! C2SP `signed-note` with Ed25519 (signature type 0x01), and the C2SP
//! `tlog-checkpoint` it carries: how the ledger's checkpoints are signed
//! and how a merchant, a witness or an auditor checks them. Followed to the
//! byte; tested with the Go reference implementation's vectors.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;
/// What a note may carry at most: the spec's floor is 16 signatures.
const MAX_SIGNATURES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed verifier key: {0}")]
    BadKey(&'static str),
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    #[error("a signature by the known key does not verify")]
    BadSignature,
    #[error("no signature by the known key")]
    Unverified,
    #[error("malformed checkpoint: {0}")]
    BadCheckpoint(&'static str),
}

/// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    typed_key_id(name, ED25519, public_key)
}

/// SHA-256(name ‖ 0x0A ‖ key type ‖ public key)[:4], big-endian: the key id
/// of a note signer (type 0x01) or a cosigner (0x04).
pub(crate) fn typed_key_id(name: &str, key_type: u8, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0A, key_type]);
    h.update(public_key);
    let digest = h.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// A verifier key's text, `<name>+<8 hex key id>+<base64(type ‖ key)>`, for
/// a key of `key_type`: its name and key, once the id is checked.
pub(crate) fn read_vkey(text: &str, key_type: u8) -> Result<(&str, VerifyingKey), NoteError> {
    let (name, rest) = text.split_once('+').ok_or(NoteError::BadKey("no + after the name"))?;
    let (id_hex, key_b64) = rest.split_once('+').ok_or(NoteError::BadKey("no + after the key id"))?;
    if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err(NoteError::BadKey("the key id is not 8 lower-case hex digits"));
    }
    let id = u32::from_str_radix(id_hex, 16).map_err(|_| NoteError::BadKey("the key id"))?;
    let bytes = STANDARD.decode(key_b64).map_err(|_| NoteError::BadKey("the key is not base64"))?;
    let Some((&found, key)) = bytes.split_first().filter(|(t, _)| **t == key_type) else {
        return Err(NoteError::BadKey("not an Ed25519 key of this kind"));
    };
    let key: [u8; 32] = key.try_into().map_err(|_| NoteError::BadKey("an Ed25519 key is 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| NoteError::BadKey("not a point on the curve"))?;
    if !valid_name(name) {
        return Err(NoteError::BadKey("the name is empty or has a space or a +"));
    }
    if typed_key_id(name, found, key.as_bytes()) != id {
        return Err(NoteError::BadKey("the key id does not match the name and key"));
    }
    Ok((name, key))
}

/// The text [`read_vkey`] reads.
pub(crate) fn write_vkey(name: &str, id: u32, key_type: u8, key: &VerifyingKey) -> String {
    let mut bytes = vec![key_type];
    bytes.extend_from_slice(key.as_bytes());
    format!("{name}+{id:08x}+{}", STANDARD.encode(bytes))
}

pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A key that checks notes: `<name>+<8 hex key id>+<base64(0x01 ‖ key)>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    pub name: String,
    pub id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<NoteVerifier, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadKey("the name is empty or has a space or a +"));
        }
        Ok(NoteVerifier { name: name.to_owned(), id: key_id(name, key.as_bytes()), key })
    }

    pub fn parse(text: &str) -> Result<NoteVerifier, NoteError> {
        let (name, key) = read_vkey(text, ED25519)?;
        NoteVerifier::new(name, key)
    }

    /// The key in the note format, as `parse` reads it.
    pub fn encode(&self) -> String {
        write_vkey(&self.name, self.id, ED25519, &self.key)
    }

    /// The note's text, if a signature by this key verifies over it. A
    /// signature line of another key is passed over, as the spec says; a
    /// bad one by this key fails the whole note.
    pub fn open<'n>(&self, note: &'n str) -> Result<&'n str, NoteError> {
        let (text, signatures) = split_note(note)?;
        let mut verified = false;
        for line in signatures {
            let (name, id, signature) = signature_line(line)?;
            if name != self.name || id != self.id {
                continue;
            }
            let signature = Signature::from_slice(&signature).map_err(|_| NoteError::BadSignature)?;
            self.key.verify(text.as_bytes(), &signature).map_err(|_| NoteError::BadSignature)?;
            verified = true;
        }
        if verified { Ok(text) } else { Err(NoteError::Unverified) }
    }
}

/// The text (with its final newline) and the signature lines.
pub(crate) fn split_note(note: &str) -> Result<(&str, Vec<&str>), NoteError> {
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("a control character"));
    }
    let split = note.rfind("\n\n").ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, signatures) = (&note[..split + 1], &note[split + 2..]);
    let lines: Vec<&str> =
        signatures.strip_suffix('\n').ok_or(NoteError::Malformed("no final newline"))?.split('\n').collect();
    if lines.is_empty() || lines.len() > MAX_SIGNATURES {
        return Err(NoteError::Malformed("too few or too many signatures"));
    }
    Ok((text, lines))
}

/// `— <name> base64(key id ‖ signature)`.
pub(crate) fn signature_line(line: &str) -> Result<(&str, u32, Vec<u8>), NoteError> {
    let rest = line.strip_prefix("\u{2014} ").ok_or(NoteError::Malformed("a signature line without the em dash"))?;
    let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed("a signature line without a signature"))?;
    if !valid_name(name) {
        return Err(NoteError::Malformed("a signature's key name"));
    }
    let bytes = STANDARD.decode(b64).map_err(|_| NoteError::Malformed("a signature is not base64"))?;
    if bytes.len() < 5 {
        return Err(NoteError::Malformed("a signature too short for its key id"));
    }
    let id = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    Ok((name, id, bytes[4..].to_vec()))
}

/// Signs notes under a key name.
pub struct NoteSigner {
    verifier: NoteVerifier,
    key: SigningKey,
}

impl NoteSigner {
    pub fn new(name: &str, key: SigningKey) -> Result<NoteSigner, NoteError> {
        Ok(NoteSigner { verifier: NoteVerifier::new(name, key.verifying_key())?, key })
    }

    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// The signed note: `text` (which must end in a newline), a blank line, one signature line.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') || text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(NoteError::Malformed("the text must end in a newline and hold no control characters"));
        }
        let mut bytes = self.verifier.id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.key.sign(text.as_bytes()).to_bytes());
        Ok(format!("{text}\n\u{2014} {} {}\n", self.verifier.name, STANDARD.encode(bytes)))
    }
}

/// A C2SP `tlog-checkpoint`: the origin, the tree size and its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
}

impl Checkpoint {
    /// The note text: three lines, each ending in a newline.
    pub fn to_text(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root))
    }

    /// Reads a checkpoint's text; extension lines after the third are allowed and passed over.
    pub fn parse(text: &str) -> Result<Checkpoint, NoteError> {
        let mut lines = text.strip_suffix('\n').ok_or(NoteError::BadCheckpoint("no final newline"))?.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(NoteError::BadCheckpoint("no origin"))?;
        let size = lines.next().ok_or(NoteError::BadCheckpoint("no size"))?;
        let size = plain_decimal(size).ok_or(NoteError::BadCheckpoint("the size is not a plain decimal u64"))?;
        let root = lines.next().ok_or(NoteError::BadCheckpoint("no root"))?;
        let root = STANDARD.decode(root).map_err(|_| NoteError::BadCheckpoint("the root is not base64"))?;
        let root = root.try_into().map_err(|_| NoteError::BadCheckpoint("the root is not 32 bytes"))?;
        if lines.any(str::is_empty) {
            return Err(NoteError::BadCheckpoint("an empty extension line"));
        }
        Ok(Checkpoint { origin: origin.to_owned(), size, root })
    }
}

/// A decimal without a sign or leading zeros (one text for one number), as
/// checkpoints and proofs write sizes and indices.
pub(crate) fn plain_decimal(text: &str) -> Option<u64> {
    let plain =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text.len() == 1 || !text.starts_with('0'));
    plain.then(|| text.parse().ok()).flatten()
}
