//! `GET /v1/me/statement`: the citizen's credit statement, signed.

use super::auth::CitizenAuth;
use super::problem::{ApiError, ApiQuery, Problem};
use super::state::AppState;
use crate::credit_statement::{StatementError, claims, sign};
use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyi_merchant_sdk::statement::StatementClaims;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementQuery {
    /// `json` (the default), or `html` for a printable page.
    #[param(pattern = "^(json|html)$")]
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedStatement {
    pub statement: StatementClaims,
    /// A compact JWS of exactly `statement`: EdDSA, `kid` published at
    /// `GET /v1/keys`, header `typ` `xinyi-statement+jwt`.
    pub jws: String,
}

impl From<StatementError> for ApiError {
    fn from(error: StatementError) -> Self {
        match error {
            StatementError::Store(e) => e.into(),
            other => ApiError::internal(other),
        }
    }
}

/// The signed-in citizen's credit statement (信用报告): score, level, every
/// score event, active list entries, repairs and redemptions, signed so
/// that anyone can check it offline against the published keys.
#[utoipa::path(get, path = "/v1/me/statement", tag = "citizen", security(("citizen" = [])), params(StatementQuery),
    responses(
        (status = 200, description = "the statement; with ?format=html a printable A4 page with the JWS as a QR and as text",
            content((SignedStatement = "application/json"), (String = "text/html"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "an unknown format")))]
pub async fn statement(
    State(state): State<AppState>,
    CitizenAuth(citizen): CitizenAuth,
    ApiQuery(query): ApiQuery<StatementQuery>,
) -> Result<Response, ApiError> {
    let html = match query.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!("须为 json 或 html / must be json or html, not {other:?}"),
            ));
        }
    };
    let now = super::whole_second_now();
    let claims = claims(&state.store, &state.policy.thresholds, &citizen, now).await?;
    let ring = state.keys.ring().await?;
    let jws = sign(&claims, &ring, now)?;
    if html {
        let page = crate::web::statement_page::render(&claims, &jws);
        return Ok(([(CONTENT_TYPE, "text/html; charset=utf-8"), (CACHE_CONTROL, "no-store")], page).into_response());
    }
    Ok(Json(SignedStatement { statement: claims, jws }).into_response())
}
