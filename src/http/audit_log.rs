//! Reading the audit log: coordinators and auditors. No route changes or
//! deletes its rows, and the database refuses to (migration 0009).

use super::auth::ReaderAuth;
use super::problem::{ApiError, ApiQuery};
use super::state::AppState;
use crate::domain::principals::Role;
use crate::storage::AuditEntry;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// One principal's actions, by its `principal_id`.
    #[param(max_length = 64)]
    pub principal: Option<String>,
    /// One role's actions.
    #[param(pattern = "^(coordinator|department|auditor|service_desk)?$")]
    pub role: Option<String>,
    /// How many, newest first (default 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Every staff action that changed something, newest first: who (id,
/// role, name), what, when.
#[utoipa::path(get, path = "/v1/audit", tag = "coordinator", security(("coordinator" = []), ("auditor" = [])),
    params(AuditQuery), responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn audit_log(
    State(state): State<AppState>,
    ReaderAuth(_): ReaderAuth,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let principal = query.principal.as_deref().filter(|p| !p.is_empty());
    if principal.is_some_and(|p| p.chars().count() > 64) {
        return Err(ApiError::invalid(
            "principal",
            "须为 principal_id,至多 64 个字符 / must be a principal_id of at most 64 characters",
        ));
    }
    let role = query.role.as_deref().filter(|r| !r.is_empty());
    if role.is_some_and(|r| Role::parse(r).is_none()) {
        return Err(ApiError::invalid(
            "role",
            "须为 coordinator、department、auditor 或 service_desk / must be coordinator, department, auditor or service_desk",
        ));
    }
    let limit = super::limits::listing_limit(query.limit, 500)?;
    Ok(Json(state.store.audit_log(principal, role, limit).await?))
}
