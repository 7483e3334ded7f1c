//! What an offline terminal must not trust blindly: a key set fetched long
//! ago (a withdrawn key would still verify), and its own clock (codes live
//! minutes, so a clock a minute off accepts expired codes or refuses good
//! ones). EU DCC verifier apps and CoronaCheck apply the same two rules.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How old a key set may be and still verify codes offline, by default.
pub const DEFAULT_KEY_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// How far this device's clock may be from the service's before it warns.
pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(30);

/// This device's clock is off the service's by more than [`CLOCK_TOLERANCE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "本机时钟与服务相差 {} 秒,请校准时间 / This terminal's clock is {} s {}; set it right: codes and offline scans depend on it",
    .offset.whole_seconds().abs(), .offset.whole_seconds().abs(), if .offset.is_positive() { "slow" } else { "fast" }
)]
pub struct ClockWarning {
    /// The service's clock minus this device's: positive when this device is slow.
    pub offset: time::Duration,
}

/// The service's clock minus the local one, from a `Date` header (to the
/// second) read at `local`.
pub fn clock_offset(date_header: &str, local: SystemTime) -> Option<time::Duration> {
    let served = httpdate::parse_http_date(date_header).ok()?;
    let offset = match served.duration_since(local) {
        Ok(ahead) => time::Duration::try_from(ahead).ok()?,
        Err(behind) => -time::Duration::try_from(behind.duration()).ok()?,
    };
    Some(offset)
}

/// The last offset seen in the service's answers.
#[derive(Debug, Default)]
pub(super) struct ClockWatch(Mutex<Option<time::Duration>>);

impl ClockWatch {
    pub(super) fn observe(&self, headers: &reqwest::header::HeaderMap) {
        let Some(offset) = headers.get(reqwest::header::DATE).and_then(|v| v.to_str().ok()) else { return };
        let Some(offset) = clock_offset(offset, SystemTime::now()) else { return };
        let warning = warning_for(offset);
        let mut last = self.0.lock().expect("clock watch");
        if warning.is_some() && last.and_then(warning_for).is_none() {
            tracing::warn!(offset_seconds = offset.whole_seconds(), "this terminal's clock is off the service's");
        }
        *last = Some(offset);
    }

    pub(super) fn warning(&self) -> Option<ClockWarning> {
        self.0.lock().expect("clock watch").and_then(warning_for)
    }
}

fn warning_for(offset: time::Duration) -> Option<ClockWarning> {
    // The header has whole seconds: allow the one lost to truncation.
    (offset.unsigned_abs() > CLOCK_TOLERANCE + Duration::from_secs(1)).then_some(ClockWarning { offset })
}

/// When a key set kept on disk was fetched: when it was written.
pub(super) fn saved_at(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// How old a key set fetched at `fetched_at` is now; a time in the future
/// (a clock set back) counts as fresh.
pub(super) fn age(fetched_at: SystemTime) -> Duration {
    SystemTime::now().duration_since(fetched_at).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_the_service_s_clock_minus_ours() {
        let served = "Sun, 29 Nov 2026 16:00:00 GMT";
        let at = httpdate::parse_http_date(served).unwrap();
        assert_eq!(clock_offset(served, at - Duration::from_secs(90)), Some(time::Duration::seconds(90)));
        assert_eq!(clock_offset(served, at + Duration::from_secs(45)), Some(time::Duration::seconds(-45)));
        assert_eq!(clock_offset("yesterday", at), None);
    }

    #[test]
    fn a_clock_within_thirty_seconds_gives_no_warning() {
        assert_eq!(warning_for(time::Duration::seconds(30)), None);
        assert_eq!(warning_for(time::Duration::seconds(-31)), None, "one second is the header's truncation");
        let warning = warning_for(time::Duration::seconds(-120)).unwrap();
        assert!(warning.to_string().contains("120 s fast"), "{warning}");
    }
}
