//! The pages, served by the service itself with their assets compiled into
//! the binary: no separate front-end server, no CDN, works offline.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::routing::get;

pub mod code_sheet_page;
pub mod statement_page;

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every page and asset: its path, its type and its bytes.
const ASSETS: [(&str, &str, &str); 20] = [
    ("/citizen", HTML, include_str!("assets/citizen.html")),
    ("/assets/citizen.js", JS, include_str!("assets/citizen.js")),
    ("/assets/declare.js", JS, include_str!("assets/declare.js")),
    ("/assets/care.js", JS, include_str!("assets/care.js")),
    ("/assets/proxy.js", JS, include_str!("assets/proxy.js")),
    ("/assets/sheets.js", JS, include_str!("assets/sheets.js")),
    ("/merchant", HTML, include_str!("assets/merchant.html")),
    ("/assets/merchant.js", JS, include_str!("assets/merchant.js")),
    ("/coordinator", HTML, include_str!("assets/coordinator.html")),
    ("/assets/coordinator.js", JS, include_str!("assets/coordinator.js")),
    ("/assets/console-merchants.js", JS, include_str!("assets/console-merchants.js")),
    ("/assets/offer-form.js", JS, include_str!("assets/offer-form.js")),
    ("/assets/console-staff.js", JS, include_str!("assets/console-staff.js")),
    ("/department", HTML, include_str!("assets/department.html")),
    ("/assets/department.js", JS, include_str!("assets/department.js")),
    ("/assets/app.css", CSS, include_str!("assets/app.css")),
    ("/assets/common.js", JS, include_str!("assets/common.js")),
    ("/assets/docs.js", JS, include_str!("assets/docs.js")),
    ("/assets/vendor/redoc.standalone.js", JS, include_str!("assets/vendor/redoc.standalone.js")),
    ("/assets/console.css", CSS, include_str!("assets/console.css")),
];

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    ASSETS.iter().fold(Router::new(), |router, &(path, content_type, body)| {
        router.route(
            path,
            get(move || async move { ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")], body) }),
        )
    })
}
