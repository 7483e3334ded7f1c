//! Daily settlement statements: a merchant's own with its terminal key,
//! any merchant's for coordinators. JSON, or CSV with `Accept: text/csv`;
//! every answer carries `Repr-Digest` of its body.

use super::auth::{MerchantAuth, ReaderAuth};
use super::problem::{ApiError, Problem};
use super::state::AppState;
use crate::statements::{Statement, StatementError, parse_day, repr_digest, statement, to_csv, to_json};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

/// The statement, in the form the caller accepts.
async fn answer(state: &AppState, merchant_id: &str, date: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let day = parse_day(date).map_err(|e| ApiError::invalid("date", e))?;
    let statement =
        statement(&state.store, merchant_id, day, OffsetDateTime::now_utc()).await.map_err(|e| match e {
            StatementError::NotYetBegun => ApiError::invalid("date", "这一天还没有开始 / That day has not begun yet"),
            StatementError::Store(e) => e.into(),
        })?;
    let wants_csv = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"));
    let (content_type, body, disposition) = if wants_csv {
        let file = format!("attachment; filename=\"statement-{merchant_id}-{}.csv\"", statement.date);
        ("text/csv; charset=utf-8", to_csv(&statement), Some(file))
    } else {
        ("application/json", to_json(&statement), None)
    };
    let mut response = (
        [(CONTENT_TYPE, content_type.to_owned()), ("repr-digest".parse().expect("a header name"), repr_digest(&body))],
        body,
    )
        .into_response();
    if let Some(disposition) = disposition {
        response.headers_mut().insert(CONTENT_DISPOSITION, disposition.parse().expect("an ASCII header value"));
    }
    Ok(response)
}

/// The calling merchant's settlement statement for one China Standard Time
/// day: every redemption and every void of that day, with its terminal,
/// and totals. Once the day is over (`settled`), the same bytes every time.
#[utoipa::path(get, path = "/v1/merchant/statements/{date}", tag = "merchant", security(("merchant" = [])),
    params(("date" = String, Path, format = Date, description = "YYYY-MM-DD, China Standard Time")),
    responses(
        (status = 200, description = "the statement; with Accept: text/csv a UTF-8 BOM, a header, the entries, and a last row starting with total",
            content((Statement = "application/json"), (String = "text/csv")),
            headers(("Repr-Digest" = String, description = "RFC 9530 sha-256 of the body"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "not a date, or a day that has not begun")))]
pub async fn own_statement(
    State(state): State<AppState>,
    MerchantAuth(merchant, _): MerchantAuth,
    Path(date): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    answer(&state, &merchant.merchant_id, &date, &headers).await
}

/// A merchant's settlement statement for one China Standard Time day, for
/// coordinators; the same document the merchant gets.
#[utoipa::path(get, path = "/v1/merchants/{merchant_id}/statements/{date}", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    params(("merchant_id" = String, Path), ("date" = String, Path, format = Date, description = "YYYY-MM-DD, China Standard Time")),
    responses(
        (status = 200, description = "the statement; CSV with Accept: text/csv",
            content((Statement = "application/json"), (String = "text/csv")),
            headers(("Repr-Digest" = String, description = "RFC 9530 sha-256 of the body"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not a coordinator token"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn merchant_statement(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    Path((merchant_id, date)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if state.store.merchant(&merchant_id).await?.is_none() {
        return Err(ApiError::not_found("商户 / merchant"));
    }
    answer(&state, &merchant_id, &date, &headers).await
}
