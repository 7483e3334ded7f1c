//! `xinyi ledger verify`'s second half: re-derives the Merkle tree from the
//! stored entries and compares every stored hash with it, then checks the
//! newest checkpoint's signature with the log key and its root against the
//! re-derived tree. A tree that a forger recomputed still fails here when
//! the checkpoint was signed before the forgery; `xinyi ledger audit`
//! catches one that was re-signed too.

use super::CliFailure;
use crate::domain::ledger::LedgerEntry;
use crate::domain::ledger_tree::{TreeFrontier, stored_hash_count};
use crate::storage::Store;
use ed25519_dalek::VerifyingKey;
use xinyi_merchant_sdk::merkle::Hash;
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteVerifier};

fn failed(message: String) -> CliFailure {
    CliFailure { message: format!("ledger verification FAILED: {message}"), exit_code: 1 }
}

/// The tree as re-derived from the entries walked so far.
pub(super) struct TreeCheck {
    frontier: TreeFrontier,
    /// The newest checkpoint's size, and the root there once reached.
    checkpoint_size: u64,
    root_at_checkpoint: Option<Hash>,
}

impl TreeCheck {
    pub(super) async fn new(store: &Store) -> Result<(TreeCheck, Option<String>), CliFailure> {
        let newest = store.latest_checkpoint().await?;
        let check = TreeCheck {
            frontier: TreeFrontier::empty(),
            checkpoint_size: newest.as_ref().map_or(0, |c| c.size),
            root_at_checkpoint: None,
        };
        Ok((check, newest.map(|c| c.note)))
    }

    /// Adds a page of entries and compares the hashes they give with the stored ones.
    pub(super) async fn page(&mut self, store: &Store, entries: &[LedgerEntry]) -> Result<(), CliFailure> {
        if self.frontier.size() == self.checkpoint_size {
            self.root_at_checkpoint = Some(self.frontier.root());
        }
        let mut expected = Vec::new();
        for entry in entries {
            expected.extend(self.frontier.append(&entry.canonical_bytes()).into_iter().map(|h| (h, entry.seq)));
            if self.frontier.size() == self.checkpoint_size {
                self.root_at_checkpoint = Some(self.frontier.root());
            }
        }
        let Some(((first, _), _)) = expected.first() else { return Ok(()) };
        let stored = store.tree_hash_range(*first, first + expected.len() as u64).await?;
        for (i, ((index, hash), seq)) in expected.iter().enumerate() {
            match stored.get(i) {
                Some((at, found)) if at == index && found == hash => {}
                Some((at, _)) if at == index => {
                    return Err(failed(format!(
                        "the tree's hash {index} does not match entry {seq}: one of them was changed"
                    )));
                }
                _ => return Err(failed(format!("the tree has no hash {index} for entry {seq}"))),
            }
        }
        Ok(())
    }

    /// After the walk: no stored hash beyond the entries, and the newest
    /// checkpoint signed by the log key over the tree as re-derived.
    pub(super) async fn finish(&self, store: &Store, note: Option<String>) -> Result<String, CliFailure> {
        let size = self.frontier.size();
        // Read in this order, a live service's new entries only add to the
        // second number: the tree and its entries commit together.
        let stored = store.tree_stored().await?;
        let entries = store.ledger_size().await?;
        if stored > stored_hash_count(entries) {
            return Err(failed(format!(
                "the tree stores {stored} hashes; the {entries} entries make {}",
                stored_hash_count(entries)
            )));
        }
        if size == self.checkpoint_size {
            return self.checkpoint(store, note, self.frontier.root()).await;
        }
        match self.root_at_checkpoint {
            Some(root) => self.checkpoint(store, note, root).await,
            None => Err(failed(format!(
                "the newest checkpoint is of {} entries; the ledger has {size}",
                self.checkpoint_size
            ))),
        }
    }

    async fn checkpoint(&self, store: &Store, note: Option<String>, root: Hash) -> Result<String, CliFailure> {
        let Some(note) = note else { return Ok("no checkpoint signed yet".to_owned()) };
        let (origin, public_key) =
            store.log_public_key().await?.ok_or_else(|| failed("a checkpoint is stored but no log key".into()))?;
        let key = VerifyingKey::from_bytes(&public_key).map_err(|e| failed(format!("the stored log key: {e}")))?;
        let verifier = NoteVerifier::new(&origin, key).map_err(|e| failed(format!("the stored log key: {e}")))?;
        let text = verifier.open(&note).map_err(|e| failed(format!("the newest checkpoint's signature: {e}")))?;
        let checkpoint = Checkpoint::parse(text).map_err(|e| failed(format!("the newest checkpoint: {e}")))?;
        if checkpoint.origin != origin || checkpoint.size != self.checkpoint_size || checkpoint.root != root {
            return Err(failed(format!(
                "the checkpoint of {} entries signs a root the entries do not make: the books changed after it was signed",
                checkpoint.size
            )));
        }
        Ok(format!("checkpoint of {} entries signed by {}", checkpoint.size, verifier.encode()))
    }
}
