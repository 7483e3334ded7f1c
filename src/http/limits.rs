//! What every request is held to before and around its handler: the
//! longest URI and headers, the largest body, how long a handler may take,
//! and problem+json for the routes and methods that do not exist. One
//! layer for all routes, so a new endpoint cannot forget it.

use super::problem::ApiError;
use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest JSON body any endpoint takes.
pub const MAX_BODY: usize = 64 * 1024;
/// The longest request target; a longer one gets 414.
const MAX_URI: usize = 8 * 1024;
/// The most header bytes (names and values); more gets 431.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The most rows one listing answers.
pub const MAX_LISTING: u32 = 500;

/// How many rows a listing answers: `default` when not asked, else 1 to [`MAX_LISTING`].
pub fn listing_limit(asked: Option<u32>, default: u32) -> Result<u32, ApiError> {
    let limit = asked.unwrap_or(default);
    if !(1..=MAX_LISTING).contains(&limit) {
        return Err(ApiError::invalid("limit", "须为 1 到 500 / must be 1 to 500"));
    }
    Ok(limit)
}

fn refused(status: StatusCode, code: &'static str, title: &'static str, detail: &str) -> Response {
    ApiError::Refused { status, code, title, detail: detail.to_owned() }.into_response()
}

/// URI and header sizes, then the handler under the request timeout.
pub async fn hold_to_limits(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    let uri_len = uri.scheme_str().map_or(0, str::len)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI {
        return refused(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            "请求地址过长 / URI too long",
            "请求地址不能超过 8 KiB / The request target may be at most 8 KiB",
        );
    }
    let header_bytes: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if header_bytes > MAX_HEADER_BYTES {
        return refused(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            "请求头过大 / Request headers too large",
            "请求头合计不能超过 16 KiB / The request headers may be at most 16 KiB together",
        );
    }
    let route = request.extensions().get::<MatchedPath>().map_or("(no route)", |p| p.as_str()).to_owned();
    let method = request.method().clone();
    let started = std::time::Instant::now();
    let response = match tokio::time::timeout(state.http.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout = ?state.http.request_timeout, "a request timed out");
            ApiError::Unavailable {
                detail: "处理超时,未完成的核销可用同一 Idempotency-Key 重试 / The request timed out; retry a redemption with the same Idempotency-Key",
            }
            .into_response()
        }
    };
    crate::metrics::http_request(&route, method.as_str(), response.status().as_u16(), started.elapsed());
    response
}

/// No route has this path.
pub async fn no_such_route() -> ApiError {
    ApiError::NotFound { detail: "没有这个接口 / There is no such endpoint; see /openapi.json".into() }
}

/// The path exists, but not with this method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::Refused {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        title: "不支持此方法 / Method not allowed",
        detail:
            "此接口不支持该 HTTP 方法,见 /openapi.json / This endpoint does not take this method; see /openapi.json"
                .into(),
    }
}
