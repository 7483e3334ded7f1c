//! How each refusal is said at the counter: a title and a detail in
//! Chinese with English, and its HTTP status.

use super::problem::ApiError;
use crate::domain::redemption::{Refusal, yuan};
use axum::http::StatusCode;

trait Cashier {
    fn status(&self) -> StatusCode;
    /// A title and a detail, in Chinese with English, for the cashier.
    fn words(&self) -> (&'static str, String);
}

impl Cashier for Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::CodeUsed => StatusCode::CONFLICT,
            Refusal::OfferNotFound | Refusal::OfferNotYours => StatusCode::NOT_FOUND,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// A title and a detail, in Chinese with English, for the cashier.
    fn words(&self) -> (&'static str, String) {
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
            Refusal::OfflineNotAllowed => (
                "此终端不可离线核销 / This terminal may not redeem offline",
                "扫码时间过早;此终端的密钥未开通离线核销,请当场重新扫码 / The scan is too old: this terminal's key \
                 is not set up for offline use, so scan a fresh code now"
                    .into(),
            ),
            Refusal::ScannedBeforeIssue => (
                "扫码时间早于签发时间 / Scanned before it was issued",
                "请检查收银端时钟 / Check this terminal's clock".into(),
            ),
            // The merchant learns no more than that: the reason is the citizen's to see.
            Refusal::CitizenBlacklisted => (
                "该市民暂不能享受优惠 / No benefits for this citizen now",
                "请按原价结算 / Please charge the full price".into(),
            ),
            Refusal::SheetRevoked => (
                "此纸质信用码已作废 / This paper code's sheet was revoked",
                "该码页已挂失作废,请按原价结算;市民可在服务窗口补打 / The sheet was reported lost and revoked: \
                 charge the full price; the resident can print a new one at a service desk"
                    .into(),
            ),
            // Not "a proxy's grant ended": a merchant must not learn that a
            // family member showed the code.
            Refusal::CodeWithdrawn => (
                "此码已被持码人撤回 / The code's holder withdrew it",
                "请按原价结算,或请市民出示新的信用码 / Charge the full price, or ask for a fresh code".into(),
            ),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let (title, detail) = refusal.words();
        ApiError::Refused { status: refusal.status(), code: refusal.code(), title, detail }
    }
}
