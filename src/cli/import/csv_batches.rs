//! Reading a city-sized CSV file in batches: the header checked by name,
//! each row parsed or named by its line, the file's progress on a bar.
//! Memory stays flat however long the file is.

use super::super::CliFailure;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::path::Path;

/// Rows per transaction: large enough to amortise the commit, small enough
/// that memory stays flat.
pub const BATCH: usize = 2_000;

/// A row, with the columns found by name.
pub struct Row<'r> {
    record: &'r csv::StringRecord,
    columns: &'r HashMap<String, usize>,
}

impl Row<'_> {
    /// The named column's text; empty when the column is optional and absent.
    pub fn get(&self, name: &str) -> &str {
        self.columns.get(name).and_then(|&i| self.record.get(i)).unwrap_or("")
    }
}

/// One batch: the rows that parsed, and the lines that did not, with why.
pub struct Batch<T> {
    pub rows: Vec<(u64, T)>,
    pub bad: Vec<(u64, String)>,
}

pub struct CsvBatches {
    reader: csv::Reader<std::fs::File>,
    columns: HashMap<String, usize>,
    width: usize,
    record: csv::StringRecord,
    progress: ProgressBar,
    done: bool,
}

impl CsvBatches {
    /// Opens `file`, whose header must have every `required` column and may
    /// have the `optional` ones, in any order.
    pub fn open(file: &Path, required: &[&str], optional: &[&str]) -> Result<CsvBatches, CliFailure> {
        let size = std::fs::metadata(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?.len();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let header = reader.headers().map_err(|e| format!("cannot read the header: {e}"))?.clone();
        let columns: HashMap<String, usize> =
            header.iter().enumerate().map(|(i, h)| (h.trim().to_owned(), i)).collect();
        let known = |name: &str| required.contains(&name) || optional.contains(&name);
        if required.iter().any(|c| !columns.contains_key(*c))
            || columns.keys().any(|c| !known(c))
            || columns.len() != header.len()
        {
            let mut expected = required.join(",");
            if !optional.is_empty() {
                expected += &format!(" (and optionally {})", optional.join(","));
            }
            return Err(CliFailure { message: format!("the header must be {expected}"), exit_code: 2 });
        }
        let progress = ProgressBar::new(size).with_style(
            ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}")
                .expect("a valid progress template"),
        );
        Ok(CsvBatches { reader, width: header.len(), columns, record: csv::StringRecord::new(), progress, done: false })
    }

    /// The next batch of at most `size` rows, or none at the end.
    pub fn next_batch<T>(
        &mut self,
        size: usize,
        mut parse: impl FnMut(&Row<'_>) -> Result<T, String>,
    ) -> Option<Batch<T>> {
        if self.done {
            return None;
        }
        let mut batch = Batch { rows: Vec::with_capacity(size), bad: Vec::new() };
        while batch.rows.len() < size {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Ok(true) => {
                    let line = self.record.position().map_or(0, |p| p.line());
                    if self.record.len() != self.width {
                        let why = format!("row: has {} fields, expected {}", self.record.len(), self.width);
                        batch.bad.push((line, why));
                        continue;
                    }
                    match parse(&Row { record: &self.record, columns: &self.columns }) {
                        Ok(row) => batch.rows.push((line, row)),
                        Err(why) => batch.bad.push((line, why)),
                    }
                }
                Err(e) => batch.bad.push((e.position().map_or(0, |p| p.line()), format!("unreadable: {e}"))),
            }
        }
        Some(batch)
    }

    /// Shows how far the file has been read, and how many rows are done.
    pub fn show_progress(&self, rows: u64) {
        self.progress.set_position(self.reader.position().byte());
        self.progress.set_message(format!("{rows} rows"));
    }

    pub fn finish(&self) {
        self.progress.finish_and_clear();
    }
}
