//! Family proxies (亲友代办), the two steps that make a grant: the citizen
//! makes a six-digit invitation, and the family member, signed in as
//! themselves, accepts it. Then `POST /v1/me/code?for=GRANT_ID` gives the
//! family member the citizen's codes ([`grantor_for_code`]).

use super::auth::CitizenAuth;
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::citizen_handle::CitizenNumber;
use crate::domain::proxies::{GrantDays, InvitationDigits, MAX_GRANTS_TO_OTHERS};
use crate::storage::{AcceptOutcome, Citizen, InvitationOutcome};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use xinyi_merchant_sdk::CreditLevel;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationBody {
    /// How long the grant runs once accepted, 1 to 90 days.
    #[schema(minimum = 1, maximum = 90)]
    pub days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Invitation {
    /// Six digits to say to the family member; they accept it within 10 minutes, once.
    #[schema(pattern = "^[0-9]{6}$")]
    pub invitation: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The six digits the citizen said.
    pub invitation: String,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedGrant {
    /// Pass as `for` to `POST /v1/me/code` to show the grantor's code.
    pub grant_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An invitation for a family member to show codes for the signed-in
/// citizen, for `days` days once accepted.
#[utoipa::path(post, path = "/v1/me/proxies", tag = "citizen", security(("citizen" = [])),
    request_body = InvitationBody,
    responses((status = 201, body = Invitation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "too_many_proxies: 3 running grants to others already"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn invite_proxy(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiJson(body): ApiJson<InvitationBody>,
) -> Result<Response, ApiError> {
    let days = body.days.ok_or_else(|| ApiError::invalid("days", "须填写 1 到 90 天 / days is required: 1 to 90"))?;
    let days = GrantDays::parse(days).map_err(|detail| ApiError::invalid("days", detail))?;
    let outcome = state.store.create_proxy_invitation(citizen.number, days, super::whole_second_now()).await?;
    let InvitationOutcome::Created { digits, expires_at } = outcome else { return Err(too_many()) };
    let body = Invitation { invitation: digits.as_str().to_owned(), expires_at };
    Ok((StatusCode::CREATED, [(CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

fn too_many() -> ApiError {
    ApiError::Refused {
        status: StatusCode::CONFLICT,
        code: "too_many_proxies",
        title: "代办人已达上限 / Too many family proxies",
        detail: format!(
            "最多可授权 {MAX_GRANTS_TO_OTHERS} 位亲友,请先结束一项授权 / \
             At most {MAX_GRANTS_TO_OTHERS} running grants to others: end one first"
        ),
    }
}

/// The signed-in citizen accepts a family member's invitation and becomes
/// their proxy.
#[utoipa::path(post, path = "/v1/me/proxies/accept", tag = "citizen", security(("citizen" = [])),
    request_body = AcceptBody,
    responses((status = 201, body = AcceptedGrant),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "too_many_proxies, or proxy_exists: a running grant between the two already"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "invitation_invalid (wrong or expired), own_invitation, or invalid_field"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "rate_limited: five wrong invitations in an hour lock accepting for an hour")))]
pub async fn accept_proxy(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Response, ApiError> {
    let digits = InvitationDigits::parse(&body.invitation).map_err(|detail| ApiError::invalid("invitation", detail))?;
    let now = super::whole_second_now();
    let grant = match state.store.accept_proxy_invitation(citizen.number, &digits, now).await? {
        AcceptOutcome::Accepted(grant) => grant,
        AcceptOutcome::Locked { until } => {
            return Err(ApiError::RateLimited {
                retry_after_secs: (until - now).whole_seconds().max(1) as u64,
                detail: "邀请码错误次数过多,请一小时后再试 / Too many wrong invitations: \
                         accepting is locked for an hour"
                    .into(),
            });
        }
        AcceptOutcome::Wrong { tries_left } => {
            return Err(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invitation_invalid",
                "邀请码错误或已过期 / Wrong or expired invitation",
                format!(
                    "请核对 6 位数字,或请家人重新生成;还可再试 {tries_left} 次 / Check the six digits, or ask for a new \
                     invitation; {tries_left} more tries this hour"
                ),
            ));
        }
        AcceptOutcome::Own => {
            return Err(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "own_invitation",
                "不能接受自己的邀请 / This is your own invitation",
                "请让家人用自己的账号登录后输入 / The family member enters it, signed in as themselves".into(),
            ));
        }
        AcceptOutcome::TooMany => return Err(too_many()),
        AcceptOutcome::Exists(grant_id) => {
            return Err(refused(
                StatusCode::CONFLICT,
                "proxy_exists",
                "已是该市民的代办人 / Already a proxy for this citizen",
                format!(
                    "授权 {grant_id} 仍有效;如需延期,请先结束它再重新邀请 / Grant {grant_id} is running: \
                     end it first to start a longer one"
                ),
            ));
        }
    };
    crate::metrics::proxy_grant_made();
    let body = AcceptedGrant { grant_id: grant.grant_id, expires_at: grant.expires_at };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn refused(status: StatusCode, code: &'static str, title: &'static str, detail: String) -> ApiError {
    ApiError::Refused { status, code, title, detail }
}

/// For `POST /v1/me/code?for=GRANT_ID`: the number of the grantor whose
/// code the proxy may show, and the level it carries. The grantor's reasons for having
/// no code (a black-list entry's reason, say) stay theirs to read.
pub(super) async fn grantor_for_code(
    state: &AppState,
    proxy: &Citizen,
    grant_id: &str,
    now: OffsetDateTime,
) -> Result<(CitizenNumber, CreditLevel), ApiError> {
    let grant = state.store.proxy_grant(grant_id).await?;
    let grant = grant.filter(|g| g.proxy == proxy.number).ok_or_else(|| ApiError::not_found("proxy grant"))?;
    if !grant.active_at(now) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            "grant_ended",
            "代办授权已结束 / This grant has ended",
            "授权已到期或已被结束,请家人重新邀请 / The grant expired or was ended: ask for a new invitation".into(),
        ));
    }
    let grantor = state.store.citizen_by_number(grant.grantor).await?;
    let grantor = grantor.ok_or_else(|| ApiError::internal(format!("grant {grant_id}: grantor is gone")))?;
    match super::code_gate::code_level(state, &grantor, now).await {
        Ok(level) => Ok((grantor.number, level)),
        Err(ApiError::Refused { status, code, title, .. }) => Err(refused(
            status,
            code,
            title,
            "家人本人可在其信用码页面查看原因 / The family member can see why on their own credit code page".into(),
        )),
        Err(other) => Err(other),
    }
}
