//! The batch is decided in arrival order, as if each command had run alone.

use super::*;
use crate::citizen_handle::CitizenNumber;
use crate::domain::ledger::{ChainWalker, GENESIS_HASH};
use crate::domain::levels::LevelThresholds;
use crate::domain::offers::OfferRules;
use crate::storage::{Dispute, Terminal};
use time::macros::datetime;
use xinyi_merchant_sdk::{CodeMedium, CreditLevel};

const NOW: OffsetDateTime = datetime!(2026-11-28 08:00 UTC);

fn offer(budget_fen: Option<i64>, per_month: Option<u32>) -> StoredOffer {
    let mut request = serde_json::json!({"title": "九折 10% off", "min_level": 2,
        "tiers": [{"min_level": 2, "kind": "percent_off", "percent": 10}], "budget_fen": budget_fen});
    if let Some(count) = per_month {
        request["per_citizen_limit"] = serde_json::json!({"count": count, "period": "month"});
    }
    StoredOffer {
        offer_id: "off_1".into(),
        merchant_id: "mer_1".into(),
        rules: OfferRules::parse(&serde_json::from_value(request).unwrap()).unwrap(),
        granted_fen: 0,
        granted_count: 0,
    }
}

fn attempt(n: u64, code: &str, citizen: u64, amount_fen: i64) -> RedemptionAttempt {
    RedemptionAttempt {
        redemption_id: format!("red_{n}"),
        merchant_id: "mer_1".into(),
        merchant_category: "mall".into(),
        merchant_district: "东城区".into(),
        idempotency_key: format!("key-{n}"),
        request_hash: format!("hash-{n}"),
        code_id: code.into(),
        citizen: CitizenNumber(citizen),
        citizen_pseudonym: format!("p{citizen}"),
        level: CreditLevel::AA,
        offer_id: "off_1".into(),
        amount_fen,
        scanned_at: NOW,
        now: NOW,
        offline: false,
        terminal: till(),
        medium: CodeMedium::Phone,
        thresholds: LevelThresholds::default(),
    }
}

fn paper(n: u64, code: &str, citizen: u64) -> RedemptionAttempt {
    RedemptionAttempt { medium: CodeMedium::Paper, ..attempt(n, code, citizen, 10_000) }
}

fn till() -> Terminal {
    Terminal { key_id: "key_1".into(), label: "front desk".into(), offline: false }
}

fn reads(offer: StoredOffer) -> BatchReads {
    BatchReads {
        // Every citizen at 650 points: level AA, what `attempt` carries.
        citizens: (1..=10).map(|n| (n, 150)).collect(),
        offers: [(offer.offer_id.clone(), offer)].into(),
        ledger_head: (0, GENESIS_HASH.into()),
        ..Default::default()
    }
}

fn redeemed(outcome: &Outcome) -> Option<i64> {
    match outcome {
        Outcome::Redeem(RedeemOutcome::Redeemed(r)) => Some(r.discount_fen),
        _ => None,
    }
}

fn refusal(outcome: &Outcome) -> Option<Refusal> {
    match outcome {
        Outcome::Redeem(RedeemOutcome::Refused(r)) => Some(r.clone()),
        _ => None,
    }
}

#[test]
fn two_scans_of_one_code_in_one_batch_redeem_once_and_the_first_wins() {
    let commands = [Command::Redeem(attempt(1, "code-a", 1, 10_000)), Command::Redeem(attempt(2, "code-a", 1, 20_000))];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads(offer(None, None)));
    assert_eq!(redeemed(&planned.outcomes[0]), Some(1000));
    assert_eq!(refusal(&planned.outcomes[1]), Some(Refusal::CodeUsed));
    assert_eq!(planned.writes.redemptions.len(), 1);
    assert_eq!(planned.writes.ledger.len(), 1);
}

