//! C2SP `tlog-witness` `add-checkpoint`, decided apart from HTTP and disk:
//! the body is `old <size>`, up to 63 consistency-proof hashes (base64), an
//! empty line and the log's signed checkpoint. The witness cosigns only a
//! checkpoint signed by the log's key that extends, by a proof that
//! verifies, the one it cosigned last.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use xinyi_merchant_sdk::merkle::{Hash, verify_consistency};
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteVerifier};

/// The most proof lines a client may send (the spec's bound).
const MAX_PROOF: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, as sent.
    pub note: String,
}

/// Why the witness will not cosign, as the spec has it answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("this witness does not know the log {0:?}")]
    UnknownLog(String),
    #[error("no signature by the log's key verifies")]
    Unsigned,
    /// The old size is not the size this witness cosigned last: that one.
    #[error("the last checkpoint cosigned here is of size {0}")]
    OldSize(u64),
    #[error("a checkpoint of this size with another root was cosigned here")]
    OtherRoot,
    #[error("the consistency proof does not verify: the log's history changed")]
    BadProof,
    /// The witness's own disk failed: nothing was cosigned; try again.
    #[error("the witness could not record the checkpoint")]
    NotRecorded,
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) => 400,
            Refusal::Unsigned => 403,
            Refusal::UnknownLog(_) => 404,
            Refusal::OldSize(_) | Refusal::OtherRoot => 409,
            Refusal::BadProof => 422,
            Refusal::NotRecorded => 503,
        }
    }
}

fn plain_decimal(text: &str) -> Option<u64> {
    let plain = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    plain.then(|| text.parse().ok()).flatten()
}

impl AddCheckpoint {
    pub fn parse(body: &str) -> Result<AddCheckpoint, Refusal> {
        let (head, note) = body.split_once("\n\n").ok_or(Refusal::BadRequest("no empty line before the checkpoint"))?;
        let mut lines = head.split('\n');
        let old = lines.next().and_then(|l| l.strip_prefix("old ")).and_then(plain_decimal);
        let old = old.ok_or(Refusal::BadRequest("the first line is not `old <size>`"))?;
        let proof: Vec<Hash> = lines
            .map(|line| STANDARD.decode(line).ok().and_then(|h| h.try_into().ok()))
            .collect::<Option<_>>()
            .ok_or(Refusal::BadRequest("a proof line is not a base64 hash"))?;
        if proof.len() > MAX_PROOF {
            return Err(Refusal::BadRequest("more than 63 proof lines"));
        }
        Ok(AddCheckpoint { old, proof, note: note.to_owned() })
    }

    /// The body as a client sends it.
    pub fn to_text(&self) -> String {
        let proof: String = self.proof.iter().map(|h| format!("{}\n", STANDARD.encode(h))).collect();
        format!("old {}\n{proof}\n{}", self.old, self.note)
    }

