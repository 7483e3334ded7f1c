//! Merchant API keys, looked up once a second at most per key: a checkout
//! sends every redemption with its key, and asking the database each time
//! cost more than the redemption's share of its batch.

use crate::storage::{Merchant, SharedStore, StoreError, Terminal};
use std::sync::Arc;
use std::time::Duration;

/// How stale a node's view of a key may be. A revocation or suspension
/// made on this node takes effect at once; made on another, within this.
pub const MERCHANT_KEY_TTL: Duration = Duration::from_secs(1);

pub struct LiveMerchantKeys {
    store: SharedStore,
    /// Key hash → the merchant and terminal of that live key. Unknown keys
    /// are not kept, so random keys cannot fill it.
    known: moka::future::Cache<String, (Merchant, Terminal)>,
}

impl LiveMerchantKeys {
    pub fn new(store: SharedStore) -> LiveMerchantKeys {
        let known = moka::future::Cache::builder().max_capacity(100_000).time_to_live(MERCHANT_KEY_TTL).build();
        LiveMerchantKeys { store, known }
    }

    /// The merchant owning a live key with this hash, and its terminal.
    pub async fn merchant(&self, key_hash: &str) -> Result<Option<(Merchant, Terminal)>, StoreError> {
        let store = self.store.clone();
        let hash = key_hash.to_owned();
        let found = self
            .known
            .try_get_with_by_ref(key_hash, async move {
                match store.merchant_by_key_hash(&hash).await {
                    Ok(Some(merchant)) => Ok(merchant),
                    Ok(None) => Err(None),
                    Err(error) => Err(Some(error)),
                }
            })
            .await;
        match found {
            Ok(merchant) => Ok(Some(merchant)),
            // The cache shares one error among every caller that waited on
            // the same lookup: a failed read must stay a failure, never
            // read as "no such key".
            Err(error) => match &*error {
                None => Ok(None),
                Some(shared) => {
                    let (message, unavailable) = (shared.to_string(), shared.is_unavailable());
                    Err(Arc::into_inner(error).flatten().unwrap_or(StoreError::Shared { message, unavailable }))
                }
            },
        }
    }

    /// After a revocation or suspension here: no key is trusted from memory.
    pub fn forget_all(&self) {
        self.known.invalidate_all();
    }
}