#[test]
fn a_budget_is_spent_in_arrival_order_to_the_fen() {
    // 10% of 4,000 fen is 400 fen: two fit a 1,000-fen budget, the third
    // does not, and a later 200-fen discount still fits the 200 left.
    let commands = [
        Command::Redeem(attempt(1, "c1", 1, 4_000)),
        Command::Redeem(attempt(2, "c2", 2, 4_000)),
        Command::Redeem(attempt(3, "c3", 3, 4_000)),
        Command::Redeem(attempt(4, "c4", 4, 2_000)),
        Command::Redeem(attempt(5, "c5", 5, 10)),
    ];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads(offer(Some(1_000), None)));
    let discounts: Vec<_> = planned.outcomes.iter().map(redeemed).collect();
    assert_eq!(discounts, [Some(400), Some(400), None, Some(200), None]);
    assert_eq!(refusal(&planned.outcomes[2]), Some(Refusal::BudgetExhausted));
    assert_eq!(planned.writes.offer_totals["off_1"], (1_000, 3));
}

#[test]
fn a_per_citizen_limit_counts_the_batch_s_own_redemptions() {
    let commands = [Command::Redeem(attempt(1, "c1", 7, 1_000)), Command::Redeem(attempt(2, "c2", 7, 1_000))];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads(offer(None, Some(1))));
    assert!(redeemed(&planned.outcomes[0]).is_some());
    assert_eq!(refusal(&planned.outcomes[1]), Some(Refusal::CitizenLimitReached));
    assert_eq!(planned.writes.usage.values().sum::<i64>(), 1);
}

#[test]
fn a_void_in_the_batch_gives_its_budget_back_to_a_later_redemption() {
    let commands = [
        Command::Redeem(attempt(1, "c1", 1, 10_000)),
        Command::Void {
            redemption_id: "red_1".into(),
            by: VoidBy::Merchant { merchant_id: "mer_1".into(), window: time::Duration::hours(24), terminal: till() },
            now: NOW,
        },
        Command::Redeem(attempt(3, "c3", 2, 10_000)),
        Command::Void { redemption_id: "red_1".into(), by: VoidBy::Coordinator, now: NOW },
    ];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads(offer(Some(1_000), None)));
    assert_eq!(redeemed(&planned.outcomes[0]), Some(1000));
    assert!(matches!(planned.outcomes[1], Outcome::Void(VoidOutcome::Voided(_))));
    assert_eq!(redeemed(&planned.outcomes[2]), Some(1000), "the voided discount is budget again");
    assert_eq!(planned.outcomes[3], Outcome::Void(VoidOutcome::AlreadyVoided));
    assert_eq!(planned.writes.offer_totals["off_1"], (1_000, 1));
    let rollup = planned.writes.rollups.values().next().unwrap();
    assert_eq!((rollup.redemptions, rollup.reversals, rollup.gross_fen, rollup.reversed_fen), (2, 1, 2_000, 1_000));
}

#[test]
fn a_repeated_idempotency_key_in_one_batch_gets_the_first_answer_or_a_mismatch() {
    let first = attempt(1, "c1", 1, 10_000);
    let mut retry = attempt(2, "c2", 1, 10_000);
    retry.idempotency_key = first.idempotency_key.clone();
    retry.request_hash = first.request_hash.clone();
    let mut other = retry.clone();
    other.request_hash = "another body".into();
    let commands = [Command::Redeem(first), Command::Redeem(retry), Command::Redeem(other)];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads(offer(None, None)));
    let Outcome::Redeem(RedeemOutcome::Redeemed(answer)) = &planned.outcomes[0] else { panic!() };
    assert_eq!(planned.outcomes[1], Outcome::Redeem(RedeemOutcome::Replayed(answer.clone())));
    assert_eq!(refusal(&planned.outcomes[2]), Some(Refusal::IdempotencyMismatch));
    assert_eq!(planned.writes.redemptions.len(), 1);
}

#[test]
fn the_batch_extends_the_stored_hash_chain_without_a_gap() {
    let commands: Vec<_> =
        (1..=5).map(|n| Command::Redeem(attempt(n, &format!("c{n}"), n, 1_000 * n as i64))).collect();
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads(offer(None, None)));
    let mut walker = ChainWalker::default();
    for entry in &planned.writes.ledger {
        walker.check(entry).unwrap();
    }
    assert_eq!(walker.entries, 5);
}

