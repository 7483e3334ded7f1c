//! Staff principals, managed by coordinators: a department, an auditor or a
//! service desk gets a token of its own, shown once, and can lose it at once.

use super::auth::CoordinatorAuth;
use super::problem::{ApiError, ApiJson, Problem};
use super::state::AppState;
use crate::auth::staff;
use crate::domain::principals::{NewPrincipal, Principal};
use crate::storage::{Revocation, StoreError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"role": "department", "name": "民政局 Civil Affairs", "source": "civil-affairs", "max_delta": 50}))]
pub struct NewPrincipalRequest {
    #[schema(pattern = "^(coordinator|department|auditor|service_desk)$")]
    pub role: String,
    /// Unique among all principals, live or revoked.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// Departments only (and required there): the one score-event source it posts under.
    #[schema(pattern = "^[a-z][a-z0-9-]{1,63}$")]
    pub source: Option<String>,
    /// Departments only (and required there): the largest change one event may make, either way.
    #[schema(minimum = 1, maximum = 1000)]
    pub max_delta: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PrincipalView {
    pub principal_id: String,
    pub role: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_delta: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<Principal> for PrincipalView {
    fn from(p: Principal) -> Self {
        PrincipalView {
            principal_id: p.principal_id,
            role: p.role.as_str().to_owned(),
            name: p.name,
            source: p.scope.as_ref().map(|s| s.source.clone()),
            max_delta: p.scope.as_ref().map(|s| s.max_delta),
            created_at: p.created_at,
            revoked_at: p.revoked_at,
        }
    }
}

/// The new principal with its token: the only time the token is shown.
#[derive(Serialize, ToSchema)]
pub struct PrincipalCreated {
    #[serde(flatten)]
    pub principal: PrincipalView,
    pub token: String,
}

/// Creates a staff principal with one role and answers its bearer token, once.
#[utoipa::path(post, path = "/v1/principals", tag = "coordinator", security(("coordinator" = [])),
    request_body = NewPrincipalRequest,
    responses((status = 201, body = PrincipalCreated),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "name_taken"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_principal(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    ApiJson(body): ApiJson<NewPrincipalRequest>,
) -> Result<(StatusCode, Json<PrincipalCreated>), ApiError> {
    let new = NewPrincipal::parse(&body.role, &body.name, body.source.as_deref(), body.max_delta)
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    let (principal, token) = match staff::create_principal(&state.store, &new, OffsetDateTime::now_utc()).await {
        Ok(created) => created,
        Err(StoreError::AlreadyExists(_)) => {
            return Err(ApiError::Refused {
                status: StatusCode::CONFLICT,
                code: "name_taken",
                title: "名称已被使用 / Name already taken",
                detail: format!("已有名为 {0} 的工作人员 / A principal named {0} exists already", new.name),
            });
        }
        Err(other) => return Err(other.into()),
    };
    Ok((StatusCode::CREATED, Json(PrincipalCreated { principal: principal.into(), token })))
}

/// Every staff principal, live and revoked, oldest first; never a token.
#[utoipa::path(get, path = "/v1/principals", tag = "coordinator", security(("coordinator" = [])),
    responses((status = 200, body = Vec<PrincipalView>)))]
pub async fn list_principals(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
) -> Result<Json<Vec<PrincipalView>>, ApiError> {
    Ok(Json(state.store.principals().await?.into_iter().map(PrincipalView::from).collect()))
}

/// Revokes a principal's token. Staff tokens are checked against the
/// database on every request, so it stops working on every node at once.
#[utoipa::path(post, path = "/v1/principals/{principal_id}/revoke", tag = "coordinator", security(("coordinator" = [])),
    params(("principal_id" = String, Path)),
    responses((status = 200, body = PrincipalView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already_revoked")))]
pub async fn revoke_principal(
    State(state): State<AppState>,
    CoordinatorAuth(_): CoordinatorAuth,
    Path(principal_id): Path<String>,
) -> Result<Json<PrincipalView>, ApiError> {
    match state.store.revoke_principal(&principal_id, OffsetDateTime::now_utc()).await? {
        Revocation::Revoked(principal) => Ok(Json(principal.into())),
        Revocation::AlreadyRevoked(_) => Err(ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "already_revoked",
            title: "已撤销 / Already revoked",
            detail: "此工作人员的凭证已撤销 / This principal's token was revoked before".into(),
        }),
        Revocation::NotFound => Err(ApiError::not_found("工作人员 / principal")),
    }
}
