//! What the directory shows, and what it leaves out.

use super::*;
use crate::domain::offers::OfferRules;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-29 08:00 UTC);

fn merchant(id: &str, category: &str, suspended: bool) -> Merchant {
    Merchant {
        merchant_id: id.into(),
        name: format!("商户 {id}"),
        category: category.into(),
        district: "东城区".into(),
        suspended,
        created_at: NOW,
        address: "东长安街 1 号".into(),
        location: None,
    }
}

fn offer(id: &str, merchant_id: &str, extra: serde_json::Value) -> StoredOffer {
    let mut request = serde_json::json!({"title": id, "min_level": 3,
        "tiers": [{"min_level": 3, "kind": "percent_off", "percent": 10}, {"min_level": 5, "kind": "free_service", "value_fen": 30000}],
        "budget_fen": 10_000});
    request.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    StoredOffer {
        offer_id: id.into(),
        merchant_id: merchant_id.into(),
        rules: OfferRules::parse(&serde_json::from_value(request).unwrap()).unwrap(),
        granted_fen: 0,
        granted_count: 0,
    }
}

#[test]
fn only_live_offers_of_merchants_not_suspended_are_listed_and_without_budgets() {
    let mut spent = offer("spent", "m1", serde_json::json!({}));
    spent.granted_fen = 10_000;
    let offers = vec![
        offer("live", "m1", serde_json::json!({})),
        spent,
        offer("later", "m1", serde_json::json!({"valid_from": "2027-01-01T00:00:00+08:00"})),
        offer("paused", "m2", serde_json::json!({})),
    ];
    let snapshot = Snapshot::build(offers, vec![merchant("m1", "mall", false), merchant("m2", "mall", true)], &[], NOW);
    let all: Vec<&str> = snapshot.matching(&Filter::default()).iter().map(|e| e.offer_id.as_str()).collect();
    assert_eq!(all, ["live"]);
    let json = String::from_utf8(snapshot.all_json().to_vec()).unwrap();
    assert!(json.contains("东长安街") && !json.contains("budget") && !json.contains("granted"), "{json}");
}

#[test]
fn the_level_filter_keeps_offers_that_give_that_level_something() {
    let offers = vec![
        offer("a-and-up", "m1", serde_json::json!({})),
        offer(
            "aaa-only",
            "m2",
            serde_json::json!({"min_level": 5, "tiers": [{"min_level": 5, "kind": "free_service", "value_fen": 30000}]}),
        ),
    ];
    let snapshot =
        Snapshot::build(offers, vec![merchant("m1", "mall", false), merchant("m2", "law_firm", false)], &[], NOW);
    let at = |rank: u8| -> Vec<String> {
        let filter = Filter { level: CreditLevel::from_rank(rank), ..Default::default() };
        snapshot.matching(&filter).iter().map(|e| e.offer_id.clone()).collect()
    };
    assert_eq!(at(2), Vec::<String>::new());
    assert_eq!(at(3), ["a-and-up"]);
    assert_eq!(at(5), ["aaa-only", "a-and-up"], "sorted by category: law_firm before mall");
    let malls = snapshot.matching(&Filter { category: Some("mall"), ..Default::default() });
    assert_eq!(malls.len(), 1);
}
