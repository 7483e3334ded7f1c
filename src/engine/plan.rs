//! Deciding a batch in memory, in arrival order, against the stored state as
//! the batch itself has changed it: a code used earlier in the batch is
//! used, a budget spent earlier in the batch is spent. No I/O here.

use super::{Command, Outcome, RedeemOutcome, RedemptionAttempt, Resolution, ResolveOutcome, VoidBy, VoidOutcome};
use crate::domain::ledger::{EntryKind, LedgerEntry};
use crate::domain::periods::period_key;
use crate::domain::redemption::{Refusal, decide};
use crate::domain::reports::citizen_list;
use crate::storage::{
    BatchKeys, BatchReads, BatchWrites, DisputeResolution, NewRedemption, NewVoid, RollupDelta, RollupKey, StoredOffer,
    StoredRedemption, UsageKey,
};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use xinyi_merchant_sdk::api::{LimitPeriod, Redemption, VoidedRedemption};
use xinyi_merchant_sdk::{CodeMedium, CreditLevel};

/// Citizens per rollup part: a batch rewrites at most this many (1 KiB)
/// per rollup it touches, however busy the day has been.
pub const CITIZEN_PART_CAPACITY: usize = 256;

/// The keys of the stored state a batch's commands read.
#[derive(Debug, Default)]
pub(super) struct Wanted<'c> {
    pub keys: BatchKeys<'c>,
    pub redemption_ids: Vec<&'c str>,
    pub dispute_ids: Vec<&'c str>,
}

/// Every period a per-citizen limit could count a scan in: the offer is
/// not known until it is read, and reading is one statement for the batch.
const LIMIT_PERIODS: [LimitPeriod; 4] = [LimitPeriod::Day, LimitPeriod::Week, LimitPeriod::Month, LimitPeriod::Year];

pub(super) fn wanted<'c>(commands: &[&'c Command]) -> Wanted<'c> {
    let mut wanted = Wanted::default();
    for &command in commands {
        match command {
            Command::Redeem(a) => {
                let keys = &mut wanted.keys;
                keys.code_ids.push(&a.code_id);
                if a.medium == CodeMedium::Paper {
                    keys.paper_code_ids.push(&a.code_id);
                }
                keys.citizens.push(a.citizen.0 as i64);
                keys.offer_ids.push(&a.offer_id);
                keys.idempotency.push((&a.merchant_id, &a.idempotency_key));
                for period in LIMIT_PERIODS {
                    keys.usage.push((a.offer_id.clone(), a.citizen.0 as i64, period_key(period, a.scanned_at)));
                }
                for level in super::paper::possible_levels(a) {
                    keys.rollups.push(rollup_key(a.now, &a.merchant_id, &a.offer_id, level));
                }
            }
            Command::Void { redemption_id, .. } => wanted.redemption_ids.push(redemption_id),
            Command::Resolve { dispute_id, .. } => wanted.dispute_ids.push(dispute_id),
        }
    }
    // A crowd at one counter shares its rollup and counters: read each once.
    wanted.keys.usage.sort_unstable();
    wanted.keys.usage.dedup();
    wanted.keys.rollups.sort_unstable();
    wanted.keys.rollups.dedup();
    wanted
}

fn rollup_key(at: OffsetDateTime, merchant_id: &str, offer_id: &str, level: u8) -> RollupKey {
    (period_key(LimitPeriod::Day, at), merchant_id.to_owned(), offer_id.to_owned(), level)
}

fn usage_key(attempt: &RedemptionAttempt, offer: &StoredOffer) -> Option<UsageKey> {
    let period = offer.rules.limit_period()?;
    Some((attempt.offer_id.clone(), attempt.citizen.0 as i64, period_key(period, attempt.scanned_at)))
}

/// The outcome of every command, and the rows to write.
pub(super) struct Planned {
    pub outcomes: Vec<Outcome>,
    pub writes: BatchWrites,
}

