//! The HTTP API. Routes and the OpenAPI document are built together, so
//! the document cannot forget an endpoint.

mod audit;
mod audit_log;
pub mod auth;
mod categories;
mod citizen_standing;
mod code_gate;
mod code_sheet_list;
mod code_sheets;
mod declaration_queue;
mod declarations;
mod departments;
mod directory;
mod disputes;
mod headers;
mod health;
mod keys;
mod ledger;
mod ledger_log;
mod ledger_tiles;
mod limits;
mod list_entries;
mod me;
mod me_code;
mod me_statement;
mod merchants;
mod offer_edits;
mod offers;
mod openapi_conformance;
mod posted_records;
mod principals;
pub mod problem;
mod proxies;
mod proxy_list;
pub mod rate_limits;
mod redemption_lookup;
mod redemption_proof;
mod redemption_quote;
mod redemptions;
mod refusals;
mod repair_queue;
mod repairs;
mod reports;
mod score_events;
pub mod serve;
pub mod state;
mod statements;

use axum::Json;
use axum::Router;
use axum::routing::get;
use state::AppState;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "xinyi", description = "信易+ credit codes, merchants, redemptions and the reduced-fee ledger."),
    // The tiles are served at wildcard routes (a tile path has any number
    // of `/`), which OpenAPI cannot template: documented here, routed in `router`.
    paths(ledger_tiles::hash_tile, ledger_tiles::entry_bundle),
    modifiers(&BearerSchemes)
)]
struct ApiDoc;

struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "citizen",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "coordinator",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        for (name, description) in [
            ("department", "A department's staff token (xyd_…): score events and list entries under its own source"),
            ("auditor", "An auditor's staff token (xya_…): read only"),
            ("service_desk", "A service desk's staff token (xyk_…): one citizen's standing at the counter"),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(
                    HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build(),
                ),
            );
        }
        components.add_security_scheme(
            "merchant",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A terminal's API key from POST /v1/merchants/{merchant_id}/keys"))
                    .build(),
            ),
        );
    }
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(keys::published_keys))
        .routes(routes!(directory::directory))
        .routes(routes!(categories::list_categories, categories::create_category))
        .routes(routes!(categories::rename_category))
        .routes(routes!(departments::departments))
        .routes(routes!(declarations::file_declaration, declarations::my_declarations))
        .routes(routes!(declaration_queue::declaration_queue))
        .routes(routes!(declaration_queue::decide_declaration))
        .routes(routes!(me::me))
        .routes(routes!(me_code::issue_code))
        .routes(routes!(me_statement::statement))
        .routes(routes!(code_sheets::print_own_sheet, code_sheet_list::my_sheets))
        .routes(routes!(code_sheet_list::revoke_my_sheet))
        .routes(routes!(code_sheets::print_sheet_at_counter, code_sheet_list::resident_sheets))
        .routes(routes!(code_sheet_list::revoke_resident_sheet))
        .routes(routes!(proxies::invite_proxy, proxy_list::my_proxies))
        .routes(routes!(proxies::accept_proxy))
        .routes(routes!(proxy_list::end_proxy))
        .routes(routes!(score_events::add_score_event))
        .routes(routes!(list_entries::add_list_entry))
        .routes(routes!(list_entries::end_list_entry))
        .routes(routes!(repairs::file_repair, repairs::my_repairs))
        .routes(routes!(repair_queue::repair_queue))
        .routes(routes!(repair_queue::decide_repair))
        .routes(routes!(merchants::create_merchant, merchants::list_merchants))
        .routes(routes!(merchants::edit_place))
        .routes(routes!(merchants::create_key))
        .routes(routes!(merchants::revoke_key))
        .routes(routes!(merchants::suspend))
        .routes(routes!(merchants::resume))
        .routes(routes!(offers::create_offer, offers::merchant_offers))
        .routes(routes!(offers::own_offers))
        .routes(routes!(offer_edits::edit_offer))
        .routes(routes!(offer_edits::suspend_offer))
        .routes(routes!(offer_edits::resume_offer))
        .routes(routes!(redemptions::redeem, redemption_lookup::lookup))
        .routes(routes!(redemption_quote::quote))
        .routes(routes!(redemptions::void))
        .routes(routes!(redemptions::recent))
        .routes(routes!(disputes::my_redemptions))
        .routes(routes!(disputes::file_dispute))
        .routes(routes!(disputes::list_disputes))
        .routes(routes!(disputes::resolve_dispute))
        .routes(routes!(audit_log::audit_log))
        .routes(routes!(principals::create_principal, principals::list_principals))
        .routes(routes!(principals::revoke_principal))
        .routes(routes!(posted_records::score_events))
        .routes(routes!(posted_records::list_entries))
        .routes(routes!(citizen_standing::citizen_standing))
        .routes(routes!(reports::reductions))
        .routes(routes!(ledger::ledger))
        .routes(routes!(ledger_log::checkpoint))
        .routes(routes!(ledger_log::key))
        .routes(routes!(ledger_log::consistency))
        .routes(routes!(redemption_proof::proof))
        .routes(routes!(statements::own_statement))
        .routes(routes!(statements::merchant_statement))
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_conformance::conform(api().split_for_parts().1)
}

/// `/docs`: the document rendered for till vendors by the vendored Redoc
/// (`src/web/assets/vendor`), the document embedded in the page.
fn api_reference<S: Clone + Send + Sync + 'static>(openapi: utoipa::openapi::OpenApi) -> Router<S> {
    use utoipa_redoc::{Redoc, Servable};
    // Search would start a worker from a blob: URL, which the pages' policy does not allow.
    let config = || serde_json::json!({"disableSearch": true, "hideDownloadButton": false});
    Redoc::with_url_and_config("/docs", openapi, config).custom_html(include_str!("../web/assets/docs.html")).into()
}

pub fn router(state: AppState) -> Router {
    let (router, openapi) = api().split_for_parts();
    let openapi = openapi_conformance::conform(openapi);
    let body_timeout = state.http.body_timeout;
    router
        .merge(api_reference(openapi.clone()))
        .route("/openapi.json", get(move || async move { Json(openapi) }))
        .route("/v1/ledger/tile/entries/{*n}", get(ledger_tiles::entry_bundle))
        .route("/v1/ledger/tile/{*path}", get(ledger_tiles::hash_tile))
        .merge(crate::web::router())
        .fallback(limits::no_such_route)
        .method_not_allowed_fallback(limits::method_not_allowed)
        .layer(axum::middleware::from_fn(headers::every_answer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), audit::record_staff_actions))
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::hold_to_limits))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// A request's span names its route template, never its path or query:
/// paths hold citizen ids, and a query may hold a token.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request.extensions().get::<axum::extract::MatchedPath>().map_or("(no route)", |path| path.as_str());
    tracing::info_span!("request", method = %request.method(), route)
}

/// Now, to the whole second: what a stored time, a signed code and the
/// answer that reports them can all hold, so the three agree.
pub(crate) fn whole_second_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc().replace_nanosecond(0).expect("0 ns is valid")
}
