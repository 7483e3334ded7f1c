//! Which database failures mean "not now" rather than "wrong": the server
//! went away, restarts, is a standby being promoted, or is too busy to take
//! a connection. Over HTTP these are 503 with `Retry-After`, so a till
//! retries under the same Idempotency-Key; anything else stays a 500.

use super::StoreError;

/// SQLSTATEs of a server that cannot serve this session now (PostgreSQL
/// appendix A): connection exceptions (class 08), an administrator's or a
/// crash's shutdown, a server still starting, a read-only standby (a
/// balancer's stale route during failover, or a demoted primary), and a
/// full connection table.
const UNAVAILABLE_STATES: [&str; 5] = ["57P01", "57P02", "57P03", "25006", "53300"];

/// SQLite's "database is locked" (SQLITE_BUSY and its extended codes) after
/// the busy timeout: another process holds the write lock for too long.
const SQLITE_BUSY: [&str; 3] = ["5", "261", "517"];

impl StoreError {
    /// True when the same request may succeed once the database is back.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(error) => unavailable(error),
            StoreError::Shared { unavailable, .. } => *unavailable,
            _ => false,
        }
    }
}

fn unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        // A connection cut mid-message (a server killed under it) reads as
        // a protocol error; a fresh connection does not repeat it.
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            code.starts_with("08") || UNAVAILABLE_STATES.contains(&&*code) || SQLITE_BUSY.contains(&&*code)
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_connection_is_unavailable_and_a_bad_row_is_not() {
        let lost = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(StoreError::Database(sqlx::Error::Io(lost)).is_unavailable());
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::Corrupt("seq".into()).is_unavailable());
        assert!(StoreError::Shared { message: "gone".into(), unavailable: true }.is_unavailable());
    }
}
