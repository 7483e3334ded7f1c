//! Offline verification of a scanned code against the published keys.

use crate::credit_code::{CitizenHandle, CodeId, CodeMedium, DecodedCode};
use crate::error::VerifyError;
use crate::key_id::KeyId;
use crate::key_set::TrustedKeys;
use crate::level::CreditLevel;
use time::{Duration, OffsetDateTime};

/// How far a terminal's clock may be from the service's. Codes are accepted
/// this long before their `issued_at` and this long after they expire.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::seconds(30);

/// A code whose signature and validity were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCode {
    pub version: u8,
    /// A phone's screen or a printed sheet (version 1 or 2).
    pub medium: CodeMedium,
    pub level: CreditLevel,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub key_id: KeyId,
    /// The same for every scan of this code, anywhere: use it to refuse replays.
    pub code_id: CodeId,
    /// Opaque to merchants; the service opens it when the code is redeemed.
    pub citizen_handle: CitizenHandle,
}

/// Checks code texts against one key set.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: TrustedKeys,
    clock_skew: Duration,
}

impl Verifier {
    pub fn new(keys: TrustedKeys) -> Verifier {
        Verifier { keys, clock_skew: DEFAULT_CLOCK_SKEW }
    }

    /// Allows a different clock skew; negative values count as zero.
    pub fn with_clock_skew(mut self, clock_skew: Duration) -> Verifier {
        self.clock_skew = clock_skew.max(Duration::ZERO);
        self
    }

    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    pub fn keys(&self) -> &TrustedKeys {
        &self.keys
    }

    /// Verifies `text` as scanned at `now`. The signature is checked before
    /// the clock, so a forged code is always reported as forged.
    pub fn verify(&self, text: &str, now: OffsetDateTime) -> Result<VerifiedCode, VerifyError> {
        let code = DecodedCode::parse(text)?;
        let key = self.keys.find(code.short_key_id()).ok_or(VerifyError::UnknownKey)?;
        key.key.verify_strict(&code.signed_message(), code.signature()).map_err(|_| VerifyError::BadSignature)?;
        let issued_at_unix = code.issued_at_unix();
        if !key.could_sign_at(issued_at_unix) {
            return Err(VerifyError::KeyNotValidAtIssue);
        }
        let issued_at = OffsetDateTime::from_unix_timestamp(issued_at_unix).expect("u32 seconds fit");
        let expires_at = issued_at + Duration::seconds(code.lifetime_secs());
        if now < issued_at - self.clock_skew {
            return Err(VerifyError::NotYetValid { valid_from: issued_at });
        }
        if now >= expires_at + self.clock_skew {
            return Err(VerifyError::Expired { expired_at: expires_at });
        }
        Ok(VerifiedCode {
            version: code.medium().version(),
            medium: code.medium(),
            level: code.level(),
            issued_at,
            expires_at,
            key_id: key.id,
            code_id: code.code_id(),
            citizen_handle: code.handle(),
        })
    }
}
