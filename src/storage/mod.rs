//! Storage behind one trait, so handlers never know which database runs.
//! The backend is chosen by the scheme of `XINYI_DATABASE_URL`.

mod postgres;
mod records;
mod rows;
mod sqlite;

use crate::citizen_handle::CitizenNumber;
use crate::domain::score_event::{NewScoreEvent, ScoreEvent};
use async_trait::async_trait;
use std::sync::Arc;
use time::OffsetDateTime;
use xinyi_merchant_sdk::api::Redemption;

pub use postgres::PgStore;
pub use records::*;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub number: CitizenNumber,
    pub citizen_id: String,
    pub score_delta: i64,
}

/// What recording one score event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    Recorded,
    /// The same event id with the same content was recorded before.
    AlreadyRecorded,
    /// The event id was recorded before with different content.
    Conflict(ScoreEvent),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordinator {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    pub kid: String,
    pub public_key: [u8; 32],
    pub secret: Vec<u8>,
    pub sealed: bool,
    pub created_at: OffsetDateTime,
    pub sign_from: OffsetDateTime,
    pub sign_until: Option<OffsetDateTime>,
}

#[async_trait]
pub trait MerchantStore: Send + Sync {
    async fn create_merchant(&self, merchant: &Merchant) -> Result<(), StoreError>;
    async fn merchants(&self) -> Result<Vec<Merchant>, StoreError>;
    async fn merchant(&self, merchant_id: &str) -> Result<Option<Merchant>, StoreError>;
    async fn set_merchant_suspended(
        &self,
        merchant_id: &str,
        suspended: bool,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    async fn add_merchant_key(&self, merchant_id: &str, key: &MerchantKey, key_hash: &str) -> Result<(), StoreError>;
    async fn merchant_keys(&self, merchant_id: &str) -> Result<Vec<MerchantKey>, StoreError>;
    /// False when the merchant has no such live key.
    async fn revoke_merchant_key(
        &self,
        merchant_id: &str,
        key_id: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// The merchant owning a live key with this hash.
    async fn merchant_by_key_hash(&self, key_hash: &str) -> Result<Option<Merchant>, StoreError>;
    async fn create_offer(&self, offer: &StoredOffer, now: OffsetDateTime) -> Result<(), StoreError>;
    async fn offers_of(&self, merchant_id: &str) -> Result<Vec<StoredOffer>, StoreError>;
    async fn all_offers(&self) -> Result<Vec<StoredOffer>, StoreError>;
}

#[async_trait]
pub trait RedemptionStore: Send + Sync {
    /// The redemption an Idempotency-Key already produced, with its request hash.
    async fn idempotent_redemption(
        &self,
        merchant_id: &str,
        key: &str,
    ) -> Result<Option<(String, Redemption)>, StoreError>;
    /// Checks every rule and, only if all pass, records the redemption and
    /// its ledger entry, in one transaction. A refusal writes nothing.
    async fn redeem(&self, attempt: &RedemptionAttempt) -> Result<RedeemOutcome, StoreError>;
    async fn void_redemption(
        &self,
        redemption_id: &str,
        by: VoidBy<'_>,
        now: OffsetDateTime,
    ) -> Result<VoidOutcome, StoreError>;
    async fn merchant_redemptions(&self, merchant_id: &str, limit: u32) -> Result<Vec<MerchantRedemption>, StoreError>;
    async fn citizen_redemptions(
        &self,
        citizen: CitizenNumber,
        limit: u32,
    ) -> Result<Vec<CitizenRedemption>, StoreError>;
    async fn file_dispute(
        &self,
        dispute_id: &str,
        citizen: CitizenNumber,
        redemption_id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<DisputeOutcome, StoreError>;
    async fn disputes(&self, status: Option<&str>) -> Result<Vec<Dispute>, StoreError>;
    /// Voids (without the merchant's window) or rejects, in one transaction with the audit entry.
    async fn resolve_dispute(
        &self,
        dispute_id: &str,
        resolution: Resolution,
        note: &str,
        coordinator: &str,
        now: OffsetDateTime,
    ) -> Result<ResolveOutcome, StoreError>;
    /// The highest ledger seq any redemption or void refers to (0 if none):
    /// a ledger shorter than that has lost entries from its end.
    async fn highest_ledger_reference(&self) -> Result<i64, StoreError>;
    /// Ledger entries after `after_seq`, in order, at most `limit`.
    async fn ledger_entries(&self, after_seq: i64, limit: u32) -> Result<LedgerPage, StoreError>;
    /// Report figures per group for the China Standard Time days `from_day`
    /// to `to_day`, both included, and the number of merchants with a redemption.
    async fn reduction_groups(
        &self,
        from_day: &str,
        to_day: &str,
        by: crate::domain::reports::GroupBy,
    ) -> Result<(Vec<crate::domain::reports::GroupFigures>, u64), StoreError>;
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
    /// The named secret: `candidate` is stored if there is none yet, and
    /// whatever is stored (sealed flag, bytes) is returned, so every node agrees.
    async fn service_secret(
        &self,
        name: &str,
        candidate: &[u8],
        sealed: bool,
        now: OffsetDateTime,
    ) -> Result<(bool, Vec<u8>), StoreError>;
}

#[async_trait]
pub trait Store: MerchantStore + RedemptionStore + Send + Sync + 'static {
    async fn migrate(&self) -> Result<(), StoreError>;

    /// The citizen with this identity-provider id, created at base score if new.
    async fn citizen_or_create(&self, citizen_id: &str, now: OffsetDateTime) -> Result<Citizen, StoreError>;
    async fn citizen_by_number(&self, number: CitizenNumber) -> Result<Option<Citizen>, StoreError>;
    async fn recent_score_events(&self, number: CitizenNumber, limit: u32) -> Result<Vec<ScoreEvent>, StoreError>;

    /// Records events in one transaction, each idempotent by its event id;
    /// unknown citizens are created.
    async fn record_score_events(
        &self,
        events: &[NewScoreEvent],
        now: OffsetDateTime,
    ) -> Result<Vec<EventOutcome>, StoreError>;

    async fn create_coordinator(&self, name: &str, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError>;
    /// False when there is no such active coordinator.
    async fn revoke_coordinator(&self, name: &str, now: OffsetDateTime) -> Result<bool, StoreError>;
    async fn active_coordinator_by_token_hash(&self, token_hash: &str) -> Result<Option<Coordinator>, StoreError>;

    async fn signing_keys(&self) -> Result<Vec<StoredSigningKey>, StoreError>;
    /// Adds `key`, and in the same transaction ends the signing window of
    /// every key that has none at the new key's `sign_from`. With
    /// `only_if_none`, adds it only to an empty key table (false otherwise),
    /// so nodes starting together agree on one first key.
    async fn add_signing_key(&self, key: &StoredSigningKey, only_if_none: bool) -> Result<bool, StoreError>;
}

pub type SharedStore = Arc<dyn Store>;

/// Which events of a batch are new, and what happened to each, given the
/// events already stored under the batch's ids. Shared by every backend so
/// they agree on idempotency: the first event with an id wins, and a later
/// one with the same id is a repeat when its content matches, else a conflict.
pub(crate) struct ScoreEventPlan<'a> {
    pub fresh: Vec<&'a ScoreEvent>,
    pub outcomes: Vec<EventOutcome>,
}

pub(crate) fn plan_score_events<'a>(
    events: &'a [NewScoreEvent],
    stored: &'a std::collections::HashMap<String, ScoreEvent>,
) -> ScoreEventPlan<'a> {
    let mut seen: std::collections::HashMap<&str, &ScoreEvent> = std::collections::HashMap::new();
    let mut plan = ScoreEventPlan { fresh: Vec::new(), outcomes: Vec::with_capacity(events.len()) };
    for new in events {
        let event = new.event();
        let earlier = stored.get(&event.event_id).or_else(|| seen.get(event.event_id.as_str()).copied());
        plan.outcomes.push(match earlier {
            Some(earlier) if earlier.same_content_as(event) => EventOutcome::AlreadyRecorded,
            Some(earlier) => EventOutcome::Conflict(earlier.clone()),
            None => {
                seen.insert(&event.event_id, event);
                plan.fresh.push(event);
                EventOutcome::Recorded
            }
        });
    }
    plan
}

/// Opens the store named by `url`'s scheme (`sqlite:` or `postgres:`)
/// and runs its migrations.
pub async fn connect(url: &str) -> Result<SharedStore, StoreError> {
    let store: SharedStore = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Arc::new(PgStore::connect(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    };
    store.migrate().await?;
    Ok(store)
}

pub(crate) fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub(crate) fn from_unix(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
