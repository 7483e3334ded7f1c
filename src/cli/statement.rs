//! `xinyi statement`: a merchant's daily settlement statement, the same
//! bytes the API answers, to stdout or a file.

use super::report::Format;
use super::{CliFailure, DatabaseArgs};
use crate::statements::{StatementError, parse_day, repr_digest, statement, to_csv, to_json};
use crate::storage;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use time::OffsetDateTime;

#[derive(Args)]
pub struct StatementArgs {
    /// The merchant's id (mer_…).
    #[arg(long)]
    merchant: String,
    /// The China Standard Time day, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Write here instead of to standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

fn usage(message: String) -> CliFailure {
    CliFailure { message, exit_code: 2 }
}

pub async fn run(args: StatementArgs) -> Result<(), CliFailure> {
    let day = parse_day(&args.date).map_err(|e| usage(format!("--date: {e}")))?;
    let store = storage::connect(&args.database.database_url).await?;
    if store.merchant(&args.merchant).await?.is_none() {
        return Err(usage(format!("--merchant: 没有这个商户 / no merchant {}", args.merchant)));
    }
    let statement = statement(&store, &args.merchant, day, OffsetDateTime::now_utc()).await.map_err(|e| match e {
        StatementError::NotYetBegun => usage("--date: 这一天还没有开始 / that day has not begun yet".into()),
        StatementError::Store(e) => e.into(),
    })?;
    let body = match args.format {
        Format::Csv => to_csv(&statement),
        Format::Json => to_json(&statement),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &body)?;
            // The digest on stderr, to compare with the API's Repr-Digest.
            eprintln!("{} {}", path.display(), repr_digest(&body));
        }
        None => std::io::stdout().write_all(&body)?,
    }
    Ok(())
}
