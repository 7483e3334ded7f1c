//! A reduction report over a year of a city-sized programme: rollups
//! equivalent to 10 million ledger entries (365 days × 222 merchants ×
//! 5 levels, ~25 redemptions each, citizens drawn from 5.26 million).
//!
//! `cargo bench -p xinyi --bench report`
//!
//! The rollup rows are written directly in bulk: producing them through
//! 10 million real redemptions would take hours and measure the writes,
//! not the report.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use sqlx::Connection;
use time::macros::date;
use xinyi::domain::reports::{GroupBy, citizen_list};
use xinyi::reporting::{ReportPeriod, reduction_report};

const MERCHANTS: usize = 222;
const DAYS: i64 = 365;
const PER_ROW: u32 = 25;

async fn seeded_store(dir: &std::path::Path) -> (xinyi::storage::SharedStore, u64) {
    let url = format!("sqlite://{}", dir.join("report-bench.db").display());
    let store = xinyi::storage::connect(&url).await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let categories = ["law_firm", "mall", "housekeeping", "other"];
    let mut tx = conn.begin().await.unwrap();
    for m in 0..MERCHANTS {
        sqlx::query("INSERT INTO merchants (merchant_id, name, category, district, created_at) VALUES (?, ?, ?, ?, 0)")
            .bind(format!("mer_{m:04}"))
            .bind(format!("商户 {m}"))
            .bind(categories[m % 4])
            .bind(format!("district-{}", m % 16))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut entries = 0u64;
    let start = date!(2026 - 01 - 01);
    for d in 0..DAYS {
        let day = (start + time::Duration::days(d)).to_string();
        for m in 0..MERCHANTS {
            for level in 1..=5u8 {
                let redemptions = rng.gen_range(PER_ROW - 10..=PER_ROW + 10);
                let mut bytes = Vec::new();
                for _ in 0..redemptions {
                    citizen_list::insert(&mut bytes, rng.gen_range(1..5_260_000));
                }
                let reversals = u32::from(rng.gen_ratio(1, 10));
                entries += u64::from(redemptions + reversals);
                sqlx::query(
                    "INSERT INTO reduction_rollups (day, merchant_id, category, district, offer_id, level, part, \
                     redemptions, reversals, gross_fen, reversed_fen, citizens) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
                )
                    .bind(&day)
                    .bind(format!("mer_{m:04}"))
                    .bind(categories[m % 4])
                    .bind(format!("district-{}", m % 16))
                    .bind(format!("off_{m:04}"))
                    .bind(i64::from(level))
                    .bind(i64::from(redemptions))
                    .bind(i64::from(reversals))
                    .bind(i64::from(redemptions) * 1_500)
                    .bind(i64::from(reversals) * 1_500)
                    .bind(bytes)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
    }
    tx.commit().await.unwrap();
    (store, entries)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, entries) = runtime.block_on(seeded_store(dir.path()));
    println!("rollups represent {entries} ledger entries");
    let year = ReportPeriod { from: date!(2026 - 01 - 01), to: date!(2026 - 12 - 31) };
    let month = ReportPeriod { from: date!(2026 - 11 - 01), to: date!(2026 - 11 - 30) };
    let mut group = c.benchmark_group("reduction_report");
    group.sample_size(10);
    for (name, period, by) in [
        ("year_by_merchant", year, GroupBy::Merchant),
        ("year_by_level", year, GroupBy::Level),
        ("year_by_day", year, GroupBy::Day),
        ("month_by_category", month, GroupBy::Category),
    ] {
        group
            .bench_function(name, |b| b.iter(|| runtime.block_on(reduction_report(&store, period, by, None)).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
