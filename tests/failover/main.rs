//! The service on a highly available PostgreSQL (issue 22): etcd, two
//! PostgreSQL servers under Patroni (a primary and a synchronous standby)
//! and HAProxy, all Debian's and on loopback (`tests/failover/ha-cluster`),
//! with two `xinyi serve` nodes on it. Redemptions run through both nodes
//! while the primary's postmaster is SIGKILLed, and again through a
//! planned switchover; nothing acknowledged may be lost or doubled, the
//! budgets hold to the fen, the ledger verifies on the new primary, and
//! `/healthz` drains and refills the nodes.
//!
//! Ignored by default (it needs `patroni`, `etcd-server` and `haproxy`);
//! `.ci/run` runs it: `cargo nextest run --run-ignored only -E 'binary(failover)' --no-capture`.

mod checks;
mod cluster;
mod load;
mod seed;
#[allow(dead_code)]
#[path = "../support/serve_process.rs"]
mod serve_process;

use cluster::Cluster;
use load::Run;
use serve_process::Node;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How soon after the kill redemptions must succeed again.
const RECOVERY_LIMIT: Duration = Duration::from_secs(30);

fn spawn_node(url: &str, read_url: Option<&str>, jwks: &std::path::Path, idp: &xinyi::demo_idp::DemoIdp) -> Node {
    let jwks = jwks.display().to_string();
    let mut env = vec![
        ("XINYI_DATABASE_URL", url),
        ("XINYI_MASTER_KEY", seed::MASTER_KEY),
        ("XINYI_IDP_JWKS", jwks.as_str()),
        ("XINYI_IDP_ISSUER", idp.issuer.as_str()),
        ("XINYI_IDP_AUDIENCE", idp.audience.as_str()),
        ("XINYI_METRICS_ADDR", ""),
    ];
    env.extend(read_url.map(|read| ("XINYI_READ_DATABASE_URL", read)));
    Node::spawn(&env, "info", None)
}

/// What one phase's `/healthz` watch saw on node `node` after `from`:
/// whether it went to 503 and came back to 200, and for how long it was not 200.
fn health_flipped(seen: &[(Instant, usize, u16)], node: usize, from: Instant) -> (bool, Duration) {
    let after: Vec<_> = seen.iter().filter(|(at, n, _)| *n == node && *at >= from).collect();
    let first_503 = after.iter().position(|(_, _, status)| *status == 503);
    let back = first_503.and_then(|i| after[i..].iter().find(|(_, _, status)| *status == 200));
    let down = match (first_503, back) {
        (Some(i), Some(back)) => back.0 - after[i].0,
        _ => Duration::ZERO,
    };
    (back.is_some(), down)
}

/// Drives load for `seconds`, doing `fault` (a cluster command) `at` in;
/// returns the run, when the fault began, and what `/healthz` showed.
async fn under_load(
    cluster: &Arc<Cluster>,
    world: &seed::World,
    nodes: &[String],
    phase: &str,
    (seconds, at): (u64, u64),
    fault: &'static str,
) -> (Run, Instant, Vec<(Instant, usize, u16)>) {
    let codes = world.codes(250 * seconds as usize).await;
    let stop = Arc::new(AtomicBool::new(false));
    let watch = tokio::spawn(load::watch_health(nodes.to_vec(), stop.clone()));
    let run = {
        let (nodes, shops, phase) = (nodes.to_vec(), world.shops.clone(), phase.to_owned());
        tokio::spawn(async move { load::drive(&nodes, &shops, codes, &phase, seconds).await })
    };
    tokio::time::sleep(Duration::from_secs(at)).await;
    let began = Instant::now();
    let cluster_ = cluster.clone();
    let what = tokio::task::spawn_blocking(move || cluster_.run(&[fault])).await.unwrap();
    println!("{phase}: {fault} {what} at {at} s");
    let run = run.await.unwrap();
    stop.store(true, Ordering::Relaxed);
    (run, began, watch.await.unwrap())
}

