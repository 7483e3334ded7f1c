//! The ledger as a transparency log (docs/ledger-log.md): the writer grows
//! a Merkle tree over the entries (`engine::tree`), and this module signs
//! its checkpoints (C2SP `tlog-checkpoint` in a `signed-note`) with the
//! log's Ed25519 key, sealed under the master key. Each new checkpoint is
//! signed only after the stored tree is proved consistent with the newest
//! one, so a rewritten history is never signed.

mod checkpointer;
mod key;
mod witnesses;

pub use checkpointer::{LogError, sign_latest};
pub use key::LogKeyError;
pub use witnesses::WitnessConfig;

use crate::engine::Engine;
use crate::signing::MasterKey;
use crate::storage::SharedStore;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use xinyi_merchant_sdk::merkle::Hash;
use xinyi_merchant_sdk::signed_note::{NoteSigner, NoteVerifier};

/// `XINYI_LOG_ORIGIN`'s default.
pub const DEFAULT_ORIGIN: &str = "xinyi.example/ledger";
/// `XINYI_CHECKPOINT_INTERVAL_MS`'s default.
pub const DEFAULT_CHECKPOINT_INTERVAL_MS: u64 = 1000;

#[derive(Debug, Clone)]
pub struct LogSettings {
    /// The checkpoints' origin line, and the log key's name.
    pub origin: String,
    /// How soon after a commit a checkpoint covers it, at most.
    pub checkpoint_interval: Duration,
    /// Witnesses asked to cosign each checkpoint (`XINYI_WITNESSES`).
    pub witnesses: Vec<WitnessConfig>,
    /// How many of them must cosign before a checkpoint is published
    /// (`XINYI_WITNESS_QUORUM`; all of them when not set).
    pub quorum: usize,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            origin: DEFAULT_ORIGIN.to_owned(),
            checkpoint_interval: Duration::from_millis(DEFAULT_CHECKPOINT_INTERVAL_MS),
            witnesses: Vec::new(),
            quorum: 0,
        }
    }
}

/// The log: its key, and the newest checkpoint this process signed, which
/// it never signs below or beside.
pub struct LedgerLog {
    store: SharedStore,
    signer: NoteSigner,
    origin: String,
    last_signed: Mutex<Option<(u64, Hash)>>,
    witnesses: witnesses::Witnesses,
}

impl LedgerLog {
    /// Loads the log key, making it on first start.
    pub async fn load(
        store: SharedStore,
        master: Option<&MasterKey>,
        settings: &LogSettings,
    ) -> Result<Arc<LedgerLog>, LogKeyError> {
        let signer = key::load(&store, master, &settings.origin).await?;
        let origin = settings.origin.clone();
        assert!(
            settings.witnesses.is_empty() || (1..=settings.witnesses.len()).contains(&settings.quorum),
            "a quorum of 1 to the number of witnesses"
        );
        let witnesses = witnesses::Witnesses::new(&settings.witnesses, settings.quorum);
        Ok(Arc::new(LedgerLog { store, signer, origin, last_signed: Mutex::new(None), witnesses }))
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The verifier key that checks the log's checkpoints.
    pub fn verifier(&self) -> &NoteVerifier {
        self.signer.verifier()
    }

    /// Signs a checkpoint when the ledger has grown, looking twice an
    /// `interval` so that a commit is covered within it, until the log is
    /// dropped; `engine` publishes them.
    pub fn start(log: &Arc<LedgerLog>, engine: Engine, interval: Duration) {
        let weak: Weak<LedgerLog> = Arc::downgrade(log);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(interval / 2);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(log) = weak.upgrade() else { break };
                if let Err(error) = sign_latest(&log, &engine).await {
                    error.report();
                }
            }
        });
    }
}
