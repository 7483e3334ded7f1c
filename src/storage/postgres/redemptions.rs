use super::ledger::{LEDGER_COLUMNS, append};
use super::merchants::OFFER_COLUMNS;
use super::pg;
use super::{PgStore, disputes};
use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::{EntryKind, LedgerEntry};
use crate::domain::periods::period_key;
use crate::domain::redemption::{OfferState, Refusal, decide};
use crate::domain::reports::{GroupBy, GroupFigures};
use crate::storage::*;
use async_trait::async_trait;
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use xinyi_merchant_sdk::CreditLevel;
use xinyi_merchant_sdk::api::{Redemption, VoidedRedemption};

fn level_view(rank: i64) -> xinyi_merchant_sdk::LevelView {
    CreditLevel::from_rank(rank.clamp(1, 5) as u8).expect("clamped to 1–5").into()
}

async fn redemption_answer(conn: &mut PgConnection, redemption_id: &str) -> Result<Redemption, StoreError> {
    let row = sqlx::query(
        pg("SELECT redemption_id, level, amount_fen, discount_fen, payable_fen, ledger_seq FROM redemptions WHERE redemption_id = ?"),
    )
    .bind(redemption_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Redemption {
        redemption_id: row.get("redemption_id"),
        level: level_view(row.get("level")),
        amount_fen: row.get("amount_fen"),
        discount_fen: row.get("discount_fen"),
        payable_fen: row.get("payable_fen"),
        ledger_seq: row.get("ledger_seq"),
    })
}

async fn idempotent_in(
    conn: &mut PgConnection,
    merchant_id: &str,
    key: &str,
) -> Result<Option<(String, Redemption)>, StoreError> {
    let row = sqlx::query(pg(
        "SELECT request_hash, redemption_id FROM idempotency_keys WHERE merchant_id = ? AND idempotency_key = ?",
    ))
    .bind(merchant_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => {
            let answer = redemption_answer(conn, row.get("redemption_id")).await?;
            Ok(Some((row.get("request_hash"), answer)))
        }
        None => Ok(None),
    }
}

/// The rules, checked against the state inside the write transaction.
async fn check(
    conn: &mut PgConnection,
    a: &RedemptionAttempt,
) -> Result<Result<(OfferState, Option<String>, i64), Refusal>, StoreError> {
    let used = sqlx::query(pg("SELECT 1 FROM redemptions WHERE code_id = ?"))
        .bind(&a.code_id)
        .fetch_optional(&mut *conn)
        .await?;
    if used.is_some() {
        return Ok(Err(Refusal::CodeUsed));
    }
    let citizen = sqlx::query(pg("SELECT 1 FROM citizens WHERE number = ?"))
        .bind(a.citizen.0 as i64)
        .fetch_optional(&mut *conn)
        .await?;
    if citizen.is_none() {
        return Ok(Err(Refusal::UnknownCitizen));
    }
    let Some(row) = sqlx::query(pg(&format!("{OFFER_COLUMNS} WHERE offer_id = ?")))
        .bind(&a.offer_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(Err(Refusal::OfferNotFound));
    };
    let offer = crate::storage::rows::offer(&row)?;
    let state = OfferState {
        offer_id: offer.offer_id,
        merchant_id: offer.merchant_id,
        rules: offer.rules,
        granted_fen: offer.granted_fen,
        granted_count: offer.granted_count,
    };
    let period = state.rules.limit_period().map(|p| period_key(p, a.scanned_at));
    let used_in_period: i64 = match &period {
        Some(period) => sqlx::query_scalar(
            pg("SELECT COALESCE((SELECT used FROM citizen_offer_usage WHERE offer_id = ? AND citizen_number = ? AND period_key = ?), 0)"),
        )
        .bind(&a.offer_id)
        .bind(a.citizen.0 as i64)
        .bind(period)
        .fetch_one(&mut *conn)
        .await?,
        None => 0,
    };
    Ok(decide(&state, &a.merchant_id, a.level, a.amount_fen, a.scanned_at, used_in_period)
        .map(|decision| (state, period, decision.discount_fen)))
}

