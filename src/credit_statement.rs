//! The citizen's signed credit statement: everything the service knows
//! about the citizen's credit, signed as a standard JWS with the service's
//! current credit-code key, so that a landlord or an employer can check it
//! offline with any JOSE library against `GET /v1/keys`.

use crate::domain::levels::LevelThresholds;
use crate::signing::KeyRing;
use crate::standing::{Standing, standing};
use crate::storage::{Citizen, Store, StoreError};
use jsonwebtoken::{Algorithm, Header};
use time::OffsetDateTime;
use xinyi_merchant_sdk::STATEMENT_TYPE;
use xinyi_merchant_sdk::statement::{
    StatementClaims, StatementListEntry, StatementRedemption, StatementRepair, StatementScoreEvent,
};

/// More than any citizen has: the statement lists everything.
const EVERYTHING: u32 = 1_000_000;

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no signing key may sign now")]
    NoKey,
    #[error("signing the statement failed: {0}")]
    Signing(#[from] jsonwebtoken::errors::Error),
}

/// Everything about `citizen` at `now`.
pub async fn claims(
    store: &Store,
    thresholds: &LevelThresholds,
    citizen: &Citizen,
    now: OffsetDateTime,
) -> Result<StatementClaims, StoreError> {
    let Standing { score, level, benefit_level, active } = standing(store, thresholds, citizen, now).await?;
    let mut events = store.recent_score_events(citizen.number, EVERYTHING).await?;
    events.reverse();
    let mut redemptions = store.citizen_redemptions(citizen.number, EVERYTHING).await?;
    redemptions.reverse();
    let mut repairs = store.repairs_of(citizen.number, now).await?;
    repairs.reverse();
    Ok(StatementClaims {
        sub: citizen.citizen_id.clone(),
        iat: now.unix_timestamp(),
        score,
        level: level.into(),
        benefit_level: benefit_level.into(),
        score_events: events
            .into_iter()
            .map(|e| StatementScoreEvent {
                event_id: e.event_id,
                delta: e.delta,
                reason: e.reason,
                source: e.source,
                occurred_at: e.occurred_at,
            })
            .collect(),
        lists: active
            .into_iter()
            .map(|e| StatementListEntry {
                entry_id: e.entry_id,
                list: e.list.as_str().to_owned(),
                reason: e.reason,
                source: e.source,
                starts_at: e.window.starts_at,
                ends_at: e.window.ends_at,
            })
            .collect(),
        repairs: repairs
            .into_iter()
            .map(|r| StatementRepair {
                repair_id: r.repair_id,
                entry_id: r.entry_id,
                event_id: r.event_id,
                status: r.status,
                decision_reason: r.decision_reason,
                created_at: r.created_at,
            })
            .collect(),
        redemptions: redemptions
            .into_iter()
            .map(|r| StatementRedemption {
                redemption_id: r.redemption_id,
                merchant_name: r.merchant_name,
                offer_title: r.offer_title,
                amount_fen: r.amount_fen,
                discount_fen: r.discount_fen,
                payable_fen: r.payable_fen,
                status: if r.voided_at.is_some() { "voided" } else { "redeemed" }.to_owned(),
                redeemed_at: r.created_at,
            })
            .collect(),
    })
}

/// The claims as a compact JWS: EdDSA, the key's published `kid`, and
/// `typ` `xinyi-statement+jwt`.
pub fn sign(claims: &StatementClaims, ring: &KeyRing, now: OffsetDateTime) -> Result<String, StatementError> {
    let key = ring.signing_key_at(now).ok_or(StatementError::NoKey)?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(STATEMENT_TYPE.to_owned());
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.jws_key)?)
}