pub(super) fn plan(commands: &[&Command], reads: BatchReads) -> Planned {
    let mut planner = Planner {
        reads,
        planned: Planned { outcomes: Vec::new(), writes: BatchWrites::default() },
        new_citizens: BTreeMap::new(),
    };
    for command in commands {
        let outcome = match command {
            Command::Redeem(attempt) => Outcome::Redeem(planner.redeem(attempt)),
            Command::Void { redemption_id, by, now } => Outcome::Void(planner.void(redemption_id, by, *now)),
            Command::Resolve { dispute_id, resolution, note, coordinator, now } => {
                Outcome::Resolve(planner.resolve(dispute_id, *resolution, note, coordinator, *now))
            }
        };
        planner.planned.outcomes.push(outcome);
    }
    assert_eq!(planner.planned.outcomes.len(), commands.len(), "every command gets one outcome");
    let open = std::mem::take(&mut planner.reads.open_parts);
    planner.planned.writes.citizen_parts = citizen_parts(planner.new_citizens, open);
    planner.planned
}

/// What a redemption that passes every rule comes to.
pub(super) struct Checked {
    pub discount_fen: i64,
    /// The period the citizen's limit counts it in.
    pub period: Option<String>,
    /// The level it was decided at (a paper code's may be lower than its own).
    pub level: CreditLevel,
}

/// Every rule, against the state as the batch has changed it.
pub(super) fn check(reads: &BatchReads, a: &RedemptionAttempt) -> Result<Checked, Refusal> {
    if reads.used_codes.contains(&a.code_id) {
        return Err(Refusal::CodeUsed);
    }
    if !reads.citizens.contains_key(&(a.citizen.0 as i64)) {
        return Err(Refusal::UnknownCitizen);
    }
    if reads.withdrawn_codes.get(&a.code_id).is_some_and(|ended_at| *ended_at <= a.now) {
        return Err(Refusal::CodeWithdrawn);
    }
    // Checked now, not when the code was issued: a code issued before the
    // listing is refused too, and a queued offline scan learns it at sync.
    if reads.black_windows.get(&(a.citizen.0 as i64)).is_some_and(|ws| ws.iter().any(|w| w.active_at(a.now))) {
        return Err(Refusal::CitizenBlacklisted);
    }
    let offer = reads.offers.get(&a.offer_id).ok_or(Refusal::OfferNotFound)?;
    let key = usage_key(a, offer);
    let used = key.as_ref().map_or(0, |k| reads.usage.get(k).copied().unwrap_or(0));
    let level = super::paper::applied_level(reads, a)?;
    let decision = decide(offer, &a.merchant_id, level, a.amount_fen, a.scanned_at, used)?;
    Ok(Checked { discount_fen: decision.discount_fen, period: key.map(|(_, _, period)| period), level })
}

struct Planner {
    reads: BatchReads,
    planned: Planned,
    /// The citizens each rollup gained, to merge into its last part.
    new_citizens: BTreeMap<RollupKey, (RollupDelta, Vec<u32>)>,
}

impl Planner {
    fn redeem(&mut self, a: &RedemptionAttempt) -> RedeemOutcome {
        let idempotency = (a.merchant_id.clone(), a.idempotency_key.clone());
        if let Some((hash, answer)) = self.reads.idempotency.get(&idempotency) {
            return if *hash == a.request_hash {
                RedeemOutcome::Replayed(answer.clone())
            } else {
                RedeemOutcome::Refused(Refusal::IdempotencyMismatch)
            };
        }
        let Checked { discount_fen, period, level } = match check(&self.reads, a) {
            Ok(ok) => ok,
            Err(refusal) => return RedeemOutcome::Refused(refusal),
        };
        let payable_fen = a.amount_fen - discount_fen;
        let entry = self.append(
            LedgerEntry {
                seq: 0,
                at: a.now,
                kind: EntryKind::Redemption,
                redemption_id: a.redemption_id.clone(),
                merchant_id: a.merchant_id.clone(),
                category: a.merchant_category.clone(),
                district: a.merchant_district.clone(),
                offer_id: a.offer_id.clone(),
                level: level.rank(),
                citizen_pseudonym: a.citizen_pseudonym.clone(),
                amount_fen: a.amount_fen,
                discount_fen,
                payable_fen,
                prev_hash: String::new(),
                hash: String::new(),
            },
            Some(a.citizen.0),
            a.offline,
        );
        let answer = Redemption {
            redemption_id: a.redemption_id.clone(),
            level: level.into(),
            amount_fen: a.amount_fen,
            discount_fen,
            payable_fen,
            ledger_seq: entry.seq,
            terminal: Some(a.terminal.label.clone()),
            medium: a.medium.as_str().to_owned(),
            code_level: a.code_level_above(level).map(Into::into),
        };
        self.record_redemption(a, &entry, period, level);
        self.reads.idempotency.insert(idempotency, (a.request_hash.clone(), answer.clone()));
        RedeemOutcome::Redeemed(answer)
    }

