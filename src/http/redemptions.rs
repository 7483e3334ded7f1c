//! Redeeming a credit code at checkout, and voiding a redemption.

use super::auth::MerchantAuth;
use super::problem::{ApiError, ApiJson, ApiQuery, Problem};
use super::state::AppState;
use crate::domain::redemption::Refusal;
use crate::engine::{RedeemOutcome, RedemptionAttempt, VoidBy, VoidOutcome};
use crate::ids::new_id;
use crate::signing::KeyRing;
use crate::storage::{Merchant, MerchantRedemption, Terminal};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa::IntoParams;
use xinyi_merchant_sdk::api::{Redemption, RedemptionRequest, VoidedRedemption};
use xinyi_merchant_sdk::{DEFAULT_CLOCK_SKEW, VerifyError};

/// The largest amount one redemption may carry: ¥100 million.
const MAX_AMOUNT_FEN: i64 = 10_000_000_000;

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::BadRequest {
            detail: "需要 Idempotency-Key 请求头(1 到 255 个字符)/ The Idempotency-Key header (1 to 255 characters) is required".into(),
        });
    }
    Ok(key.to_owned())
}

/// The body as the service understood it, hashed: the same request sent
/// twice hashes the same however its JSON was spaced or ordered.
fn request_hash(body: &RedemptionRequest) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(body).expect("a request serialises")))
}

fn code_refusal(error: VerifyError) -> Refusal {
    match error {
        VerifyError::Malformed(why) => Refusal::CodeMalformed(why.to_owned()),
        VerifyError::UnsupportedVersion(_) => Refusal::CodeUnsupportedVersion,
        VerifyError::UnknownKey => Refusal::CodeUnknownKey,
        VerifyError::KeyNotValidAtIssue | VerifyError::BadSignature => Refusal::BadSignature,
        VerifyError::Expired { .. } => Refusal::CodeExpired,
        VerifyError::NotYetValid { .. } => Refusal::CodeNotYetValid,
        VerifyError::Replay => Refusal::CodeUsed,
    }
}

/// Redeems a credit code for an offer of the calling merchant. Verifying
/// the code, checking the offer's rules, the citizen's limit and the
/// budget, and appending to the ledger happen in one atomic step; a
/// refusal writes nothing. Requires `Idempotency-Key`: a retry with the same
/// key and body gets the original answer.
#[utoipa::path(post, path = "/v1/redemptions", tag = "merchant", security(("merchant" = [])),
    params(("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "\\S", description = "one per redemption attempt; reuse it on retries")),
    request_body = RedemptionRequest,
    responses(
        (status = 201, body = Redemption),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "offer_not_yours / offer_not_found"),
        (status = 409, body = Problem, description = "code_used"),
        (status = 422, body = Problem, description = "every other rule"),
        (status = 503, body = Problem, description = "unavailable: retry after Retry-After with the same Idempotency-Key")))]
pub async fn redeem(
    State(state): State<AppState>,
    MerchantAuth(merchant, terminal): MerchantAuth,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RedemptionRequest>,
) -> Result<(StatusCode, Json<Redemption>), ApiError> {
    let key = idempotency_key(&headers)?;
    check_amount(&body)?;
    let hash = request_hash(&body);
    let answer = redeem_attempt(&state, (&merchant, &terminal), &key, &hash, body).await;
    crate::metrics::redemption(match &answer {
        Ok(Redeemed::First(_)) => "redeemed",
        Ok(Redeemed::Again(_)) => "replayed",
        Err(ApiError::Refused { code, .. }) => code,
        Err(_) => "unavailable",
    });
    answer.map(|(Redeemed::First(answer) | Redeemed::Again(answer))| (StatusCode::CREATED, Json(answer)))
}

pub(super) fn check_amount(body: &RedemptionRequest) -> Result<(), ApiError> {
    if body.amount_fen <= 0 || body.amount_fen > MAX_AMOUNT_FEN {
        return Err(ApiError::invalid("amount_fen", "须为正整数(分)/ must be a positive whole number of fen"));
    }
    Ok(())
}

/// A first answer, or the answer given before to the same key and body.
enum Redeemed {
    First(Redemption),
    Again(Redemption),
}

async fn redeem_attempt(
    state: &AppState,
    (merchant, terminal): (&Merchant, &Terminal),
    key: &str,
    hash: &str,
    body: RedemptionRequest,
) -> Result<Redeemed, ApiError> {
    let ring = state.keys.ring().await?;
    let attempt = match attempt(state, &ring, (merchant, terminal), key, hash, body) {
        Ok(attempt) => attempt,
        // A retry gets its first answer even after its code has since expired.
        Err(refusal) => {
            return match state.store.idempotent_redemption(&merchant.merchant_id, key).await? {
                Some((stored_hash, answer)) if stored_hash == hash => Ok(Redeemed::Again(answer)),
                Some(_) => Err(Refusal::IdempotencyMismatch.into()),
                None => Err(refusal.into()),
            };
        }
    };
    match state.engine.redeem(attempt).await? {
        RedeemOutcome::Redeemed(answer) => Ok(Redeemed::First(answer)),
        RedeemOutcome::Replayed(answer) => Ok(Redeemed::Again(answer)),
        RedeemOutcome::Refused(refusal) => Err(refusal.into()),
    }
}

