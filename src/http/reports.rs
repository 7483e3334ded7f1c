use super::auth::ReaderAuth;
use super::problem::{ApiError, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::reports::GroupBy;
use crate::reporting::{ReductionReport, ReportPeriod, check_scope, reduction_report, to_csv};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, China Standard Time (YYYY-MM-DD); the programme's start when absent.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub from: Option<String>,
    /// Last day, included; today when absent.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub to: Option<String>,
    /// merchant, category, district, level, offer, day, month or terminal (default merchant).
    #[param(pattern = "^(merchant|category|district|level|offer|day|month|terminal)$")]
    pub group_by: Option<String>,
    /// Only this merchant's redemptions; required with group_by=terminal.
    pub merchant_id: Option<String>,
}

/// Fee reductions over a period, grouped, with a headline and totals that
/// reconcile with the ledger to the fen. `Accept: text/csv` gives CSV.
#[utoipa::path(get, path = "/v1/reports/reductions", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])), params(ReportQuery),
    responses((status = 200, description = "the report; CSV with Accept: text/csv",
        content((ReductionReport = "application/json"), (String = "text/csv"))),
        (status = 422, body = Problem)))]
pub async fn reductions(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let period = ReportPeriod::parse(query.from.as_deref(), query.to.as_deref())
        .map_err(|(field, detail)| ApiError::invalid(field, detail))?;
    let by: GroupBy = query
        .group_by
        .as_deref()
        .unwrap_or("merchant")
        .parse()
        .map_err(|e: String| ApiError::invalid("group_by", e))?;
    let merchant_id = query.merchant_id.as_deref().map(str::trim).filter(|m| !m.is_empty());
    check_scope(by, merchant_id).map_err(|e| ApiError::invalid("merchant_id", e))?;
    if let Some(merchant_id) = merchant_id
        && state.store.merchant(merchant_id).await?.is_none()
    {
        return Err(ApiError::invalid("merchant_id", "没有这个商户 / No such merchant"));
    }
    let report = reduction_report(&state.store, period, by, merchant_id).await?;
    let wants_csv = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"));
    if wants_csv {
        let filename = format!(
            "attachment; filename=\"reductions-{}-{}-by-{}.csv\"",
            report.from,
            report.to,
            query.group_by.as_deref().unwrap_or("merchant")
        );
        return Ok((
            [(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, filename)],
            to_csv(&report),
        )
            .into_response());
    }
    Ok(Json(report).into_response())
}
