//! The pages, served by the service itself with their assets compiled into
//! the binary: no separate front-end server, no CDN, works offline.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

pub mod statement_page;

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")], body)
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/citizen", get(|| async { asset("text/html; charset=utf-8", include_str!("assets/citizen.html")) }))
        .route("/merchant", get(|| async { asset("text/html; charset=utf-8", include_str!("assets/merchant.html")) }))
        .route(
            "/assets/merchant.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/merchant.js")) }),
        )
        .route(
            "/coordinator",
            get(|| async { asset("text/html; charset=utf-8", include_str!("assets/coordinator.html")) }),
        )
        .route(
            "/assets/coordinator.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/coordinator.js")) }),
        )
        .route(
            "/assets/declare.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/declare.js")) }),
        )
        .route(
            "/department",
            get(|| async { asset("text/html; charset=utf-8", include_str!("assets/department.html")) }),
        )
        .route(
            "/assets/department.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/department.js")) }),
        )
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", include_str!("assets/app.css")) }))
        .route(
            "/assets/common.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/common.js")) }),
        )
        .route(
            "/assets/docs.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/docs.js")) }),
        )
        .route(
            "/assets/vendor/redoc.standalone.js",
            get(|| async {
                asset("text/javascript; charset=utf-8", include_str!("assets/vendor/redoc.standalone.js"))
            }),
        )
        .route(
            "/assets/citizen.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/citizen.js")) }),
        )
}
