//! `xinyi import …`: city-sized CSV files streamed in batches, each bad row
//! named by its line, safe to run again.

mod csv_batches;
mod list_entries;
mod score_events;

use super::{CliFailure, DatabaseArgs};
use crate::storage;
use clap::Subcommand;
use std::path::PathBuf;

pub use list_entries::import_list_entries;
pub use score_events::import_score_events;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import score events from CSV with the header event_id,citizen_id,delta,reason,source,occurred_at.
    /// Safe to run again: events already imported are skipped. Bad rows are named and skipped.
    ScoreEvents {
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Import red- and black-list entries from CSV with the header
    /// citizen_id,list,reason,source,starts_at,ends_at and optionally entry_id.
    /// Safe to run again. A batch with a bad row is not written; the others are.
    ListEntries {
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: u64,
    pub already_present: u64,
    pub bad_rows: Vec<(u64, String)>,
    /// Good rows not written because their batch had a bad row.
    pub held_back: u64,
}

pub async fn run(command: ImportCommand) -> Result<(), CliFailure> {
    let report = |line: u64, reason: &str| eprintln!("line {line}: {reason}");
    let summary = match command {
        ImportCommand::ScoreEvents { file, database } => {
            import_score_events(&storage::connect(&database.database_url).await?, &file, report).await?
        }
        ImportCommand::ListEntries { file, database } => {
            import_list_entries(&storage::connect(&database.database_url).await?, &file, report).await?
        }
    };
    eprintln!(
        "{} imported, {} already present, {} bad rows{}",
        summary.imported,
        summary.already_present,
        summary.bad_rows.len(),
        if summary.held_back > 0 {
            format!(", {} good rows held back with them", summary.held_back)
        } else {
            String::new()
        }
    );
    if summary.bad_rows.is_empty() {
        return Ok(());
    }
    let kept = if summary.held_back > 0 { "their batches were not written" } else { "every good row was kept" };
    Err(CliFailure { message: format!("{} bad rows (listed above); {kept}", summary.bad_rows.len()), exit_code: 1 })
}
