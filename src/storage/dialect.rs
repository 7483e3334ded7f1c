//! The few places where SQLite and PostgreSQL speak differently. Every
//! other statement in `storage/` is written once, with `$n` placeholders,
//! which both accept.

/// Which SQL dialect the connected database speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The type of one column of rows passed as a JSON array of arrays, or of
/// a column of a `UNION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Int,
    Text,
    Bytes,
}

/// Where a batch's transaction begins and ends (see
/// [`Dialect::batch_transaction`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchTransaction {
    /// Sent on its own, as a simple query, before anything else.
    pub begin_alone: Option<&'static str>,
    /// Put in front of the batch's read.
    pub before_read: &'static str,
    /// Put behind the batch's write; `None`: commit on its own.
    pub after_write: Option<&'static str>,
}

/// PostgreSQL's transaction-scoped advisory lock that every write
/// transaction takes, the equivalent of SQLite's single writer, sent with
/// its BEGIN as one simple query: one round trip, not two.
const BEGIN_WITH_WRITER_LOCK: &str = "BEGIN; SELECT pg_advisory_xact_lock(7418265)";

impl Dialect {
    pub fn of_url(url: &str) -> Option<Dialect> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    /// One row, 1 when this connection's server can take a write now: a
    /// PostgreSQL standby (or a primary being demoted) answers 0.
    pub fn writable_probe(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SELECT 1",
            Dialect::Postgres => "SELECT CAST(CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END AS BIGINT)",
        }
    }

    /// The statement that opens a write transaction holding the writer
    /// lock. SQLite takes its write lock up front (BEGIN IMMEDIATE), so two
    /// writers never both read and then deadlock upgrading their locks.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => BEGIN_WITH_WRITER_LOCK,
        }
    }

    /// How a batch on the writer's own connection opens its transaction,
    /// before its read, and closes it, after its write. SQLite runs
    /// `;`-separated statements in one call, so `BEGIN IMMEDIATE` goes in
    /// front of the read and `COMMIT` behind the write: two round trips to
    /// its worker thread instead of four. A prepared PostgreSQL statement is
    /// one statement, so there the lock comes first, on its own (one simple
    /// query with its `BEGIN`), and `COMMIT` last.
    pub fn batch_transaction(self) -> BatchTransaction {
        match self {
            Dialect::Sqlite => BatchTransaction {
                begin_alone: None,
                before_read: "BEGIN IMMEDIATE;\n",
                after_write: Some(";\nCOMMIT"),
            },
            Dialect::Postgres => {
                BatchTransaction { begin_alone: Some(BEGIN_WITH_WRITER_LOCK), before_read: "", after_write: None }
            }
        }
    }

    /// Run once on the writer's own connection. SQLite's writer leaves WAL
    /// checkpoints to [`Dialect::checkpoint`] in the background: checkpointing
    /// inside a commit made every caller of that batch wait for it.
    /// On PostgreSQL every statement the writer runs looks rows up by key,
    /// so its connection is told to use the indexes whatever the statistics
    /// say: on a young or unanalysed database the planner chose hash joins
    /// over whole-table scans of redemptions, idempotency keys and citizens,
    /// on every batch, a cost that grew with the day. It also plans the
    /// batch statements once: planning them afresh each time cost more than
    /// running them, and their JSON parameters give a custom plan nothing.
    pub fn writer_setup(self) -> &'static str {
        match self {
            Dialect::Sqlite => "PRAGMA wal_autocheckpoint = 0",
            Dialect::Postgres => {
                "SELECT set_config('enable_seqscan', 'off', false), set_config('enable_hashjoin', 'off', false), \
                 set_config('plan_cache_mode', 'force_generic_plan', false)"
            }
        }
    }

    /// Copies committed pages from the write-ahead log into the database
    /// without blocking the writer; PostgreSQL checkpoints by itself.
    pub fn checkpoint(self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite => Some("PRAGMA wal_checkpoint(PASSIVE)"),
            Dialect::Postgres => None,
        }
    }

    /// A table `AS alias` of the rows in the JSON array of arrays bound at
    /// `param`, with the named, typed columns: one statement, whatever the
    /// number of rows, so its plan is prepared once.
    pub fn json_rows(self, param: &str, alias: &str, columns: &[(&str, Col)]) -> String {
        let select: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (name, col))| match (self, col) {
                (Dialect::Sqlite, _) => format!("value ->> {i} AS {name}"),
                (Dialect::Postgres, Col::Int) => format!("(value ->> {i})::bigint AS {name}"),
                (Dialect::Postgres, Col::Text | Col::Bytes) => format!("(value ->> {i}) AS {name}"),
            })
            .collect();
        let from = match self {
            Dialect::Sqlite => format!("json_each({param})"),
            Dialect::Postgres => format!("jsonb_array_elements({param}::jsonb) AS value"),
        };
        format!("(SELECT {} FROM {from}) AS {alias}", select.join(", "))
    }

    /// The texts of the JSON array of strings bound at `param`, as a subquery
    /// with one column, `value`.
    pub fn json_texts(self, param: &str) -> String {
        match self {
            Dialect::Sqlite => format!("(SELECT value FROM json_each({param}))"),
            Dialect::Postgres => format!("(SELECT jsonb_array_elements_text({param}::jsonb) AS value)"),
        }
    }

    /// A text field of a JSON object stored as text.
    pub fn json_field(self, column: &str, field: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{column} ->> '$.{field}'"),
            Dialect::Postgres => format!("{column}::jsonb ->> '{field}'"),
        }
    }

    /// The larger of two values in one row.
    pub fn greatest(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite => format!("MAX({a}, {b})"),
            Dialect::Postgres => format!("GREATEST({a}, {b})"),
        }
    }

    /// A whole-number sum, as a 64-bit integer on both.
    pub fn sum(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("SUM({expr})"),
            Dialect::Postgres => format!("SUM({expr})::bigint"),
        }
    }

    /// The byte strings of a group, concatenated (binary-safe).
    pub fn concat_bytes(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("CAST(group_concat({expr}, x'') AS BLOB)"),
            Dialect::Postgres => format!("string_agg({expr}, ''::bytea)"),
        }
    }

    /// A NULL of a type, for a `UNION` branch without that column:
    /// PostgreSQL resolves an untyped NULL as text and then cannot match it.
    pub fn null(self, col: Col) -> &'static str {
        match (self, col) {
            (Dialect::Sqlite, _) => "NULL",
            (Dialect::Postgres, Col::Int) => "NULL::bigint",
            (Dialect::Postgres, Col::Text) => "NULL::text",
            (Dialect::Postgres, Col::Bytes) => "NULL::bytea",
        }
    }

    /// Several writes as one statement, so they cost one round trip. SQLite
    /// runs `;`-separated statements in order (each binds the `$n` it
    /// names); PostgreSQL runs data-modifying `WITH` parts as one statement,
    /// all against the same snapshot, so no two of them may touch one row.
    pub fn all_of(self, statements: &[String]) -> String {
        match (self, statements) {
            (_, [one]) => one.clone(),
            (Dialect::Sqlite, _) => statements.join(";\n"),
            (Dialect::Postgres, [first @ .., last]) => {
                let parts: Vec<String> = first.iter().enumerate().map(|(i, s)| format!("w{i} AS ({s})")).collect();
                format!("WITH {} {last}", parts.join(", "))
            }
            (Dialect::Postgres, []) => String::new(),
        }
    }

    /// Bytes from lowercase hex text.
    pub fn from_hex(self, expr: &str) -> String {
        match self {
            Dialect::Sqlite => format!("unhex({expr})"),
            Dialect::Postgres => format!("decode({expr}, 'hex')"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_name_and_type_their_columns_in_each_dialect() {
        let cols = [("offer_id", Col::Text), ("n", Col::Int)];
        assert_eq!(
            Dialect::Sqlite.json_rows("$1", "d", &cols),
            "(SELECT value ->> 0 AS offer_id, value ->> 1 AS n FROM json_each($1)) AS d"
        );
        assert_eq!(
            Dialect::Postgres.json_rows("$1", "d", &cols),
            "(SELECT (value ->> 0) AS offer_id, (value ->> 1)::bigint AS n FROM jsonb_array_elements($1::jsonb) AS value) AS d"
        );
    }

    #[test]
    fn several_writes_are_one_statement_in_each_dialect() {
        let writes = ["INSERT INTO a SELECT 1".to_owned(), "UPDATE b SET c = 2".to_owned()];
        assert_eq!(Dialect::Sqlite.all_of(&writes), "INSERT INTO a SELECT 1;\nUPDATE b SET c = 2");
        assert_eq!(Dialect::Postgres.all_of(&writes), "WITH w0 AS (INSERT INTO a SELECT 1) UPDATE b SET c = 2");
        assert_eq!(Dialect::Postgres.all_of(&writes[..1]), "INSERT INTO a SELECT 1");
    }

    #[test]
    fn the_scheme_names_the_dialect() {
        assert_eq!(Dialect::of_url("sqlite://x.db"), Some(Dialect::Sqlite));
        assert_eq!(Dialect::of_url("postgresql://h/db"), Some(Dialect::Postgres));
        assert_eq!(Dialect::of_url("mysql://h/db"), None);
    }
}

/// A standby's last replayed commit, in microseconds since 1970; a server
/// that is not in recovery (a primary given as the read URL) answers now.
/// PostgreSQL only: a replica is always a PostgreSQL standby.
pub(crate) const REPLAYED_AS_OF: &str = "SELECT CAST(EXTRACT(EPOCH FROM CASE WHEN pg_is_in_recovery() \
     THEN pg_last_xact_replay_timestamp() ELSE clock_timestamp() END) * 1000000 AS BIGINT)";
