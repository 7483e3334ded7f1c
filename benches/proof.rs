//! An inclusion proof at ten million entries: the plan of its subtree
//! hashes, one read of them by index from the stored tree, and the proof
//! from them — what `GET /v1/redemptions/{id}/proof` does besides reading
//! the entry and the newest checkpoint by key. Prints p50, p99 and max
//! over random leaves; every proof is verified, outside the timing.
//!
//! ```sh
//! cargo bench -p xinyi --bench proof                 # 10,000,000 leaves
//! cargo bench -p xinyi --bench proof -- 1000000      # another size
//! ```
//!
//! The tree is built once into `target/proof-bench-<size>.db` (SQLite,
//! the service's own migrations) and reused by later runs.

use rand::Rng;
use sqlx::Connection as _;
use std::time::{Duration, Instant};
use xinyi::domain::ledger_proofs::ProofPlan;
use xinyi::domain::ledger_tree::TreeFrontier;
use xinyi_merchant_sdk::merkle::{leaf_hash, verify_inclusion};

const PROOFS: usize = 10_000;

fn entry(n: u64) -> Vec<u8> {
    format!("ledger entry {n}").into_bytes()
}

/// Builds the tree of `size` leaves into a fresh file; its root.
async fn build(path: &std::path::Path, size: u64) {
    let url = format!("sqlite://{}", path.display());
    drop(xinyi::storage::connect(&url).await.unwrap());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF").execute(&mut conn).await.unwrap();
    let mut frontier = TreeFrontier::empty();
    let started = Instant::now();
    while frontier.size() < size {
        let mut tx = conn.begin().await.unwrap();
        let end = (frontier.size() + 200_000).min(size);
        while frontier.size() < end {
            for (idx, hash) in frontier.append(&entry(frontier.size())) {
                sqlx::query("INSERT INTO ledger_tree (idx, hash) VALUES ($1, $2)")
                    .bind(idx as i64)
                    .bind(hash.as_slice())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
        tx.commit().await.unwrap();
        eprintln!("built {} of {size} leaves in {:.0?}", frontier.size(), started.elapsed());
    }
}

fn main() {
    let size: u64 = std::env::args().skip(1).find(|a| !a.starts_with('-')).map_or(10_000_000, |a| a.parse().unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/proof-bench-{size}.db"));
        if !path.exists() {
            let partial = path.with_extension("partial.db");
            let _ = std::fs::remove_file(&partial);
            build(&partial, size).await;
            std::fs::rename(&partial, &path).unwrap();
        }
        let store = xinyi::storage::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let root = ProofPlan::root(size)
            .hashes(&store.tree_hashes(&ProofPlan::root(size).indices()).await.unwrap())
            .unwrap()[0];
        let mut rng = rand::thread_rng();
        let mut took = Vec::with_capacity(PROOFS);
        for _ in 0..PROOFS {
            let index = rng.gen_range(0..size);
            let started = Instant::now();
            let plan = ProofPlan::inclusion(index, size);
            let stored = store.tree_hashes(&plan.indices()).await.unwrap();
            let proof = plan.hashes(&stored).expect("every hash is stored");
            took.push(started.elapsed());
            verify_inclusion(index, size, &leaf_hash(&entry(index)), &proof, &root).expect("the proof verifies");
        }
        took.sort_unstable();
        let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
        println!(
            "inclusion proof at {size} leaves, {PROOFS} random leaves: p50 {:?}, p99 {:?}, max {:?}",
            at(0.5),
            at(0.99),
            took.last().copied().unwrap_or(Duration::ZERO)
        );
    });
}
