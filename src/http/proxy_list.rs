//! Family proxies as each side sees them, and ending a grant. The grantor
//! sees every code a proxy fetched for them and what became of it; either
//! side may end a grant, and from that moment no code fetched under it
//! redeems, not even one fetched a minute before.

use super::auth::CitizenAuth;
use super::problem::{ApiError, Problem};
use super::state::AppState;
use crate::domain::proxies::{Side, masked_citizen_id};
use crate::storage::{GivenGrant, ProxyCode, ProxyGrant, ProxyRedemption};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GrantView {
    pub grant_id: String,
    /// The other side's citizen id, masked (first character and last four).
    pub other: String,
    /// `active`, `ended` (by either side) or `expired`.
    #[schema(pattern = "^(active|ended|expired)$")]
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// Who ended it: `grantor` or `proxy`.
    pub ended_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProxyRedemptionView {
    pub redemption_id: String,
    pub merchant_name: String,
    pub offer_title: String,
    pub discount_fen: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub redeemed_at: OffsetDateTime,
    pub voided: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProxyCodeView {
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Its redemption, if it was redeemed.
    pub redemption: Option<ProxyRedemptionView>,
}

#[derive(Serialize, ToSchema)]
pub struct GivenGrantView {
    #[serde(flatten)]
    pub grant: GrantView,
    /// Codes the proxy fetched under this grant, in all.
    pub codes_fetched: i64,
    /// Those codes, newest first (the latest 1,000 of the citizen's grants).
    pub codes: Vec<ProxyCodeView>,
}

#[derive(Serialize, ToSchema)]
pub struct ProxyList {
    /// Grants the citizen gave: family members who may show their code.
    pub given: Vec<GivenGrantView>,
    /// Grants the citizen was given: whose code they may show.
    pub received: Vec<GrantView>,
}

impl GrantView {
    /// The grant as `viewer` sees it: the other side named, masked.
    fn of(grant: ProxyGrant, viewer: Side, now: OffsetDateTime) -> GrantView {
        let other_id = match viewer {
            Side::Grantor => &grant.proxy_id,
            Side::Proxy => &grant.grantor_id,
        };
        let status = if grant.ended_at.is_some() {
            "ended"
        } else if grant.active_at(now) {
            "active"
        } else {
            "expired"
        };
        GrantView {
            other: masked_citizen_id(other_id),
            status: status.into(),
            created_at: grant.created_at,
            expires_at: grant.expires_at,
            ended_at: grant.ended_at,
            ended_by: grant.ended_by.map(|side| side.as_str().to_owned()),
            grant_id: grant.grant_id,
        }
    }
}

fn code_view(code: ProxyCode) -> ProxyCodeView {
    ProxyCodeView {
        issued_at: code.issued_at,
        expires_at: code.expires_at,
        redemption: code.redemption.map(|r: ProxyRedemption| ProxyRedemptionView {
            redemption_id: r.redemption_id,
            merchant_name: r.merchant_name,
            offer_title: r.offer_title,
            discount_fen: r.discount_fen,
            redeemed_at: r.redeemed_at,
            voided: r.voided,
        }),
    }
}

fn given_view(given: GivenGrant, now: OffsetDateTime) -> GivenGrantView {
    GivenGrantView {
        grant: GrantView::of(given.grant, Side::Grantor, now),
        codes_fetched: given.codes_fetched,
        codes: given.codes.into_iter().map(code_view).collect(),
    }
}

/// The signed-in citizen's grants both ways.
#[utoipa::path(get, path = "/v1/me/proxies", tag = "citizen", security(("citizen" = [])),
    responses((status = 200, body = ProxyList),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_proxies(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
) -> Result<Json<ProxyList>, ApiError> {
    let now = OffsetDateTime::now_utc();
    let overview = state.store.proxies_of(citizen.number).await?;
    Ok(Json(ProxyList {
        given: overview.given.into_iter().map(|g| given_view(g, now)).collect(),
        received: overview.received.into_iter().map(|g| GrantView::of(g, Side::Proxy, now)).collect(),
    }))
}

/// Ends a grant at once, by either side. Codes fetched under it are
/// refused from now on. Ending an ended grant keeps the first ending.
#[utoipa::path(delete, path = "/v1/me/proxies/{grant_id}", tag = "citizen", security(("citizen" = [])),
    params(("grant_id" = String, Path)),
    responses((status = 204, description = "ended"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such grant with this citizen on either side")))]
pub async fn end_proxy(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    Path(grant_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let now = super::whole_second_now();
    let ended = state.store.end_proxy_grant(citizen.number, &grant_id, now).await?;
    ended.ok_or_else(|| ApiError::not_found("proxy grant"))?;
    Ok(StatusCode::NO_CONTENT)
}
