//! `xinyi ledger verify`: walks the hash chain and names the first entry
//! that was changed, removed or reordered.

use super::ledger_tree_check::TreeCheck;
use super::{CliFailure, DatabaseArgs};
use crate::domain::ledger::ChainWalker;
use crate::storage;
use clap::Subcommand;

const PAGE: u32 = 10_000;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Check every entry's hash and its link to the one before, every stored
    /// tree hash against the entries, and the newest checkpoint's signature
    /// and root. Exits 1 at the first break.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: LedgerCommand) -> Result<(), CliFailure> {
    let LedgerCommand::Verify { database } = command;
    let store = storage::connect(&database.database_url).await?;
    let mut walker = ChainWalker::default();
    let (mut tree, note) = TreeCheck::new(&store).await?;
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
        tree.page(&store, &page).await?;
    }
    walker
        .finish(store.highest_ledger_reference().await?)
        .map_err(|e| CliFailure { message: format!("ledger verification FAILED: {e}"), exit_code: 1 })?;
    let checkpoint = tree.finish(&store, note).await?;
    println!("ledger ok: {} entries, hash chain intact, Merkle tree matches, {checkpoint}", walker.entries);
    Ok(())
}
