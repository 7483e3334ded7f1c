//! Signing the next checkpoint: the root of the stored tree at the
//! ledger's size, proved consistent with the newest checkpoint before it
//! is signed, then published through the engine. A tree that does not extend it was
//! rewritten under the service; that is refused loudly, never signed.

use super::LedgerLog;
use crate::domain::ledger_proofs::ProofPlan;
use crate::engine::Engine;
use crate::storage::{StoreError, StoredCheckpoint};
use xinyi_merchant_sdk::merkle::{ProofError, root_of, verify_consistency};
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteError};

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the ledger tree has no hashes yet for {0} entries; the writer is still adding them")]
    TreeBehind(u64),
    #[error(
        "REFUSED to sign: the stored tree of {new} entries does not extend the checkpoint of {old} \
         entries ({error}); the ledger or its tree was changed outside the service"
    )]
    Inconsistent { old: u64, new: u64, error: ProofError },
    #[error(
        "REFUSED to sign size {new}: this process already signed size {signed}, and the stored checkpoints lost it"
    )]
    BelowSigned { new: u64, signed: u64 },
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("the engine did not take the checkpoint; the next tick tries again")]
    Engine,
    #[error("the checkpoint of {size} entries got {got} cosignatures of the {needed} needed; not published")]
    NoQuorum { size: u64, got: usize, needed: usize },
}

impl LogError {
    /// Logs the failure at the weight it has: a rewritten history is an
    /// incident; a tree still catching up or a busy database is not.
    pub fn report(&self) {
        match self {
            LogError::Inconsistent { .. } | LogError::BelowSigned { .. } => {
                crate::metrics::checkpoint_refused();
                tracing::error!(error = %self, "the ledger log refused to sign a checkpoint");
            }
            LogError::TreeBehind(_) => tracing::info!(error = %self, "no checkpoint yet"),
            LogError::Store(_) | LogError::Note(_) | LogError::NoQuorum { .. } | LogError::Engine => {
                tracing::warn!(error = %self, "no checkpoint was published")
            }
        }
    }
}

/// Signs a checkpoint of the ledger as it stands, when it has grown past
/// the newest one (or there is none), and publishes it through the engine;
/// returns it, or `None` when there was nothing new or a newer one won.
///
/// What is signed is read without the writer lock: a ledger size read is
/// committed, and so is the tree at that size, which commits with its
/// entries. Publishing goes through the engine, in the next batch's
/// transaction, which stores it only if no checkpoint as large is stored:
/// so the published sizes only grow, and no lock is waited for here (on a
/// busy SQLite a lock of its own would wait behind batch after batch).
pub async fn sign_latest(log: &LedgerLog, engine: &Engine) -> Result<Option<StoredCheckpoint>, LogError> {
    let Some((signed, newest)) = next_checkpoint(log).await? else { return Ok(None) };
    let published = if log.witnesses.is_empty() {
        signed
    } else {
        let lines = log.witnesses.cosign(&log.store, &signed, newest).await;
        let got = lines.len();
        if got < log.witnesses.quorum {
            return Err(LogError::NoQuorum { size: signed.size, got, needed: log.witnesses.quorum });
        }
        StoredCheckpoint { note: format!("{}{}", signed.note, lines.concat()), ..signed }
    };
    engine.publish_checkpoint(published.clone()).await.map_err(|_| LogError::Engine)?;
    if log.store.checkpoint_of_size(published.size).await?.is_none_or(|stored| stored.root != published.root) {
        return Ok(None);
    }
    *log.last_signed.lock().expect("the lock is never held across a panic") = Some((published.size, published.root));
    crate::metrics::checkpoint_signed(published.size);
    Ok(Some(published))
}

/// The checkpoint to sign next, signed, not stored, and the size of the
/// newest one stored (0 if none).
async fn next_checkpoint(log: &LedgerLog) -> Result<Option<(StoredCheckpoint, u64)>, LogError> {
    let newest = log.store.latest_checkpoint().await?;
    let size = log.store.ledger_size().await?;
    if newest.as_ref().is_some_and(|c| c.size >= size) {
        return Ok(None);
    }
    // What the new tree must extend: the newest stored checkpoint, or the
    // newest this process signed if the stored ones were taken away.
    let signed_here = *log.last_signed.lock().expect("the lock is never held across a panic");
    let newest = newest.map(|c| (c.size, c.root));
    let newest_size = newest.map_or(0, |(size, _)| size);
    let extends = match (newest, signed_here) {
        // At one size, what this process signed wins over what is stored:
        // a stored root it did not sign is checked against its own.
        (Some(stored), Some(here)) => Some(if here.0 >= stored.0 { here } else { stored }),
        (stored, here) => stored.or(here),
    };
    if let Some((signed, _)) = extends
        && signed >= size
    {
        return Err(LogError::BelowSigned { new: size, signed });
    }
    let old = extends.map_or(0, |(old, _)| old);
    let consistency = ProofPlan::consistency(old, size);
    let mut indices = consistency.indices();
    if size > 0 {
        indices.extend(ProofPlan::root(size).indices());
    }
    let stored = log.store.tree_hashes(&indices).await?;
    let root = match size {
        0 => root_of(&[]),
        _ => ProofPlan::root(size).hashes(&stored).ok_or(LogError::TreeBehind(size))?[0],
    };
    if let Some((old_size, old_root)) = extends {
        let proof = consistency.hashes(&stored).ok_or(LogError::TreeBehind(size))?;
        verify_consistency(old_size, size, &old_root, &root, &proof).map_err(|error| LogError::Inconsistent {
            old: old_size,
            new: size,
            error,
        })?;
    }
    let note = log.signer.sign(&Checkpoint { origin: log.origin.clone(), size, root }.to_text())?;
    Ok(Some((StoredCheckpoint { size, root, note }, newest_size)))
}
