//! Reduction reports, built from the per-day rollups. Every figure is the
//! ledger's, to the fen: net = gross − reversed.

use roaring::RoaringBitmap;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use utoipa::ToSchema;
use xinyi_merchant_sdk::CreditLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Merchant,
    Category,
    District,
    Level,
    Offer,
    Day,
    Month,
}

impl FromStr for GroupBy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "merchant" => GroupBy::Merchant,
            "category" => GroupBy::Category,
            "district" => GroupBy::District,
            "level" => GroupBy::Level,
            "offer" => GroupBy::Offer,
            "day" => GroupBy::Day,
            "month" => GroupBy::Month,
            _ => return Err("须为 merchant、category、district、level、offer、day 或 month / must be merchant, category, district, level, offer, day or month".into()),
        })
    }
}

/// One day's reductions for one merchant, offer and level.
#[derive(Debug, Clone)]
pub struct RollupRow {
    pub day: String,
    pub merchant_id: String,
    pub category: String,
    pub district: String,
    pub offer_id: String,
    pub level: u8,
    pub redemptions: i64,
    pub reversals: i64,
    pub gross_fen: i64,
    pub reversed_fen: i64,
    pub citizens: RoaringBitmap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReportRow {
    pub key: String,
    /// A readable name for the key: the merchant's name, the offer's title, the level's name.
    pub label: String,
    pub redemptions: i64,
    pub reversals: i64,
    pub gross_fen: i64,
    pub reversed_fen: i64,
    pub net_fen: i64,
    /// Unique citizens with a redemption in the group and period.
    pub citizens: u64,
}

/// Names for merchant and offer ids.
#[derive(Debug, Default)]
pub struct Labels {
    pub merchants: HashMap<String, String>,
    pub offers: HashMap<String, String>,
}

#[derive(Default)]
struct Accumulator {
    redemptions: i64,
    reversals: i64,
    gross_fen: i64,
    reversed_fen: i64,
    citizens: RoaringBitmap,
}

impl Accumulator {
    fn add(&mut self, row: &RollupRow) {
        self.redemptions += row.redemptions;
        self.reversals += row.reversals;
        self.gross_fen += row.gross_fen;
        self.reversed_fen += row.reversed_fen;
        self.citizens |= &row.citizens;
    }

    fn into_row(self, key: String, label: String) -> ReportRow {
        ReportRow {
            key,
            label,
            redemptions: self.redemptions,
            reversals: self.reversals,
            gross_fen: self.gross_fen,
            reversed_fen: self.reversed_fen,
            net_fen: self.gross_fen - self.reversed_fen,
            citizens: self.citizens.len(),
        }
    }
}

/// Groups rollups into report rows (sorted by key) and the totals row, and
/// counts merchants with at least one redemption.
pub fn group(rows: &[RollupRow], by: GroupBy, labels: &Labels) -> (Vec<ReportRow>, ReportRow, u64) {
    let mut groups: BTreeMap<String, Accumulator> = BTreeMap::new();
    let mut total = Accumulator::default();
    let mut merchants_with_redemptions = std::collections::HashSet::new();
    for row in rows {
        let key = match by {
            GroupBy::Merchant => row.merchant_id.clone(),
            GroupBy::Category => row.category.clone(),
            GroupBy::District => row.district.clone(),
            GroupBy::Level => row.level.to_string(),
            GroupBy::Offer => row.offer_id.clone(),
            GroupBy::Day => row.day.clone(),
            GroupBy::Month => row.day[..7].to_owned(),
        };
        groups.entry(key).or_default().add(row);
        total.add(row);
        if row.redemptions > 0 {
            merchants_with_redemptions.insert(row.merchant_id.as_str());
        }
    }
    let label = |key: &str| match by {
        GroupBy::Merchant => labels.merchants.get(key).cloned().unwrap_or_default(),
        GroupBy::Offer => labels.offers.get(key).cloned().unwrap_or_default(),
        GroupBy::Level => {
            key.parse().ok().and_then(CreditLevel::from_rank).map(|l| l.name().to_owned()).unwrap_or_default()
        }
        _ => key.to_owned(),
    };
    let rows = groups
        .into_iter()
        .map(|(key, acc)| {
            let l = label(&key);
            acc.into_row(key, l)
        })
        .collect();
    (rows, total.into_row("total".into(), "合计 Total".into()), merchants_with_redemptions.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollup(day: &str, merchant: &str, level: u8, gross: i64, reversed: i64, citizens: &[u32]) -> RollupRow {
        RollupRow {
            day: day.into(),
            merchant_id: merchant.into(),
            category: "mall".into(),
            district: "东城区".into(),
            offer_id: "off_1".into(),
            level,
            redemptions: citizens.len() as i64,
            reversals: i64::from(reversed > 0),
            gross_fen: gross,
            reversed_fen: reversed,
            citizens: citizens.iter().copied().collect(),
        }
    }

    #[test]
    fn rows_sum_to_the_totals_and_citizens_are_counted_once() {
        let rows = [
            rollup("2026-11-01", "mer_a", 4, 1000, 0, &[1, 2]),
            rollup("2026-11-02", "mer_a", 5, 500, 500, &[2]),
            rollup("2026-12-01", "mer_b", 4, 300, 0, &[3]),
        ];
        let (by_month, total, merchants) = group(&rows, GroupBy::Month, &Labels::default());
        assert_eq!(by_month.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["2026-11", "2026-12"]);
        assert_eq!(by_month[0].net_fen, 1000);
        assert_eq!(by_month[0].citizens, 2);
        assert_eq!(total.net_fen, by_month.iter().map(|r| r.net_fen).sum::<i64>());
        assert_eq!((total.gross_fen, total.reversed_fen, total.net_fen, total.citizens), (1800, 500, 1300, 3));
        assert_eq!(merchants, 2);
        let (by_level, _, _) = group(&rows, GroupBy::Level, &Labels::default());
        assert_eq!((by_level[0].key.as_str(), by_level[0].label.as_str()), ("4", "AA"));
    }
}
