//! The rules a redemption must pass, decided in one place for every backend.

use crate::domain::offers::OfferRules;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::DiscountRefusal;

/// Why a redemption was refused. Each has a stable code and an HTTP status.
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
    LevelTooLow { min_level: CreditLevel },
    MinSpendNotMet { min_spend_fen: i64 },
    CitizenLimitReached,
    BudgetExhausted,
    IdempotencyMismatch,
    ScannedInFuture,
    OfflineWindowPassed,
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
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Refusal::CodeUsed => 409,
            Refusal::OfferNotFound | Refusal::OfferNotYours => 404,
            _ => 422,
        }
    }

    /// A title and a detail, in Chinese with English, for the cashier.
    pub fn words(&self) -> (&'static str, String) {
        match self {
            Refusal::CodeMalformed(why) => (
                "无法识别的信用码 / Not a credit code",
                format!("请让顾客刷新后重扫 / Ask the customer to refresh and scan again ({why})"),
            ),
            Refusal::CodeUnsupportedVersion => {
                ("信用码版本不受支持 / Unsupported credit code version", "请更新收银端 / Update this terminal".into())
            }
            Refusal::CodeUnknownKey => (
                "信用码签名密钥未知 / Unknown signing key",
                "此信用码不是本系统签发的 / This code was not issued by this service".into(),
            ),
            Refusal::BadSignature => {
                ("信用码签名无效 / Invalid signature", "信用码可能被篡改 / The code may have been altered".into())
            }
            Refusal::CodeExpired => {
                ("信用码已过期 / Code expired", "请让顾客刷新信用码 / Ask the customer to refresh the code".into())
            }
            Refusal::CodeNotYetValid => {
                ("信用码尚未生效 / Code not valid yet", "请检查收银端时钟 / Check this terminal's clock".into())
            }
            Refusal::CodeUsed => (
                "信用码已使用 / Code already used",
                "每个信用码只能使用一次,请让顾客刷新 / Each code redeems once; ask the customer to refresh".into(),
            ),
            Refusal::UnknownCitizen => (
                "无法识别的市民 / Unknown citizen",
                "此信用码对应的市民不存在 / The code names no known citizen".into(),
            ),
            Refusal::OfferNotFound => ("优惠不存在 / No such offer", "请刷新优惠列表 / Refresh the offer list".into()),
            Refusal::OfferNotYours => (
                "不是本商户的优惠 / Not this merchant's offer",
                "请从本商户的优惠中选择 / Choose one of this merchant's offers".into(),
            ),
            Refusal::OfferInactive => {
                ("优惠未生效或已结束 / Offer not active", "此优惠当前不可用 / This offer is not available now".into())
            }
            Refusal::LevelTooLow { min_level } => (
                "信用等级不足 / Credit level too low",
                format!("此优惠需要 {min_level} 级及以上 / This offer needs level {min_level} or higher"),
            ),
            Refusal::MinSpendNotMet { min_spend_fen } => (
                "未达到最低消费 / Minimum spend not met",
                format!("最低消费 {} 元 / The minimum spend is ¥{}", yuan(*min_spend_fen), yuan(*min_spend_fen)),
            ),
            Refusal::CitizenLimitReached => (
                "已达到使用次数上限 / Limit reached",
                "该市民本期已用完此优惠 / This citizen has used this offer up for the period".into(),
            ),
            Refusal::BudgetExhausted => {
                ("优惠预算已用完 / Budget exhausted", "此优惠的预算已用完 / This offer's budget is used up".into())
            }
            Refusal::IdempotencyMismatch => (
                "请求编号重复 / Idempotency key reused",
                "同一 Idempotency-Key 的请求内容不同 / The same Idempotency-Key was sent with a different body".into(),
            ),
            Refusal::ScannedInFuture => {
                ("扫码时间在未来 / Scan time in the future", "请检查收银端时钟 / Check this terminal's clock".into())
            }
            Refusal::OfflineWindowPassed => (
                "离线核销已超时 / Offline window passed",
                "离线记录须在 24 小时内提交 / Offline redemptions must be submitted within the offline window".into(),
            ),
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
