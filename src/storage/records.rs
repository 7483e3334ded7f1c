//! What the merchant, redemption and dispute stores take and give.

use crate::domain::ledger::LedgerEntry;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub merchant_id: String,
    pub name: String,
    pub category: String,
    pub district: String,
    pub suspended: bool,
    pub created_at: OffsetDateTime,
    /// Street address; empty when none was given.
    pub address: String,
    pub location: Option<crate::domain::places::GeoPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantKey {
    pub key_id: String,
    pub label: String,
    pub created_at: OffsetDateTime,
    pub revoked: bool,
    /// The terminal may queue scans offline and send them later.
    pub offline: bool,
}

/// The checkout terminal a merchant key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    pub key_id: String,
    pub label: String,
    pub offline: bool,
}

/// An offer as stored: its rules and what it has granted so far.
pub type StoredOffer = crate::domain::redemption::OfferState;

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
    /// Scanned offline and sent later than an online terminal may.
    pub offline: bool,
    /// The label of the terminal that recorded it.
    pub terminal: Option<String>,
    /// The label of the terminal that voided it; none if it stands, or if
    /// a coordinator voided it on a dispute.
    pub void_terminal: Option<String>,
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
    /// The label of the terminal that recorded the redemption.
    pub terminal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeOutcome {
    Filed(Box<Dispute>),
    NotFound,
    AlreadyOpen,
    AlreadyVoided,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The principal's name.
    pub actor: String,
    /// The principal's id and role; absent on entries older than roles
    /// whose coordinator no longer exists.
    pub principal_id: Option<String>,
    /// coordinator, department, auditor or service_desk.
    pub role: Option<String>,
    pub action: String,
    pub detail: String,
}

pub type LedgerPage = Vec<LedgerEntry>;
