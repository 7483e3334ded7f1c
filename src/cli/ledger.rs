//! `xinyi ledger verify`: walks the hash chain and names the first entry
//! that was changed, removed or reordered.

use super::{CliFailure, DatabaseArgs};
use crate::domain::ledger::ChainWalker;
use crate::storage;
use clap::Subcommand;

const PAGE: u32 = 10_000;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Check every entry's hash and its link to the one before. Exits 1 at the first break.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: LedgerCommand) -> Result<(), CliFailure> {
    let LedgerCommand::Verify { database } = command;
    let store = storage::connect(&database.database_url).await?;
    let mut walker = ChainWalker::default();
    let mut after = 0;
    loop {
        let page = store.ledger_entries(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            walker
                .check(entry)
                .map_err(|e| CliFailure { message: format!("ledger verification FAILED: {e}"), exit_code: 1 })?;
        }
    }
    walker
        .finish(store.highest_ledger_reference().await?)
        .map_err(|e| CliFailure { message: format!("ledger verification FAILED: {e}"), exit_code: 1 })?;
    println!("ledger ok: {} entries, hash chain intact", walker.entries);
    Ok(())
}
