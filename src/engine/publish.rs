//! Where a signed checkpoint waits for the writer: a slot of its own, not
//! the bounded queue, so publishing never takes a caller's place there (a
//! redemption turned away with 503 because a checkpoint held the last
//! place). The writer takes it with its next batch, or wakes for it alone.

use super::EngineError;
use crate::storage::StoredCheckpoint;
use std::sync::Mutex;
use tokio::sync::{Notify, oneshot};

/// Told whether the checkpoint was written.
pub(super) type PublishReply = oneshot::Sender<Result<(), EngineError>>;

type Waiting = (StoredCheckpoint, PublishReply);

#[derive(Default)]
pub(super) struct PublishSlot {
    waiting: Mutex<Option<Waiting>>,
    pub(super) wake: Notify,
}

impl PublishSlot {
    /// Leaves `checkpoint` for the writer; a newer one replaces one not yet
    /// taken, whose caller is told the engine did not take it.
    pub(super) fn leave(&self, checkpoint: StoredCheckpoint) -> oneshot::Receiver<Result<(), EngineError>> {
        let (reply, answer) = oneshot::channel();
        let replaced = self.waiting.lock().expect("never held across a panic").replace((checkpoint, reply));
        if let Some((_, replaced)) = replaced {
            let _ = replaced.send(Err(EngineError::Busy));
        }
        self.wake.notify_one();
        answer
    }

    pub(super) fn take(&self) -> Option<Waiting> {
        self.waiting.lock().expect("never held across a panic").take()
    }
}
