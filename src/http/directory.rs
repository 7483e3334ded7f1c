//! `GET /v1/offers`: where a credit code works, for anyone, without a token.

use super::problem::{ApiError, ApiQuery, Problem};
use super::state::AppState;
use crate::directory::{DirectoryEntry, Filter};
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use xinyi_merchant_sdk::CreditLevel;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Only offers that give this level rank (1 = C … 5 = AAA) something.
    #[param(minimum = 1, maximum = 5)]
    pub level: Option<u8>,
    /// law_firm, mall, housekeeping or other.
    pub category: Option<String>,
    /// A district, exactly as merchants list it, e.g. 东城区.
    pub district: Option<String>,
}

/// Browsers and proxies may keep an answer as long as the directory does.
const CACHE_FOR: &str = "public, max-age=2";

/// Every offer live now (inside its window, its merchant not suspended, its
/// budget not spent) with its merchant's name, category, district, address
/// and location. Never budgets, totals or keys. Answered from memory,
/// refreshed within two seconds of any change.
#[utoipa::path(get, path = "/v1/offers", tag = "public", params(DirectoryQuery),
    responses((status = 200, body = Vec<DirectoryEntry>),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "level is not 1–5")))]
pub async fn directory(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DirectoryQuery>,
) -> Result<Response, ApiError> {
    let level = query
        .level
        .map(|rank| {
            CreditLevel::from_rank(rank).ok_or_else(|| ApiError::invalid("level", "须为 1 到 5 / must be 1 to 5"))
        })
        .transpose()?;
    let snapshot = state.directory.snapshot();
    let headers = [(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, CACHE_FOR)];
    let filter = Filter {
        level,
        category: query.category.as_deref().filter(|c| !c.is_empty()),
        district: query.district.as_deref().filter(|d| !d.is_empty()),
    };
    if filter.level.is_none() && filter.category.is_none() && filter.district.is_none() {
        return Ok((headers, snapshot.all_json()).into_response());
    }
    let body = serde_json::to_vec(&snapshot.matching(&filter)).map_err(ApiError::internal)?;
    Ok((headers, body).into_response())
}
