//! The load benchmark: N real `xinyi serve` processes on one database,
//! driven over loopback HTTP with fresh codes, in one run: `/healthz`,
//! redemptions, and code issuance (JSON with SVG, and text). Prints req/s,
//! p50, p99 and each ratio to `/healthz`, then checks that every success
//! is a ledger entry and that `xinyi ledger verify` passes.
//!
//! ```sh
//! cargo bench -p xinyi --bench load                                   # SQLite, one node
//! cargo bench -p xinyi --bench load -- --database-url postgres://postgres@127.0.0.1:5432 --nodes 2
//! cargo bench -p xinyi --bench load -- --client wrk --phases directory,directory-filtered
//! ```
//!
//! A PostgreSQL URL names the server: the run creates a database of its
//! own there and drops it afterwards. Only loopback is ever addressed.

mod lag;
mod setup;
mod wrk;

use clap::Parser;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// `sqlite` (a fresh file) or a PostgreSQL server URL.
    #[arg(long, default_value = "sqlite")]
    database_url: String,
    /// Service processes on the one database.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Seconds each phase runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections, as wrk's -c.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// `reqwest` (in this process) or `wrk` (Debian's, lighter on the shared cores).
    #[arg(long, default_value = "reqwest", value_parser = ["reqwest", "wrk"])]
    client: String,
    /// Phases to run besides `/healthz`, which always runs first.
    #[arg(long, value_delimiter = ',', default_values = ["redeem", "code-json", "code-text"])]
    phases: Vec<String>,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

/// What one phase measured.
struct Measured {
    name: &'static str,
    ok: u64,
    errors: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    first_error: Option<String>,
}

/// Builds the i-th request, or None when there is nothing left to send.
type MakeRequest = Arc<dyn Fn(&reqwest::Client, u64) -> Option<reqwest::RequestBuilder> + Send + Sync>;

/// Runs a phase with the chosen client. `fresh` phases never send a request twice.
async fn run_phase(
    name: &'static str,
    args: &Args,
    nodes: &[String],
    ok_status: u16,
    make: MakeRequest,
    fresh: bool,
) -> Measured {
    if args.client == "wrk" {
        return wrk::drive(name, nodes, args.connections, args.seconds, ok_status, make, fresh);
    }
    drive(name, args, ok_status, make).await
}

async fn drive(name: &'static str, args: &Args, ok_status: u16, make: MakeRequest) -> Measured {
    let client = reqwest::Client::builder().http1_only().pool_max_idle_per_host(args.connections).build().unwrap();
    let next = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..args.connections)
        .map(|_| {
            let (client, next, make) = (client.clone(), next.clone(), make.clone());
            tokio::spawn(async move {
                let (mut latencies, mut ok, mut errors, mut first_error) = (Vec::new(), 0u64, 0u64, None);
                while Instant::now() < deadline {
                    let Some(request) = make(&client, next.fetch_add(1, Ordering::Relaxed)) else { break };
                    let sent = Instant::now();
                    let response = request.send().await.unwrap();
                    let status = response.status().as_u16();
                    let body = response.bytes().await.unwrap();
                    latencies.push(sent.elapsed().as_micros() as u32);
                    if status == ok_status {
                        ok += 1;
                    } else {
                        errors += 1;
                        first_error.get_or_insert_with(|| format!("{status} {}", String::from_utf8_lossy(&body)));
                    }
                }
                (latencies, ok, errors, first_error)
            })
        })
        .collect();
    let mut all = Vec::new();
    let (mut ok, mut errors, mut first_error) = (0, 0, None);
    for worker in workers {
        let (latencies, o, e, f) = worker.await.unwrap();
        all.extend(latencies);
        ok += o;
        errors += e;
        first_error = first_error.or(f);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let at = |q: f64| all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied();
    Measured {
        name,
        ok,
        errors,
        per_second: (ok + errors) as f64 / elapsed,
        p50_ms: at(0.50).unwrap_or(0) as f64 / 1000.0,
        p99_ms: at(0.99).unwrap_or(0) as f64 / 1000.0,
        first_error,
    }
}

fn report(results: &[Measured]) {
    let healthz = results[0].per_second;
    println!(
        "\n{:<26} {:>10} {:>9} {:>9} {:>10} {:>9} {:>7}",
        "phase", "req/s", "p50 ms", "p99 ms", "/healthz", "ok", "errors"
    );
    for m in results {
        println!(
            "{:<26} {:>10.0} {:>9.2} {:>9.2} {:>10.3} {:>9} {:>7}",
            m.name,
            m.per_second,
            m.p50_ms,
            m.p99_ms,
            m.per_second / healthz,
            m.ok,
            m.errors
        );
        if let Some(error) = &m.first_error {
            println!("    first error: {}", error.chars().take(300).collect::<String>());
        }
    }
}

/// `xinyi ledger verify` must pass, with between `least` and `most` entries:
/// exactly the successes, except that wrk stops with requests in flight,
/// which the service may have committed without wrk counting them.
fn verify_ledger(database_url: &str, least: u64, most: u64) -> Result<(), String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xinyi"))
        .args(["ledger", "verify"])
        .env("XINYI_DATABASE_URL", database_url)
        .env("XINYI_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    println!("xinyi ledger verify: {stdout}{}", String::from_utf8_lossy(&out.stderr).trim());
    if !out.status.success() {
        return Err("the ledger does not verify".into());
    }
    let entries = stdout
        .split_once(": ")
        .and_then(|(_, rest)| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| format!("no entry count in {stdout:?}"))?;
    if !(least..=most).contains(&entries) {
        return Err(format!("{least} redemptions succeeded, but the ledger has {entries} entries"));
    }
    Ok(())
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let outcome = runtime.block_on(run(&args));
    if let Err(failure) = outcome {
        eprintln!("load check FAILED: {failure}");
        std::process::exit(1);
    }
}

