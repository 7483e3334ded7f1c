//! Every staff action that changes something is written to the audit log:
//! who (the principal's id, role and name), what (method, path and body),
//! when. One layer for all routes, so a new endpoint cannot forget it.

use super::limits::MAX_BODY;
use super::problem::ApiError;
use super::state::AppState;
use crate::auth::bearer_tokens::token_hash;
use crate::domain::principals::{Principal, Role};
use crate::storage::AuditEntry;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header::AUTHORIZATION};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use time::OffsetDateTime;

/// How much of a body the audit entry keeps.
const KEPT_BODY_CHARS: usize = 2000;

/// What `principal` did now, as the audit log keeps it.
pub(super) fn entry_by(principal: Principal, action: String, detail: String) -> AuditEntry {
    AuditEntry {
        at: OffsetDateTime::now_utc(),
        actor: principal.name,
        principal_id: Some(principal.principal_id),
        role: Some(principal.role.as_str().to_owned()),
        action,
        detail,
    }
}

/// Only a live staff principal's body is read here, and only after its
/// token was checked: anyone else's request goes on untouched, so its
/// handler refuses a bad credential before a byte of the body is read.
pub async fn record_staff_actions(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let staff_token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(super::auth::bearer_value)
        .filter(|t| Role::is_staff_token(t))
        .map(str::to_owned);
    let (Some(token), false) = (staff_token, matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS))
    else {
        return next.run(request).await;
    };
    let principal = match state.store.active_principal_by_token_hash(&token_hash(&token)).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return next.run(request).await,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let action = format!("{} {}", request.method(), request.uri().path());
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(error) if error.to_string().contains("length limit") => {
            return ApiError::body_too_large().into_response();
        }
        Err(_) => {
            return ApiError::BadRequest {
                detail: "请求体读取失败 / The request body could not be read".into()
            }
            .into_response();
        }
    };
    let detail: String = String::from_utf8_lossy(&bytes).chars().take(KEPT_BODY_CHARS).collect();
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if response.status().is_success() {
        let entry = entry_by(principal, action, detail);
        if let Err(e) = state.store.record_audit(&entry).await {
            tracing::error!(error = %e, action = %entry.action, "writing the audit log failed");
        }
    }
    response
}
