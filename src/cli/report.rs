//! `xinyi report reductions`: the same report as the API, on the command line.

use super::{CliFailure, DatabaseArgs};
use crate::domain::reports::GroupBy;
use crate::reporting::{ReportPeriod, check_scope, reduction_report, to_csv};
use crate::storage;
use clap::{Subcommand, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Fee reductions over a period, grouped; figures reconcile with the ledger to the fen.
    Reductions {
        /// First day (YYYY-MM-DD, China Standard Time); the programme's start when absent.
        #[arg(long)]
        from: Option<String>,
        /// Last day, included; today when absent.
        #[arg(long)]
        to: Option<String>,
        /// merchant, category, district, level, offer, day, month or terminal.
        #[arg(long, default_value = "merchant")]
        group_by: GroupBy,
        /// Only this merchant's redemptions; required with --group-by terminal.
        #[arg(long)]
        merchant: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: ReportCommand) -> Result<(), CliFailure> {
    let ReportCommand::Reductions { from, to, group_by, merchant, format, database } = command;
    let period = ReportPeriod::parse(from.as_deref(), to.as_deref())
        .map_err(|(field, message)| CliFailure { message: format!("--{field}: {message}"), exit_code: 2 })?;
    check_scope(group_by, merchant.as_deref())
        .map_err(|message| CliFailure { message: format!("--merchant: {message}"), exit_code: 2 })?;
    let store = storage::connect(&database.database_url).await?;
    let report = reduction_report(&store, period, group_by, merchant.as_deref()).await?;
    match format {
        Format::Csv => print!("{}", to_csv(&report)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report).expect("a report serialises")),
    }
    Ok(())
}
