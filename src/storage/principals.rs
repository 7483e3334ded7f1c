//! Staff principals: coordinators, departments, auditors and service
//! desks, each found by the hash of its bearer token.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use crate::domain::principals::{DepartmentScope, NewPrincipal, Principal, Role};
use crate::ids::new_id;
use time::OffsetDateTime;

const PRINCIPAL_COLUMNS: &str =
    "SELECT principal_id, role, name, source, max_delta, created_at, revoked_at FROM principals";

fn principal(row: &impl StoredRow) -> Result<Principal, StoreError> {
    let role_text = row.text("role")?;
    let role = Role::parse(&role_text).ok_or_else(|| StoreError::Corrupt(format!("principal role {role_text}")))?;
    let scope = match (row.opt_text("source")?, row.opt_int("max_delta")?) {
        (Some(source), Some(max_delta)) => Some(DepartmentScope { source, max_delta }),
        (None, None) => None,
        _ => return Err(StoreError::Corrupt("a principal with half a department scope".into())),
    };
    // A department without its scope could post under any source.
    if (role == Role::Department) != scope.is_some() {
        return Err(StoreError::Corrupt(format!("principal of role {role_text} with scope {scope:?}")));
    }
    Ok(Principal {
        principal_id: row.text("principal_id")?,
        role,
        name: row.text("name")?,
        scope,
        created_at: row.time("created_at")?,
        revoked_at: row.opt_time("revoked_at")?,
    })
}

/// What revoking a principal found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Revoked(Principal),
    AlreadyRevoked(Principal),
    NotFound,
}

impl Store {
    /// Stores a new principal under a fresh id; its name must be new.
    pub async fn create_principal(
        &self,
        new: &NewPrincipal,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Principal, StoreError> {
        let mut tx = self.begin_write().await?;
        let exists =
            sqlx::query("SELECT 1 FROM principals WHERE name = $1").bind(&new.name).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("principal {}", new.name)));
        }
        let principal = Principal {
            principal_id: new_id("prn"),
            role: new.role,
            name: new.name.clone(),
            scope: new.scope.clone(),
            created_at: OffsetDateTime::from_unix_timestamp(unix(now)).expect("a time the clock gave"),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO principals (principal_id, role, name, source, max_delta, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&principal.principal_id)
        .bind(principal.role.as_str())
        .bind(&principal.name)
        .bind(principal.own_source())
        .bind(principal.scope.as_ref().map(|s| s.max_delta))
        .bind(token_hash)
        .bind(unix(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(principal)
    }

    /// Every principal, live and revoked, oldest first.
    pub async fn principals(&self) -> Result<Vec<Principal>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{PRINCIPAL_COLUMNS} ORDER BY created_at, principal_id")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(principal).collect()
    }

    /// Revokes a principal by id; its token stops working on the next request.
    pub async fn revoke_principal(&self, principal_id: &str, now: OffsetDateTime) -> Result<Revocation, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{PRINCIPAL_COLUMNS} WHERE principal_id = $1")))
            .bind(principal_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(mut found) = row.as_ref().map(principal).transpose()? else {
            return Ok(Revocation::NotFound);
        };
        if found.revoked_at.is_some() {
            return Ok(Revocation::AlreadyRevoked(found));
        }
        sqlx::query("UPDATE principals SET revoked_at = $1 WHERE principal_id = $2")
            .bind(unix(now))
            .bind(principal_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        found.revoked_at = Some(OffsetDateTime::from_unix_timestamp(unix(now)).expect("a time the clock gave"));
        Ok(Revocation::Revoked(found))
    }

    /// A live principal of this role by name, as `xinyi coordinator revoke NAME` names one.
    pub async fn active_principal_named(&self, role: Role, name: &str) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PRINCIPAL_COLUMNS} WHERE name = $1 AND role = $2 AND revoked_at IS NULL"
        )))
        .bind(name)
        .bind(role.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(principal).transpose()
    }

    /// The live principal whose token has this hash. Read on every staff
    /// request, never cached, so a revocation holds on every node at once.
    pub async fn active_principal_by_token_hash(&self, token_hash: &str) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PRINCIPAL_COLUMNS} WHERE token_hash = $1 AND revoked_at IS NULL"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(principal).transpose()
    }

    /// Whether a live department posts under this source.
    pub async fn source_has_department(&self, source: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM principals WHERE source = $1 AND role = 'department' AND revoked_at IS NULL LIMIT 1",
        )
        .bind(source)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Each source a live department posts under, with a department's name
    /// (the first by name when several share a source).
    pub async fn department_sources(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT source, MIN(name) AS name FROM principals WHERE role = 'department' AND revoked_at IS NULL \
             GROUP BY source ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.text("source")?, r.text("name")?))).collect()
    }
}
