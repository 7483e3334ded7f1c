//! Reading stored rows into records, once for both backends: each backend's
//! row type only says how to read a whole number, a text and bytes.

use super::{
    AuditEntry, Citizen, CitizenRedemption, Dispute, Merchant, MerchantKey, MerchantRedemption, StoreError,
    StoredOffer, StoredSigningKey, from_unix,
};
use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::{EntryKind, LedgerEntry};
use crate::domain::offers::OfferRules;
use crate::domain::score_event::ScoreEvent;
use sqlx::Row;

/// The column reads the record mappers need.
pub(crate) trait StoredRow {
    fn int(&self, column: &str) -> i64;
    fn opt_int(&self, column: &str) -> Option<i64>;
    fn text(&self, column: &str) -> String;
    fn opt_text(&self, column: &str) -> Option<String>;
    fn bytes(&self, column: &str) -> Vec<u8>;
}

macro_rules! stored_row {
    ($row:ty) => {
        impl StoredRow for $row {
            fn int(&self, column: &str) -> i64 {
                self.get(column)
            }
            fn opt_int(&self, column: &str) -> Option<i64> {
                self.get(column)
            }
            fn text(&self, column: &str) -> String {
                self.get(column)
            }
            fn opt_text(&self, column: &str) -> Option<String> {
                self.get(column)
            }
            fn bytes(&self, column: &str) -> Vec<u8> {
                self.get(column)
            }
        }
    };
}

stored_row!(sqlx::sqlite::SqliteRow);
stored_row!(sqlx::postgres::PgRow);

pub(crate) fn citizen(row: &impl StoredRow) -> Citizen {
    Citizen {
        number: CitizenNumber(row.int("number") as u64),
        citizen_id: row.text("citizen_id"),
        score_delta: row.int("score_delta"),
    }
}

pub(crate) fn score_event(row: &impl StoredRow) -> ScoreEvent {
    ScoreEvent {
        event_id: row.text("event_id"),
        citizen_id: row.text("citizen_id"),
        delta: row.int("delta"),
        reason: row.text("reason"),
        source: row.text("source"),
        occurred_at: from_unix(row.int("occurred_at")),
    }
}

pub(crate) fn signing_key(row: &impl StoredRow) -> StoredSigningKey {
    StoredSigningKey {
        kid: row.text("kid"),
        public_key: row.bytes("public_key").try_into().unwrap_or([0; 32]),
        secret: row.bytes("secret"),
        sealed: row.int("sealed") != 0,
        created_at: from_unix(row.int("created_at")),
        sign_from: from_unix(row.int("sign_from")),
        sign_until: row.opt_int("sign_until").map(from_unix),
    }
}

pub(crate) fn merchant(row: &impl StoredRow) -> Merchant {
    Merchant {
        merchant_id: row.text("merchant_id"),
        name: row.text("name"),
        category: row.text("category"),
        district: row.text("district"),
        suspended: row.opt_int("suspended_at").is_some(),
        created_at: from_unix(row.int("created_at")),
    }
}

pub(crate) fn offer(row: &impl StoredRow) -> Result<StoredOffer, StoreError> {
    let rules: OfferRules =
        serde_json::from_str(&row.text("rules")).map_err(|e| StoreError::Corrupt(format!("offer rules: {e}")))?;
    Ok(StoredOffer {
        offer_id: row.text("offer_id"),
        merchant_id: row.text("merchant_id"),
        rules,
        granted_fen: row.int("granted_fen"),
        granted_count: row.int("granted_count"),
    })
}

pub(crate) fn ledger_entry(row: &impl StoredRow) -> Result<LedgerEntry, StoreError> {
    let kind = row.text("kind");
    Ok(LedgerEntry {
        seq: row.int("seq"),
        at: from_unix(row.int("at")),
        kind: EntryKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind:?}")))?,
        redemption_id: row.text("redemption_id"),
        merchant_id: row.text("merchant_id"),
        category: row.text("category"),
        district: row.text("district"),
        offer_id: row.text("offer_id"),
        level: row.int("level").clamp(0, 255) as u8,
        citizen_pseudonym: row.text("citizen_pseudonym"),
        amount_fen: row.int("amount_fen"),
        discount_fen: row.int("discount_fen"),
        payable_fen: row.int("payable_fen"),
        prev_hash: row.text("prev_hash"),
        hash: row.text("hash"),
    })
}

pub(crate) fn dispute(row: &impl StoredRow) -> Dispute {
    Dispute {
        dispute_id: row.text("dispute_id"),
        redemption_id: row.text("redemption_id"),
        merchant_name: row.text("merchant_name"),
        offer_title: row.text("offer_title"),
        discount_fen: row.int("discount_fen"),
        reason: row.text("reason"),
        status: row.text("status"),
        note: row.opt_text("note"),
        created_at: from_unix(row.int("created_at")),
        resolved_at: row.opt_int("resolved_at").map(from_unix),
        resolved_by: row.opt_text("resolved_by"),
    }
}

pub(crate) fn merchant_key(row: &impl StoredRow) -> MerchantKey {
    MerchantKey {
        key_id: row.text("key_id"),
        label: row.text("label"),
        created_at: from_unix(row.int("created_at")),
        revoked: row.opt_int("revoked_at").is_some(),
    }
}

pub(crate) fn merchant_redemption(row: &impl StoredRow) -> MerchantRedemption {
    MerchantRedemption {
        redemption_id: row.text("redemption_id"),
        offer_id: row.text("offer_id"),
        offer_title: row.text("offer_title"),
        level: row.int("level") as u8,
        amount_fen: row.int("amount_fen"),
        discount_fen: row.int("discount_fen"),
        payable_fen: row.int("payable_fen"),
        created_at: from_unix(row.int("created_at")),
        voided_at: row.opt_int("voided_at").map(from_unix),
    }
}

pub(crate) fn citizen_redemption(row: &impl StoredRow) -> CitizenRedemption {
    CitizenRedemption {
        redemption_id: row.text("redemption_id"),
        merchant_name: row.text("merchant_name"),
        offer_title: row.text("offer_title"),
        amount_fen: row.int("amount_fen"),
        discount_fen: row.int("discount_fen"),
        payable_fen: row.int("payable_fen"),
        created_at: from_unix(row.int("created_at")),
        voided_at: row.opt_int("voided_at").map(from_unix),
        dispute_status: row.opt_text("dispute_status"),
    }
}

pub(crate) fn audit_entry(row: &impl StoredRow) -> AuditEntry {
    AuditEntry {
        at: from_unix(row.int("at")),
        actor: row.text("actor"),
        action: row.text("action"),
        detail: row.text("detail"),
    }
}
