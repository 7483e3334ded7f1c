//! What a citizen sees of their family proxies: the grants they gave, each
//! with the codes its proxy fetched and what became of them, and the
//! grants they were given.

use super::proxies::{GRANT_COLUMNS, ProxyGrant, grant};
use super::rows::StoredRow;
use super::{Store, StoreError};
use crate::citizen_handle::CitizenNumber;
use std::collections::HashMap;
use time::OffsetDateTime;

/// The most codes listed for one citizen's grants, newest first; the
/// count beside them says how many there were in all.
pub const PROXY_CODES_LISTED: i64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCode {
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub redemption: Option<ProxyRedemption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRedemption {
    pub redemption_id: String,
    pub merchant_name: String,
    pub offer_title: String,
    pub discount_fen: i64,
    pub redeemed_at: OffsetDateTime,
    pub voided: bool,
}

/// A grant the citizen gave, with what its proxy did under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenGrant {
    pub grant: ProxyGrant,
    pub codes_fetched: i64,
    pub codes: Vec<ProxyCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProxyOverview {
    pub given: Vec<GivenGrant>,
    pub received: Vec<ProxyGrant>,
}

fn proxy_code(row: &impl StoredRow) -> Result<ProxyCode, StoreError> {
    let redemption = match row.opt_text("redemption_id")? {
        None => None,
        Some(redemption_id) => Some(ProxyRedemption {
            redemption_id,
            merchant_name: row.text("merchant_name")?,
            offer_title: row.text("offer_title")?,
            discount_fen: row.int("discount_fen")?,
            redeemed_at: row.time("redeemed_at")?,
            voided: row.opt_int("voided_at")?.is_some(),
        }),
    };
    Ok(ProxyCode { issued_at: row.time("issued_at")?, expires_at: row.time("expires_at")?, redemption })
}

impl Store {
    /// Grants given and received by `citizen`, newest first.
    pub async fn proxies_of(&self, citizen: CitizenNumber) -> Result<ProxyOverview, StoreError> {
        let number = citizen.0 as i64;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{GRANT_COLUMNS} WHERE g.grantor_number = $1 OR g.proxy_number = $1 ORDER BY g.created_at DESC, g.grant_id"
        )))
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        let grants = rows.iter().map(grant).collect::<Result<Vec<_>, _>>()?;
        let (given, received): (Vec<_>, Vec<_>) = grants.into_iter().partition(|g| g.grantor == citizen);
        let mut codes = self.proxy_codes_of(number).await?;
        let counts = self.proxy_code_counts(number).await?;
        let given = given
            .into_iter()
            .map(|grant| GivenGrant {
                codes_fetched: counts.get(&grant.grant_id).copied().unwrap_or(0),
                codes: codes.remove(&grant.grant_id).unwrap_or_default(),
                grant,
            })
            .collect();
        Ok(ProxyOverview { given, received })
    }

    async fn proxy_codes_of(&self, grantor: i64) -> Result<HashMap<String, Vec<ProxyCode>>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pc.grant_id, pc.issued_at, pc.expires_at, r.redemption_id, m.name AS merchant_name, \
             {} AS offer_title, r.discount_fen, r.created_at AS redeemed_at, r.voided_at \
             FROM proxy_codes pc JOIN proxy_grants g ON g.grant_id = pc.grant_id \
             LEFT JOIN redemptions r ON r.code_id = pc.code_id \
             LEFT JOIN merchants m ON m.merchant_id = r.merchant_id LEFT JOIN offers o ON o.offer_id = r.offer_id \
             WHERE g.grantor_number = $1 ORDER BY pc.issued_at DESC, pc.code_id LIMIT $2",
            self.dialect.json_field("o.rules", "title")
        )))
        .bind(grantor)
        .bind(PROXY_CODES_LISTED)
        .fetch_all(&self.pool)
        .await?;
        let mut by_grant: HashMap<String, Vec<ProxyCode>> = HashMap::new();
        for row in &rows {
            by_grant.entry(row.text("grant_id")?).or_default().push(proxy_code(row)?);
        }
        Ok(by_grant)
    }

    async fn proxy_code_counts(&self, grantor: i64) -> Result<HashMap<String, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT pc.grant_id, COUNT(*) AS n FROM proxy_codes pc JOIN proxy_grants g ON g.grant_id = pc.grant_id \
             WHERE g.grantor_number = $1 GROUP BY pc.grant_id",
        )
        .bind(grantor)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok((row.text("grant_id")?, row.int("n")?))).collect()
    }
}
