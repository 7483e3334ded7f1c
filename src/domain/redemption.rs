//! The rules a redemption must pass, decided in one place for every backend.

use crate::domain::offers::OfferRules;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::DiscountRefusal;

/// Why a redemption was refused. Each has a stable code; how it is said to
/// the cashier, and with which HTTP status, is `http`'s business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    CodeMalformed(String),
    CodeUnsupportedVersion,
    CodeUnknownKey,
    BadSignature,
    CodeExpired,
    CodeNotYetValid,
    CodeUsed,
    UnknownCitizen,
    OfferNotFound,
    OfferNotYours,
    OfferInactive,
    LevelTooLow {
        min_level: CreditLevel,
    },
    MinSpendNotMet {
        min_spend_fen: i64,
    },
    CitizenLimitReached,
    BudgetExhausted,
    IdempotencyMismatch,
    ScannedInFuture,
    OfflineWindowPassed,
    /// A scan older than the grace, from a terminal not set up for offline use.
    OfflineNotAllowed,
    /// The terminal says it scanned the code before the code was issued.
    ScannedBeforeIssue,
    /// The citizen is on the black list now.
    CitizenBlacklisted,
    /// A paper code whose sheet was revoked (reported lost).
    SheetRevoked,
    /// A code its citizen withdrew: fetched by a family proxy under a
    /// grant that has since ended. Said to the merchant without the why.
    CodeWithdrawn,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::CodeMalformed(_) => "code_malformed",
            Refusal::CodeUnsupportedVersion => "code_unsupported_version",
            Refusal::CodeUnknownKey => "code_unknown_key",
            Refusal::BadSignature => "bad_signature",
            Refusal::CodeExpired => "code_expired",
            Refusal::CodeNotYetValid => "code_not_yet_valid",
            Refusal::CodeUsed => "code_used",
            Refusal::UnknownCitizen => "unknown_citizen",
            Refusal::OfferNotFound => "offer_not_found",
            Refusal::OfferNotYours => "offer_not_yours",
            Refusal::OfferInactive => "offer_inactive",
            Refusal::LevelTooLow { .. } => "level_too_low",
            Refusal::MinSpendNotMet { .. } => "min_spend_not_met",
            Refusal::CitizenLimitReached => "citizen_limit_reached",
            Refusal::BudgetExhausted => "budget_exhausted",
            Refusal::IdempotencyMismatch => "idempotency_mismatch",
            Refusal::ScannedInFuture => "scanned_at_in_future",
            Refusal::OfflineWindowPassed => "offline_window_passed",
            Refusal::OfflineNotAllowed => "offline_not_allowed",
            Refusal::ScannedBeforeIssue => "scanned_before_issue",
            Refusal::CitizenBlacklisted => "citizen_blacklisted",
            Refusal::SheetRevoked => "sheet_revoked",
            Refusal::CodeWithdrawn => "code_withdrawn",
        }
    }
}

/// Fen as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    format!("{}{}.{:02}", if fen < 0 { "-" } else { "" }, fen.abs() / 100, fen.abs() % 100)
}

/// An offer with what it has granted so far.
#[derive(Debug, Clone)]
pub struct OfferState {
    pub offer_id: String,
    pub merchant_id: String,
    pub rules: OfferRules,
    pub granted_fen: i64,
    pub granted_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub discount_fen: i64,
    pub payable_fen: i64,
}

