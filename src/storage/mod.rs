//! Storage, written once for SQLite (the embedded default) and PostgreSQL
//! (many nodes) through sqlx's `Any` driver. The backend is chosen by the
//! scheme of `XINYI_DATABASE_URL`; the few dialect differences live in
//! [`dialect`]. Storage offers primitives; the rules and the order of the
//! steps live above it, in `domain` and `engine`.

mod availability;
mod batch;
mod batch_reads;
mod batch_writes;
mod categories;
mod citizens;
mod code_sheets;
mod declarations;
pub mod dialect;
mod disputes;
mod idempotent;
mod keys;
mod ledger_log;
mod ledger_tree;
mod lists;
mod merchants;
mod principals;
mod proxies;
mod proxy_list;
mod records;
mod repairs;
mod reports;
mod rows;
mod statements;

use dialect::Dialect;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

pub use batch::{
    BatchKeys, BatchReads, BatchWrites, DisputeResolution, NewRedemption, NewVoid, RollupDelta, RollupKey,
    StoredRedemption, UsageKey, WriteBatch, WriterConnection,
};
pub use citizens::{Citizen, EventOutcome};
pub use code_sheets::{CodeSheet, NewCodeSheet, SheetOutcome};
pub use declarations::{Declaration, DeclarationDecision, NewDeclaration};
pub use idempotent::WriteOutcome;
pub use keys::StoredSigningKey;
pub use ledger_log::{StoredCheckpoint, StoredLogKey};
pub use lists::EntryOutcome;
pub use principals::Revocation;
pub use proxies::{AcceptOutcome, InvitationOutcome, ProxyGrant};
pub use proxy_list::{GivenGrant, PROXY_CODES_LISTED, ProxyCode, ProxyOverview, ProxyRedemption};
pub use records::*;
pub use repairs::{NewRepair, Repair, RepairDecision, RepairRef};
pub use statements::StatementRow;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("XINYI_READ_DATABASE_URL must name a PostgreSQL standby of XINYI_DATABASE_URL's PostgreSQL, not {0}")]
    ReadUrl(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A failure another caller met first, on a read both waited for;
    /// whether it was [`StoreError::is_unavailable`] survives the sharing.
    #[error("{message}")]
    Shared { message: String, unavailable: bool },
}

/// The database, whichever it is. Handlers and the engine never know which.
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    /// `XINYI_READ_DATABASE_URL`'s pool, for [`Source::Replica`] reads.
    replica: Option<AnyPool>,
}

/// Where a read goes. Reports, listings, statements of settled days and the
/// directory may read from a replica (`XINYI_READ_DATABASE_URL`, a
/// PostgreSQL standby); the write path, every exactly-once check and every
/// read that decides a write read the primary. Without a replica both are
/// the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Primary,
    Replica,
}

pub type SharedStore = Arc<Store>;

/// Every SQLite connection: WAL so readers never wait for the writer, a
/// full sync on commit because an answer promises a durable write (group
/// commit pays one sync per batch), and writers that queue on the write
/// lock instead of failing.
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -16384;";

/// Opens the store named by `url`'s scheme (`sqlite:` or `postgres:`)
/// and runs its migrations.
pub async fn connect(url: &str) -> Result<SharedStore, StoreError> {
    connect_with_replica(url, None).await
}

/// [`connect`], with reads of [`Source::Replica`] sent to `replica_url` (a
/// PostgreSQL standby). Its pool connects lazily: a node starts while the
/// replica is away, and those reads answer 503 until it is back.
pub async fn connect_with_replica(url: &str, replica_url: Option<&str>) -> Result<SharedStore, StoreError> {
    let dialect = Dialect::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
    sqlx::any::install_default_drivers();
    let pool = match dialect {
        Dialect::Sqlite => {
            AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(SQLITE_SETUP).await?;
                        Ok(())
                    })
                })
                .connect(&sqlite_url_creating_the_file(url))
                .await?
        }
        Dialect::Postgres => {
            AnyPoolOptions::new().max_connections(16).acquire_timeout(ACQUIRE_TIMEOUT).connect(url).await?
        }
    };
    let replica = match replica_url {
        None => None,
        Some(read) if dialect == Dialect::Postgres && Dialect::of_url(read) == Some(Dialect::Postgres) => {
            Some(AnyPoolOptions::new().max_connections(16).acquire_timeout(ACQUIRE_TIMEOUT).connect_lazy(read)?)
        }
        Some(read) => return Err(StoreError::ReadUrl(read.to_owned())),
    };
    let store = Store { pool, dialect, replica };
    store.migrate().await?;
    Ok(Arc::new(store))
}

/// How long a request waits for a PostgreSQL connection, the pool's retries
/// of a refused one included, before it is answered 503: a till should
/// hear "retry" in seconds, not wait out a restart.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// `sqlite://PATH` creates the file if it is missing, unless the URL says
/// otherwise with its own `mode=`.
fn sqlite_url_creating_the_file(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Store {
    /// The pool's connections: open, and of those idle.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// The pool that `source` reads from.
    fn pool_for(&self, source: Source) -> &AnyPool {
        match (source, &self.replica) {
            (Source::Replica, Some(replica)) => replica,
            _ => &self.pool,
        }
    }

    /// Whether reads of [`Source::Replica`] go to a replica.
    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// What a read of `source` is at least as fresh as: now on the primary;
    /// on a standby, the commit time of the last transaction it replayed.
    /// None when a standby has replayed nothing since it started.
    pub async fn read_as_of(&self, source: Source) -> Result<Option<OffsetDateTime>, StoreError> {
        let Some(replica) = self.replica.as_ref().filter(|_| source == Source::Replica) else {
            return Ok(Some(OffsetDateTime::now_utc()));
        };
        let (micros,): (Option<i64>,) = sqlx::query_as(dialect::REPLAYED_AS_OF).fetch_one(replica).await?;
        micros
            .map(|m| {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(m) * 1000)
                    .map_err(|_| StoreError::Corrupt(format!("replay time {m}")))
            })
            .transpose()
    }

    /// Whether the database takes writes now: reachable, and not a standby.
    pub async fn writable(&self) -> Result<bool, StoreError> {
        let (one,): (i64,) = sqlx::query_as(self.dialect.writable_probe()).fetch_one(&self.pool).await?;
        Ok(one == 1)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.dialect {
            Dialect::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Dialect::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// A transaction that holds the one writer lock (SQLite's write lock,
    /// PostgreSQL's advisory lock), so checks and writes never interleave
    /// with another writer's, on this node or any other.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Any>, StoreError> {
        Ok(self.pool.begin_with(self.dialect.begin_write()).await?)
    }
}

/// A list as one JSON text parameter, for [`Dialect::json_rows`] and
/// [`Dialect::json_texts`].
pub(crate) fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("plain values serialise")
}

pub(crate) fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

/// A stored time; a value no calendar can hold is corrupt data, not a default.
pub(crate) fn from_unix(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| StoreError::Corrupt(format!("time {seconds}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_creates_its_file_unless_it_says_otherwise() {
        assert_eq!(sqlite_url_creating_the_file("sqlite://x.db"), "sqlite://x.db?mode=rwc");
        assert_eq!(sqlite_url_creating_the_file("sqlite://x.db?cache=shared"), "sqlite://x.db?cache=shared&mode=rwc");
        assert_eq!(sqlite_url_creating_the_file("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
    }
}
