//! Merchants, their API keys and their offers.

use super::rows::{self, StoredRow};
use super::{Merchant, MerchantKey, Source, Store, StoreError, StoredOffer, Terminal, json, unix};
use time::OffsetDateTime;

const MERCHANT_COLUMNS: &str =
    "SELECT merchant_id, name, category, district, suspended_at, created_at, address, lat_e6, lon_e6 FROM merchants";
pub(crate) const OFFER_COLUMNS: &str = "SELECT offer_id, merchant_id, rules, granted_fen, granted_count FROM offers";

impl Store {
    pub async fn create_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO merchants (merchant_id, name, category, district, created_at, address, lat_e6, lon_e6) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&merchant.merchant_id)
        .bind(&merchant.name)
        .bind(&merchant.category)
        .bind(&merchant.district)
        .bind(unix(merchant.created_at))
        .bind(&merchant.address)
        .bind(merchant.location.map(|p| p.lat_e6))
        .bind(merchant.location.map(|p| p.lon_e6))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets where the merchant is; false when there is no such merchant.
    pub async fn set_merchant_place(
        &self,
        merchant_id: &str,
        address: &str,
        location: Option<crate::domain::places::GeoPoint>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE merchants SET address = $1, lat_e6 = $2, lon_e6 = $3 WHERE merchant_id = $4")
            .bind(address)
            .bind(location.map(|p| p.lat_e6))
            .bind(location.map(|p| p.lon_e6))
            .bind(merchant_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn merchants(&self, source: Source) -> Result<Vec<Merchant>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{MERCHANT_COLUMNS} ORDER BY created_at, merchant_id")))
            .fetch_all(self.pool_for(source))
            .await?;
        rows.iter().map(rows::merchant).collect()
    }

    pub async fn merchant(&self, merchant_id: &str) -> Result<Option<Merchant>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{MERCHANT_COLUMNS} WHERE merchant_id = $1")))
            .bind(merchant_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::merchant).transpose()
    }

    pub async fn set_merchant_suspended(
        &self,
        merchant_id: &str,
        suspended: bool,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE merchants SET suspended_at = $1 WHERE merchant_id = $2")
            .bind(suspended.then_some(unix(now)))
            .bind(merchant_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_merchant_key(
        &self,
        merchant_id: &str,
        key: &MerchantKey,
        key_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO merchant_keys (key_id, merchant_id, label, key_hash, created_at, offline) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.key_id)
        .bind(merchant_id)
        .bind(&key.label)
        .bind(key_hash)
        .bind(unix(key.created_at))
        .bind(key.offline as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn merchant_keys(&self, merchant_id: &str) -> Result<Vec<MerchantKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, label, created_at, revoked_at, offline FROM merchant_keys WHERE merchant_id = $1 ORDER BY created_at",
        )
        .bind(merchant_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::merchant_key).collect()
    }

    pub async fn revoke_merchant_key(
        &self,
        merchant_id: &str,
        key_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE merchant_keys SET revoked_at = $1 WHERE merchant_id = $2 AND key_id = $3 AND revoked_at IS NULL",
        )
        .bind(unix(now))
        .bind(merchant_id)
        .bind(key_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The merchant and terminal of the live key with this hash.
    pub async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<(Merchant, Terminal)>, StoreError> {
        let row = sqlx::query(
            "SELECT m.merchant_id, m.name, m.category, m.district, m.suspended_at, m.created_at, m.address, m.lat_e6, m.lon_e6, \
             k.key_id, k.label, k.offline \
             FROM merchant_keys k JOIN merchants m ON m.merchant_id = k.merchant_id \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let terminal =
            Terminal { key_id: row.text("key_id")?, label: row.text("label")?, offline: row.flag("offline")? };
        Ok(Some((rows::merchant(&row)?, terminal)))
    }

    pub async fn create_offer(&self, offer: &StoredOffer, now: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO offers (offer_id, merchant_id, rules, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&offer.offer_id)
            .bind(&offer.merchant_id)
            .bind(json(&offer.rules))
            .bind(unix(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn all_offers(&self, source: Source) -> Result<Vec<StoredOffer>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{OFFER_COLUMNS} ORDER BY created_at, offer_id")))
            .fetch_all(self.pool_for(source))
            .await?;
        rows.iter().map(rows::offer).collect()
    }

    pub async fn offers_of(&self, merchant_id: &str) -> Result<Vec<StoredOffer>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{OFFER_COLUMNS} WHERE merchant_id = $1 ORDER BY created_at, offer_id"
        )))
        .bind(merchant_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::offer).collect()
    }

    /// Changes an offer's rules under the writer lock, so an edit and a
    /// suspension made at once cannot undo each other; what it granted so
    /// far stays. None when there is no such offer.
    pub async fn change_offer(
        &self,
        offer_id: &str,
        change: impl FnOnce(&crate::domain::offers::OfferRules) -> crate::domain::offers::OfferRules,
    ) -> Result<Option<StoredOffer>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{OFFER_COLUMNS} WHERE offer_id = $1")))
            .bind(offer_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(mut offer) = row.as_ref().map(rows::offer).transpose()? else {
            return Ok(None);
        };
        offer.rules = change(&offer.rules);
        sqlx::query("UPDATE offers SET rules = $1 WHERE offer_id = $2")
            .bind(json(&offer.rules))
            .bind(offer_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(offer))
    }
}
