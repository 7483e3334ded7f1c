//! `xinyi import score-events FILE.csv`: keeps every good row, and names
//! every bad one.

use super::ImportSummary;
use super::csv_batches::{BATCH, CsvBatches, Row};
use crate::cli::CliFailure;
use crate::domain::score_event::NewScoreEvent;
use crate::storage::{EventOutcome, SharedStore};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const HEADER: [&str; 6] = ["event_id", "citizen_id", "delta", "reason", "source", "occurred_at"];

fn parse_row(row: &Row<'_>, now: OffsetDateTime) -> Result<NewScoreEvent, String> {
    let delta = row
        .get("delta")
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("delta: {:?} is not a whole number", row.get("delta")))?;
    let occurred_at = OffsetDateTime::parse(row.get("occurred_at").trim(), &Rfc3339)
        .map_err(|_| format!("occurred_at: {:?} is not an RFC 3339 time", row.get("occurred_at")))?;
    NewScoreEvent::parse(
        row.get("event_id"),
        row.get("citizen_id"),
        delta,
        row.get("reason"),
        row.get("source"),
        occurred_at,
        now,
    )
    .map_err(|e| e.to_string())
}

/// Imports `file`, reporting each bad row to `on_bad_row(line, reason)`.
pub async fn import_score_events(
    store: &SharedStore,
    file: &std::path::Path,
    mut on_bad_row: impl FnMut(u64, &str),
) -> Result<ImportSummary, CliFailure> {
    let mut batches = CsvBatches::open(file, &HEADER, &[])?;
    let mut summary = ImportSummary::default();
    let now = OffsetDateTime::now_utc();
    while let Some(batch) = batches.next_batch(BATCH, |row| parse_row(row, now)) {
        for (line, reason) in batch.bad {
            on_bad_row(line, &reason);
            summary.bad_rows.push((line, reason));
        }
        let events: Vec<NewScoreEvent> = batch.rows.iter().map(|(_, e)| e.clone()).collect();
        let outcomes = if events.is_empty() { Vec::new() } else { store.record_score_events(&events, now).await? };
        for ((line, _), outcome) in batch.rows.into_iter().zip(outcomes) {
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
        batches.show_progress(summary.imported + summary.already_present);
    }
    batches.finish();
    Ok(summary)
}
