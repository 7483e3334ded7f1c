//! Headers every answer carries: no sniffing, no referrer, no framing, a
//! content security policy that allows no inline script, and no caching of
//! API answers unless a handler says otherwise (the published keys do).

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The pages load their scripts and styles from `/assets`; the QR code is
/// inline SVG or a data: image; styles in attributes are allowed, scripts
/// inline are not.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";
/// Anything else is data, never a document to render.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn every_answer(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/v1/");
    let mut response = next.run(request).await;
    add_headers(response.headers_mut(), api);
    response
}

fn add_headers(headers: &mut HeaderMap, api: bool) {
    let page = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let policy = if page { PAGE_POLICY } else { DATA_POLICY };
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_answer_is_not_stored_unless_its_handler_allows_it() {
        let mut headers = HeaderMap::new();
        add_headers(&mut headers, true);
        assert_eq!(headers[CACHE_CONTROL], "no-store");
        let mut keys = HeaderMap::new();
        keys.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
        add_headers(&mut keys, true);
        assert_eq!(keys[CACHE_CONTROL], "public, max-age=60");
    }
}
