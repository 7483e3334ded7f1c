//! `xinyi import score-events FILE.csv`: streams a city-sized file in
//! batches, keeps every good row, and names every bad one.

use super::{CliFailure, DatabaseArgs};
use crate::domain::score_event::{FieldError, NewScoreEvent};
use crate::storage::{self, EventOutcome, SharedStore};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const HEADER: [&str; 6] = ["event_id", "citizen_id", "delta", "reason", "source", "occurred_at"];
/// Rows per transaction: large enough to amortise the commit, small enough
/// that memory stays flat however long the file is.
const BATCH: usize = 2_000;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import score events from CSV with the header event_id,citizen_id,delta,reason,source,occurred_at.
    /// Safe to run again: events already imported are skipped.
    ScoreEvents {
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
}

pub async fn run(command: ImportCommand) -> Result<(), CliFailure> {
    let ImportCommand::ScoreEvents { file, database } = command;
    let store = storage::connect(&database.database_url).await?;
    let summary = import_score_events(&store, &file, |line, reason| eprintln!("line {line}: {reason}")).await?;
    eprintln!(
        "{} imported, {} already present, {} bad rows",
        summary.imported,
        summary.already_present,
        summary.bad_rows.len()
    );
    if summary.bad_rows.is_empty() {
        Ok(())
    } else {
        Err(CliFailure {
            message: format!(
                "{} bad rows were skipped (listed above); every good row was kept",
                summary.bad_rows.len()
            ),
            exit_code: 1,
        })
    }
}

fn parse_row(record: &csv::StringRecord, now: OffsetDateTime) -> Result<NewScoreEvent, FieldError> {
    if record.len() != HEADER.len() {
        return Err(FieldError { field: "row", message: format!("has {} fields, expected 6", record.len()) });
    }
    let delta = record[2]
        .trim()
        .parse::<i64>()
        .map_err(|_| FieldError { field: "delta", message: format!("{:?} is not a whole number", &record[2]) })?;
    let occurred_at = OffsetDateTime::parse(record[5].trim(), &Rfc3339).map_err(|_| FieldError {
        field: "occurred_at",
        message: format!("{:?} is not an RFC 3339 time", &record[5]),
    })?;
    NewScoreEvent::parse(&record[0], &record[1], delta, &record[3], &record[4], occurred_at, now)
}

/// Imports `file`, reporting each bad row to `on_bad_row(line, reason)`.
pub async fn import_score_events(
    store: &SharedStore,
    file: &std::path::Path,
    mut on_bad_row: impl FnMut(u64, &str),
) -> Result<ImportSummary, CliFailure> {
    let size = std::fs::metadata(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?.len();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let header = reader.headers().map_err(|e| format!("cannot read the header: {e}"))?.clone();
    if header.iter().map(str::trim).ne(HEADER) {
        return Err(CliFailure { message: format!("the header must be {}", HEADER.join(",")), exit_code: 2 });
    }
    let progress = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}")
            .expect("a valid progress template"),
    );
    let mut summary = ImportSummary::default();
    let mut batch: Vec<(u64, NewScoreEvent)> = Vec::with_capacity(BATCH);
    let mut record = csv::StringRecord::new();
    let now = OffsetDateTime::now_utc();
    loop {
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                on_bad_row(line, &format!("unreadable: {e}"));
                summary.bad_rows.push((line, e.to_string()));
                continue;
            }
        };
        if more {
            let line = record.position().map_or(0, |p| p.line());
            match parse_row(&record, now) {
                Ok(event) => batch.push((line, event)),
                Err(e) => {
                    on_bad_row(line, &e.to_string());
                    summary.bad_rows.push((line, e.to_string()));
                }
            }
        }
        if batch.len() >= BATCH || (!more && !batch.is_empty()) {
            let events: Vec<NewScoreEvent> = batch.iter().map(|(_, e)| e.clone()).collect();
            let outcomes = store.record_score_events(&events, now).await?;
            for ((line, _), outcome) in batch.drain(..).zip(outcomes) {
                match outcome {
                    EventOutcome::Recorded => summary.imported += 1,
                    EventOutcome::AlreadyRecorded => summary.already_present += 1,
                    EventOutcome::Conflict(stored) => {
                        let reason = format!(
                            "event_id: {} was imported before with different content (citizen {}, delta {})",
                            stored.event_id, stored.citizen_id, stored.delta
                        );
                        on_bad_row(line, &reason);
                        summary.bad_rows.push((line, reason));
                    }
                }
            }
            progress.set_position(reader.position().byte());
            progress.set_message(format!("{} rows", summary.imported + summary.already_present));
        }
        if !more {
            break;
        }
    }
    progress.finish_and_clear();
    Ok(summary)
}