/// Checks the offer's rules for a citizen at `level` spending `amount_fen`,
/// who has used the offer `used_in_period` times in the limit's period.
pub fn decide(
    offer: &OfferState,
    merchant_id: &str,
    level: CreditLevel,
    amount_fen: i64,
    at: time::OffsetDateTime,
    used_in_period: i64,
) -> Result<Decision, Refusal> {
    if offer.merchant_id != merchant_id {
        return Err(Refusal::OfferNotYours);
    }
    let rules = &offer.rules;
    if !rules.open_at(at) {
        return Err(Refusal::OfferInactive);
    }
    if level < rules.min_level {
        return Err(Refusal::LevelTooLow { min_level: rules.min_level });
    }
    let tier = rules.tier_for(level).ok_or(Refusal::LevelTooLow { min_level: rules.min_level })?;
    if let Some(limit) = &rules.per_citizen_limit
        && used_in_period >= i64::from(limit.count)
    {
        return Err(Refusal::CitizenLimitReached);
    }
    let discount_fen = tier.discount(amount_fen).map_err(|refusal| match refusal {
        DiscountRefusal::MinSpendNotMet { min_spend_fen } => Refusal::MinSpendNotMet { min_spend_fen },
    })?;
    if rules.budget_fen.is_some_and(|budget| offer.granted_fen + discount_fen > budget)
        || rules.budget_count.is_some_and(|budget| offer.granted_count + 1 > budget)
    {
        return Err(Refusal::BudgetExhausted);
    }
    Ok(Decision { discount_fen, payable_fen: amount_fen - discount_fen })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use xinyi_merchant_sdk::api::{LimitPeriod, PerCitizenLimit, Tier, TierKind};

    fn offer() -> OfferState {
        OfferState {
            offer_id: "off_1".into(),
            merchant_id: "mer_1".into(),
            rules: OfferRules {
                title: "t".into(),
                min_level: CreditLevel::A,
                tiers: vec![
                    Tier { min_level: 3, kind: TierKind::PercentOff { percent: 10, cap_fen: Some(5000) } },
                    Tier { min_level: 5, kind: TierKind::FreeService { value_fen: 30000 } },
                ],
                per_citizen_limit: Some(PerCitizenLimit { count: 1, period: LimitPeriod::Month }),
                budget_fen: Some(10_000),
                budget_count: Some(3),
                valid_from: Some(datetime!(2026-01-01 00:00 +8)),
                valid_until: None,
                active: true,
            },
            granted_fen: 0,
            granted_count: 0,
        }
    }

    const AT: time::OffsetDateTime = datetime!(2026-11-28 08:00 UTC);

    #[test]
    fn the_highest_tier_at_or_below_the_level_applies() {
        assert_eq!(
            decide(&offer(), "mer_1", CreditLevel::AA, 20_000, AT, 0),
            Ok(Decision { discount_fen: 2000, payable_fen: 18_000 })
        );
        assert_eq!(
            decide(&offer(), "mer_1", CreditLevel::AAA, 8_000, AT, 0),
            Ok(Decision { discount_fen: 8_000, payable_fen: 0 })
        );
        assert_eq!(
            decide(&offer(), "mer_1", CreditLevel::AAA, 20_000, AT, 0),
            Err(Refusal::BudgetExhausted),
            "a discount that would overrun the budget is refused whole"
        );
    }

    #[test]
    fn each_rule_refuses_with_its_own_reason() {
        assert_eq!(decide(&offer(), "mer_2", CreditLevel::AA, 100, AT, 0), Err(Refusal::OfferNotYours));
        assert_eq!(
            decide(&offer(), "mer_1", CreditLevel::B, 100, AT, 0),
            Err(Refusal::LevelTooLow { min_level: CreditLevel::A })
        );
        assert_eq!(decide(&offer(), "mer_1", CreditLevel::A, 100, AT, 1), Err(Refusal::CitizenLimitReached));
        assert_eq!(
            decide(&offer(), "mer_1", CreditLevel::A, 100, datetime!(2025-12-31 12:00 UTC), 0),
            Err(Refusal::OfferInactive)
        );
        let mut spent = offer();
        spent.granted_fen = 9_999;
        assert_eq!(decide(&spent, "mer_1", CreditLevel::A, 100, AT, 0), Err(Refusal::BudgetExhausted));
        assert_eq!(
            decide(&spent, "mer_1", CreditLevel::A, 10, AT, 0).unwrap().discount_fen,
            1,
            "exactly reaching the budget is allowed"
        );
        let mut counted = offer();
        counted.granted_count = 3;
        assert_eq!(decide(&counted, "mer_1", CreditLevel::A, 100, AT, 0), Err(Refusal::BudgetExhausted));
        let mut inactive = offer();
        inactive.rules.active = false;
        assert_eq!(decide(&inactive, "mer_1", CreditLevel::A, 100, AT, 0), Err(Refusal::OfferInactive));
    }

    #[test]
    fn yuan_are_written_with_two_decimals() {
        assert_eq!(yuan(87_000_000), "870000.00");
        assert_eq!(yuan(5), "0.05");
    }
}