/// Prints and checks one phase's figures.
fn report(phase: &str, run: &Run, began: Instant, seen: &[(Instant, usize, u16)]) -> Duration {
    let (gap, ended) = run.longest_gap_after(began);
    let recovered = ended.saturating_duration_since(began);
    let after = run.successes().filter(|a| a.answered > ended).count();
    let refused = run.answers.len() - run.successes().count();
    let health: Vec<_> = (0..2).map(|node| health_flipped(seen, node, began)).collect();
    println!(
        "{phase}: window without successes {:.2} s (ended {:.2} s after the fault); acknowledged {}, refused {refused} \
         (budget), retries {}, gave up {}, successes after the window {after}; /healthz not 200 for {:.2} s and {:.2} s",
        gap.as_secs_f64(),
        recovered.as_secs_f64(),
        run.successes().count(),
        run.retries,
        run.gave_up,
        health[0].1.as_secs_f64(),
        health[1].1.as_secs_f64(),
    );
    for refusal in run.answers.iter().filter(|a| a.status != 201) {
        let why = (refusal.shop, refusal.body["code"].as_str());
        assert_eq!(why, (1, Some("budget_exhausted")), "{phase}: an unexpected answer {}", refusal.body);
    }
    assert!(recovered <= RECOVERY_LIMIT, "{phase}: redemptions succeeded again only {recovered:?} after the fault");
    assert!(after > 0, "{phase}: nothing succeeded after the window");
    assert_eq!(run.gave_up, 0, "{phase}: redemptions went unanswered for a minute");
    gap
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts etcd, Patroni and HAProxy from Debian's packages; .ci/run runs it"]
async fn nothing_acknowledged_is_lost_when_the_primary_is_killed_under_load_nor_in_a_switchover() {
    let cluster = Arc::new(tokio::task::spawn_blocking(Cluster::start).await.unwrap());
    let store = xinyi::storage::connect(&cluster.url).await.unwrap();
    let world = seed::seed(&store).await;
    let idp = xinyi::demo_idp::DemoIdp::generate();
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, idp.jwks().to_string()).unwrap();
    let nodes = [
        spawn_node(&cluster.url, None, &jwks, &idp),
        spawn_node(&cluster.url, Some(&cluster.replica_url), &jwks, &idp),
    ];
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    println!("primary {}; nodes {bases:?}", cluster.leader());

    let (failover, killed, seen) = under_load(&cluster, &world, &bases, "failover", (60, 20), "kill-primary").await;
    report("failover", &failover, killed, &seen);
    for node in 0..2 {
        assert!(health_flipped(&seen, node, killed).0, "node {node}'s /healthz never went 503 and back to 200");
    }
    let stored = checks::books_hold(&cluster.url, &world.shops, &[&failover]).await;
    println!("failover: {stored} redemptions stored, lost 0, duplicated 0; {}", checks::ledger_verifies(&cluster.url));

    let cluster_ = cluster.clone();
    tokio::task::spawn_blocking(move || cluster_.run(&["wait-sync", "120"])).await.unwrap();
    let (switch, switched, seen) = under_load(&cluster, &world, &bases, "switchover", (40, 10), "switchover").await;
    report("switchover", &switch, switched, &seen);
    let stored = checks::books_hold(&cluster.url, &world.shops, &[&failover, &switch]).await;
    println!(
        "switchover: {stored} redemptions stored, lost 0, duplicated 0; {}",
        checks::ledger_verifies(&cluster.url)
    );

    // The second node reads reports from the standby (XINYI_READ_DATABASE_URL).
    let (as_of, took) = checks::replica_report_reconciles(&bases[1], &world.auditor, &cluster.url).await;
    println!(
        "replica: the report reconciled with the ledger to the fen after {:.2} s, as_of {as_of}",
        took.as_secs_f64()
    );
    let took = checks::settled_statement_is_the_same_on_the_replica(&bases, &world.shops[0], &cluster.url).await;
    println!("replica: a settled day's statement was the primary's byte for byte after {:.2} s", took.as_secs_f64());
    drop(store);
}