async fn run(args: &Args) -> Result<(), String> {
    let database = setup::LoadDatabase::create(&args.database_url).await;
    let store = xinyi::storage::connect(&database.url).await.unwrap();
    let (shops, citizens) = setup::seed(&store).await;
    let idp = xinyi::demo_idp::DemoIdp::generate();
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, idp.jwks().to_string()).unwrap();
    // The keys exist before the nodes start, so every node signs with the same one.
    let codes = Arc::new(setup::mint_codes(&store, &citizens, 15_000 * args.seconds as usize).await);
    let probe_codes = setup::mint_codes(&store, &citizens, 40 * args.seconds as usize).await;
    let processes: Vec<_> = (0..args.nodes).map(|n| setup::spawn_node(&database.url, &idp, &jwks, n)).collect();
    let bases: Vec<String> = processes.iter().map(|n| n.base.clone()).collect();
    let nodes = Arc::new(bases.clone());
    let tokens = Arc::new(setup::tokens(&idp, 2_000));
    println!(
        "{} node(s) on {}, {} connections from {}, {} s a phase, {} merchants, {} citizens, {} fresh codes",
        args.nodes,
        if args.database_url == "sqlite" { "SQLite" } else { "PostgreSQL" },
        args.connections,
        args.client,
        args.seconds,
        shops.len(),
        citizens.len(),
        codes.len()
    );
    let node = move |i: u64| nodes[i as usize % nodes.len()].clone();
    let healthz: MakeRequest = {
        let node = node.clone();
        Arc::new(move |c, i| Some(c.get(format!("{}/healthz", node(i)))))
    };
    let shops = Arc::new(shops);
    let redeem: MakeRequest = {
        let (node, codes, shops) = (node.clone(), codes.clone(), shops.clone());
        Arc::new(move |c, i| {
            let code = codes.get(i as usize)?;
            let shop = &shops[i as usize % shops.len()];
            let body = serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 12_345});
            Some(
                c.post(format!("{}/v1/redemptions", node(i)))
                    .bearer_auth(&shop.api_key)
                    .header("Idempotency-Key", format!("load-{i}"))
                    .json(&body),
            )
        })
    };
    let issue = |query: &'static str| -> MakeRequest {
        let (node, tokens) = (node.clone(), tokens.clone());
        Arc::new(move |c, i| {
            Some(c.post(format!("{}/v1/me/code{query}", node(i))).bearer_auth(&tokens[i as usize % tokens.len()]))
        })
    };
    let directory = |query: &'static str| -> MakeRequest {
        let node = node.clone();
        Arc::new(move |c, i| Some(c.get(format!("{}/v1/offers{query}", node(i)))))
    };
    let mut results = vec![run_phase("GET /healthz", args, &bases, 200, healthz, false).await];
    let mut redeemed = 0;
    let (mut probed, mut lag_line) = (0, String::new());
    for phase in &args.phases {
        eprintln!("phase {phase} starts");
        results.push(match phase.as_str() {
            "redeem" => {
                let probe = lag::Probe {
                    node: bases[0].clone(),
                    api_key: shops[0].api_key.clone(),
                    offer_id: shops[0].offer_id.clone(),
                    codes: probe_codes.clone(),
                };
                let until = Instant::now() + Duration::from_secs(args.seconds);
                let lags = tokio::spawn(lag::run(probe, until));
                let measured = run_phase("POST /v1/redemptions", args, &bases, 201, redeem.clone(), true).await;
                let lags = lags.await.unwrap();
                probed = lags.len() as u64;
                let at = |q: f64| lags.get(((lags.len() as f64 * q) as usize).min(lags.len().saturating_sub(1)));
                lag_line = format!(
                    "checkpoint lag under the redeem phase: p50 {:?}, p99 {:?}, max {:?} over {} probe redemptions",
                    at(0.5).copied().unwrap_or_default(),
                    at(0.99).copied().unwrap_or_default(),
                    lags.last().copied().unwrap_or_default(),
                    lags.len()
                );
                measured
            }
            "code-json" => run_phase("POST /v1/me/code (JSON+SVG)", args, &bases, 200, issue(""), false).await,
            "code-text" => {
                run_phase("POST /v1/me/code?format=text", args, &bases, 200, issue("?format=text"), false).await
            }
            "directory" => run_phase("GET /v1/offers", args, &bases, 200, directory(""), false).await,
            "directory-filtered" => {
                run_phase(
                    "GET /v1/offers?level=3&category=mall",
                    args,
                    &bases,
                    200,
                    directory("?level=3&category=mall"),
                    false,
                )
                .await
            }
            other => {
                return Err(format!(
                    "no phase {other:?}: redeem, code-json, code-text, directory or directory-filtered"
                ));
            }
        });
        if phase == "redeem" {
            redeemed = results.last().map_or(0, |m| m.ok);
        }
    }
    report(&results);
    if !lag_line.is_empty() {
        println!("{lag_line}");
    }
    drop(processes);
    let in_flight = if args.client == "wrk" { args.connections as u64 } else { 0 };
    let verified = verify_ledger(&database.url, redeemed + probed, redeemed + probed + in_flight);
    drop(store);
    database.drop_database().await;
    verified
}
