//! `xinyi import list-entries FILE.csv`: the departments' red and black
//! lists. A batch with a bad row is not written at all (a listing is
//! all-or-nothing for whoever sent it); every bad row is named.

use super::ImportSummary;
use super::csv_batches::{BATCH, CsvBatches, Row};
use crate::cli::CliFailure;
use crate::domain::lists::NewListEntry;
use crate::storage::{EntryOutcome, SharedStore};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const HEADER: [&str; 6] = ["citizen_id", "list", "reason", "source", "starts_at", "ends_at"];

fn time_or_none(row: &Row<'_>, column: &str) -> Result<Option<OffsetDateTime>, String> {
    let text = row.get(column).trim();
    if text.is_empty() {
        return Ok(None);
    }
    OffsetDateTime::parse(text, &Rfc3339).map(Some).map_err(|_| format!("{column}: {text:?} is not an RFC 3339 time"))
}

/// Without an `entry_id`, one made from the row's content: importing the
/// same file again adds nothing.
fn entry_id(row: &Row<'_>) -> String {
    let given = row.get("entry_id").trim();
    if !given.is_empty() {
        return given.to_owned();
    }
    let mut hash = Sha256::new();
    for column in HEADER {
        hash.update(row.get(column).trim().as_bytes());
        hash.update([0]);
    }
    format!("imp_{}", &hex::encode(hash.finalize())[..20])
}

fn parse_row(row: &Row<'_>, now: OffsetDateTime) -> Result<NewListEntry, String> {
    let span = (time_or_none(row, "starts_at")?, time_or_none(row, "ends_at")?);
    NewListEntry::parse(
        &entry_id(row),
        row.get("citizen_id"),
        row.get("list"),
        row.get("reason"),
        row.get("source"),
        span,
        now,
    )
    .map_err(|e| e.to_string())
}

/// Imports `file`, reporting each bad row to `on_bad_row(line, reason)`.
pub async fn import_list_entries(
    store: &SharedStore,
    file: &std::path::Path,
    mut on_bad_row: impl FnMut(u64, &str),
) -> Result<ImportSummary, CliFailure> {
    let mut batches = CsvBatches::open(file, &HEADER, &["entry_id"])?;
    let mut summary = ImportSummary::default();
    let now = OffsetDateTime::now_utc();
    while let Some(batch) = batches.next_batch(BATCH, |row| parse_row(row, now)) {
        if !batch.bad.is_empty() {
            summary.held_back += batch.rows.len() as u64;
            for (line, reason) in batch.bad {
                on_bad_row(line, &reason);
                summary.bad_rows.push((line, reason));
            }
            continue;
        }
        let entries: Vec<NewListEntry> = batch.rows.iter().map(|(_, e)| e.clone()).collect();
        let outcomes = if entries.is_empty() { Vec::new() } else { store.record_list_entries(&entries, now).await? };
        for ((line, _), outcome) in batch.rows.into_iter().zip(outcomes) {
            match outcome {
                EntryOutcome::Recorded => summary.imported += 1,
                EntryOutcome::AlreadyRecorded => summary.already_present += 1,
                EntryOutcome::Conflict(stored) => {
                    let reason = format!("entry_id: {} was imported before with different content", stored.entry_id);
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
