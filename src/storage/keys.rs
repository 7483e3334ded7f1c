//! Credit-code signing keys and other service-wide secrets.

use super::rows;
use super::{Store, StoreError, unix};
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    pub kid: String,
    pub public_key: [u8; 32],
    pub secret: Vec<u8>,
    pub sealed: bool,
    pub created_at: OffsetDateTime,
    pub sign_from: OffsetDateTime,
    pub sign_until: Option<OffsetDateTime>,
}

impl Store {
    pub async fn signing_keys(&self) -> Result<Vec<StoredSigningKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT kid, public_key, secret, sealed, created_at, sign_from, sign_until FROM signing_keys ORDER BY sign_from",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::signing_key).collect()
    }

    /// Adds `key`, and in the same transaction ends the signing window of
    /// every key that has none at the new key's `sign_from`. With
    /// `only_if_none`, adds it only to an empty key table (false otherwise),
    /// so nodes starting together agree on one first key.
    pub async fn add_signing_key(&self, key: &StoredSigningKey, only_if_none: bool) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        if only_if_none && sqlx::query("SELECT 1 FROM signing_keys LIMIT 1").fetch_optional(&mut *tx).await?.is_some() {
            return Ok(false);
        }
        sqlx::query("UPDATE signing_keys SET sign_until = $1 WHERE sign_until IS NULL OR sign_until > $1")
            .bind(unix(key.sign_from))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO signing_keys (kid, public_key, secret, sealed, created_at, sign_from, sign_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.kid)
        .bind(key.public_key.as_slice())
        .bind(&key.secret)
        .bind(key.sealed as i64)
        .bind(unix(key.created_at))
        .bind(unix(key.sign_from))
        .bind(key.sign_until.map(unix))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The named secret: `candidate` is stored if there is none yet, and
    /// whatever is stored (sealed flag, bytes) is returned, so every node agrees.
    pub async fn service_secret(
        &self,
        name: &str,
        candidate: &[u8],
        sealed: bool,
        now: OffsetDateTime,
    ) -> Result<(bool, Vec<u8>), StoreError> {
        sqlx::query(
            "INSERT INTO service_secrets (name, value, sealed, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(sealed as i64)
        .bind(unix(now))
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value, sealed FROM service_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get::<i64, _>("sealed")? != 0, row.try_get("value")?))
    }
}
