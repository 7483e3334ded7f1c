//! The writer task: group commit. It takes every command waiting, up to a
//! batch, without waiting for more, so a lone command on an idle node is
//! written at once and a crowd shares one transaction and one sync.

use super::plan::{self, Planned};
use super::{Command, EngineError, Job, Outcome};
use crate::storage::{BatchReads, SharedStore, StoreError, WriterConnection};
use tokio::sync::mpsc;

pub(super) async fn run(store: SharedStore, mut queue: mpsc::Receiver<Job>, batch: usize) {
    let mut jobs = Vec::with_capacity(batch);
    let mut connection: Option<WriterConnection> = None;
    while queue.recv_many(&mut jobs, batch).await > 0 {
        let (commands, replies): (Vec<Command>, Vec<_>) = jobs.drain(..).map(|j| (j.command, j.reply)).unzip();
        let started = std::time::Instant::now();
        match commit(&store, &mut connection, &commands).await {
            Ok(outcomes) => {
                tracing::debug!(
                    commands = commands.len(),
                    micros = started.elapsed().as_micros() as u64,
                    "batch committed"
                );
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    // A caller that has gone away still had its write made.
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(error) => {
                // The transaction rolled back: nothing of the batch was written,
                // so every caller may safely retry with its Idempotency-Key.
                tracing::error!(%error, commands = commands.len(), "a write batch failed");
                // The connection may be what broke: the next batch opens another.
                connection = None;
                for reply in replies {
                    let _ = reply.send(Err(EngineError::Unavailable));
                }
            }
        }
    }
}

/// Reads what the batch needs, decides it, writes it, commits.
async fn commit(
    store: &SharedStore,
    connection: &mut Option<WriterConnection>,
    commands: &[Command],
) -> Result<Vec<Outcome>, StoreError> {
    if connection.is_none() {
        *connection = Some(store.writer_connection().await?);
    }
    let mut batch = store.write_batch(connection.as_mut().expect("opened above")).await?;
    let wanted = plan::wanted(commands);
    let disputes =
        if wanted.dispute_ids.is_empty() { Default::default() } else { batch.disputes(&wanted.dispute_ids).await? };
    let mut redemption_ids = wanted.redemption_ids.clone();
    redemption_ids.extend(disputes.values().map(|d| d.redemption_id.as_str()));
    let redemptions =
        if redemption_ids.is_empty() { Default::default() } else { batch.redemptions(&redemption_ids).await? };
    let mut reads = BatchReads { disputes: Default::default(), redemptions, ..Default::default() };
    if !wanted.code_ids.is_empty() {
        reads.idempotency = batch.idempotency(&wanted.idempotency).await?;
        reads.used_codes = batch.used_codes(&wanted.code_ids).await?;
        reads.citizens = batch.known_citizens(&wanted.citizens).await?;
        reads.offers = batch.offers(&wanted.offer_ids).await?;
        let usage_keys = plan::usage_keys(commands, &reads.offers);
        if !usage_keys.is_empty() {
            reads.usage = batch.usage(&usage_keys).await?;
        }
    }
    reads.disputes = disputes;
    reads.ledger_head = batch.ledger_head().await?;
    let Planned { outcomes, mut writes, new_citizens } = plan::plan(commands, reads);
    if !new_citizens.is_empty() {
        let keys: Vec<_> = new_citizens.keys().collect();
        let open = batch.open_citizen_parts(&keys).await?;
        writes.citizen_parts = plan::citizen_parts(new_citizens, open);
    }
    batch.write(&writes).await?;
    batch.commit().await?;
    Ok(outcomes)
}
