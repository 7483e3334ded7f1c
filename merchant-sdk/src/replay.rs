//! One terminal's memory of the codes it accepted, so a second scan of the
//! same code is caught even while the terminal is offline.

use crate::credit_code::CodeId;
use crate::error::VerifyError;
use crate::verify::VerifiedCode;
use std::collections::{BTreeSet, HashMap};
use time::{Duration, OffsetDateTime};

/// A bounded set of accepted code ids, each kept until its code could no
/// longer verify anyway (expiry plus clock skew).
///
/// When full, it forgets the entry closest to expiry first. A terminal
/// scans far fewer than [`ReplayGuard::DEFAULT_CAPACITY`] codes in one
/// code lifetime, and the service refuses a reused code regardless.
#[derive(Debug)]
pub struct ReplayGuard {
    capacity: usize,
    forget_at: HashMap<CodeId, OffsetDateTime>,
    by_expiry: BTreeSet<(OffsetDateTime, CodeId)>,
    evicted: u64,
}

impl ReplayGuard {
    pub const DEFAULT_CAPACITY: usize = 10_000;

    pub fn new(capacity: usize) -> ReplayGuard {
        ReplayGuard { capacity: capacity.max(1), forget_at: HashMap::new(), by_expiry: BTreeSet::new(), evicted: 0 }
    }

    /// Records `code` as accepted at `now`, or reports it as a replay.
    /// `clock_skew` should be the verifier's, so the entry outlives every
    /// moment at which the code could still verify.
    pub fn record(
        &mut self,
        code: &VerifiedCode,
        now: OffsetDateTime,
        clock_skew: Duration,
    ) -> Result<(), VerifyError> {
        self.forget_expired(now);
        if self.forget_at.contains_key(&code.code_id) {
            return Err(VerifyError::Replay);
        }
        if self.forget_at.len() >= self.capacity
            && let Some((at, id)) = self.by_expiry.pop_first()
        {
            debug_assert!(at >= now);
            self.forget_at.remove(&id);
            self.evicted += 1;
        }
        let forget_at = code.expires_at + clock_skew;
        self.forget_at.insert(code.code_id, forget_at);
        self.by_expiry.insert((forget_at, code.code_id));
        Ok(())
    }

    fn forget_expired(&mut self, now: OffsetDateTime) {
        while let Some(&(at, id)) = self.by_expiry.first() {
            if at > now {
                break;
            }
            self.by_expiry.pop_first();
            self.forget_at.remove(&id);
        }
    }

    pub fn len(&self) -> usize {
        self.forget_at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forget_at.is_empty()
    }

    /// How many live entries were forgotten early because the guard was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        ReplayGuard::new(Self::DEFAULT_CAPACITY)
    }
}

impl crate::verify::Verifier {
    /// Verifies `text` and records it in `guard`: what a checkout terminal
    /// calls for every scan.
    pub fn verify_once(
        &self,
        text: &str,
        now: OffsetDateTime,
        guard: &mut ReplayGuard,
    ) -> Result<VerifiedCode, VerifyError> {
        let code = self.verify(text, now)?;
        guard.record(&code, now, self.clock_skew())?;
        Ok(code)
    }
}
