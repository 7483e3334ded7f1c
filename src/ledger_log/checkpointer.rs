//! Signing the next checkpoint: under the writer lock, the root of the
//! stored tree at the ledger's size, proved consistent with the newest
//! checkpoint before it is signed. A tree that does not extend it was
//! rewritten under the service; that is refused loudly, never signed.

use super::LedgerLog;
use crate::domain::ledger_proofs::ProofPlan;
use crate::storage::{CheckpointTx, StoreError, StoredCheckpoint};
use time::OffsetDateTime;
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
            LogError::Store(_) | LogError::Note(_) | LogError::NoQuorum { .. } => {
                tracing::warn!(error = %self, "no checkpoint was published")
            }
        }
    }
}

/// Signs a checkpoint of the ledger as it stands, when it has grown past
/// the newest one (or there is none); returns it, or `None` when there was
/// nothing new.
pub async fn sign_latest(log: &LedgerLog) -> Result<Option<StoredCheckpoint>, LogError> {
    // A look without the lock first: most ticks find nothing new.
    if let Some(newest) = log.store.latest_checkpoint().await?
        && newest.size >= log.store.ledger_size().await?
    {
        return Ok(None);
    }
    let mut tx = log.store.checkpoint_tx().await?;
    let signed = match next_checkpoint(log, &mut tx).await {
        Ok(Some(signed)) => signed,
        other => {
            tx.rollback().await?;
            return other;
        }
    };
    let published = if log.witnesses.is_empty() {
        tx.insert(&signed, OffsetDateTime::now_utc()).await?;
        signed
    } else {
        // The witnesses are asked with the writer lock released: they are
        // other machines, and the writer must not wait for them.
        let newest = tx.latest().await?.map_or(0, |c| c.size);
        tx.rollback().await?;
        let Some(cosigned) = cosigned(log, signed, newest).await? else { return Ok(None) };
        cosigned
    };
    *log.last_signed.lock().expect("the lock is never held across a panic") = Some((published.size, published.root));
    crate::metrics::checkpoint_signed(published.size);
    Ok(Some(published))
}

/// The checkpoint with its witnesses' cosignatures, stored, if a quorum
/// cosigned it and no newer one was published meanwhile.
async fn cosigned(
    log: &LedgerLog,
    signed: StoredCheckpoint,
    newest: u64,
) -> Result<Option<StoredCheckpoint>, LogError> {
    let lines = log.witnesses.cosign(&log.store, &signed, newest).await;
    let got = lines.len();
    if got < log.witnesses.quorum {
        return Err(LogError::NoQuorum { size: signed.size, got, needed: log.witnesses.quorum });
    }
    let cosigned = StoredCheckpoint { note: format!("{}{}", signed.note, lines.concat()), ..signed };
    let mut tx = log.store.checkpoint_tx().await?;
    if tx.latest().await?.is_some_and(|c| c.size >= cosigned.size) {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.insert(&cosigned, OffsetDateTime::now_utc()).await?;
    Ok(Some(cosigned))
}

/// The checkpoint to sign next, decided and signed inside `tx`, not stored.
async fn next_checkpoint(log: &LedgerLog, tx: &mut CheckpointTx) -> Result<Option<StoredCheckpoint>, LogError> {
    let size = tx.ledger_size().await?;
    let newest = tx.latest().await?;
    if newest.as_ref().is_some_and(|c| c.size >= size) {
        return Ok(None);
    }
    // What the new tree must extend: the newest stored checkpoint, or the
    // newest this process signed if the stored ones were taken away.
    let signed_here = *log.last_signed.lock().expect("the lock is never held across a panic");
    let newest = newest.map(|c| (c.size, c.root));
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
    let stored = tx.tree_hashes(&indices).await?;
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
    Ok(Some(StoredCheckpoint { size, root, note }))
}