    /// The checkpoint to cosign, given the one cosigned last (none yet: size 0).
    pub fn decide(&self, log_key: &NoteVerifier, last: Option<&Checkpoint>) -> Result<Checkpoint, Refusal> {
        let origin = self.note.split('\n').next().unwrap_or_default();
        if origin != log_key.name {
            return Err(Refusal::UnknownLog(origin.to_owned()));
        }
        let text = log_key.open(&self.note).map_err(|_| Refusal::Unsigned)?;
        let new = Checkpoint::parse(text).map_err(|_| Refusal::BadRequest("not a checkpoint"))?;
        if self.old > new.size {
            return Err(Refusal::BadRequest("the old size is above the checkpoint's"));
        }
        let last_size = last.map_or(0, |c| c.size);
        if self.old != last_size {
            return Err(Refusal::OldSize(last_size));
        }
        match last {
            Some(last) if last.size == new.size && (last.root != new.root || !self.proof.is_empty()) => {
                return Err(Refusal::OtherRoot);
            }
            Some(last) if last.size == new.size => {}
            Some(last) => verify_consistency(last.size, new.size, &last.root, &new.root, &self.proof)
                .map_err(|_| Refusal::BadProof)?,
            None if !self.proof.is_empty() => return Err(Refusal::BadProof),
            None => {}
        }
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ledger_proofs::ProofPlan;
    use crate::domain::ledger_tree::TreeFrontier;
    use ed25519_dalek::SigningKey;
    use std::collections::HashMap;
    use xinyi_merchant_sdk::signed_note::NoteSigner;

    fn log() -> NoteSigner {
        NoteSigner::new("xinyi.example/ledger", SigningKey::from_bytes(&[5; 32])).unwrap()
    }

    /// Checkpoints of a tree of `leaves` leaves at every size, with its stored hashes.
    fn tree(leaves: &[&str]) -> (Vec<Checkpoint>, HashMap<u64, Hash>) {
        let mut frontier = TreeFrontier::empty();
        let mut stored = HashMap::new();
        let mut checkpoints =
            vec![Checkpoint { origin: "xinyi.example/ledger".into(), size: 0, root: frontier.root() }];
        for leaf in leaves {
            stored.extend(frontier.append(leaf.as_bytes()));
            checkpoints.push(Checkpoint {
                origin: "xinyi.example/ledger".into(),
                size: frontier.size(),
                root: frontier.root(),
            });
        }
        (checkpoints, stored)
    }

    fn request(old: u64, new: &Checkpoint, stored: &HashMap<u64, Hash>) -> AddCheckpoint {
        let proof = ProofPlan::consistency(old, new.size).hashes(stored).unwrap();
        AddCheckpoint { old, proof, note: log().sign(&new.to_text()).unwrap() }
    }

    #[test]
    fn a_checkpoint_that_extends_the_last_by_a_good_proof_is_cosigned_and_the_body_reads_back() {
        let (cps, stored) = tree(&["a", "b", "c", "d", "e"]);
        let first = request(0, &cps[3], &stored);
        assert_eq!(AddCheckpoint::parse(&first.to_text()).unwrap(), first);
        assert_eq!(first.decide(log().verifier(), None), Ok(cps[3].clone()));
        let next = request(3, &cps[5], &stored);
        assert_eq!(next.decide(log().verifier(), Some(&cps[3])), Ok(cps[5].clone()));
        assert_eq!(request(5, &cps[5], &stored).decide(log().verifier(), Some(&cps[5])), Ok(cps[5].clone()));
    }

    #[test]
    fn each_refusal_is_the_one_the_spec_names() {
        let (cps, stored) = tree(&["a", "b", "c", "d", "e"]);
        let key = log();
        assert_eq!(request(2, &cps[5], &stored).decide(key.verifier(), Some(&cps[3])), Err(Refusal::OldSize(3)));
        assert_eq!(request(2, &cps[5], &stored).decide(key.verifier(), None), Err(Refusal::OldSize(0)));
        let mut bad = request(3, &cps[5], &stored);
        bad.proof[0][0] ^= 1;
        assert_eq!(bad.decide(key.verifier(), Some(&cps[3])), Err(Refusal::BadProof));
        let (forked, forked_stored) = tree(&["a", "B", "c", "d", "e"]);
        let fork = request(3, &forked[5], &forked_stored);
        assert_eq!(fork.decide(key.verifier(), Some(&cps[3])), Err(Refusal::BadProof), "a rewritten history");
        let same_size = request(3, &forked[3], &forked_stored);
        assert_eq!(same_size.decide(key.verifier(), Some(&cps[3])), Err(Refusal::OtherRoot));
        let other_key = NoteSigner::new("xinyi.example/ledger", SigningKey::from_bytes(&[6; 32])).unwrap();
        let unsigned = AddCheckpoint { old: 3, proof: vec![], note: other_key.sign(&cps[5].to_text()).unwrap() };
        assert_eq!(unsigned.decide(key.verifier(), Some(&cps[3])), Err(Refusal::Unsigned));
        let elsewhere = NoteSigner::new("other.example/log", SigningKey::from_bytes(&[5; 32])).unwrap();
        let text = Checkpoint { origin: "other.example/log".into(), ..cps[5].clone() }.to_text();
        let unknown = AddCheckpoint { old: 0, proof: vec![], note: elsewhere.sign(&text).unwrap() };
        assert_eq!(unknown.decide(key.verifier(), None), Err(Refusal::UnknownLog("other.example/log".into())));
        let backwards = AddCheckpoint { old: 5, ..request(3, &cps[3], &stored) };
        assert!(matches!(backwards.decide(key.verifier(), Some(&cps[5])), Err(Refusal::BadRequest(_))));
        for body in [
            "",
            "old 1\n",
            "old 01\n\nx",
            "new 1\n\nx",
            "old 1\n!!!\n\nx",
            &format!("old 1\n{}\n\nx", "AAAA\n".repeat(64)),
        ] {
            assert!(matches!(AddCheckpoint::parse(body), Err(Refusal::BadRequest(_))), "{body:?}");
        }
    }
}
