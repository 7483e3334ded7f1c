//! Request and response bodies shared by the service and the SDK's client:
//! the HTTP contract, written once.

use crate::level::LevelView;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Calendar periods for per-citizen limits, in China Standard Time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriod {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PerCitizenLimit {
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub count: u32,
    pub period: LimitPeriod,
}

/// What a tier gives. Amounts are fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TierKind {
    /// `percent` (1–100) off, at most `cap_fen` (null: no cap).
    PercentOff {
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
        percent: u8,
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        cap_fen: Option<i64>,
    },
    /// `amount_fen` off a spend of at least `min_spend_fen`.
    AmountOff {
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        amount_fen: i64,
        #[cfg_attr(feature = "openapi", schema(minimum = 0))]
        min_spend_fen: i64,
    },
    /// A service free up to `value_fen`, such as a consultation.
    FreeService {
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        value_fen: i64,
    },
}

/// One tier: what citizens at `min_level` and above (up to the next tier) get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Tier {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub min_level: u8,
    #[serde(flatten)]
    pub kind: TierKind,
}

/// Why a tier gives nothing for this amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountRefusal {
    MinSpendNotMet { min_spend_fen: i64 },
}

impl Tier {
    /// Field and reason when the tier's numbers make no sense.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        match self.kind {
            TierKind::PercentOff { percent, cap_fen } => {
                if !(1..=100).contains(&percent) {
                    return Err(("percent", "须为 1 到 100 / must be from 1 to 100"));
                }
                if cap_fen.is_some_and(|c| c <= 0) {
                    return Err(("cap_fen", "须为正数或 null / must be positive, or null for no cap"));
                }
            }
            TierKind::AmountOff { amount_fen, min_spend_fen } => {
                if amount_fen <= 0 {
                    return Err(("amount_fen", "须为正数 / must be positive"));
                }
                if min_spend_fen < 0 {
                    return Err(("min_spend_fen", "不能为负 / must not be negative"));
                }
            }
            TierKind::FreeService { value_fen } => {
                if value_fen <= 0 {
                    return Err(("value_fen", "须为正数 / must be positive"));
                }
            }
        }
        Ok(())
    }

    /// The discount on `amount_fen`, rounded down to the fen, never more
    /// than the amount.
    pub fn discount(&self, amount_fen: i64) -> Result<i64, DiscountRefusal> {
        let amount = amount_fen.max(0);
        let discount = match self.kind {
            TierKind::PercentOff { percent, cap_fen } => {
                let off = (i128::from(amount) * i128::from(percent) / 100) as i64;
                cap_fen.map_or(off, |cap| off.min(cap))
            }
            TierKind::AmountOff { amount_fen: off, min_spend_fen } => {
                if amount < min_spend_fen {
                    return Err(DiscountRefusal::MinSpendNotMet { min_spend_fen });
                }
                off
            }
            TierKind::FreeService { value_fen } => value_fen,
        };
        Ok(discount.min(amount))
    }
}

/// The body of `POST /v1/merchants/{merchant_id}/offers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfferRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub min_level: u8,
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub tiers: Vec<Tier>,
    #[serde(default)]
    pub per_citizen_limit: Option<PerCitizenLimit>,
    /// Fen the offer may grant in all; null: no limit.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub budget_fen: Option<i64>,
    /// Redemptions the offer may grant in all; null: no limit.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub budget_count: Option<i64>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub valid_from: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub valid_until: Option<OffsetDateTime>,
    /// Defaults to true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// An offer as a terminal lists it (`GET /v1/merchant/offers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Offer {
    pub offer_id: String,
    pub merchant_id: String,
    pub title: String,
    pub min_level: u8,
    pub tiers: Vec<Tier>,
    pub per_citizen_limit: Option<PerCitizenLimit>,
    pub budget_fen: Option<i64>,
    pub budget_count: Option<i64>,
    /// Granted so far, net of voids.
    pub granted_fen: i64,
    pub granted_count: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_from: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub valid_until: Option<OffsetDateTime>,
    pub active: bool,
}

impl Offer {
    /// The tier with the highest `min_level` at or below `level_rank`.
    pub fn tier_for(&self, level_rank: u8) -> Option<&Tier> {
        self.tiers.iter().filter(|t| t.min_level <= level_rank).max_by_key(|t| t.min_level)
    }

    /// What a citizen at `level_rank` would get on `amount_fen`, as far as a
    /// terminal can tell offline (limits and budget are the service's to check).
    pub fn preview_discount(&self, level_rank: u8, amount_fen: i64) -> Option<Result<i64, DiscountRefusal>> {
        if level_rank < self.min_level {
            return None;
        }
        self.tier_for(level_rank).map(|tier| tier.discount(amount_fen))
    }
}

