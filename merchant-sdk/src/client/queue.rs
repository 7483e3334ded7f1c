//! The terminal's durable queue of redemptions taken while the service
//! could not be reached: one JSON line each, flushed to disk before the
//! cashier is told "accepted offline", so a crash loses nothing.

use crate::api::RedemptionRequest;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use time::OffsetDateTime;

/// A redemption waiting to be submitted, with the Idempotency-Key it will
/// always be submitted under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedRedemption {
    pub idempotency_key: String,
    pub request: RedemptionRequest,
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    /// The level the terminal verified offline, to show the cashier.
    pub level: u8,
    /// The discount previewed offline, if the terminal knew the offer.
    pub previewed_discount_fen: Option<i64>,
}

pub struct OfflineQueue {
    path: PathBuf,
    lock: Mutex<()>,
}

impl OfflineQueue {
    pub fn new(path: impl Into<PathBuf>) -> OfflineQueue {
        OfflineQueue { path: path.into(), lock: Mutex::new(()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one redemption and waits until it is on disk.
    pub fn append(&self, item: &QueuedRedemption) -> std::io::Result<()> {
        let _guard = self.lock.lock().expect("queue lock");
        let mut line = serde_json::to_vec(item).expect("a queued redemption serialises");
        line.push(b'\n');
        let mut file = OpenOptions::new().create(true).append(true).open(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Everything queued, oldest first. A line torn by a crash mid-write is
    /// skipped: it was never acknowledged to the cashier.
    pub fn load(&self) -> std::io::Result<Vec<QueuedRedemption>> {
        let _guard = self.lock.lock().expect("queue lock");
        self.load_unlocked()
    }

    fn load_unlocked(&self) -> std::io::Result<Vec<QueuedRedemption>> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut items = Vec::new();
        for line in BufReader::new(file).lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str(&line) {
                Ok(item) => items.push(item),
                Err(e) => tracing::warn!(error = %e, "skipping an unreadable line in the offline queue"),
            }
        }
        Ok(items)
    }

    /// Drops the items whose idempotency keys are in `done`, atomically
    /// (write aside, flush, rename), so a crash leaves the old queue or the
    /// new; anything appended meanwhile is kept.
    pub fn remove(&self, done: &[String]) -> std::io::Result<()> {
        let _guard = self.lock.lock().expect("queue lock");
        let remaining: Vec<QueuedRedemption> =
            self.load_unlocked()?.into_iter().filter(|item| !done.contains(&item.idempotency_key)).collect();
        let aside = self.path.with_extension("rewrite");
        {
            let mut file = File::create(&aside)?;
            for item in &remaining {
                let mut line = serde_json::to_vec(item).expect("a queued redemption serialises");
                line.push(b'\n');
                file.write_all(&line)?;
            }
            file.sync_all()?;
        }
        std::fs::rename(&aside, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}
