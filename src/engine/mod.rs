//! The one way anything is written to the ledger: redemptions, voids and
//! dispute resolutions are queued to this node's single writer task, which
//! takes everything waiting (group commit), decides each command in arrival
//! order against the state as the batch has changed it, writes the whole
//! batch in one transaction, and answers every caller only after the commit.

mod paper;
mod plan;
mod publish;
mod quote;
mod tree;
mod writer;

use crate::citizen_handle::CitizenNumber;
use crate::domain::levels::LevelThresholds;
use crate::domain::redemption::Refusal;
use crate::storage::{Dispute, SharedStore, StoredCheckpoint, Terminal};
use time::{Duration, OffsetDateTime};
use tokio::sync::{mpsc, oneshot};
use xinyi_merchant_sdk::api::{Redemption, VoidedRedemption};
use xinyi_merchant_sdk::{CodeMedium, CreditLevel};

pub use plan::CITIZEN_PART_CAPACITY;
pub use quote::quote;

/// Everything a redemption needs once the code has been verified and the
/// handle opened; the engine checks the rest against the stored state.
#[derive(Debug, Clone)]
pub struct RedemptionAttempt {
    pub redemption_id: String,
    pub merchant_id: String,
    /// The merchant's category and district, copied into the ledger entry.
    pub merchant_category: String,
    pub merchant_district: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub code_id: String,
    pub citizen: CitizenNumber,
    pub citizen_pseudonym: String,
    pub level: CreditLevel,
    pub offer_id: String,
    pub amount_fen: i64,
    pub scanned_at: OffsetDateTime,
    pub now: OffsetDateTime,
    /// Scanned offline and sent later than an online terminal may.
    pub offline: bool,
    /// The terminal recording it.
    pub terminal: Terminal,
    /// A phone's code, or a printed sheet's (whose level the citizen's
    /// current one caps, by `thresholds`).
    pub medium: CodeMedium,
    pub thresholds: LevelThresholds,
}

