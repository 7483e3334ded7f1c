//! Every coordinator action that changes something is written to the audit
//! log: who (the coordinator's name), what (method, path and body), when.
//! One layer for all routes, so a new endpoint cannot forget it.

use super::state::AppState;
use crate::auth::bearer_tokens::{COORDINATOR_TOKEN_PREFIX, token_hash};
use crate::storage::AuditEntry;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header::AUTHORIZATION};
use axum::middleware::Next;
use axum::response::Response;
use time::OffsetDateTime;

/// Request bodies larger than this are refused on audited requests.
const MAX_AUDITED_BODY: usize = 1 << 20;
/// How much of a body the audit entry keeps.
const KEPT_BODY_CHARS: usize = 2000;

pub async fn record_coordinator_actions(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let coordinator_token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with(COORDINATOR_TOKEN_PREFIX))
        .map(str::to_owned);
    let (Some(token), false) =
        (coordinator_token, matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS))
    else {
        return next.run(request).await;
    };
    let action = format!("{} {}", request.method(), request.uri().path());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_AUDITED_BODY).await else {
        return axum::response::IntoResponse::into_response(super::problem::ApiError::BadRequest {
            detail: "请求体过大 / The request body is too large".into(),
        });
    };
    let detail: String = String::from_utf8_lossy(&bytes).chars().take(KEPT_BODY_CHARS).collect();
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if response.status().is_success() {
        let actor = match state.store.active_coordinator_by_token_hash(&token_hash(&token)).await {
            Ok(Some(coordinator)) => coordinator.name,
            _ => "unknown coordinator".to_owned(),
        };
        let entry = AuditEntry { at: OffsetDateTime::now_utc(), actor, action, detail };
        if let Err(e) = state.store.record_audit(&entry).await {
            tracing::error!(error = %e, action = %entry.action, "writing the audit log failed");
        }
    }
    response
}
