//! Reduction reports, built from the per-day rollups. Every figure is the
//! ledger's, to the fen: net = gross − reversed.

use serde::Serialize;
use std::collections::HashMap;
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
    /// The checkout terminal, for one merchant's report.
    Terminal,
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
            "terminal" => GroupBy::Terminal,
            _ => return Err("须为 merchant、category、district、level、offer、day、month 或 terminal / must be merchant, category, district, level, offer, day, month or terminal".into()),
        })
    }
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
    /// Redemptions scanned offline and sent later (included in `redemptions`).
    pub offline_redemptions: i64,
}

/// The citizens of one rollup row: their internal numbers as a sorted,
/// duplicate-free array of little-endian u32. Plain bytes, because a report
/// reads hundreds of thousands of them and must not pay to decode each.
pub mod citizen_list {
    pub fn values(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
        bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// Adds `citizen`, keeping the list sorted and free of duplicates.
    pub fn insert(bytes: &mut Vec<u8>, citizen: u32) {
        let values: Vec<u32> = values(bytes).collect();
        if let Err(at) = values.binary_search(&citizen) {
            bytes.splice(at * 4..at * 4, citizen.to_le_bytes());
        }
    }
}

/// One group's figures, as a backend sums them from its rollups.
#[derive(Debug, Clone)]
pub struct GroupFigures {
    pub key: String,
    pub redemptions: i64,
    pub reversals: i64,
    pub gross_fen: i64,
    pub reversed_fen: i64,
    pub offline_redemptions: i64,
    pub merchants_with_redemptions: u64,
    /// Every citizen number of the group's rows; repeats allowed.
    pub citizens: Vec<u32>,
}

/// Report rows (sorted by key), the totals row, and the number of merchants
/// with at least one redemption, from per-group figures.
pub fn assemble(
    mut groups: Vec<GroupFigures>,
    by: GroupBy,
    labels: &Labels,
    merchants_with_redemptions: u64,
) -> (Vec<ReportRow>, ReportRow, u64) {
    groups.sort_by(|a, b| a.key.cmp(&b.key));
    let mut total = Accumulator::default();
    // Everyone counted once across groups: one bit per citizen number.
    let highest = groups.iter().flat_map(|g| g.citizens.iter()).max().map_or(0, |&n| n as usize + 1);
    let mut seen = vec![0u64; highest.div_ceil(64)];
    let mut rows = Vec::with_capacity(groups.len());
    for g in groups {
        total.redemptions += g.redemptions;
        total.reversals += g.reversals;
        total.gross_fen += g.gross_fen;
        total.reversed_fen += g.reversed_fen;
        total.offline_redemptions += g.offline_redemptions;
        for &n in &g.citizens {
            seen[n as usize / 64] |= 1 << (n % 64);
        }
        let label = label_for(by, &g.key, labels);
        let acc = Accumulator {
            redemptions: g.redemptions,
            reversals: g.reversals,
            gross_fen: g.gross_fen,
            reversed_fen: g.reversed_fen,
            offline_redemptions: g.offline_redemptions,
        };
        rows.push(acc.into_row(g.key, label, distinct(g.citizens)));
    }
    let everyone = seen.iter().map(|w| u64::from(w.count_ones())).sum();
    (rows, total.into_row("total".into(), "合计 Total".into(), everyone), merchants_with_redemptions)
}

fn label_for(by: GroupBy, key: &str, labels: &Labels) -> String {
    match by {
        GroupBy::Merchant => labels.merchants.get(key).cloned().unwrap_or_default(),
        GroupBy::Offer => labels.offers.get(key).cloned().unwrap_or_default(),
        GroupBy::Terminal => labels.terminals.get(key).cloned().unwrap_or_default(),
        GroupBy::Category => labels.categories.get(key).cloned().unwrap_or_else(|| key.to_owned()),
        GroupBy::Level => {
            key.parse().ok().and_then(CreditLevel::from_rank).map(|l| l.name().to_owned()).unwrap_or_default()
        }
        _ => key.to_owned(),
    }
}

/// Names for merchant, offer and terminal ids, and category codes.
#[derive(Debug, Default)]
pub struct Labels {
    pub merchants: HashMap<String, String>,
    /// The catalogue's names, 中文 first.
    pub categories: HashMap<String, String>,
    pub offers: HashMap<String, String>,
    pub terminals: HashMap<String, String>,
}

#[derive(Default)]
struct Accumulator {
    redemptions: i64,
    reversals: i64,
    gross_fen: i64,
    reversed_fen: i64,
    offline_redemptions: i64,
}

impl Accumulator {
    fn into_row(self, key: String, label: String, citizens: u64) -> ReportRow {
        ReportRow {
            key,
            label,
            redemptions: self.redemptions,
            reversals: self.reversals,
            gross_fen: self.gross_fen,
            reversed_fen: self.reversed_fen,
            net_fen: self.gross_fen - self.reversed_fen,
            citizens,
            offline_redemptions: self.offline_redemptions,
        }
    }
}

/// How many different numbers: by a bitset when the list is dense enough
/// for one to be cheaper than sorting, else by sorting.
fn distinct(mut citizens: Vec<u32>) -> u64 {
    let highest = citizens.iter().copied().max().unwrap_or(0) as usize;
    if citizens.len() > highest / 64 {
        let mut seen = vec![0u64; highest / 64 + 1];
        for &n in &citizens {
            seen[n as usize / 64] |= 1 << (n % 64);
        }
        return seen.iter().map(|w| u64::from(w.count_ones())).sum();
    }
    citizens.sort_unstable();
    citizens.dedup();
    citizens.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(key: &str, gross: i64, reversed: i64, citizens: &[u32]) -> GroupFigures {
        GroupFigures {
            key: key.into(),
            redemptions: citizens.len() as i64,
            reversals: i64::from(reversed > 0),
            gross_fen: gross,
            reversed_fen: reversed,
            offline_redemptions: 0,
            merchants_with_redemptions: 1,
            citizens: citizens.to_vec(),
        }
    }

    #[test]
    fn rows_sum_to_the_totals_and_citizens_are_counted_once() {
        let groups = vec![figures("5", 500, 500, &[2]), figures("4", 1300, 0, &[1, 2, 3])];
        let (rows, total, merchants) = assemble(groups, GroupBy::Level, &Labels::default(), 2);
        assert_eq!(
            rows.iter().map(|r| (r.key.as_str(), r.label.as_str())).collect::<Vec<_>>(),
            [("4", "AA"), ("5", "AAA")]
        );
        assert_eq!(total.net_fen, rows.iter().map(|r| r.net_fen).sum::<i64>());
        assert_eq!((total.gross_fen, total.reversed_fen, total.net_fen, total.citizens), (1800, 500, 1300, 3));
        assert_eq!(merchants, 2);
    }

    #[test]
    fn distinct_counts_agree_whether_sorted_or_by_bitset() {
        let sparse = vec![5_000_000, 7, 7, 123_456];
        assert_eq!(distinct(sparse), 3);
        let dense: Vec<u32> = (0..10_000).map(|i| i % 700).collect();
        assert_eq!(distinct(dense), 700);
    }

    #[test]
    fn a_citizen_list_stays_sorted_and_free_of_duplicates() {
        let mut bytes = Vec::new();
        for n in [5, 1, 9, 5, 1] {
            citizen_list::insert(&mut bytes, n);
        }
        assert_eq!(citizen_list::values(&bytes).collect::<Vec<_>>(), [1, 5, 9]);
    }
}
