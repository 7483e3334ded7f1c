//! Citizens see their redemptions and dispute them (异议申诉); coordinators
//! resolve disputes and read the audit log.

use super::auth::{CitizenAuth, CoordinatorAuth, ReaderAuth};
use super::problem::{ApiError, ApiJson, ApiQuery, Problem};
use super::state::AppState;
use crate::engine::{Resolution, ResolveOutcome};
use crate::ids::new_id;
use crate::storage::{Dispute, DisputeOutcome};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct MyRedemption {
    pub redemption_id: String,
    pub merchant_name: String,
    pub offer_title: String,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub redeemed_at: OffsetDateTime,
    pub voided: bool,
    /// open, voided or rejected, when disputed.
    pub dispute_status: Option<String>,
}

/// The signed-in citizen's redemptions, newest first.
#[utoipa::path(get, path = "/v1/me/redemptions", tag = "citizen", security(("citizen" = [])),
    responses((status = 200, body = Vec<MyRedemption>), (status = 401, body = Problem)))]
pub async fn my_redemptions(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
) -> Result<Json<Vec<MyRedemption>>, ApiError> {
    let rows = state.store.citizen_redemptions(citizen.number, 200).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| MyRedemption {
                redemption_id: r.redemption_id,
                merchant_name: r.merchant_name,
                offer_title: r.offer_title,
                amount_fen: r.amount_fen,
                discount_fen: r.discount_fen,
                payable_fen: r.payable_fen,
                redeemed_at: r.created_at,
                voided: r.voided_at.is_some(),
                dispute_status: r.dispute_status,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DisputeRequest {
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// Files a dispute about one of the citizen's own redemptions.
#[utoipa::path(post, path = "/v1/me/redemptions/{redemption_id}/dispute", tag = "citizen", security(("citizen" = [])),
    params(("redemption_id" = String, Path)), request_body = DisputeRequest,
    responses((status = 201, body = Dispute), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn file_dispute(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    Path(redemption_id): Path<String>,
    ApiJson(body): ApiJson<DisputeRequest>,
) -> Result<(StatusCode, Json<Dispute>), ApiError> {
    let reason = crate::domain::text::visible_text(&body.reason, 1000).ok_or_else(|| {
        ApiError::invalid("reason", "须为 1 到 1000 个可见字符 / must be 1 to 1000 characters, at least one visible")
    })?;
    let outcome = state
        .store
        .file_dispute(&new_id("dsp"), citizen.number, &redemption_id, reason, OffsetDateTime::now_utc())
        .await?;
    match outcome {
        DisputeOutcome::Filed(dispute) => Ok((StatusCode::CREATED, Json(*dispute))),
        DisputeOutcome::NotFound => Err(ApiError::not_found("您的核销记录 / your redemption")),
        DisputeOutcome::AlreadyOpen => Err(ApiError::Refused {
            status: axum::http::StatusCode::CONFLICT,
            code: "dispute_already_open",
            title: "已有未处理的异议 / A dispute is already open",
            detail: "请等待协调员处理 / A coordinator will resolve the open dispute".into(),
        }),
        DisputeOutcome::AlreadyVoided => Err(ApiError::Refused {
            status: axum::http::StatusCode::CONFLICT,
            code: "already_voided",
            title: "已撤销 / Already voided",
            detail: "此核销已经撤销,优惠已退回 / This redemption was voided; nothing is left to dispute".into(),
        }),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisputeQuery {
    /// open, voided or rejected; all when absent.
    #[param(pattern = "^(open|voided|rejected)?$")]
    pub status: Option<String>,
}

/// Disputes, oldest first: the coordinators' queue, which auditors read too.
#[utoipa::path(get, path = "/v1/disputes", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    params(DisputeQuery), responses((status = 200, body = Vec<Dispute>)))]
pub async fn list_disputes(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    ApiQuery(query): ApiQuery<DisputeQuery>,
) -> Result<Json<Vec<Dispute>>, ApiError> {
    let status = query.status.as_deref().filter(|s| !s.is_empty());
    if let Some(s) = status
        && !["open", "voided", "rejected"].contains(&s)
    {
        return Err(ApiError::invalid("status", "须为 open、voided 或 rejected / must be open, voided or rejected"));
    }
    Ok(Json(state.store.disputes(status).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ResolveRequest {
    /// `void` reverses the redemption; `reject` keeps it.
    #[schema(pattern = "^(void|reject)$")]
    pub action: String,
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub note: String,
}

/// Resolves a dispute by voiding the redemption or rejecting the dispute.
#[utoipa::path(post, path = "/v1/disputes/{dispute_id}/resolve", tag = "coordinator", security(("coordinator" = [])),
    params(("dispute_id" = String, Path)), request_body = ResolveRequest,
    responses((status = 200, body = Dispute), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 503, body = Problem, description = "unavailable: retry after Retry-After")))]
pub async fn resolve_dispute(
    State(state): State<AppState>,
    CoordinatorAuth(coordinator): CoordinatorAuth,
    Path(dispute_id): Path<String>,
    ApiJson(body): ApiJson<ResolveRequest>,
) -> Result<Json<Dispute>, ApiError> {
    let resolution = match body.action.as_str() {
        "void" => Resolution::Void,
        "reject" => Resolution::Reject,
        _ => return Err(ApiError::invalid("action", "须为 void 或 reject / must be void or reject")),
    };
    let outcome = state
        .engine
        .resolve_dispute(
            dispute_id,
            resolution,
            body.note.trim().to_owned(),
            coordinator.name,
            OffsetDateTime::now_utc(),
        )
        .await?;
    match outcome {
        ResolveOutcome::Resolved(dispute) => Ok(Json(*dispute)),
        ResolveOutcome::NotFound => Err(ApiError::not_found("异议 / dispute")),
        ResolveOutcome::AlreadyResolved => Err(ApiError::Refused {
            status: axum::http::StatusCode::CONFLICT,
            code: "dispute_already_resolved",
            title: "异议已处理 / Dispute already resolved",
            detail: "此异议已经处理过 / This dispute was resolved before".into(),
        }),
    }
}