impl RedemptionAttempt {
    /// The level the code carried, when the one applied is lower (a paper
    /// code of a citizen whose score has fallen): the answer and the stored
    /// row both say it.
    pub(crate) fn code_level_above(&self, applied: CreditLevel) -> Option<CreditLevel> {
        (applied < self.level).then_some(self.level)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    Redeemed(Redemption),
    /// The same Idempotency-Key and body were seen before: the first answer.
    Replayed(Redemption),
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidBy {
    /// A merchant's terminal, within the void window of the redemption.
    Merchant { merchant_id: String, window: Duration, terminal: Terminal },
    /// A coordinator resolving a dispute: no window.
    Coordinator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidOutcome {
    Voided(VoidedRedemption),
    NotFound,
    AlreadyVoided,
    WindowPassed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Void,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveOutcome {
    Resolved(Box<Dispute>),
    NotFound,
    AlreadyResolved,
}

/// One write, as queued.
#[derive(Debug, Clone)]
pub enum Command {
    Redeem(RedemptionAttempt),
    Void { redemption_id: String, by: VoidBy, now: OffsetDateTime },
    Resolve { dispute_id: String, resolution: Resolution, note: String, coordinator: String, now: OffsetDateTime },
}

/// What a command came to; each command gets an outcome of its own kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Redeem(RedeemOutcome),
    Void(VoidOutcome),
    Resolve(ResolveOutcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The queue is full: the caller should retry shortly.
    #[error("the write queue is full")]
    Busy,
    /// The batch's transaction failed, the database is away, or the writer
    /// is gone. Nothing of the batch was written, or (an answer lost as the
    /// database went away) it was committed: a retry under the same
    /// Idempotency-Key tells which.
    #[error("the database did not confirm the write")]
    Unavailable,
}

#[derive(Debug, Clone, Copy)]
pub struct EngineLimits {
    /// Commands waiting at most; past it callers are told to retry.
    pub queue: usize,
    /// Commands in one transaction at most.
    pub batch: usize,
}

/// `XINYI_WRITE_QUEUE`'s default.
pub const DEFAULT_QUEUE: u32 = 8192;
/// `XINYI_WRITE_BATCH`'s default.
pub const DEFAULT_BATCH: u32 = 512;

impl Default for EngineLimits {
    fn default() -> Self {
        EngineLimits { queue: DEFAULT_QUEUE as usize, batch: DEFAULT_BATCH as usize }
    }
}

struct Job {
    command: Command,
    reply: oneshot::Sender<Result<Outcome, EngineError>>,
}

/// Gives every ledger entry from before the tree its leaf (migration 0014
/// adds the tree empty); the writer does the same when it starts.
pub async fn catch_up_ledger_tree(store: &SharedStore) -> Result<(), crate::storage::StoreError> {
    writer::catch_up_tree(store, &mut None, &mut None).await
}

/// A handle on this node's writer; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    queue: mpsc::Sender<Job>,
    publish: std::sync::Arc<publish::PublishSlot>,
}

impl Engine {
    /// Starts the writer task; it stops when every handle is dropped.
    pub fn start(store: SharedStore, limits: EngineLimits) -> Engine {
        assert!(limits.batch >= 1 && limits.queue >= limits.batch, "a batch fits in the queue");
        let (queue, jobs) = mpsc::channel(limits.queue);
        tokio::spawn(writer::checkpoints(store.clone(), queue.downgrade()));
        let publish = std::sync::Arc::new(publish::PublishSlot::default());
        let writer = tokio::spawn(writer::run(store, jobs, publish.clone(), limits.batch));
        tokio::spawn(async move {
            // A writer that panicked broke an invariant of the ledger: the
            // node must not limp on answering 503; its supervisor restarts it.
            if let Err(failure) = writer.await
                && failure.is_panic()
            {
                tracing::error!(%failure, "the ledger writer panicked; stopping the node");
                std::process::abort();
            }
        });
        Engine { queue, publish }
    }

    /// Commands waiting for the writer now.
    pub fn queue_depth(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    /// The writer has stopped (every receiver is gone).
    pub fn is_stopped(&self) -> bool {
        self.queue.is_closed()
    }

    async fn submit(&self, command: Command) -> Result<Outcome, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.queue.try_send(Job { command, reply }).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => EngineError::Busy,
            mpsc::error::TrySendError::Closed(_) => EngineError::Unavailable,
        })?;
        answer.await.map_err(|_| EngineError::Unavailable)?
    }

    pub async fn redeem(&self, attempt: RedemptionAttempt) -> Result<RedeemOutcome, EngineError> {
        match self.submit(Command::Redeem(attempt)).await? {
            Outcome::Redeem(outcome) => Ok(outcome),
            other => unreachable!("a redemption answered with {other:?}"),
        }
    }

    pub async fn void(
        &self,
        redemption_id: String,
        by: VoidBy,
        now: OffsetDateTime,
    ) -> Result<VoidOutcome, EngineError> {
        match self.submit(Command::Void { redemption_id, by, now }).await? {
            Outcome::Void(outcome) => Ok(outcome),
            other => unreachable!("a void answered with {other:?}"),
        }
    }

    /// Stores a signed checkpoint in the next batch's transaction, unless
    /// one as large is stored by then.
    pub async fn publish_checkpoint(&self, checkpoint: StoredCheckpoint) -> Result<(), EngineError> {
        self.publish.leave(checkpoint).await.map_err(|_| EngineError::Unavailable)?
    }

    pub async fn resolve_dispute(
        &self,
        dispute_id: String,
        resolution: Resolution,
        note: String,
        coordinator: String,
        now: OffsetDateTime,
    ) -> Result<ResolveOutcome, EngineError> {
        match self.submit(Command::Resolve { dispute_id, resolution, note, coordinator, now }).await? {
            Outcome::Resolve(outcome) => Ok(outcome),
            other => unreachable!("a dispute resolution answered with {other:?}"),
        }
    }
}
