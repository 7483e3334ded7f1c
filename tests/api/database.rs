//! Each test's own database: a SQLite file in its temporary directory, or,
//! when `XINYI_TEST_POSTGRES` names a server (e.g.
//! `postgres://postgres@127.0.0.1:5432`), a fresh PostgreSQL database that
//! is dropped when the test ends.

use sqlx::Connection;
use std::path::Path;

pub enum TestDatabase {
    Sqlite { url: String, path: std::path::PathBuf },
    Postgres { server: String, name: String, url: String },
}

impl TestDatabase {
    pub async fn create(dir: &Path) -> TestDatabase {
        match std::env::var("XINYI_TEST_POSTGRES") {
            Ok(server) if !server.is_empty() => {
                let server = server.trim_end_matches('/').to_owned();
                let name = xinyi::ids::new_id("xinyi_test");
                let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                    .await
                    .expect("the PostgreSQL server is reachable");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
                let url = format!("{server}/{name}");
                TestDatabase::Postgres { server, name, url }
            }
            _ => {
                let path = dir.join("xinyi.db");
                TestDatabase::Sqlite { url: format!("sqlite://{}", path.display()), path }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
        }
    }

    /// Runs SQL behind the service's back, as someone with database access would.
    pub async fn execute(&self, statement: &str) -> Result<(), sqlx::Error> {
        let statement = sqlx::AssertSqlSafe(statement.to_owned());
        match self {
            TestDatabase::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url).await?;
                sqlx::query(statement).execute(&mut conn).await.map(|_| ())
            }
            TestDatabase::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                sqlx::query(statement).execute(&mut conn).await.map(|_| ())
            }
        }
    }

    /// Switches off the ledger's append-only triggers, as a tamperer would.
    pub async fn disable_ledger_triggers(&self) {
        let statements: &[&str] = match self {
            TestDatabase::Sqlite { .. } => {
                &["DROP TRIGGER ledger_is_append_only_update", "DROP TRIGGER ledger_is_append_only_delete"]
            }
            TestDatabase::Postgres { .. } => &["ALTER TABLE ledger DISABLE TRIGGER ledger_is_append_only"],
        };
        for statement in statements {
            self.execute(statement).await.unwrap();
        }
    }

    /// Replaces the whole stored ledger tree, as a forger who rewrote an
    /// entry would, switching off its append-only trigger first.
    pub async fn replace_ledger_tree(&self, hashes: &[(u64, [u8; 32])]) {
        type Literal = fn(&[u8; 32]) -> String;
        let (drop, literal): (&[&str], Literal) = match self {
            TestDatabase::Sqlite { .. } => (
                &["DROP TRIGGER ledger_tree_is_append_only_update", "DROP TRIGGER ledger_tree_is_append_only_delete"],
                |h| format!("x'{}'", hex::encode(h)),
            ),
            TestDatabase::Postgres { .. } => {
                (&["ALTER TABLE ledger_tree DISABLE TRIGGER ledger_tree_is_append_only"], |h| {
                    format!("'\\x{}'::bytea", hex::encode(h))
                })
            }
        };
        for statement in drop {
            self.execute(statement).await.unwrap();
        }
        self.execute("DELETE FROM ledger_tree").await.unwrap();
        let rows: Vec<String> = hashes.iter().map(|(i, h)| format!("({i}, {})", literal(h))).collect();
        self.execute(&format!("INSERT INTO ledger_tree (idx, hash) VALUES {}", rows.join(", "))).await.unwrap();
    }

    /// Replaces every stored checkpoint with one, as a forger would.
    pub async fn replace_ledger_checkpoints(&self, size: u64, root: &[u8; 32], note: &str) {
        let (drop, root): (&str, String) = match self {
            TestDatabase::Sqlite { .. } => {
                ("DROP TRIGGER ledger_checkpoints_are_append_only_delete", format!("x'{}'", hex::encode(root)))
            }
            TestDatabase::Postgres { .. } => (
                "ALTER TABLE ledger_checkpoints DISABLE TRIGGER ledger_checkpoints_are_append_only",
                format!("'\\x{}'::bytea", hex::encode(root)),
            ),
        };
        self.execute(drop).await.unwrap();
        self.execute("DELETE FROM ledger_checkpoints").await.unwrap();
        let note = note.replace('\'', "''");
        let insert = format!(
            "INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES ({size}, {root}, '{note}', 0)"
        );
        self.execute(&insert).await.unwrap();
    }

    /// Makes every ledger append fail, as a full disk or a broken database
    /// would; `restore_ledger_appends` undoes it.
    pub async fn break_ledger_appends(&self) {
        let statements: &[&str] = match self {
            TestDatabase::Sqlite { .. } => &["CREATE TRIGGER ledger_is_broken BEFORE INSERT ON ledger \
                 BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END"],
            TestDatabase::Postgres { .. } => &[
                "CREATE FUNCTION ledger_is_broken() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'the disk is on fire'; END $$",
                "CREATE TRIGGER ledger_is_broken BEFORE INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_is_broken()",
            ],
        };
        for statement in statements {
            self.execute(statement).await.unwrap();
        }
    }

    pub async fn restore_ledger_appends(&self) {
        let statement = match self {
            TestDatabase::Sqlite { .. } => "DROP TRIGGER ledger_is_broken",
            TestDatabase::Postgres { .. } => "DROP TRIGGER ledger_is_broken ON ledger",
        };
        self.execute(statement).await.unwrap();
    }

    /// Everything stored, as bytes to compare: the SQLite files, or every
    /// PostgreSQL table's rows.
    pub async fn snapshot(&self) -> Vec<u8> {
        match self {
            TestDatabase::Sqlite { url, path } => {
                // The engine checkpoints in the background, which moves pages
                // from the log into the file without any new write: move them
                // all first, so two snapshots differ only when data did.
                // A checkpoint running elsewhere makes this one report busy:
                // try again until the whole log is in the file.
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::raw_sql("PRAGMA busy_timeout = 5000").execute(&mut conn).await.unwrap();
                for _ in 0..200 {
                    let (busy, _, _): (i64, i64, i64) =
                        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&mut conn).await.unwrap();
                    if busy == 0 {
                        drop(conn);
                        return std::fs::read(path).unwrap();
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                panic!("the write-ahead log could not be checkpointed for a snapshot")
            }
            TestDatabase::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let tables: Vec<String> =
                    sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                let mut bytes = Vec::new();
                for table in tables {
                    let rows: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT string_agg(t::text, '|' ORDER BY t::text) FROM {table} t"
                    )))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                    bytes.extend(table.into_bytes());
                    bytes.extend(rows.unwrap_or_default().into_bytes());
                }
                bytes
            }
        }
    }

    /// Runs this backend's migrations up to and including `version`, as a
    /// database made by an older xinyi would have them.
    pub async fn migrate_to(&self, version: i64) {
        let dir = |d: &str| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).join(d);
        match self {
            TestDatabase::Sqlite { url, .. } => {
                let migrator = sqlx::migrate::Migrator::new(dir("sqlite")).await.unwrap();
                let mut conn = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc")).await.unwrap();
                migrator.run_to(version, &mut conn).await.unwrap();
            }
            TestDatabase::Postgres { url, .. } => {
                let migrator = sqlx::migrate::Migrator::new(dir("postgres")).await.unwrap();
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                migrator.run_to(version, &mut conn).await.unwrap();
            }
        }
    }

    /// The SQLite file, when there is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            TestDatabase::Sqlite { path, .. } => Some(path),
            TestDatabase::Postgres { .. } => None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { server, name, .. } = self {
            let (server, name) = (server.clone(), name.clone());
            // Drop runs inside the test's runtime; the clean-up gets its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&format!("{server}/postgres")).await {
                        let _ =
                            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(&mut admin)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Another process's connection holding the one writer lock (SQLite's
/// write lock, or the engine's advisory lock on PostgreSQL) until dropped.
#[allow(dead_code)] // held only to be dropped
pub enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

pub async fn hold_the_write_lock(url: &str) -> WriteLock {
    if url.starts_with("sqlite") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
        WriteLock::Sqlite(conn)
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql("SELECT pg_advisory_lock(7418265)").execute(&mut conn).await.unwrap();
        WriteLock::Postgres(conn)
    }
}
