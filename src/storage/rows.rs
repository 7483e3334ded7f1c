//! Reading stored rows into records. A value of the wrong type or a time
//! no calendar holds is corrupt data: it fails loudly, never defaults.

use super::{
    AuditEntry, Citizen, CitizenRedemption, Dispute, Merchant, MerchantKey, MerchantRedemption, StoreError,
    StoredOffer, StoredSigningKey, from_unix,
};
use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::{EntryKind, LedgerEntry};
use crate::domain::offers::OfferRules;
use crate::domain::score_event::ScoreEvent;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The column reads the record mappers need.
pub(crate) trait StoredRow {
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError>;
    fn time(&self, column: &str) -> Result<time::OffsetDateTime, StoreError> {
        from_unix(self.int(column)?)
    }
    fn opt_time(&self, column: &str) -> Result<Option<time::OffsetDateTime>, StoreError> {
        self.opt_int(column)?.map(from_unix).transpose()
    }
    /// A 0/1 column; anything else is corrupt, not true.
    fn flag(&self, column: &str) -> Result<bool, StoreError> {
        match self.int(column)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(StoreError::Corrupt(format!("column {column}: {other} is not 0 or 1"))),
        }
    }
}

/// A level or another small number, which must fit a byte.
pub(crate) fn small(value: i64, what: &str) -> Result<u8, StoreError> {
    u8::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} {value}")))
}

fn corrupt(column: &str, error: sqlx::Error) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {error}"))
}

impl StoredRow for AnyRow {
    fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.try_get(column).map_err(|e| corrupt(column, e))
    }
    fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(column).map_err(|e| corrupt(column, e))
    }
    fn text(&self, column: &str) -> Result<String, StoreError> {
        self.try_get(column).map_err(|e| corrupt(column, e))
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.try_get(column).map_err(|e| corrupt(column, e))
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, StoreError> {
        self.try_get(column).map_err(|e| corrupt(column, e))
    }
}

/// A citizen's internal number; a negative one is corrupt.
pub(crate) fn citizen_number(row: &impl StoredRow, column: &str) -> Result<CitizenNumber, StoreError> {
    let number = row.int(column)?;
    u64::try_from(number).map(CitizenNumber).map_err(|_| StoreError::Corrupt(format!("citizen number {number}")))
}

pub(crate) fn citizen(row: &impl StoredRow) -> Result<Citizen, StoreError> {
    Ok(Citizen {
        number: citizen_number(row, "number")?,
        citizen_id: row.text("citizen_id")?,
        score_delta: row.int("score_delta")?,
        listed: row.flag("listed")?,
    })
}

pub(crate) fn score_event(row: &impl StoredRow) -> Result<ScoreEvent, StoreError> {
    Ok(ScoreEvent {
        event_id: row.text("event_id")?,
        citizen_id: row.text("citizen_id")?,
        delta: row.int("delta")?,
        reason: row.text("reason")?,
        source: row.text("source")?,
        occurred_at: row.time("occurred_at")?,
    })
}

pub(crate) fn signing_key(row: &impl StoredRow) -> Result<StoredSigningKey, StoreError> {
    Ok(StoredSigningKey {
        kid: row.text("kid")?,
        public_key: row
            .bytes("public_key")?
            .try_into()
            .map_err(|_| StoreError::Corrupt("a signing key's public key is not 32 bytes".into()))?,
        secret: row.bytes("secret")?,
        sealed: row.int("sealed")? != 0,
        created_at: row.time("created_at")?,
        sign_from: row.time("sign_from")?,
        sign_until: row.opt_time("sign_until")?,
    })
}

pub(crate) fn merchant(row: &impl StoredRow) -> Result<Merchant, StoreError> {
    Ok(Merchant {
        merchant_id: row.text("merchant_id")?,
        name: row.text("name")?,
        category: row.text("category")?,
        district: row.text("district")?,
        suspended: row.opt_int("suspended_at")?.is_some(),
        created_at: row.time("created_at")?,
        address: row.text("address")?,
        location: match (row.opt_int("lat_e6")?, row.opt_int("lon_e6")?) {
            (Some(lat_e6), Some(lon_e6)) => Some(crate::domain::places::GeoPoint { lat_e6, lon_e6 }),
            (None, None) => None,
            _ => return Err(StoreError::Corrupt("a merchant location with one coordinate".into())),
        },
    })
}