    fn record_redemption(
        &mut self,
        a: &RedemptionAttempt,
        entry: &LedgerEntry,
        period: Option<String>,
        level: CreditLevel,
    ) {
        self.reads.used_codes.insert(a.code_id.clone());
        if let Some(period) = &period {
            self.count_usage((a.offer_id.clone(), a.citizen.0 as i64, period.clone()), 1);
        }
        self.count_offer(&a.offer_id, entry.discount_fen, 1);
        let stored = StoredRedemption {
            merchant_id: a.merchant_id.clone(),
            offer_id: a.offer_id.clone(),
            citizen_number: a.citizen.0 as i64,
            level: entry.level,
            amount_fen: a.amount_fen,
            discount_fen: entry.discount_fen,
            payable_fen: entry.payable_fen,
            period_key: period,
            created_at: a.now,
            voided_at: None,
            category: a.merchant_category.clone(),
            district: a.merchant_district.clone(),
            citizen_pseudonym: a.citizen_pseudonym.clone(),
        };
        // A void later in the same batch finds it.
        self.reads.redemptions.insert(a.redemption_id.clone(), stored.clone());
        self.planned.writes.redemptions.push(NewRedemption {
            redemption_id: a.redemption_id.clone(),
            code_id: a.code_id.clone(),
            stored,
            scanned_at: a.scanned_at,
            ledger_seq: entry.seq,
            idempotency_key: a.idempotency_key.clone(),
            request_hash: a.request_hash.clone(),
            voided: None,
            terminal: a.terminal.clone(),
            offline: a.offline,
            medium: a.medium,
            code_level: a.code_level_above(level).map(CreditLevel::rank),
        });
    }

    fn count_usage(&mut self, key: UsageKey, delta: i64) {
        *self.reads.usage.entry(key.clone()).or_default() += delta;
        *self.planned.writes.usage.entry(key).or_default() += delta;
    }

    fn count_offer(&mut self, offer_id: &str, fen: i64, count: i64) {
        if let Some(offer) = self.reads.offers.get_mut(offer_id) {
            offer.granted_fen += fen;
            offer.granted_count += count;
        }
        let total = self.planned.writes.offer_totals.entry(offer_id.to_owned()).or_default();
        total.0 += fen;
        total.1 += count;
    }

    /// A reversal entry, and the citizen's quota and the offer's budget given back.
    fn void(&mut self, redemption_id: &str, by: &VoidBy, now: OffsetDateTime) -> VoidOutcome {
        let Some(r) = self.reads.redemptions.get(redemption_id) else {
            return VoidOutcome::NotFound;
        };
        if let VoidBy::Merchant { merchant_id, window, .. } = by {
            if *merchant_id != r.merchant_id {
                return VoidOutcome::NotFound;
            }
            if r.voided_at.is_none() && now > r.created_at + *window {
                return VoidOutcome::WindowPassed;
            }
        }
        if r.voided_at.is_some() {
            return VoidOutcome::AlreadyVoided;
        }
        let r = r.clone();
        let entry = self.append(
            LedgerEntry {
                seq: 0,
                at: now,
                kind: EntryKind::Reversal,
                redemption_id: redemption_id.to_owned(),
                merchant_id: r.merchant_id.clone(),
                category: r.category.clone(),
                district: r.district.clone(),
                offer_id: r.offer_id.clone(),
                level: r.level,
                citizen_pseudonym: r.citizen_pseudonym.clone(),
                amount_fen: r.amount_fen,
                discount_fen: r.discount_fen,
                payable_fen: r.payable_fen,
                prev_hash: String::new(),
                hash: String::new(),
            },
            None,
            false,
        );
        if let Some(stored) = self.reads.redemptions.get_mut(redemption_id) {
            stored.voided_at = Some(now);
        }
        let terminal = match by {
            VoidBy::Merchant { terminal, .. } => Some(terminal.clone()),
            VoidBy::Coordinator => None,
        };
        let void = NewVoid { at: now, seq: entry.seq, terminal };
        // A redemption of this batch is written already voided: one row, one write.
        match self.planned.writes.redemptions.iter_mut().find(|n| n.redemption_id == redemption_id) {
            Some(new) => new.voided = Some(void),
            None => self.planned.writes.voids.push((redemption_id.to_owned(), void)),
        }
        if let Some(period) = r.period_key {
            self.count_usage((r.offer_id.clone(), r.citizen_number, period), -1);
        }
        self.count_offer(&r.offer_id, -r.discount_fen, -1);
        VoidOutcome::Voided(VoidedRedemption {
            redemption_id: redemption_id.to_owned(),
            voided_at: now,
            ledger_seq: entry.seq,
        })
    }

