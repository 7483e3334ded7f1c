//! What every operation can answer besides what its handler lists, added
//! to the generated document in one place, so the document and the layers
//! that produce these answers cannot drift apart:
//!
//! - every refusal is `application/problem+json` (RFC 9457);
//! - a route with credentials can answer 401, 403 and 429 (too many failed
//!   sign-ins from one address);
//! - a route with a JSON body can answer 400 (not JSON), 413 (over 64 KiB)
//!   and 422 (a field out of range); one with query parameters 400 and 422;
//! - any route can answer 414 (a request target over 8 KiB), 431 (headers
//!   over 16 KiB) and 503 (the request timed out, or the writer is busy),
//!   since the limits layer in `limits.rs` stands in front of every route;
//! - every response has a description (its status's reason phrase where the
//!   handler gives none), as OpenAPI requires.

use utoipa::openapi::content::Content;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::Response;
use utoipa::openapi::{OpenApi, Ref, RefOr};

const PROBLEM: &str = "application/problem+json";

fn problem(description: &str) -> RefOr<Response> {
    let mut response = Response::new(description);
    response.content.insert(PROBLEM.to_owned(), RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))));
    RefOr::T(response)
}

/// The statuses this operation can answer whatever its handler says.
fn generic_statuses(operation: &Operation) -> Vec<(&'static str, &'static str)> {
    let mut statuses = vec![
        ("414", "uri_too_long: the request target is over 8 KiB"),
        ("431", "headers_too_large: the request headers are over 16 KiB together"),
        ("503", "unavailable: timed out or busy; retry after Retry-After"),
    ];
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push(("401", "unauthorized: missing or invalid credentials"));
        statuses.push(("403", "wrong_token_kind, or refused for this caller"));
        statuses.push(("429", "rate_limited: too many failed sign-ins from this address"));
    }
    let has_query =
        operation.parameters.iter().flatten().any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    if operation.request_body.is_some() || has_query {
        statuses.push(("400", "bad_request: not JSON, or unreadable parameters"));
        statuses.push(("422", "invalid_field: a field out of range"));
    }
    if operation.request_body.is_some() {
        statuses.push(("413", "body_too_large: over 64 KiB"));
    }
    statuses
}

fn conform_operation(operation: &mut Operation) {
    for (status, description) in generic_statuses(operation) {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
    }
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        if response.description.is_empty() {
            let reason = status.parse::<u16>().ok().and_then(|s| axum::http::StatusCode::from_u16(s).ok());
            response.description = reason.and_then(|s| s.canonical_reason()).unwrap_or("Answer").to_owned();
        }
        let refusal = status.starts_with('4') || status.starts_with('5');
        if refusal && let Some(json) = response.content.shift_remove("application/json") {
            response.content.entry(PROBLEM.to_owned()).or_insert(json);
        }
    }
}

pub fn conform(mut openapi: OpenApi) -> OpenApi {
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            conform_operation(operation);
        }
    }
    openapi
}
