//! C2SP `tlog-proof@v1`: a self-contained proof that an entry is in the
//! ledger, which a merchant keeps with its receipt and checks offline
//! against the pinned log key: the header line, optional `extra`, `index N`,
//! the inclusion proof's hashes in base64 (the leaf's sibling first), an
//! empty line, and the log's signed checkpoint verbatim.

use crate::merkle::{Hash, ProofError, leaf_hash, verify_inclusion};
use crate::signed_note::{Checkpoint, NoteError, NoteVerifier, plain_decimal};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The first line of every proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A proof as read, before anything in it is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque and unauthenticated: never trusted.
    pub extra: Option<Vec<u8>>,
    pub index: u64,
    pub hashes: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionError {
    #[error("malformed proof: {0}")]
    Malformed(&'static str),
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    #[error("the checkpoint is of the log {found:?}, not {expected:?}")]
    OtherLog { expected: String, found: String },
    #[error("the entry is not in the checkpointed tree: {0}")]
    NotIncluded(#[from] ProofError),
}

impl TlogProof {
    pub fn to_text(&self) -> String {
        let mut text = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            text.push_str(&format!("extra {}\n", STANDARD.encode(extra)));
        }
        text.push_str(&format!("index {}\n", self.index));
        for hash in &self.hashes {
            text.push_str(&STANDARD.encode(hash));
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }

    pub fn parse(text: &str) -> Result<TlogProof, InclusionError> {
        let malformed = InclusionError::Malformed;
        let (head, checkpoint) = text.split_once("\n\n").ok_or(malformed("no empty line before the checkpoint"))?;
        let mut lines = head.split('\n').peekable();
        if lines.next() != Some(TLOG_PROOF_HEADER) {
            return Err(malformed("the first line is not c2sp.org/tlog-proof@v1"));
        }
        let extra = match lines.peek().and_then(|l| l.strip_prefix("extra ")) {
            Some(b64) => {
                let extra = STANDARD.decode(b64).map_err(|_| malformed("the extra data is not base64"))?;
                lines.next();
                Some(extra)
            }
            None => None,
        };
        let index = lines.next().and_then(|l| l.strip_prefix("index ")).ok_or(malformed("no index line"))?;
        let index = plain_decimal(index).ok_or(malformed("the index is not a plain decimal u64"))?;
        let hashes = lines
            .map(|line| STANDARD.decode(line).ok().and_then(|h| Hash::try_from(h).ok()))
            .collect::<Option<Vec<Hash>>>()
            .ok_or(malformed("a proof line is not a base64 SHA-256 hash"))?;
        Ok(TlogProof { extra, index, hashes, checkpoint: checkpoint.to_owned() })
    }
}

/// What a good proof shows: the entry's index, in the tree of this
/// checkpoint, signed by the pinned key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedInclusion {
    pub index: u64,
    pub checkpoint: Checkpoint,
}

/// Checks offline that `entry` (its canonical bytes, `docs/ledger-log.md`)
/// is in the log: the checkpoint signed by `log_key`, of the log the key
/// names, and the inclusion proof leading from the entry to its root.
pub fn verify_inclusion_proof(
    proof: &str,
    log_key: &NoteVerifier,
    entry: &[u8],
) -> Result<VerifiedInclusion, InclusionError> {
    verify_parsed(&TlogProof::parse(proof)?, log_key, entry)
}

/// Checks a receipt as the service serves it: a proof whose `extra` is the
/// entry's canonical bytes, so that it stands on its own. The bytes are
/// believed only because they hash to a leaf of the signed tree; they are
/// returned for the caller to compare with what it recorded.
pub fn verify_receipt(proof: &str, log_key: &NoteVerifier) -> Result<(VerifiedInclusion, Vec<u8>), InclusionError> {
    let proof = TlogProof::parse(proof)?;
    let entry = proof.extra.as_deref().ok_or(InclusionError::Malformed("no extra line with the entry's bytes"))?;
    let verified = verify_parsed(&proof, log_key, entry)?;
    Ok((verified, entry.to_vec()))
}

fn verify_parsed(proof: &TlogProof, log_key: &NoteVerifier, entry: &[u8]) -> Result<VerifiedInclusion, InclusionError> {
    let checkpoint = Checkpoint::parse(log_key.open(&proof.checkpoint)?)?;
    if checkpoint.origin != log_key.name {
        return Err(InclusionError::OtherLog { expected: log_key.name.clone(), found: checkpoint.origin });
    }
    verify_inclusion(proof.index, checkpoint.size, &leaf_hash(entry), &proof.hashes, &checkpoint.root)?;
    Ok(VerifiedInclusion { index: proof.index, checkpoint })
}