/// The body of `POST /v1/redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "code": "XY:+80WVVX8W$IMH+C.ND3KH020100KB0*M0DY0W016C1PN1:Y1F+AU9808816KGLGC.T-O3:Y8RM0SCREHH2$RQ:TGB49BQ2OULSFXSF8%BFCU0847+0JEUX3CPQV6*F-7RVLR1 18ZHKVL XL",
    "offer_id": "off_3f9a1c2b7d4e5f60a1b2", "amount_fen": 15000})))]
pub struct RedemptionRequest {
    pub code: String,
    pub offer_id: String,
    /// The sale, in fen: 1 to 10,000,000,000 (¥100 million).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000_000_000_i64))]
    pub amount_fen: i64,
    /// When the code was scanned, for redemptions queued offline.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub scanned_at: Option<OffsetDateTime>,
}

/// The answer to a redemption: 201, or the original answer on a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "redemption_id": "red_8c1d2e3f4a5b6c7d8e9f", "level": {"rank": 4, "name": "AA"}, "amount_fen": 15000,
    "discount_fen": 2000, "payable_fen": 13000, "ledger_seq": 1042, "terminal": "front desk", "medium": "phone"})))]
pub struct Redemption {
    pub redemption_id: String,
    pub level: LevelView,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub ledger_seq: i64,
    /// The label of the terminal (merchant key) that recorded it; none for
    /// redemptions recorded before terminals were kept.
    #[serde(default)]
    pub terminal: Option<String>,
    /// What the code was shown on: `phone` or `paper` (纸质信用码).
    #[serde(default = "phone")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(phone|paper)$"))]
    pub medium: String,
    /// The level the code carried, when the level applied (`level`) is
    /// lower: a paper code is honoured at the citizen's current level when
    /// that has fallen since the sheet was printed. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_level: Option<LevelView>,
}

fn phone() -> String {
    "phone".into()
}

/// The answer to `POST /v1/redemptions/quote`: what the same request would
/// come to if redeemed now. Nothing is written and the code is not used up;
/// the redemption decides again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "offer_id": "off_3f9a1c2b7d4e5f60a1b2", "level": {"rank": 4, "name": "AA"}, "discount_fen": 2000, "payable_fen": 13000})))]
pub struct Quote {
    pub offer_id: String,
    pub level: LevelView,
    pub discount_fen: i64,
    pub payable_fen: i64,
}

/// The answer to `POST /v1/redemptions/{redemption_id}/void`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VoidedRedemption {
    pub redemption_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub voided_at: OffsetDateTime,
    /// The reversal's ledger entry.
    pub ledger_seq: i64,
}

/// RFC 9457 problem details, as every refusal is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemDetails {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub code: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(default)]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(kind: TierKind) -> Tier {
        Tier { min_level: 3, kind }
    }

    #[test]
    fn percent_off_rounds_down_to_the_fen_and_stops_at_the_cap() {
        let t = tier(TierKind::PercentOff { percent: 15, cap_fen: Some(5000) });
        assert_eq!(t.discount(999), Ok(149));
        assert_eq!(t.discount(100_000), Ok(5000));
        let uncapped = tier(TierKind::PercentOff { percent: 100, cap_fen: None });
        assert_eq!(uncapped.discount(12_345), Ok(12_345));
    }

    #[test]
    fn amount_off_needs_the_minimum_spend_and_never_exceeds_the_amount() {
        let t = tier(TierKind::AmountOff { amount_fen: 2000, min_spend_fen: 10000 });
        assert_eq!(t.discount(9999), Err(DiscountRefusal::MinSpendNotMet { min_spend_fen: 10000 }));
        assert_eq!(t.discount(10000), Ok(2000));
        let no_minimum = tier(TierKind::AmountOff { amount_fen: 2000, min_spend_fen: 0 });
        assert_eq!(no_minimum.discount(500), Ok(500));
    }

    #[test]
    fn a_free_service_is_free_up_to_its_value() {
        let t = tier(TierKind::FreeService { value_fen: 30000 });
        assert_eq!(t.discount(20000), Ok(20000));
        assert_eq!(t.discount(45000), Ok(30000));
    }

    #[test]
    fn a_tier_travels_flat_with_its_kind() {
        let json = r#"{"min_level":3,"kind":"percent_off","percent":10,"cap_fen":5000}"#;
        let t: Tier = serde_json::from_str(json).unwrap();
        assert_eq!(t.kind, TierKind::PercentOff { percent: 10, cap_fen: Some(5000) });
        assert_eq!(serde_json::to_string(&t).unwrap(), json);
    }
}
