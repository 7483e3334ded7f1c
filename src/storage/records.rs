//! What the merchant, redemption and dispute stores take and give.

use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::LedgerEntry;
use crate::domain::offers::OfferRules;
use crate::domain::redemption::Refusal;
use time::{Duration, OffsetDateTime};
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::{Redemption, VoidedRedemption};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub merchant_id: String,
    pub name: String,
    pub category: String,
    pub district: String,
    pub suspended: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantKey {
    pub key_id: String,
    pub label: String,
    pub created_at: OffsetDateTime,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct StoredOffer {
    pub offer_id: String,
    pub merchant_id: String,
    pub rules: OfferRules,
    pub granted_fen: i64,
    pub granted_count: i64,
}

/// Everything a redemption needs once the code has been verified and the
/// handle opened; the store checks the rest inside one transaction.
#[derive(Debug, Clone)]
pub struct RedemptionAttempt {
    pub redemption_id: String,
    pub merchant_id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub code_id: String,
    pub citizen: CitizenNumber,
    pub citizen_pseudonym: String,
    pub level: CreditLevel,
    pub offer_id: String,
    pub amount_fen: i64,
    pub scanned_at: OffsetDateTime,
    pub now: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    Redeemed(Redemption),
    /// The same Idempotency-Key and body were seen before: the first answer.
    Replayed(Redemption),
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoidBy<'a> {
    /// A merchant's terminal, within the void window of the redemption.
    Merchant { merchant_id: &'a str, window: Duration },
    /// A coordinator resolving a dispute: no window.
    Coordinator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidOutcome {
    Voided(VoidedRedemption),
    NotFound,
    AlreadyVoided,
    WindowPassed,
}

/// A redemption as its merchant's terminal lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MerchantRedemption {
    pub redemption_id: String,
    pub offer_id: String,
    pub offer_title: String,
    pub level: u8,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub voided_at: Option<OffsetDateTime>,
}

/// A redemption as the citizen sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenRedemption {
    pub redemption_id: String,
    pub merchant_name: String,
    pub offer_title: String,
    pub amount_fen: i64,
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub created_at: OffsetDateTime,
    pub voided_at: Option<OffsetDateTime>,
    pub dispute_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Dispute {
    pub dispute_id: String,
    pub redemption_id: String,
    pub merchant_name: String,
    pub offer_title: String,
    pub discount_fen: i64,
    pub reason: String,
    /// open, voided or rejected.
    pub status: String,
    pub note: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    pub resolved_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeOutcome {
    Filed(Box<Dispute>),
    NotFound,
    AlreadyOpen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Void,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveOutcome {
    Resolved(Box<Dispute>),
    NotFound,
    AlreadyResolved,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

pub type LedgerPage = Vec<LedgerEntry>;