    fn resolve(
        &mut self,
        dispute_id: &str,
        resolution: Resolution,
        note: &str,
        coordinator: &str,
        now: OffsetDateTime,
    ) -> ResolveOutcome {
        let Some(dispute) = self.reads.disputes.get(dispute_id) else {
            return ResolveOutcome::NotFound;
        };
        if dispute.status != "open" {
            return ResolveOutcome::AlreadyResolved;
        }
        let redemption_id = dispute.redemption_id.clone();
        let status = match resolution {
            Resolution::Void => {
                // Already voided at the counter still resolves the dispute as voided.
                self.void(&redemption_id, &VoidBy::Coordinator, now);
                "voided"
            }
            Resolution::Reject => "rejected",
        };
        let dispute = self.reads.disputes.get_mut(dispute_id).expect("looked up above");
        dispute.status = status.to_owned();
        dispute.note = Some(note.to_owned());
        dispute.resolved_at = Some(now);
        dispute.resolved_by = Some(coordinator.to_owned());
        self.planned.writes.resolutions.push(DisputeResolution {
            dispute_id: dispute_id.to_owned(),
            status: status.to_owned(),
            note: note.to_owned(),
            at: now,
            by: coordinator.to_owned(),
        });
        ResolveOutcome::Resolved(Box::new(dispute.clone()))
    }

    /// Extends the hash chain and folds the entry into its day's rollup.
    fn append(&mut self, entry: LedgerEntry, citizen: Option<u64>, offline: bool) -> LedgerEntry {
        let (seq, previous_hash) = &self.reads.ledger_head;
        let entry = LedgerEntry { seq: seq + 1, ..entry }.seal(previous_hash);
        self.reads.ledger_head = (entry.seq, entry.hash.clone());
        let key = rollup_key(entry.at, &entry.merchant_id, &entry.offer_id, entry.level);
        let place = RollupDelta {
            category: entry.category.clone(),
            district: entry.district.clone(),
            redemptions: 0,
            reversals: 0,
            gross_fen: 0,
            reversed_fen: 0,
            offline_redemptions: 0,
        };
        let rollup = self.planned.writes.rollups.entry(key.clone()).or_insert_with(|| place.clone());
        match entry.kind {
            EntryKind::Redemption => {
                rollup.redemptions += 1;
                rollup.gross_fen += entry.discount_fen;
                rollup.offline_redemptions += i64::from(offline);
                let number = u32::try_from(citizen.expect("a redemption names its citizen"))
                    .expect("citizen numbers past u32 are refused before the engine");
                self.new_citizens.entry(key).or_insert_with(|| (place, Vec::new())).1.push(number);
            }
            EntryKind::Reversal => {
                rollup.reversals += 1;
                rollup.reversed_fen += entry.discount_fen;
            }
        }
        self.planned.writes.ledger.push(entry.clone());
        entry
    }
}

/// Merges each rollup's new citizens into its last part, starting a new
/// part whenever one is full. Returns every part to rewrite, whole.
pub(super) fn citizen_parts(
    new_citizens: BTreeMap<RollupKey, (RollupDelta, Vec<u32>)>,
    mut open: HashMap<RollupKey, (i64, Vec<u8>)>,
) -> Vec<(RollupKey, RollupDelta, i64, Vec<u8>)> {
    let mut parts = Vec::new();
    for (key, (place, citizens)) in new_citizens {
        let (mut part, mut list) = open.remove(&key).unwrap_or((0, Vec::new()));
        for citizen in citizens {
            let full = list.len() / 4 >= CITIZEN_PART_CAPACITY;
            if full && !citizen_list::values(&list).any(|c| c == citizen) {
                parts.push((key.clone(), place.clone(), part, std::mem::take(&mut list)));
                part += 1;
            }
            citizen_list::insert(&mut list, citizen);
        }
        assert!(list.len() / 4 <= CITIZEN_PART_CAPACITY, "a part never grows past its capacity");
        parts.push((key, place, part, list));
    }
    parts
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