/// When the code was scanned, by the terminal's word, and whether that
/// was offline (older than the grace). Only a terminal whose key was made
/// for offline use may send such a scan, and never older than the offline
/// window: for any other, a photographed code must not become a day-long
/// bearer token by back-dating its scan.
fn scan_time(
    policy: &super::state::Policy,
    terminal: &Terminal,
    scanned_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, bool), Refusal> {
    let Some(at) = scanned_at else { return Ok((now, false)) };
    if at > now + DEFAULT_CLOCK_SKEW {
        return Err(Refusal::ScannedInFuture);
    }
    if terminal.offline && now - at > policy.offline_window {
        return Err(Refusal::OfflineWindowPassed);
    }
    Ok((at, now - at > policy.scan_grace))
}

/// The checks that need no stored state: the scan time, the code's
/// signature and validity, and whose code it is.
pub(super) fn attempt(
    state: &AppState,
    ring: &KeyRing,
    (merchant, terminal): (&Merchant, &Terminal),
    key: &str,
    hash: &str,
    body: RedemptionRequest,
) -> Result<RedemptionAttempt, Refusal> {
    let now = OffsetDateTime::now_utc();
    let (scanned_at, offline) = scan_time(&state.policy, terminal, body.scanned_at, now)?;
    let verifier = ring.verifier_all().ok_or(Refusal::CodeUnknownKey)?;
    // An online terminal's code must be valid by our clock, less the grace,
    // whatever scan time it sends.
    let valid_at = if terminal.offline { scanned_at } else { scanned_at.max(now - state.policy.scan_grace) };
    let code = verifier.verify(&body.code, valid_at).map_err(code_refusal)?;
    if scanned_at < code.issued_at - DEFAULT_CLOCK_SKEW {
        return Err(Refusal::ScannedBeforeIssue);
    }
    if offline && !terminal.offline {
        return Err(Refusal::OfflineNotAllowed);
    }
    let key_of_code = ring.by_kid(&code.key_id).ok_or(Refusal::CodeUnknownKey)?;
    let citizen = key_of_code.sealer.open(&code.citizen_handle);
    // Reports count citizens as u32; no real city comes near that many.
    if u32::try_from(citizen.0).is_err() {
        return Err(Refusal::UnknownCitizen);
    }
    Ok(RedemptionAttempt {
        redemption_id: new_id("red"),
        merchant_id: merchant.merchant_id.clone(),
        merchant_category: merchant.category.clone(),
        merchant_district: merchant.district.clone(),
        idempotency_key: key.to_owned(),
        request_hash: hash.to_owned(),
        code_id: code.code_id.to_hex(),
        citizen,
        citizen_pseudonym: state.pseudonyms.pseudonym(citizen),
        level: code.level,
        offer_id: body.offer_id,
        amount_fen: body.amount_fen,
        scanned_at,
        now,
        offline,
        terminal: terminal.clone(),
        medium: code.medium,
        thresholds: state.policy.thresholds,
    })
}

/// Voids a redemption of the calling merchant within the void window:
/// a reversal is appended to the ledger, and the citizen's quota and the
/// offer's budget are given back.
#[utoipa::path(post, path = "/v1/redemptions/{redemption_id}/void", tag = "merchant", security(("merchant" = [])),
    params(("redemption_id" = String, Path)),
    responses((status = 200, body = VoidedRedemption), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "already_voided"), (status = 422, body = Problem, description = "void_window_passed"),
        (status = 503, body = Problem, description = "unavailable: retry after Retry-After")))]
pub async fn void(
    State(state): State<AppState>,
    MerchantAuth(merchant, terminal): MerchantAuth,
    Path(redemption_id): Path<String>,
) -> Result<Json<VoidedRedemption>, ApiError> {
    let by = VoidBy::Merchant { merchant_id: merchant.merchant_id, window: state.policy.void_window, terminal };
    match state.engine.void(redemption_id, by, OffsetDateTime::now_utc()).await? {
        VoidOutcome::Voided(voided) => Ok(Json(voided)),
        VoidOutcome::NotFound => Err(ApiError::not_found("核销记录 / redemption")),
        VoidOutcome::AlreadyVoided => Err(ApiError::Refused {
            status: StatusCode::CONFLICT,
            code: "already_voided",
            title: "已撤销 / Already voided",
            detail: "此核销已经撤销过 / This redemption was voided before".into(),
        }),
        VoidOutcome::WindowPassed => Err(ApiError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "void_window_passed",
            title: "已超过撤销时限 / Void window passed",
            detail: "超过时限的核销请由市民提出异议 / Past the window, the citizen can file a dispute instead".into(),
        }),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecentQuery {
    /// At most this many, newest first (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The calling merchant's recent redemptions, for the checkout's list.
#[utoipa::path(get, path = "/v1/merchant/redemptions", tag = "merchant", security(("merchant" = [])), params(RecentQuery),
    responses((status = 200, body = Vec<MerchantRedemption>)))]
pub async fn recent(
    State(state): State<AppState>,
    MerchantAuth(merchant, _): MerchantAuth,
    ApiQuery(query): ApiQuery<RecentQuery>,
) -> Result<Json<Vec<MerchantRedemption>>, ApiError> {
    let limit = super::limits::listing_limit(query.limit, 50)?;
    Ok(Json(state.store.merchant_redemptions(&merchant.merchant_id, limit).await?))
}
