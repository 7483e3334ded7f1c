//! `/healthz`: 200 while this node can take a write, 503 while it cannot,
//! so a balancer drains a node whose database is away and refills it once
//! the database (or its promoted standby) is back.

use super::state::AppState;
use crate::http::problem::ApiError;
use crate::storage::SharedStore;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// How long one probe's answer stands: balancers and load tests may ask
/// thousands of times a second, and the database is asked at most four.
const PROBE_STANDS: Duration = Duration::from_millis(250);

/// A probe that has not answered by then counts as "cannot write".
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The last probe of the database, shared by every caller of `/healthz`.
#[derive(Default)]
pub struct Readiness {
    last: std::sync::Mutex<Option<(Instant, bool)>>,
    /// One probe at a time; the others wait for its answer.
    probing: tokio::sync::Mutex<()>,
}

impl Readiness {
    fn fresh(&self) -> Option<bool> {
        let last = *self.last.lock().expect("no panic holds this lock");
        last.filter(|(at, _)| at.elapsed() < PROBE_STANDS).map(|(_, writable)| writable)
    }

    /// Whether the database takes writes, asked at most every [`PROBE_STANDS`].
    pub async fn writable(&self, store: &SharedStore) -> bool {
        if let Some(writable) = self.fresh() {
            return writable;
        }
        let _probing = self.probing.lock().await;
        if let Some(writable) = self.fresh() {
            return writable;
        }
        let writable = match tokio::time::timeout(PROBE_TIMEOUT, store.writable()).await {
            Ok(Ok(writable)) => writable,
            Ok(Err(error)) => {
                tracing::warn!(%error, "the readiness probe failed");
                false
            }
            Err(_) => false,
        };
        *self.last.lock().expect("no panic holds this lock") = Some((Instant::now(), writable));
        writable
    }
}

/// Liveness and readiness: 200 once the keys are loaded and the database
/// takes writes; 503 problem+json (with `Retry-After`) while it does not.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health),
    (status = 503, description = "the database cannot take writes now (away, restarting, or a standby)", body = super::problem::Problem),
    (status = 500, body = super::problem::Problem)))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.keys.ring().await?;
    if !state.readiness.writable(&state.store).await {
        return Err(ApiError::Unavailable {
            detail: "数据库暂时不能写入,本节点暂停接单 / The database cannot take writes now; this node is not ready",
        });
    }
    Ok(Json(Health { status: "ok" }))
}
