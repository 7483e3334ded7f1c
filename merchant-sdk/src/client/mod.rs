//! `MerchantClient`: what a checkout terminal runs. It verifies codes
//! offline against cached keys, redeems online with retries under one
//! Idempotency-Key, and queues redemptions durably when the service cannot
//! be reached, to `sync()` later.

mod answers;
mod freshness;
mod queue;
mod receipts;

pub use freshness::{CLOCK_TOLERANCE, ClockWarning, DEFAULT_KEY_MAX_AGE, clock_offset};
pub use queue::{OfflineQueue, QueuedRedemption};
pub use receipts::ReceiptReport;

use crate::api::{Offer, ProblemDetails, Quote, Redemption, RedemptionRequest, VoidedRedemption};
use crate::error::VerifyError;
use crate::key_set::TrustedKeys;
use crate::replay::ReplayGuard;
use crate::signed_note::NoteVerifier;
use crate::verify::{VerifiedCode, Verifier};
use answers::{Failure, client_error, read_answer};
use rand::RngCore;
use receipts::ReceiptBook;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};
use time::OffsetDateTime;

/// Refresh the key set on an unknown key id at most this often.
const KEY_REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The service's base URL, e.g. `https://xinyi.city.example`.
    pub base_url: String,
    /// The terminal's API key (`xym_…`).
    pub api_key: String,
    /// Where to queue redemptions while offline; offline mode is off without it.
    /// The last key set is kept beside it (`<queue>.keys.json`).
    pub queue_path: Option<PathBuf>,
    /// Retries after the first attempt, for network errors and 5xx.
    pub retries: u32,
    /// The first retry's delay; each retry doubles it.
    pub backoff: Duration,
    pub timeout: Duration,
    /// A key set older than this is refused for verifying codes offline
    /// ([`ClientError::StaleKeys`]); the client fetches a fresh one first.
    pub key_max_age: Duration,
    /// Where each redemption's receipt (its ledger inclusion proof) is
    /// kept, and the log key it must verify against; no receipts without it.
    pub receipts: Option<(PathBuf, NoteVerifier)>,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            queue_path: None,
            retries: 3,
            backoff: Duration::from_millis(200),
            timeout: Duration::from_secs(10),
            key_max_age: DEFAULT_KEY_MAX_AGE,
            receipts: None,
        }
    }

    pub fn with_key_max_age(mut self, max_age: Duration) -> ClientConfig {
        self.key_max_age = max_age;
        self
    }

    /// Keeps a receipt of every redemption in `dir`, verified against
    /// `log_key` (pinned from `GET /v1/ledger/key`, or given by the city):
    /// see [`MerchantClient::collect_receipts`].
    pub fn with_receipts(mut self, dir: impl Into<PathBuf>, log_key: NoteVerifier) -> ClientConfig {
        self.receipts = Some((dir.into(), log_key));
        self
    }

    pub fn with_offline_queue(mut self, path: impl Into<PathBuf>) -> ClientConfig {
        self.queue_path = Some(path.into());
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service refused, with a reason the cashier can act on.
    #[error("{} ({})", .0.title, .0.detail)]
    Refused(ProblemDetails),
    #[error("无法连接信易+服务 / The service cannot be reached: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Code(#[from] VerifyError),
    #[error("离线且没有缓存的密钥 / Offline, and no key set has been fetched yet")]
    NoKeys,
    /// Offline with a key set older than [`ClientConfig::key_max_age`]: a
    /// key withdrawn since would still verify, so nothing is verified.
    #[error(
        "离线且密钥已过期({} 小时前获取),请联网刷新 / Offline, and the key set is {} h old (at most {} h): connect to refresh it",
        .age.as_secs() / 3600, .age.as_secs() / 3600, .max_age.as_secs() / 3600
    )]
    StaleKeys { age: Duration, max_age: Duration },
    #[error("离线队列写入失败 / The offline queue could not be written: {0}")]
    Queue(#[from] std::io::Error),
    #[error("回执文件写入失败 / A receipt file could not be written: {0}")]
    Receipts(std::io::Error),
    #[error("unexpected answer from the service: {0}")]
    Protocol(String),
}

/// What `redeem` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    Redeemed(Redemption),
    /// Verified offline and queued on disk; `sync()` submits it later.
    Queued(QueuedRedemption),
}

/// What `sync` did with each queued redemption.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub accepted: Vec<(QueuedRedemption, Redemption)>,
    pub refused: Vec<(QueuedRedemption, ProblemDetails)>,
    /// Still queued: the service could not be reached.
    pub pending: Vec<QueuedRedemption>,
}

struct KeyCache {
    verifier: Option<Verifier>,
    /// When a fetch was last tried, to refresh on unknown keys at most once a minute.
    fetched_at: Option<Instant>,
    /// When the key set in `verifier` came from the service.
    keys_from: Option<SystemTime>,
}

pub struct MerchantClient {
    config: ClientConfig,
    http: reqwest::Client,
    keys: tokio::sync::Mutex<KeyCache>,
    guard: Mutex<ReplayGuard>,
    queue: Option<OfflineQueue>,
    receipts: Option<ReceiptBook>,
    clock: freshness::ClockWatch,
}

fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl MerchantClient {
    pub fn new(config: ClientConfig) -> MerchantClient {
        let http = reqwest::Client::builder().timeout(config.timeout).build().expect("a rustls HTTP client");
        let queue = config.queue_path.clone().map(OfflineQueue::new);
        let receipts = config.receipts.clone().map(|(dir, key)| ReceiptBook::new(dir, key));
        MerchantClient {
            config,
            http,
            keys: tokio::sync::Mutex::new(KeyCache { verifier: None, fetched_at: None, keys_from: None }),
            guard: Mutex::new(ReplayGuard::default()),
            queue,
            receipts,
            clock: freshness::ClockWatch::default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url)
    }

    fn keys_file(&self) -> Option<PathBuf> {
        self.config.queue_path.as_ref().map(|q| q.with_extension("keys.json"))
    }

    /// Fetches the published keys now, and keeps a copy beside the queue.
    pub async fn refresh_keys(&self) -> Result<(), ClientError> {
        let mut cache = self.keys.lock().await;
        self.refresh_locked(&mut cache).await
    }

    async fn refresh_locked(&self, cache: &mut KeyCache) -> Result<(), ClientError> {
        cache.fetched_at = Some(Instant::now());
        let response =
            self.http.get(self.url("/v1/keys")).send().await.map_err(|e| ClientError::Unreachable(e.to_string()))?;
        self.clock.observe(response.headers());
        let text = response.text().await.map_err(|e| ClientError::Unreachable(e.to_string()))?;
        let keys = TrustedKeys::from_json(&text).map_err(|e| ClientError::Protocol(e.to_string()))?;
        if let Some(file) = self.keys_file() {
            std::fs::write(file, &text)?;
        }
        cache.verifier = Some(Verifier::new(keys));
        cache.keys_from = Some(SystemTime::now());
        Ok(())
    }

    /// This device's clock against the service's, as of the last answer:
    /// a warning when they differ by more than [`CLOCK_TOLERANCE`].
    pub fn clock_warning(&self) -> Option<ClockWarning> {
        self.clock.warning()
    }

    /// A verifier whose keys are fresh enough: those in hand, else the ones
    /// kept beside the queue, refreshed first when older than the maximum.
    async fn fresh_verifier<'c>(
        &self,
        cache: &'c mut tokio::sync::MutexGuard<'_, KeyCache>,
    ) -> Result<&'c Verifier, ClientError> {
        if cache.verifier.is_none() && self.refresh_locked(cache).await.is_err() {
            // Offline from the start: the key set kept beside the queue.
            let file = self.keys_file();
            let saved = file.as_ref().and_then(|f| std::fs::read_to_string(f).ok());
            let keys = saved.and_then(|json| TrustedKeys::from_json(&json).ok()).ok_or(ClientError::NoKeys)?;
            cache.verifier = Some(Verifier::new(keys));
            cache.keys_from = file.as_deref().and_then(freshness::saved_at);
        }
        let age = cache.keys_from.map_or(Duration::MAX, freshness::age);
        if age > self.config.key_max_age && self.refresh_locked(cache).await.is_err() {
            return Err(ClientError::StaleKeys { age, max_age: self.config.key_max_age });
        }
        cache.verifier.as_ref().ok_or(ClientError::NoKeys)
    }

    /// Verifies a scanned code offline, refreshing the keys once (at most
    /// once a minute) when the code names a key this terminal does not know.
    pub async fn verify(&self, code: &str, now: OffsetDateTime) -> Result<VerifiedCode, ClientError> {
        let mut cache = self.keys.lock().await;
        let verifier = self.fresh_verifier(&mut cache).await?;
        match verifier.verify(code, now) {
            Err(VerifyError::UnknownKey)
                if cache.fetched_at.is_none_or(|t| t.elapsed() >= KEY_REFRESH_AT_MOST_EVERY) =>
            {
                self.refresh_locked(&mut cache).await?;
                Ok(cache.verifier.as_ref().ok_or(ClientError::NoKeys)?.verify(code, now)?)
            }
            result => Ok(result?),
        }
    }

    /// The merchant's offers, to pick from and to preview discounts with
    /// [`Offer::preview_discount`].
    pub async fn offers(&self) -> Result<Vec<Offer>, ClientError> {
        let response = self
            .http
            .get(self.url("/v1/merchant/offers"))
            .bearer_auth(&self.config.api_key)
            .send()
            .await
            .map_err(|e| ClientError::Unreachable(e.to_string()))?;
        self.clock.observe(response.headers());
        read_answer(response).await.map_err(client_error)
    }

    /// Redeems `code`. Network errors and 5xx are retried with backoff
    /// under the same Idempotency-Key, so the service records it once. If
    /// the service stays unreachable and an offline queue is configured, the
    /// code is verified here and queued on disk.
    pub async fn redeem(&self, code: &str, offer_id: &str, amount_fen: i64) -> Result<RedeemOutcome, ClientError> {
        let now = OffsetDateTime::now_utc();
        let request = RedemptionRequest {
            code: code.trim().to_owned(),
            offer_id: offer_id.to_owned(),
            amount_fen,
            // Always sent, so a queued retry carries the very same body.
            scanned_at: Some(now.replace_nanosecond(0).expect("0 ns is valid")),
        };
        let key = new_idempotency_key();
        match self.submit(&key, &request).await {
            Ok(redemption) => {
                self.expect_receipt(&redemption)?;
                Ok(RedeemOutcome::Redeemed(redemption))
            }
            Err(Failure::Refused(problem)) => Err(ClientError::Refused(problem)),
            Err(Failure::Unavailable(why)) => {
                let Some(queue) = &self.queue else { return Err(ClientError::Unreachable(why)) };
                let verified = self.verify(&request.code, now).await?;
                self.guard.lock().expect("replay guard").record(&verified, now, crate::DEFAULT_CLOCK_SKEW)?;
                let item = QueuedRedemption {
                    idempotency_key: key,
                    request,
                    queued_at: now,
                    level: verified.level.rank(),
                    previewed_discount_fen: None,
                };
                queue.append(&item)?;
                Ok(RedeemOutcome::Queued(item))
            }
        }
    }

    /// What `code` would give on this offer and amount if redeemed now, or
    /// the refusal a redemption would get. Writes nothing and does not use
    /// the code up: confirm with [`MerchantClient::redeem`].
    pub async fn quote(&self, code: &str, offer_id: &str, amount_fen: i64) -> Result<Quote, ClientError> {
        let request = RedemptionRequest {
            code: code.trim().to_owned(),
            offer_id: offer_id.to_owned(),
            amount_fen,
            scanned_at: None,
        };
        let url = self.url("/v1/redemptions/quote");
        self.with_retries(|| self.http.post(&url).bearer_auth(&self.config.api_key).json(&request))
            .await
            .map_err(client_error)
    }

    /// The answer a redemption sent under `idempotency_key` got, when its
    /// answer was lost; `Ok(None)` when nothing was committed under it (the
    /// redemption did not happen and may be sent again).
    pub async fn lookup(&self, idempotency_key: &str) -> Result<Option<Redemption>, ClientError> {
        let url = self.url("/v1/redemptions");
        let found = self
            .with_retries(|| {
                self.http.get(&url).bearer_auth(&self.config.api_key).query(&[("idempotency_key", idempotency_key)])
            })
            .await;
        match found {
            Ok(redemption) => Ok(Some(redemption)),
            Err(Failure::Refused(problem)) if problem.status == 404 => Ok(None),
            Err(failure) => Err(client_error(failure)),
        }
    }

    /// Voids one of this merchant's redemptions. A retry after a lost answer
    /// is refused as `already_voided`, which means it worked.
    pub async fn void(&self, redemption_id: &str) -> Result<VoidedRedemption, ClientError> {
        let url = self.url(&format!("/v1/redemptions/{redemption_id}/void"));
        self.with_retries(|| self.http.post(&url).bearer_auth(&self.config.api_key)).await.map_err(client_error)
    }

    /// Submits queued redemptions, oldest first, and reports which were
    /// accepted and which refused (and why). Those the service could not be
    /// reached for stay queued.
    pub async fn sync(&self) -> Result<SyncReport, ClientError> {
        let Some(queue) = &self.queue else { return Ok(SyncReport::default()) };
        let mut report = SyncReport::default();
        let mut done = Vec::new();
        for item in queue.load()? {
            if !report.pending.is_empty() {
                report.pending.push(item);
                continue;
            }
            match self.submit(&item.idempotency_key, &item.request).await {
                Ok(redemption) => {
                    self.expect_receipt(&redemption)?;
                    done.push(item.idempotency_key.clone());
                    report.accepted.push((item, redemption));
                }
                Err(Failure::Refused(problem)) => {
                    done.push(item.idempotency_key.clone());
                    report.refused.push((item, problem));
                }
                Err(Failure::Unavailable(_)) => report.pending.push(item),
            }
        }
        queue.remove(&done)?;
        Ok(report)
    }

    async fn submit(&self, key: &str, request: &RedemptionRequest) -> Result<Redemption, Failure> {
        let url = self.url("/v1/redemptions");
        self.with_retries(|| {
            self.http.post(&url).bearer_auth(&self.config.api_key).header("Idempotency-Key", key).json(request)
        })
        .await
    }

    async fn with_retries<T: serde::de::DeserializeOwned>(
        &self,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<T, Failure> {
        let mut delay = self.config.backoff;
        let mut attempt = 0;
        loop {
            let result = match request().send().await {
                Ok(response) => {
                    self.clock.observe(response.headers());
                    read_answer(response).await
                }
                Err(e) => Err(Failure::Unavailable(e.to_string())),
            };
            match result {
                Err(Failure::Unavailable(why)) if attempt < self.config.retries => {
                    tracing::debug!(attempt, %why, "retrying under the same Idempotency-Key");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}
