//! What every handler can reach.

use crate::auth::idp::IdpVerifier;
use crate::auth::merchant_keys::LiveMerchantKeys;
use crate::domain::levels::LevelThresholds;
use crate::engine::Engine;
use crate::signing::{Pseudonymizer, SigningKeys};
use crate::storage::SharedStore;
use std::sync::Arc;
use xinyi_merchant_sdk::{CodeLifetime, CreditLevel};

/// The policy settings handlers need.
#[derive(Debug, Clone)]
pub struct Policy {
    pub thresholds: LevelThresholds,
    pub code_lifetime: CodeLifetime,
    /// Citizens below this level get no code: there are no benefits for them.
    pub code_min_level: CreditLevel,
    /// How long after a redemption its merchant may still void it.
    pub void_window: time::Duration,
    /// How long after a scan an offline redemption may still be submitted.
    pub offline_window: time::Duration,
    /// How old a scan an online terminal may send: the time between the
    /// scan and the request reaching us, and the two clocks' difference.
    pub scan_grace: time::Duration,
}

#[derive(Clone)]
pub struct AppState {
    pub store: SharedStore,
    /// Every write to the ledger goes through this node's engine.
    pub engine: Engine,
    pub merchant_keys: Arc<LiveMerchantKeys>,
    pub keys: Arc<SigningKeys>,
    pub idp: Arc<IdpVerifier>,
    pub policy: Arc<Policy>,
    pub pseudonyms: Arc<Pseudonymizer>,
    pub http: super::serve::HttpLimits,
    pub rate_limits: Arc<super::rate_limits::RateLimits>,
    /// The public directory of live offers, kept in memory.
    pub directory: Arc<crate::directory::Directory>,
    /// The ledger's Merkle log: its key and checkpoints.
    pub log: Arc<crate::ledger_log::LedgerLog>,
    /// Whether the database takes writes, as `/healthz` last probed it.
    pub readiness: Arc<super::health::Readiness>,
}