#[test]
fn resolving_a_dispute_by_voiding_reverses_its_redemption_once() {
    let mut state = reads(offer(None, None));
    let dispute = Dispute {
        dispute_id: "dsp_1".into(),
        redemption_id: "red_1".into(),
        merchant_name: "商户".into(),
        offer_title: "t".into(),
        discount_fen: 1000,
        reason: "r".into(),
        status: "open".into(),
        note: None,
        created_at: NOW,
        resolved_at: None,
        resolved_by: None,
        terminal: Some("front desk".into()),
    };
    state.disputes.insert("dsp_1".into(), dispute);
    let resolve = |note: &str| Command::Resolve {
        dispute_id: "dsp_1".into(),
        resolution: Resolution::Void,
        note: note.into(),
        coordinator: "li".into(),
        now: NOW,
    };
    let commands = [Command::Redeem(attempt(1, "c1", 1, 10_000)), resolve("first"), resolve("again")];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), state);
    let Outcome::Resolve(ResolveOutcome::Resolved(d)) = &planned.outcomes[1] else { panic!() };
    assert_eq!((d.status.as_str(), d.note.as_deref()), ("voided", Some("first")));
    assert_eq!(planned.outcomes[2], Outcome::Resolve(ResolveOutcome::AlreadyResolved));
    assert!(planned.writes.voids.is_empty(), "a redemption of the same batch is written already voided");
    let reversal = planned.writes.ledger.last().unwrap();
    let voided = planned.writes.redemptions[0].voided.as_ref().expect("written voided");
    assert_eq!((voided.at, voided.seq), (NOW, reversal.seq));
    assert_eq!(voided.terminal, None, "a coordinator's void names no terminal");
}

#[test]
fn a_full_citizen_part_starts_the_next_and_no_part_outgrows_its_capacity() {
    let key: RollupKey = ("2026-11-28".into(), "mer_1".into(), "off_1".into(), 4);
    let place = RollupDelta {
        category: "mall".into(),
        district: "东城区".into(),
        redemptions: 0,
        reversals: 0,
        gross_fen: 0,
        reversed_fen: 0,
        offline_redemptions: 0,
    };
    let mut full = Vec::new();
    for c in 0..CITIZEN_PART_CAPACITY as u32 {
        citizen_list::insert(&mut full, c * 2);
    }
    let open = [(key.clone(), (3, full))].into();
    // 0 is already in the full part; 1 and 3 are not.
    let new = [(key.clone(), (place, vec![0, 1, 3]))].into();
    let parts = citizen_parts(new, open);
    let numbers: Vec<_> = parts.iter().map(|(_, _, part, list)| (*part, list.len() / 4)).collect();
    assert_eq!(numbers, [(3, CITIZEN_PART_CAPACITY), (4, 2)]);
    assert_eq!(citizen_list::values(&parts[1].3).collect::<Vec<_>>(), [1, 3]);
}

fn level_of(outcome: &Outcome) -> Option<(u8, Option<u8>, String)> {
    match outcome {
        Outcome::Redeem(RedeemOutcome::Redeemed(r)) => {
            Some((r.level.rank, r.code_level.as_ref().map(|l| l.rank), r.medium.clone()))
        }
        _ => None,
    }
}

#[test]
fn a_paper_code_is_decided_at_the_citizen_s_current_level_when_that_is_lower() {
    let mut reads = reads(offer(None, None));
    reads.paper_codes = [("p1".to_owned(), None), ("p2".to_owned(), None), ("p3".to_owned(), None)].into();
    reads.citizens.insert(2, -50); // 450 points: B, below the AA the sheet was printed at
    reads.citizens.insert(3, 300); // 800 points: AAA, above it
    let commands =
        [Command::Redeem(paper(1, "p1", 1)), Command::Redeem(paper(2, "p2", 2)), Command::Redeem(paper(3, "p3", 3))];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads);
    assert_eq!(level_of(&planned.outcomes[0]), Some((4, None, "paper".into())));
    assert_eq!(level_of(&planned.outcomes[1]), Some((2, Some(4), "paper".into())), "lowered, and the answer says so");
    assert_eq!(level_of(&planned.outcomes[2]), Some((4, None, "paper".into())), "never above the printed level");
    assert_eq!(planned.writes.ledger[1].level, 2);
    assert_eq!(planned.writes.redemptions[1].code_level, Some(4));
}

