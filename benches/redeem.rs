//! What redemptions cost through the engine on the embedded SQLite store:
//! the rules checked against the state, the redemption, usage, offer totals,
//! ledger entries with their hashes, rollups and idempotency records,
//! committed durably. `lone` is one redemption on an idle engine; `crowd`
//! is 256 submitted at once, which the engine writes as group commits.
//!
//! `cargo bench -p xinyi --bench redeem` (SQLite), or with
//! `XINYI_BENCH_DATABASE_URL=postgres://…/an_empty_database` for PostgreSQL.
//!
//! Verifying the code before it (≈ 32 µs, `docs/credit-code.md`) and HTTP
//! come on top.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;
use xinyi::citizen_handle::CitizenNumber;
use xinyi::domain::offers::OfferRules;
use xinyi::engine::{Engine, EngineLimits, RedeemOutcome, RedemptionAttempt};
use xinyi::storage::{Merchant, SharedStore, StoredOffer, Terminal};
use xinyi_merchant_sdk::CreditLevel;

const CITIZENS: u64 = 10_000;

async fn store_with_offer(dir: &std::path::Path) -> SharedStore {
    let url = std::env::var("XINYI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.join("redeem-bench.db").display()));
    let store = xinyi::storage::connect(&url).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let merchant = Merchant {
        merchant_id: "mer_bench".into(),
        name: "万达广场".into(),
        category: "mall".into(),
        district: "西城区".into(),
        suspended: false,
        created_at: now,
        address: String::new(),
        location: None,
    };
    store.create_merchant(&merchant).await.unwrap();
    let request = serde_json::from_value(serde_json::json!({"title": "九折 10% off", "min_level": 2,
        "tiers": [{"min_level": 2, "kind": "percent_off", "percent": 10, "cap_fen": 5000}]}))
    .unwrap();
    let offer = StoredOffer {
        offer_id: "off_bench".into(),
        merchant_id: "mer_bench".into(),
        rules: OfferRules::parse(&request).unwrap(),
        granted_fen: 0,
        granted_count: 0,
    };
    store.create_offer(&offer, now).await.unwrap();
    for c in 0..CITIZENS {
        store.citizen_or_create(&format!("citizen-{c}"), now).await.unwrap();
    }
    store
}

fn attempt(n: u64) -> RedemptionAttempt {
    let now = OffsetDateTime::now_utc();
    RedemptionAttempt {
        redemption_id: format!("red_{n}"),
        merchant_id: "mer_bench".into(),
        merchant_category: "mall".into(),
        merchant_district: "西城区".into(),
        idempotency_key: format!("key-{n}"),
        request_hash: "h".into(),
        code_id: format!("code-{n}"),
        citizen: CitizenNumber(1 + n % CITIZENS),
        citizen_pseudonym: format!("p{}", n % CITIZENS),
        level: CreditLevel::AA,
        offer_id: "off_bench".into(),
        amount_fen: 12_345,
        scanned_at: now,
        now,
        offline: false,
        terminal: Terminal { key_id: "key_bench".into(), label: "till 1".into(), offline: false },
        medium: xinyi_merchant_sdk::CodeMedium::Phone,
        thresholds: Default::default(),
    }
}

const CROWD: u64 = 256;

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = runtime.block_on(store_with_offer(dir.path()));
    let engine = runtime.block_on(async { Engine::start(store, EngineLimits::default()) });
    let counter = AtomicU64::new(0);
    let mut group = c.benchmark_group("redeem");
    group.bench_function("lone", |b| {
        b.iter(|| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let outcome = runtime.block_on(engine.redeem(attempt(n))).unwrap();
            assert!(matches!(outcome, RedeemOutcome::Redeemed(_)));
        })
    });
    group.throughput(Throughput::Elements(CROWD));
    group.bench_function("crowd", |b| {
        b.iter(|| {
            let first = counter.fetch_add(CROWD, Ordering::Relaxed);
            let outcomes = runtime.block_on(futures::future::join_all((first..first + CROWD).map(|n| {
                let engine = engine.clone();
                async move { engine.redeem(attempt(n)).await }
            })));
            assert!(outcomes.iter().all(|o| matches!(o, Ok(RedeemOutcome::Redeemed(_)))));
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
