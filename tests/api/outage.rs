//! A node whose PostgreSQL goes away and comes back, through a TCP proxy
//! the test can cut: as HAProxy does with no primary behind it, a cut proxy
//! accepts and closes at once, and ends every open connection. Meaningful
//! on PostgreSQL (`XINYI_TEST_POSTGRES`); SQLite has no server to lose.

use crate::helpers::*;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

/// A loopback proxy to `upstream` that can be cut and restored.
struct Proxy {
    port: u16,
    open: Arc<AtomicBool>,
    connections: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy { port, open: Arc::new(AtomicBool::new(true)), connections: Default::default() };
        let (open, connections) = (proxy.open.clone(), proxy.connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !open.load(Ordering::SeqCst) {
                    continue; // dropped: closed at once
                }
                let upstream = upstream.clone();
                connections.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }));
            }
        });
        proxy
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

/// `host:port` of a PostgreSQL URL, and the URL with another port.
fn through(url: &str, port: u16) -> (String, String) {
    let rest = url.strip_prefix("postgres://").expect("a PostgreSQL URL");
    let (user, rest) = rest.split_once('@').unwrap();
    let (host_port, database) = rest.split_once('/').unwrap();
    (host_port.to_owned(), format!("postgres://{user}@127.0.0.1:{port}/{database}"))
}

async fn status_within(http: &reqwest::Client, url: &str, want: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let status = http.get(url).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
        if status == want {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{url} did not answer {want} within {limit:?} (last {status})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_away_healthz_and_redemptions_answer_503_and_the_same_key_succeeds_once_it_is_back() {
    let app = TestApp::spawn().await;
    if !app.database_url.starts_with("postgres") {
        return; // SQLite has no server to lose; CI runs this on PostgreSQL.
    }
    let (upstream, proxied) = through(&app.database_url, 0);
    let proxy = Proxy::start(upstream).await;
    let (_, proxied) = through(&proxied, proxy.port);
    let node = app.second_node_with_env(&[("XINYI_DATABASE_URL", &proxied)], "info", None).await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let code = app.code_text("away").await;
    let healthz = format!("{}/healthz", node.base);
    status_within(&app.http, &healthz, 200, Duration::from_secs(5)).await;

    proxy.cut();
    status_within(&app.http, &healthz, 503, Duration::from_secs(5)).await;
    let body = json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 5000});
    let redeem = || {
        app.http
            .post(format!("{}/v1/redemptions", node.base))
            .bearer_auth(&shop.api_key)
            .header("Idempotency-Key", "till-away-1")
            .json(&body)
            .send()
    };
    let refused = redeem().await.unwrap();
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_problem(refused, 503, "unavailable").await;
    let report = app.http.get(format!("{}/v1/reports/reductions", node.base)).bearer_auth(&coordinator).send().await;
    assert_problem(report.unwrap(), 503, "unavailable").await;

    proxy.restore();
    status_within(&app.http, &healthz, 200, Duration::from_secs(10)).await;
    let started = Instant::now();
    let first = loop {
        let answer = redeem().await.unwrap();
        if answer.status() != 503 || started.elapsed() > Duration::from_secs(5) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(first.status(), 201, "the same Idempotency-Key succeeds once the database is back");
    let first: serde_json::Value = first.json().await.unwrap();
    let again: serde_json::Value = redeem().await.unwrap().json().await.unwrap();
    assert_eq!(again["redemption_id"], first["redemption_id"], "a retry gets the first answer");
    let out = app.ledger_verify();
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 entries"), "{}", String::from_utf8_lossy(&out.stdout));
}
