//! Rate limits: credit codes per citizen, and failed sign-ins per client
//! address. A client over its failure limit is refused before its
//! credential is even checked, so guessing keys stops paying.

use super::problem::ApiError;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits as configured; 0 turns one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateSettings {
    pub codes_per_minute: u32,
    pub auth_failures_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
}

impl RateSettings {
    /// `XINYI_CODES_PER_MINUTE`'s default: the page refreshes about every 75 s.
    pub const DEFAULT_CODES_PER_MINUTE: u32 = 30;
    /// `XINYI_AUTH_FAILURES_PER_MINUTE`'s default.
    pub const DEFAULT_AUTH_FAILURES_PER_MINUTE: u32 = 100;
}

impl Default for RateSettings {
    fn default() -> Self {
        RateSettings {
            codes_per_minute: Self::DEFAULT_CODES_PER_MINUTE,
            auth_failures_per_minute: Self::DEFAULT_AUTH_FAILURES_PER_MINUTE,
            trusted_proxies: Vec::new(),
        }
    }
}

pub struct RateLimits {
    codes: Option<DefaultKeyedRateLimiter<u64>>,
    failures: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses over their failure limit, and until when.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    trusted_proxies: Vec<IpAddr>,
}

/// How many blocked addresses are kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute).map(|n| governor::RateLimiter::keyed(Quota::per_minute(n)))
}

fn rate_limited(wait: Duration, detail: &str) -> ApiError {
    ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1), detail: detail.to_owned() }
}

impl RateLimits {
    pub fn new(settings: &RateSettings) -> RateLimits {
        RateLimits {
            codes: limiter(settings.codes_per_minute),
            failures: limiter(settings.auth_failures_per_minute),
            blocked: Mutex::new(HashMap::new()),
            trusted_proxies: settings.trusted_proxies.clone(),
        }
    }

    /// One more code for this citizen, or 429.
    pub fn take_code(&self, citizen: u64) -> Result<(), ApiError> {
        let Some(codes) = &self.codes else { return Ok(()) };
        codes.check_key(&citizen).map_err(|not_until| {
            rate_limited(
                not_until.wait_time_from(DefaultClock::default().now()),
                "刷新过于频繁,请稍后再试 / Too many codes in a minute; try again shortly",
            )
        })
    }

    /// The client: the connection's peer, or, when the peer is a trusted
    /// proxy, the last address in `X-Forwarded-For` that is not one.
    pub fn client_address(&self, parts: &Parts) -> Option<IpAddr> {
        let peer = super::serve::peer_address(parts).map(|a: SocketAddr| a.ip())?;
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let hops: Vec<IpAddr> =
            forwarded.flat_map(|v| v.split(',')).filter_map(|hop| hop.trim().parse().ok()).collect();
        Some(hops.into_iter().rev().find(|hop| !self.trusted_proxies.contains(hop)).unwrap_or(peer))
    }

    /// 429 when this client has failed too often lately.
    pub fn refuse_if_blocked(&self, parts: &Parts) -> Result<(), ApiError> {
        let Some(address) = self.client_address(parts) else { return Ok(()) };
        let blocked = self.blocked.lock().expect("blocked lock");
        match blocked.get(&address) {
            Some(until) if *until > Instant::now() => Err(rate_limited(
                *until - Instant::now(),
                "登录失败次数过多,请稍后再试 / Too many failed sign-ins from this address; try again shortly",
            )),
            _ => Ok(()),
        }
    }

    /// Logs a failed authentication (never the credential) and counts it;
    /// past the limit the client is blocked and gets 429 instead.
    pub fn failed(&self, parts: &Parts, kind: &'static str, error: ApiError) -> ApiError {
        let address = self.client_address(parts);
        let shown = address.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
        tracing::warn!(address = %shown, kind, "a failed authentication");
        crate::metrics::auth_failure(kind);
        let (Some(failures), Some(address)) = (&self.failures, address) else { return error };
        match failures.check_key(&address) {
            Ok(()) => error,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now()).max(Duration::from_secs(1));
                let mut blocked = self.blocked.lock().expect("blocked lock");
                if blocked.len() >= SWEEP_AT {
                    let now = Instant::now();
                    blocked.retain(|_, until| *until > now);
                }
                blocked.insert(address, Instant::now() + wait);
                rate_limited(
                    wait,
                    "登录失败次数过多,请稍后再试 / Too many failed sign-ins from this address; try again shortly",
                )
            }
        }
    }
}
