//! Prometheus metrics, served on their own address (`XINYI_METRICS_ADDR`,
//! loopback by default), never on the public port.

use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use std::time::Duration;

const DURATION_BUCKETS: [f64; 12] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0];

/// Installs the recorder and serves `/metrics` on `address`; an empty
/// address turns metrics off. Only one recorder may exist in a process:
/// a second call (tests that start several apps) is told so and serves none.
pub async fn serve(address: &str) -> std::io::Result<Option<std::net::SocketAddr>> {
    if address.is_empty() {
        return Ok(None);
    }
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full("xinyi_http_request_duration_seconds".into()), &DURATION_BUCKETS)
        .expect("the buckets are not empty");
    let handle = match builder.install_recorder() {
        Ok(handle) => handle,
        Err(error) => {
            tracing::warn!(%error, "metrics are already recorded by this process; not serving them twice");
            return Ok(None);
        }
    };
    // Histograms keep their samples until drained; without a scrape they
    // would grow for ever, so drain them on a clock of our own.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    let router = axum::Router::new().route("/metrics", get(move || std::future::ready(handle.render())));
    tokio::spawn(async move { axum::serve(listener, router).await });
    tracing::info!(metrics_address = %bound, "metrics are served at /metrics");
    Ok(Some(bound))
}

pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    let labels = [("route", route.to_owned()), ("method", method.to_owned()), ("status", status.to_string())];
    metrics::counter!("xinyi_http_requests_total", &labels).increment(1);
    let labels = [("route", route.to_owned()), ("method", method.to_owned())];
    metrics::histogram!("xinyi_http_request_duration_seconds", &labels).record(took.as_secs_f64());
}

/// `outcome`: `redeemed`, `replayed`, a refusal's code, or `unavailable`.
pub fn redemption(outcome: &'static str) {
    metrics::counter!("xinyi_redemptions_total", "outcome" => outcome).increment(1);
}

pub fn code_issued() {
    metrics::counter!("xinyi_codes_issued_total", "medium" => "phone").increment(1);
}

/// A phone code a family proxy fetched for the citizen who granted it
/// (counted among the phone codes too).
pub fn proxy_code_issued() {
    metrics::counter!("xinyi_proxy_codes_issued_total").increment(1);
}

/// A family member accepted an invitation and became a proxy.
pub fn proxy_grant_made() {
    metrics::counter!("xinyi_proxy_grants_total").increment(1);
}

/// The codes of one printed sheet.
pub fn paper_codes_issued(count: usize) {
    metrics::counter!("xinyi_codes_issued_total", "medium" => "paper").increment(count as u64);
}

/// A lost or unwanted sheet revoked, by its citizen or at a counter.
pub fn code_sheet_revoked() {
    metrics::counter!("xinyi_code_sheets_revoked_total").increment(1);
}

/// `kind`: which credential failed: `citizen`, `coordinator` or `merchant`.
pub fn auth_failure(kind: &'static str) {
    metrics::counter!("xinyi_auth_failures_total", "kind" => kind).increment(1);
}

/// The database pool and the write queue, sampled.
pub fn sample(pool_size: u32, pool_idle: usize, queue_depth: usize) {
    metrics::gauge!("xinyi_db_pool_connections").set(pool_size as f64);
    metrics::gauge!("xinyi_db_pool_idle_connections").set(pool_idle as f64);
    metrics::gauge!("xinyi_write_queue_depth").set(queue_depth as f64);
}

/// A checkpoint signed: its tree size.
pub fn checkpoint_signed(size: u64) {
    metrics::counter!("xinyi_ledger_checkpoints_total").increment(1);
    metrics::gauge!("xinyi_ledger_checkpoint_size").set(size as f64);
}

/// The log refused to sign: the stored tree does not extend the newest
/// checkpoint (someone changed the books under the service).
pub fn checkpoint_refused() {
    metrics::counter!("xinyi_ledger_checkpoint_refusals_total").increment(1);
}
