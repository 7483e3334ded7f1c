//! Offers: tiers by level, limits and budgets, checked once when created.
//!
//! Money is integer fen. Discounts round **down** to the fen, so a discount
//! never exceeds what the tier promises, and never exceeds the amount.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::{LimitPeriod, OfferRequest, PerCitizenLimit, Tier};

/// An offer that passed every check, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRules {
    pub title: String,
    pub min_level: CreditLevel,
    /// Sorted by `min_level`, lowest first.
    pub tiers: Vec<Tier>,
    pub per_citizen_limit: Option<PerCitizenLimit>,
    pub budget_fen: Option<i64>,
    pub budget_count: Option<i64>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_until: Option<OffsetDateTime>,
    pub active: bool,
}

/// A field of an offer that is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferFieldError {
    pub field: String,
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> OfferFieldError {
    OfferFieldError { field: field.into(), message: message.into() }
}

fn level(field: &str, rank: u8) -> Result<CreditLevel, OfferFieldError> {
    CreditLevel::from_rank(rank).ok_or_else(|| bad(field, "须为 1 到 5 / must be a level rank from 1 to 5"))
}

fn positive(field: &str, value: Option<i64>) -> Result<Option<i64>, OfferFieldError> {
    match value {
        Some(v) if v <= 0 => Err(bad(field, "须为正数或 null / must be positive, or null for none")),
        other => Ok(other),
    }
}

impl OfferRules {
    pub fn parse(request: &OfferRequest) -> Result<OfferRules, OfferFieldError> {
        let title = request.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(bad("title", "须为 1 到 200 个字符 / must be 1 to 200 characters"));
        }
        let min_level = level("min_level", request.min_level)?;
        if request.tiers.is_empty() {
            return Err(bad("tiers", "至少需要一档优惠 / needs at least one tier"));
        }
        let mut tiers = request.tiers.clone();
        for (i, tier) in tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            let tier_level = level(&field("min_level"), tier.min_level)?;
            if tier_level < min_level {
                return Err(bad(field("min_level"), "低于优惠的最低等级 / is below the offer's min_level"));
            }
            tier.check().map_err(|(name, message)| bad(field(name), message))?;
        }
        tiers.sort_by_key(|t| t.min_level);
        if tiers.windows(2).any(|w| w[0].min_level == w[1].min_level) {
            return Err(bad("tiers", "每个等级只能有一档 / two tiers have the same min_level"));
        }
        if let Some(limit) = &request.per_citizen_limit
            && limit.count == 0
        {
            return Err(bad("per_citizen_limit.count", "须为正数 / must be positive"));
        }
        if let (Some(from), Some(until)) = (request.valid_from, request.valid_until)
            && from >= until
        {
            return Err(bad("valid_until", "须晚于 valid_from / must be after valid_from"));
        }
        Ok(OfferRules {
            title: title.to_owned(),
            min_level,
            tiers,
            per_citizen_limit: request.per_citizen_limit.clone(),
            budget_fen: positive("budget_fen", request.budget_fen)?,
            budget_count: positive("budget_count", request.budget_count)?,
            valid_from: request.valid_from,
            valid_until: request.valid_until,
            active: request.active.unwrap_or(true),
        })
    }

    /// The tier with the highest `min_level` at or below `level`.
    pub fn tier_for(&self, level: CreditLevel) -> Option<&Tier> {
        self.tiers.iter().rev().find(|t| t.min_level <= level.rank())
    }

    pub fn open_at(&self, at: OffsetDateTime) -> bool {
        self.active && self.valid_from.is_none_or(|from| at >= from) && self.valid_until.is_none_or(|until| at < until)
    }

    pub fn limit_period(&self) -> Option<LimitPeriod> {
        self.per_citizen_limit.as_ref().map(|l| l.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinyi_merchant_sdk::api::TierKind;

    fn request() -> OfferRequest {
        serde_json::from_value(serde_json::json!({
            "title": "免费法律咨询 Free legal consultation",
            "min_level": 3,
            "tiers": [{"min_level": 3, "kind": "percent_off", "percent": 10, "cap_fen": 5000},
                      {"min_level": 4, "kind": "amount_off", "amount_fen": 2000, "min_spend_fen": 10000},
                      {"min_level": 5, "kind": "free_service", "value_fen": 30000}],
            "per_citizen_limit": {"count": 1, "period": "month"},
            "budget_fen": 1000000, "budget_count": 100,
            "valid_from": "2026-01-01T00:00:00+08:00", "valid_until": null}))
        .unwrap()
    }

    #[test]
    fn the_issue_s_example_offer_is_accepted() {
        let rules = OfferRules::parse(&request()).unwrap();
        assert_eq!(
            rules.tier_for(CreditLevel::AA).unwrap().kind,
            TierKind::AmountOff { amount_fen: 2000, min_spend_fen: 10000 }
        );
        assert_eq!(rules.tier_for(CreditLevel::AAA).unwrap().min_level, 5);
        assert!(rules.tier_for(CreditLevel::B).is_none());
    }

    #[test]
    fn bad_offers_name_the_field() {
        let mut empty = request();
        empty.tiers.clear();
        assert_eq!(OfferRules::parse(&empty).unwrap_err().field, "tiers");
        let mut below = request();
        below.tiers[0].min_level = 2;
        assert_eq!(OfferRules::parse(&below).unwrap_err().field, "tiers[0].min_level");
        for percent in [0, 101] {
            let mut pct = request();
            pct.tiers[0].kind = TierKind::PercentOff { percent, cap_fen: Some(5000) };
            assert_eq!(OfferRules::parse(&pct).unwrap_err().field, "tiers[0].percent");
        }
        let mut budget = request();
        budget.budget_fen = Some(0);
        assert_eq!(OfferRules::parse(&budget).unwrap_err().field, "budget_fen");
    }
}