#[test]
fn a_paper_code_of_a_revoked_or_unknown_sheet_is_refused_and_a_phone_code_never_asks() {
    let mut reads = reads(offer(None, None));
    reads.paper_codes = [
        ("gone".to_owned(), Some(NOW - time::Duration::minutes(1))),
        ("later".to_owned(), Some(NOW + time::Duration::minutes(1))),
    ]
    .into();
    let commands = [
        Command::Redeem(paper(1, "gone", 1)),
        Command::Redeem(paper(2, "never-printed", 2)),
        Command::Redeem(paper(3, "later", 3)),
        Command::Redeem(attempt(4, "phone", 4, 10_000)),
    ];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads);
    assert_eq!(refusal(&planned.outcomes[0]), Some(Refusal::SheetRevoked));
    assert_eq!(refusal(&planned.outcomes[1]), Some(Refusal::SheetRevoked));
    assert!(redeemed(&planned.outcomes[2]).is_some(), "revoked only from its revocation on");
    assert_eq!(level_of(&planned.outcomes[3]), Some((4, None, "phone".into())));
}

#[test]
fn a_code_fetched_under_a_grant_that_has_ended_is_refused_from_the_ending_on() {
    let mut reads = reads(offer(None, None));
    reads.withdrawn_codes = [
        ("ended".to_owned(), NOW - time::Duration::seconds(1)),
        ("ending-later".to_owned(), NOW + time::Duration::seconds(1)),
    ]
    .into();
    let commands = [
        Command::Redeem(attempt(1, "ended", 1, 10_000)),
        Command::Redeem(attempt(2, "ending-later", 2, 10_000)),
        Command::Redeem(attempt(3, "own", 3, 10_000)),
    ];
    let planned = plan(&commands.iter().collect::<Vec<_>>(), reads);
    assert_eq!(refusal(&planned.outcomes[0]), Some(Refusal::CodeWithdrawn));
    assert!(redeemed(&planned.outcomes[1]).is_some(), "a redemption before the grant ended stands");
    assert!(redeemed(&planned.outcomes[2]).is_some());
}

#[test]
fn a_red_listed_citizen_s_paper_code_keeps_the_level_the_red_list_gives() {
    let mut reads = reads(offer(None, None));
    reads.paper_codes = [("p1".to_owned(), None)].into();
    reads.citizens.insert(1, 0); // 500 points: A; the red list lifts it to AA
    let window =
        crate::domain::lists::ListWindow { starts_at: NOW - time::Duration::days(1), ends_at: None, ended_at: None };
    reads.red_windows.insert(1, vec![window]);
    let planned = plan(&[&Command::Redeem(paper(1, "p1", 1))], reads);
    assert_eq!(level_of(&planned.outcomes[0]), Some((4, None, "paper".into())));
}

#[test]
fn a_paper_code_reads_the_rollup_of_every_level_it_could_be_decided_at() {
    assert_eq!(wanted_levels(paper(1, "p1", 1)), [1, 2, 3, 4]);
    let phone = wanted_levels(attempt(2, "c", 1, 100));
    assert_eq!(phone, [4]);
}

fn wanted_levels(a: RedemptionAttempt) -> Vec<u8> {
    let command = Command::Redeem(a);
    wanted(&[&command]).keys.rollups.iter().map(|k| k.3).collect()
}

#[test]
fn only_paper_codes_are_looked_up_among_the_sheets_and_every_code_among_the_withdrawn() {
    let commands = [Command::Redeem(paper(1, "p1", 1)), Command::Redeem(attempt(2, "phone", 2, 100))];
    let wanted = wanted(&commands.iter().collect::<Vec<_>>());
    assert_eq!(wanted.keys.paper_code_ids, ["p1"]);
    assert_eq!(wanted.keys.code_ids, ["p1", "phone"], "used and withdrawn codes are looked up for all");
}
