//! Builds the application and binds its listener, so tests can ask for
//! port 0 and learn the real address before serving.

use crate::auth::idp::{IdpError, IdpVerifier, JwksSource};
use crate::auth::merchant_keys::LiveMerchantKeys;
use crate::domain::levels::LevelThresholds;
use crate::engine::{Engine, EngineLimits};
use crate::http::serve::HttpLimits;
use crate::http::state::{AppState, Policy};
use crate::ledger_log::{LedgerLog, LogKeyError, LogSettings};
use crate::signing::{KeyError, MasterKey, MasterKeyError, PseudonymKeyError, Pseudonymizer, SigningKeys};
use crate::storage::{self, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use xinyi_merchant_sdk::{CodeLifetime, CreditLevel};

#[derive(Debug, Clone)]
pub struct IdpSettings {
    /// A JWKS file path, or an https URL fetched and cached.
    pub jwks: String,
    pub issuer: String,
    pub audience: String,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: String,
    pub database_url: String,
    /// Where [`crate::storage::Source::Replica`] reads go; None: the primary.
    pub read_database_url: Option<String>,
    pub master_key: Option<String>,
    pub thresholds: LevelThresholds,
    pub code_lifetime: CodeLifetime,
    pub code_min_level: CreditLevel,
    pub void_window: time::Duration,
    pub offline_window: time::Duration,
    pub scan_grace: time::Duration,
    pub idp: IdpSettings,
    pub engine: EngineLimits,
    pub http: HttpLimits,
    pub rate: crate::http::rate_limits::RateSettings,
    /// Where Prometheus metrics are served; empty: nowhere.
    pub metrics_addr: String,
    /// The ledger log's origin and how often it signs a checkpoint.
    pub log: LogSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Idp(#[from] IdpError),
    #[error(transparent)]
    Pseudonyms(#[from] PseudonymKeyError),
    #[error(transparent)]
    LogKey(#[from] LogKeyError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

/// Reads the master key, warning loudly when there is none.
pub fn master_key(secret: Option<&str>) -> Result<Option<MasterKey>, MasterKeyError> {
    match secret.filter(|s| !s.is_empty()) {
        Some(secret) => Ok(Some(MasterKey::from_secret(secret)?)),
        None => {
            tracing::warn!(
                "XINYI_MASTER_KEY is not set: credit-code signing keys are stored UNENCRYPTED in the database. \
                 Set XINYI_MASTER_KEY (at least 32 characters) in production."
            );
            Ok(None)
        }
    }
}

pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let store =
            storage::connect_with_replica(&settings.database_url, settings.read_database_url.as_deref()).await?;
        let master = master_key(settings.master_key.as_deref())?;
        let pseudonyms = Arc::new(Pseudonymizer::load(&store, master.as_ref()).await?);
        let log = LedgerLog::load(store.clone(), master.as_ref(), &settings.log).await?;
        let keys = Arc::new(SigningKeys::load(store.clone(), master).await?);
        let idp = IdpVerifier::new(
            JwksSource::parse(&settings.idp.jwks),
            settings.idp.issuer.clone(),
            settings.idp.audience.clone(),
        )
        .await?;
        let listener =
            TcpListener::bind(&settings.addr).await.map_err(|e| StartupError::Bind(settings.addr.clone(), e))?;
        let address = listener.local_addr().map_err(|e| StartupError::Bind(settings.addr.clone(), e))?;
        let policy = Policy {
            thresholds: settings.thresholds,
            code_lifetime: settings.code_lifetime,
            code_min_level: settings.code_min_level,
            void_window: settings.void_window,
            offline_window: settings.offline_window,
            scan_grace: settings.scan_grace,
        };
        let engine = Engine::start(store.clone(), settings.engine);
        let merchant_keys = Arc::new(LiveMerchantKeys::new(store.clone()));
        let directory = crate::directory::Directory::start(store.clone()).await?;
        let state = AppState {
            store,
            engine,
            merchant_keys,
            keys,
            idp: Arc::new(idp),
            policy: Arc::new(policy),
            pseudonyms,
            http: settings.http,
            rate_limits: Arc::new(crate::http::rate_limits::RateLimits::new(&settings.rate)),
            directory,
            log,
            readiness: Arc::default(),
        };
        // Signs at once, then on the interval. Not awaited here: signing
        // waits for the writer lock, which another node may hold for a while,
        // and a node must start regardless (until then the checkpoint is 503).
        LedgerLog::start(&state.log, state.engine.clone(), settings.log.checkpoint_interval);
        crate::metrics::serve(&settings.metrics_addr)
            .await
            .map_err(|e| StartupError::Bind(settings.metrics_addr.clone(), e))?;
        tokio::spawn(sample_metrics(state.store.clone(), state.engine.clone()));
        Ok(Application { listener, address, state })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        self.run_with_extra_routes(axum::Router::new(), shutdown).await
    }

    /// Serves the API plus `extra` (the demo's token endpoints).
    pub async fn run_with_extra_routes(
        self,
        extra: axum::Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limits = self.state.http;
        let router = crate::http::router(self.state).merge(extra);
        crate::http::serve::serve(self.listener, router, limits, shutdown).await
    }
}

/// Samples the database pool and the write queue for the metrics while the
/// engine lives.
async fn sample_metrics(store: crate::storage::SharedStore, engine: Engine) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    while !engine.is_stopped() {
        every.tick().await;
        let (size, idle) = store.pool_stats();
        crate::metrics::sample(size, idle, engine.queue_depth());
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
