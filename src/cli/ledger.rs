//! `xinyi ledger verify`: walks the hash chain and names the first entry
//! that was changed, removed or reordered, then checks the Merkle tree and
//! the newest checkpoint (`ledger_tree_check`). `xinyi ledger audit`
//! checks the service from outside (`ledger_audit`).

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
    /// Audit the service from outside: the newest checkpoint's signature,
    /// its consistency with the one this audit verified last, and with an
    /// auditor's token every entry re-hashed. Exits 1 with both checkpoints
    /// as evidence when the history was rewritten, 2 when it cannot check.
    Audit {
        /// The service's base URL.
        #[arg(long)]
        url: String,
        /// The file that keeps the last verified checkpoint and the pinned log key.
        #[arg(long)]
        state: std::path::PathBuf,
        /// An auditor's (or coordinator's) token: re-hash every entry too.
        #[arg(long, env = "XINYI_AUDIT_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// The log key to pin, rather than trusting the first one served.
        #[arg(long)]
        log_key: Option<String>,
    },
}

pub async fn run(command: LedgerCommand) -> Result<(), CliFailure> {
    let database = match command {
        LedgerCommand::Verify { database } => database,
        LedgerCommand::Audit { url, state, token, log_key } => {
            return super::ledger_audit::run(super::ledger_audit::AuditArgs { url, state, token, log_key }).await;
        }
    };
    let store = storage::connect(&database.database_url).await?;
    let mut walker = ChainWalker::default();
    let (mut tree, note) = TreeCheck::new(&store).await?;
    let mut after = 0;
    loop {
        let page = store.ledger_entries(after, PAGE, storage::Source::Primary).await?;
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