pub(crate) fn offer(row: &impl StoredRow) -> Result<StoredOffer, StoreError> {
    let rules: OfferRules =
        serde_json::from_str(&row.text("rules")?).map_err(|e| StoreError::Corrupt(format!("offer rules: {e}")))?;
    Ok(StoredOffer {
        offer_id: row.text("offer_id")?,
        merchant_id: row.text("merchant_id")?,
        rules,
        granted_fen: row.int("granted_fen")?,
        granted_count: row.int("granted_count")?,
    })
}

pub(crate) fn ledger_entry(row: &impl StoredRow) -> Result<LedgerEntry, StoreError> {
    let kind = row.text("kind")?;
    Ok(LedgerEntry {
        seq: row.int("seq")?,
        at: row.time("at")?,
        kind: EntryKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("ledger kind {kind:?}")))?,
        redemption_id: row.text("redemption_id")?,
        merchant_id: row.text("merchant_id")?,
        category: row.text("category")?,
        district: row.text("district")?,
        offer_id: row.text("offer_id")?,
        level: small(row.int("level")?, "level")?,
        citizen_pseudonym: row.text("citizen_pseudonym")?,
        amount_fen: row.int("amount_fen")?,
        discount_fen: row.int("discount_fen")?,
        payable_fen: row.int("payable_fen")?,
        prev_hash: row.text("prev_hash")?,
        hash: row.text("hash")?,
    })
}

pub(crate) fn dispute(row: &impl StoredRow) -> Result<Dispute, StoreError> {
    Ok(Dispute {
        dispute_id: row.text("dispute_id")?,
        redemption_id: row.text("redemption_id")?,
        merchant_name: row.text("merchant_name")?,
        offer_title: row.text("offer_title")?,
        discount_fen: row.int("discount_fen")?,
        reason: row.text("reason")?,
        status: row.text("status")?,
        note: row.opt_text("note")?,
        created_at: row.time("created_at")?,
        resolved_at: row.opt_time("resolved_at")?,
        resolved_by: row.opt_text("resolved_by")?,
        terminal: row.opt_text("terminal_label")?,
    })
}

pub(crate) fn merchant_key(row: &impl StoredRow) -> Result<MerchantKey, StoreError> {
    Ok(MerchantKey {
        key_id: row.text("key_id")?,
        label: row.text("label")?,
        created_at: row.time("created_at")?,
        revoked: row.opt_int("revoked_at")?.is_some(),
        offline: row.flag("offline")?,
    })
}

pub(crate) fn merchant_redemption(row: &impl StoredRow) -> Result<MerchantRedemption, StoreError> {
    Ok(MerchantRedemption {
        redemption_id: row.text("redemption_id")?,
        offer_id: row.text("offer_id")?,
        offer_title: row.text("offer_title")?,
        level: small(row.int("level")?, "level")?,
        amount_fen: row.int("amount_fen")?,
        discount_fen: row.int("discount_fen")?,
        payable_fen: row.int("payable_fen")?,
        created_at: row.time("created_at")?,
        voided_at: row.opt_time("voided_at")?,
        offline: row.flag("offline")?,
        terminal: row.opt_text("terminal_label")?,
        void_terminal: row.opt_text("void_terminal_label")?,
    })
}

pub(crate) fn citizen_redemption(row: &impl StoredRow) -> Result<CitizenRedemption, StoreError> {
    Ok(CitizenRedemption {
        redemption_id: row.text("redemption_id")?,
        merchant_name: row.text("merchant_name")?,
        offer_title: row.text("offer_title")?,
        amount_fen: row.int("amount_fen")?,
        discount_fen: row.int("discount_fen")?,
        payable_fen: row.int("payable_fen")?,
        created_at: row.time("created_at")?,
        voided_at: row.opt_time("voided_at")?,
        dispute_status: row.opt_text("dispute_status")?,
    })
}

pub(crate) fn audit_entry(row: &impl StoredRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        at: row.time("at")?,
        actor: row.text("actor")?,
        principal_id: row.opt_text("principal_id")?,
        role: row.opt_text("role")?,
        action: row.text("action")?,
        detail: row.text("detail")?,
    })
}
