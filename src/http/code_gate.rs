//! Who may be given codes, phone or paper, and at which level: not a
//! black-listed citizen, and not one below the lowest level with benefits.
//! One gate for every way a code is issued, so none can skip it.

use super::problem::ApiError;
use super::state::AppState;
use crate::domain::lists::ListKind;
use crate::storage::Citizen;
use axum::http::StatusCode;
use time::OffsetDateTime;
use xinyi_merchant_sdk::CreditLevel;

/// The benefit level `citizen`'s codes carry at `now`, or why they get none.
pub(super) async fn code_level(
    state: &AppState,
    citizen: &Citizen,
    now: OffsetDateTime,
) -> Result<CreditLevel, ApiError> {
    let standing = crate::standing::standing(&state.store, &state.policy.thresholds, citizen, now).await?;
    if let Some(black) = standing.active.iter().find(|e| e.list == ListKind::Black) {
        return Err(ApiError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "blacklisted",
            title: "已列入失信名单,暂停信用优惠 / On the black list: no credit benefits",
            detail: format!(
                "原因:{},来源:{}。如已履行义务,可在信用码页面对该条目申请信用修复 / \
                 Reason: {}; source: {}. If you have put it right, ask for credit repair of entry {} on the credit code page.",
                black.reason, black.source, black.reason, black.source, black.entry_id
            ),
        });
    }
    let level = standing.benefit_level;
    if level < state.policy.code_min_level {
        return Err(ApiError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "level_too_low",
            title: "当前信用等级暂无优惠 / No benefits at this credit level",
            detail: format!(
                "信用等级 {} 暂无优惠,达到 {} 级即可使用信用码 / Credit level {} has no benefits; codes start at level {}",
                level, state.policy.code_min_level, level, state.policy.code_min_level
            ),
        });
    }
    Ok(level)
}
