use super::{SqliteStore, json};
use crate::storage::{Merchant, MerchantKey, MerchantStore, StoreError, StoredOffer, unix};
use async_trait::async_trait;
use time::OffsetDateTime;

const MERCHANT_COLUMNS: &str = "SELECT merchant_id, name, category, district, suspended_at, created_at FROM merchants";
pub(super) const OFFER_COLUMNS: &str = "SELECT offer_id, merchant_id, rules, granted_fen, granted_count FROM offers";

#[async_trait]
impl MerchantStore for SqliteStore {
    async fn create_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO merchants (merchant_id, name, category, district, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&merchant.merchant_id)
            .bind(&merchant.name)
            .bind(&merchant.category)
            .bind(&merchant.district)
            .bind(unix(merchant.created_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{MERCHANT_COLUMNS} ORDER BY created_at, merchant_id")))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(crate::storage::rows::merchant).collect())
    }

    async fn merchant(&self, merchant_id: &str) -> Result<Option<Merchant>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{MERCHANT_COLUMNS} WHERE merchant_id = ?")))
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(crate::storage::rows::merchant))
    }

    async fn set_merchant_suspended(
        &self,
        merchant_id: &str,
        suspended: bool,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE merchants SET suspended_at = ? WHERE merchant_id = ?")
            .bind(suspended.then_some(unix(now)))
            .bind(merchant_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_merchant_key(&self, merchant_id: &str, key: &MerchantKey, key_hash: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO merchant_keys (key_id, merchant_id, label, key_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&key.key_id)
        .bind(merchant_id)
        .bind(&key.label)
        .bind(key_hash)
        .bind(unix(key.created_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn merchant_keys(&self, merchant_id: &str) -> Result<Vec<MerchantKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, label, created_at, revoked_at FROM merchant_keys WHERE merchant_id = ? ORDER BY created_at",
        )
        .bind(merchant_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(crate::storage::rows::merchant_key).collect())
    }

    async fn revoke_merchant_key(
        &self,
        merchant_id: &str,
        key_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE merchant_keys SET revoked_at = ? WHERE merchant_id = ? AND key_id = ? AND revoked_at IS NULL",
        )
        .bind(unix(now))
        .bind(merchant_id)
        .bind(key_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError> {
        let row = sqlx::query(
            "SELECT m.merchant_id, m.name, m.category, m.district, m.suspended_at, m.created_at \
             FROM merchant_keys k JOIN merchants m ON m.merchant_id = k.merchant_id \
             WHERE k.key_hash = ? AND k.revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(crate::storage::rows::merchant))
    }

    async fn create_offer(&self, offer: &StoredOffer, now: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO offers (offer_id, merchant_id, rules, created_at) VALUES (?, ?, ?, ?)")
            .bind(&offer.offer_id)
            .bind(&offer.merchant_id)
            .bind(json(&offer.rules))
            .bind(unix(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn all_offers(&self) -> Result<Vec<StoredOffer>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{OFFER_COLUMNS} ORDER BY created_at, offer_id")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::storage::rows::offer).collect()
    }

    async fn offers_of(&self, merchant_id: &str) -> Result<Vec<StoredOffer>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{OFFER_COLUMNS} WHERE merchant_id = ? ORDER BY created_at, offer_id"
        )))
        .bind(merchant_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::storage::rows::offer).collect()
    }
}