pub(super) async fn redeem(store: &PgStore, a: &RedemptionAttempt) -> Result<RedeemOutcome, StoreError> {
    let mut tx = store.begin_write().await?;
    if let Some((hash, answer)) = idempotent_in(&mut tx, &a.merchant_id, &a.idempotency_key).await? {
        return Ok(if hash == a.request_hash {
            RedeemOutcome::Replayed(answer)
        } else {
            RedeemOutcome::Refused(Refusal::IdempotencyMismatch)
        });
    }
    let (offer, period, discount_fen) = match check(&mut tx, a).await? {
        Ok(ok) => ok,
        // Dropping the transaction rolls it back: a refusal writes nothing.
        Err(refusal) => return Ok(RedeemOutcome::Refused(refusal)),
    };
    let merchant = sqlx::query(pg("SELECT category, district FROM merchants WHERE merchant_id = ?"))
        .bind(&a.merchant_id)
        .fetch_one(&mut *tx)
        .await?;
    let payable_fen = a.amount_fen - discount_fen;
    let entry = append(
        &mut tx,
        LedgerEntry {
            seq: 0,
            at: a.now,
            kind: EntryKind::Redemption,
            redemption_id: a.redemption_id.clone(),
            merchant_id: a.merchant_id.clone(),
            category: merchant.get("category"),
            district: merchant.get("district"),
            offer_id: offer.offer_id.clone(),
            level: a.level.rank(),
            citizen_pseudonym: a.citizen_pseudonym.clone(),
            amount_fen: a.amount_fen,
            discount_fen,
            payable_fen,
            prev_hash: String::new(),
            hash: String::new(),
        },
        a.citizen,
    )
    .await?;
    sqlx::query(
        pg("INSERT INTO redemptions (redemption_id, code_id, merchant_id, offer_id, citizen_number, level, amount_fen, \
         discount_fen, payable_fen, period_key, scanned_at, created_at, ledger_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    )
    .bind(&a.redemption_id)
    .bind(&a.code_id)
    .bind(&a.merchant_id)
    .bind(&a.offer_id)
    .bind(a.citizen.0 as i64)
    .bind(i64::from(a.level.rank()))
    .bind(a.amount_fen)
    .bind(discount_fen)
    .bind(payable_fen)
    .bind(&period)
    .bind(unix(a.scanned_at))
    .bind(unix(a.now))
    .bind(entry.seq)
    .execute(&mut *tx)
    .await?;
    if let Some(period) = &period {
        sqlx::query(pg(
            "INSERT INTO citizen_offer_usage (offer_id, citizen_number, period_key, used) VALUES (?, ?, ?, 1) \
             ON CONFLICT (offer_id, citizen_number, period_key) DO UPDATE SET used = citizen_offer_usage.used + 1",
        ))
        .bind(&a.offer_id)
        .bind(a.citizen.0 as i64)
        .bind(period)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(pg(
        "UPDATE offers SET granted_fen = granted_fen + ?, granted_count = granted_count + 1 WHERE offer_id = ?",
    ))
    .bind(discount_fen)
    .bind(&a.offer_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(pg("INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, redemption_id, created_at) VALUES (?, ?, ?, ?, ?)"))
        .bind(&a.merchant_id)
        .bind(&a.idempotency_key)
        .bind(&a.request_hash)
        .bind(&a.redemption_id)
        .bind(unix(a.now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(RedeemOutcome::Redeemed(Redemption {
        redemption_id: a.redemption_id.clone(),
        level: a.level.into(),
        amount_fen: a.amount_fen,
        discount_fen,
        payable_fen,
        ledger_seq: entry.seq,
    }))
}

/// Voids inside the caller's transaction: a reversal entry, and the
/// citizen's quota and the offer's budget given back.
pub(super) async fn void_in(
    conn: &mut PgConnection,
    redemption_id: &str,
    by: VoidBy<'_>,
    now: OffsetDateTime,
) -> Result<VoidOutcome, StoreError> {
    let Some(r) = sqlx::query(pg(
        "SELECT r.merchant_id, r.offer_id, r.citizen_number, r.level, r.amount_fen, r.discount_fen, r.payable_fen, \
         r.period_key, r.created_at, r.voided_at, l.category, l.district, l.citizen_pseudonym \
         FROM redemptions r JOIN ledger l ON l.seq = r.ledger_seq WHERE r.redemption_id = ?",
    ))
    .bind(redemption_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(VoidOutcome::NotFound);
    };
    let merchant_id: String = r.get("merchant_id");
    if let VoidBy::Merchant { merchant_id: caller, window } = by {
        if caller != merchant_id {
            return Ok(VoidOutcome::NotFound);
        }
        if r.get::<Option<i64>, _>("voided_at").is_none() && now > from_unix(r.get("created_at")) + window {
            return Ok(VoidOutcome::WindowPassed);
        }
    }
    if r.get::<Option<i64>, _>("voided_at").is_some() {
        return Ok(VoidOutcome::AlreadyVoided);
    }
    let offer_id: String = r.get("offer_id");
    let discount_fen: i64 = r.get("discount_fen");
    let entry = append(
        conn,
        LedgerEntry {
            seq: 0,
            at: now,
            kind: EntryKind::Reversal,
            redemption_id: redemption_id.to_owned(),
            merchant_id,
            category: r.get("category"),
            district: r.get("district"),
            offer_id: offer_id.clone(),
            level: r.get::<i64, _>("level") as u8,
            citizen_pseudonym: r.get("citizen_pseudonym"),
            amount_fen: r.get("amount_fen"),
            discount_fen,
            payable_fen: r.get("payable_fen"),
            prev_hash: String::new(),
            hash: String::new(),
        },
        CitizenNumber(r.get::<i64, _>("citizen_number") as u64),
    )
    .await?;
    sqlx::query(pg("UPDATE redemptions SET voided_at = ?, void_ledger_seq = ? WHERE redemption_id = ?"))
        .bind(unix(now))
        .bind(entry.seq)
        .bind(redemption_id)
        .execute(&mut *conn)
        .await?;
    if let Some(period) = r.get::<Option<String>, _>("period_key") {
        sqlx::query(pg("UPDATE citizen_offer_usage SET used = used - 1 WHERE offer_id = ? AND citizen_number = ? AND period_key = ?"))
            .bind(&offer_id)
            .bind(r.get::<i64, _>("citizen_number"))
            .bind(period)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(pg(
        "UPDATE offers SET granted_fen = granted_fen - ?, granted_count = granted_count - 1 WHERE offer_id = ?",
    ))
    .bind(discount_fen)
    .bind(&offer_id)
    .execute(&mut *conn)
    .await?;
    Ok(VoidOutcome::Voided(VoidedRedemption {
        redemption_id: redemption_id.to_owned(),
        voided_at: now,
        ledger_seq: entry.seq,
    }))
}

#[async_trait]
impl RedemptionStore for PgStore {
    async fn idempotent_redemption(
        &self,
        merchant_id: &str,
        key: &str,
    ) -> Result<Option<(String, Redemption)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        idempotent_in(&mut conn, merchant_id, key).await
    }

    async fn redeem(&self, attempt: &RedemptionAttempt) -> Result<RedeemOutcome, StoreError> {
        redeem(self, attempt).await
    }

    async fn void_redemption(
        &self,
        redemption_id: &str,
        by: VoidBy<'_>,
        now: OffsetDateTime,
    ) -> Result<VoidOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let outcome = void_in(&mut tx, redemption_id, by, now).await?;
        if matches!(outcome, VoidOutcome::Voided(_)) {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    async fn merchant_redemptions(&self, merchant_id: &str, limit: u32) -> Result<Vec<MerchantRedemption>, StoreError> {
        disputes::merchant_redemptions(&self.pool, merchant_id, limit).await
    }

    async fn citizen_redemptions(
        &self,
        citizen: CitizenNumber,
        limit: u32,
    ) -> Result<Vec<CitizenRedemption>, StoreError> {
        disputes::citizen_redemptions(&self.pool, citizen, limit).await
    }

    async fn file_dispute(
        &self,
        dispute_id: &str,
        citizen: CitizenNumber,
        redemption_id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<DisputeOutcome, StoreError> {
        disputes::file(self, dispute_id, citizen, redemption_id, reason, now).await
    }

    async fn disputes(&self, status: Option<&str>) -> Result<Vec<Dispute>, StoreError> {
        disputes::list(&self.pool, status).await
    }

    async fn resolve_dispute(
        &self,
        dispute_id: &str,
        resolution: Resolution,
        note: &str,
        coordinator: &str,
        now: OffsetDateTime,
    ) -> Result<ResolveOutcome, StoreError> {
        disputes::resolve(self, dispute_id, resolution, note, coordinator, now).await
    }

    async fn highest_ledger_reference(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(pg(
            "SELECT COALESCE(MAX(GREATEST(ledger_seq, COALESCE(void_ledger_seq, 0))), 0)::bigint FROM redemptions",
        ))
        .fetch_one(&self.pool)
        .await?)
    }

    async fn ledger_entries(&self, after_seq: i64, limit: u32) -> Result<LedgerPage, StoreError> {
        let rows = sqlx::query(pg(&format!("{LEDGER_COLUMNS} WHERE seq > ? ORDER BY seq LIMIT ?")))
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::storage::rows::ledger_entry).collect()
    }

    async fn reduction_groups(
        &self,
        from_day: &str,
        to_day: &str,
        by: GroupBy,
    ) -> Result<(Vec<GroupFigures>, u64), StoreError> {
        let mut conn = self.pool.acquire().await?;
        super::ledger::groups(&mut conn, from_day, to_day, by).await
    }

    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        disputes::record_audit(&self.pool, entry).await
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        disputes::audit_log(&self.pool, limit).await
    }

    async fn service_secret(
        &self,
        name: &str,
        candidate: &[u8],
        sealed: bool,
        now: OffsetDateTime,
    ) -> Result<(bool, Vec<u8>), StoreError> {
        sqlx::query(pg("INSERT INTO service_secrets (name, value, sealed, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"))
            .bind(name)
            .bind(candidate)
            .bind(sealed as i64)
            .bind(unix(now))
            .execute(&self.pool)
            .await?;
        let row = sqlx::query(pg("SELECT value, sealed FROM service_secrets WHERE name = ?"))
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok((row.get::<i64, _>("sealed") != 0, row.get("value")))
    }
}
