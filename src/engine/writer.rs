//! The writer task: group commit. It waits for one command, opens the
//! batch (on PostgreSQL that takes the writer lock; SQLite takes its lock
//! with the batch's read), then takes every command that has arrived
//! meanwhile, up to a batch, without waiting for more: a lone command on an
//! idle node is written at once, a crowd shares one transaction and one
//! sync, and a node that waited for another node's lock brings everything
//! that queued.

use super::plan::{self, Planned};
use super::publish::{PublishReply, PublishSlot};
use super::{Command, EngineError, Job, Outcome, tree};
use crate::domain::ledger_tree::TreeFrontier;
use crate::storage::StoredCheckpoint;
use crate::storage::{BatchKeys, SharedStore, StoreError, WriterConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub(super) async fn run(store: SharedStore, mut queue: mpsc::Receiver<Job>, publish: Arc<PublishSlot>, batch: usize) {
    let mut jobs = Vec::with_capacity(batch);
    let mut connection: Option<WriterConnection> = None;
    // The tree as this writer last committed it; None after a failed batch.
    let mut frontier: Option<TreeFrontier> = None;
    let mut backoff = Backoff::default();
    if let Err(error) = catch_up_tree(&store, &mut connection, &mut frontier).await {
        tracing::error!(%error, "the ledger tree could not catch up with the ledger; batches will try again");
        connection = None;
    }
    loop {
        // Commands, or a checkpoint alone; the queue closes with the engine.
        tokio::select! {
            taken = queue.recv_many(&mut jobs, batch) => if taken == 0 { break },
            () = publish.wake.notified() => {}
        }
        let checkpoint = publish.take();
        if jobs.is_empty() && checkpoint.is_none() {
            continue;
        }
        if connection.is_none() && backoff.waiting() {
            // The database was away a moment ago: answer 503 at once rather
            // than have every arriving command knock on it.
            refuse(&mut jobs, checkpoint);
            continue;
        }
        let started = std::time::Instant::now();
        let to_publish = checkpoint.as_ref().map(|(c, _)| c);
        let result = commit(&store, &mut connection, &mut frontier, to_publish, &mut queue, &mut jobs, batch).await;
        // Only a database that is away is waited for; a batch it refused
        // (a constraint, a trigger) says nothing about the next one.
        match &result {
            Err(error) if error.is_unavailable() => backoff.failed(),
            _ => backoff.succeeded(),
        }
        if let Some((_, reply)) = checkpoint {
            let _ = reply.send(result.as_ref().map(|_| ()).map_err(|_| EngineError::Unavailable));
        }
        let replies = jobs.drain(..).map(|job| job.reply);
        match result {
            Ok(outcomes) => {
                tracing::debug!(
                    commands = outcomes.len(),
                    micros = started.elapsed().as_micros() as u64,
                    "batch committed"
                );
                for (reply, outcome) in replies.zip(outcomes) {
                    // A caller that has gone away still had its write made.
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(error) => {
                // Mostly the transaction rolled back and nothing was written.
                // If the database went away between taking the COMMIT and
                // answering it, the batch may be committed all the same (on a
                // synchronous standby too): either way every caller may retry
                // with its Idempotency-Key, which finds a committed redemption
                // and answers as the first time, or writes it afresh.
                tracing::error!(%error, commands = replies.len(), "a write batch failed");
                // The connection may be what broke: the next batch opens another.
                connection = None;
                for reply in replies {
                    let _ = reply.send(Err(EngineError::Unavailable));
                }
            }
        }
    }
}

/// Answers every taken command, and a checkpoint, "unavailable".
fn refuse(jobs: &mut Vec<Job>, checkpoint: Option<(StoredCheckpoint, PublishReply)>) {
    if let Some((_, reply)) = checkpoint {
        let _ = reply.send(Err(EngineError::Unavailable));
    }
    for job in jobs.drain(..) {
        let _ = job.reply.send(Err(EngineError::Unavailable));
    }
}

/// The first wait after a failed batch; each failure after it doubles it.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// Capped low: a promoted standby should take writes within a second of
/// being reachable.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// When the writer may next try to reach the database after failures.
#[derive(Default)]
struct Backoff {
    delay: Duration,
    until: Option<Instant>,
}

impl Backoff {
    fn waiting(&self) -> bool {
        self.until.is_some_and(|until| Instant::now() < until)
    }

    fn failed(&mut self) {
        self.delay = (self.delay * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
        self.until = Some(Instant::now() + self.delay);
    }

    fn succeeded(&mut self) {
        *self = Backoff::default();
    }
}

/// Checkpoints the write-ahead log every quarter second while the engine
/// lives, so the writer's commits never do it.
pub(super) async fn checkpoints(store: SharedStore, engine: mpsc::WeakSender<Job>) {
    let mut every = tokio::time::interval(std::time::Duration::from_millis(250));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while engine.upgrade().is_some() {
        every.tick().await;
        if let Err(error) = store.checkpoint().await {
            tracing::warn!(%error, "a checkpoint failed; the next one will try again");
        }
    }
}

/// Entries caught up per transaction, so that a large ledger from before
/// the tree does not hold the writer lock for long at a time.
const CATCH_UP_BATCH: u64 = 50_000;

/// Gives every ledger entry without a leaf its leaf, a slice per
/// transaction, before the writer takes its first command.
pub(super) async fn catch_up_tree(
    store: &SharedStore,
    connection: &mut Option<WriterConnection>,
    frontier: &mut Option<TreeFrontier>,
) -> Result<(), StoreError> {
    while frontier.is_none() {
        if connection.is_none() {
            *connection = Some(store.writer_connection().await?);
        }
        let mut batch = store.write_batch(connection.as_mut().expect("opened above")).await?;
        let head = batch.read(&BatchKeys::default()).await?.ledger_head.0;
        let head = u64::try_from(head).map_err(|_| StoreError::Corrupt(format!("ledger seq {head}")))?;
        let mut writes = crate::storage::BatchWrites::default();
        let caught_up = tree::frontier_at(store, &mut batch, head, CATCH_UP_BATCH, &mut writes.tree).await?;
        if !writes.tree.is_empty() {
            tracing::info!(hashes = writes.tree.len(), head, "the ledger tree caught up with the ledger");
        }
        batch.write(&writes).await?;
        batch.commit().await?;
        *frontier = caught_up;
    }
    Ok(())
}

/// Opens the batch, then takes whatever else has arrived (while another
/// node held the lock, a crowd may have), reads what the batch needs,
/// decides it, adds its entries to the tree, writes it, commits.
async fn commit(
    store: &SharedStore,
    connection: &mut Option<WriterConnection>,
    cached: &mut Option<TreeFrontier>,
    checkpoint: Option<&StoredCheckpoint>,
    queue: &mut mpsc::Receiver<Job>,
    jobs: &mut Vec<Job>,
    limit: usize,
) -> Result<Vec<Outcome>, StoreError> {
    if connection.is_none() {
        *connection = Some(store.writer_connection().await?);
    }
    let mut batch = store.write_batch(connection.as_mut().expect("opened above")).await?;
    while jobs.len() < limit {
        match queue.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    let commands: Vec<&Command> = jobs.iter().map(|job| &job.command).collect();
    let wanted = plan::wanted(&commands);
    let mut reads = batch.read(&wanted.keys).await?;
    // Voids and dispute resolutions are rare: they read on their own.
    if !wanted.dispute_ids.is_empty() {
        reads.disputes = batch.disputes(&wanted.dispute_ids).await?;
    }
    let mut redemption_ids = wanted.redemption_ids.clone();
    redemption_ids.extend(reads.disputes.values().map(|d| d.redemption_id.as_str()));
    if !redemption_ids.is_empty() {
        reads.redemptions = batch.redemptions(&redemption_ids).await?;
    }
    let head = u64::try_from(reads.ledger_head.0).map_err(|_| StoreError::Corrupt("a negative ledger seq".into()))?;
    let Planned { outcomes, mut writes } = plan::plan(&commands, reads);
    // Taken out, so a batch that fails leaves no frontier it did not commit.
    let mut frontier = match cached.take() {
        Some(frontier) if frontier.size() == head => frontier,
        _ => tree::frontier_at(store, &mut batch, head, u64::MAX, &mut writes.tree)
            .await?
            .expect("catching up without a limit reaches the head"),
    };
    for entry in &writes.ledger {
        writes.tree.extend(tree::append(&mut frontier, entry));
    }
    writes.checkpoints.extend(checkpoint.cloned());
    batch.write(&writes).await?;
    batch.commit().await?;
    *cached = Some(frontier);
    Ok(outcomes)
}
