//! Report figures, summed by the database from the per-day rollups.

use super::rows::StoredRow;
use super::{Source, Store, StoreError};
use crate::domain::reports::{GroupBy, GroupFigures, citizen_list};

/// The SQL expression over `reduction_rollups` that names a row's group.
fn rollup_key_sql(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Merchant => "merchant_id",
        GroupBy::Category => "category",
        GroupBy::District => "district",
        GroupBy::Level => "CAST(level AS TEXT)",
        GroupBy::Offer => "offer_id",
        GroupBy::Day => "day",
        GroupBy::Month => "substr(day, 1, 7)",
        GroupBy::Terminal => {
            unreachable!("rollups do not keep terminals; a terminal report reads its merchant's redemptions")
        }
    }
}

impl Store {
    /// Report figures per group for the China Standard Time days `from_day`
    /// to `to_day`, both included, of one merchant or (with `""`) of all,
    /// and the number of merchants with a
    /// redemption. Everything in one `GROUP BY`: the sums, and each group's
    /// citizen lists concatenated by the database (binary-safe), so a year of
    /// rollups comes back as one row per group instead of hundreds of
    /// thousands.
    pub async fn reduction_groups(
        &self,
        from_day: &str,
        to_day: &str,
        merchant_id: &str,
        by: GroupBy,
    ) -> Result<(Vec<GroupFigures>, u64), StoreError> {
        let d = self.dialect;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {key} AS k, {redemptions} AS redemptions, {reversals} AS reversals, {gross} AS gross_fen, \
             {reversed} AS reversed_fen, {offline} AS offline_redemptions, COUNT(DISTINCT CASE WHEN redemptions > 0 THEN merchant_id END) AS merchants, \
             {citizens} AS citizens FROM reduction_rollups WHERE day >= $1 AND day <= $2 \
             AND ($3 = '' OR merchant_id = $3) GROUP BY k",
            key = rollup_key_sql(by),
            redemptions = d.sum("redemptions"),
            reversals = d.sum("reversals"),
            gross = d.sum("gross_fen"),
            reversed = d.sum("reversed_fen"),
            offline = d.sum("offline_redemptions"),
            citizens = d.concat_bytes("citizens"),
        )))
        .bind(from_day)
        .bind(to_day)
        .bind(merchant_id)
        .fetch_all(self.pool_for(Source::Replica))
        .await?;
        let groups = rows
            .iter()
            .map(|r| {
                Ok(GroupFigures {
                    key: r.text("k")?,
                    redemptions: r.int("redemptions")?,
                    reversals: r.int("reversals")?,
                    gross_fen: r.int("gross_fen")?,
                    reversed_fen: r.int("reversed_fen")?,
                    offline_redemptions: r.int("offline_redemptions")?,
                    merchants_with_redemptions: r.int("merchants")? as u64,
                    citizens: citizen_list::values(&r.bytes("citizens")?).collect(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let merchants = sqlx::query(
            "SELECT COUNT(DISTINCT merchant_id) AS merchants FROM reduction_rollups \
             WHERE day >= $1 AND day <= $2 AND redemptions > 0 AND ($3 = '' OR merchant_id = $3)",
        )
        .bind(from_day)
        .bind(to_day)
        .bind(merchant_id)
        .fetch_one(self.pool_for(Source::Replica))
        .await?;
        Ok((groups, merchants.int("merchants")? as u64))
    }
}
