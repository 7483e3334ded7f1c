//! Connections and requests are held to limits, and every refusal, even of
//! a route that does not exist, is problem+json.

use crate::helpers::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn short_limits() -> HttpLimits {
    HttpLimits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        // Longer than the body timeout, so a stalled body meets that first.
        request_timeout: Duration::from_secs(2),
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap()
}

/// Reads an answer's status line and headers (or whatever came before the
/// connection closed).
async fn read_head(stream: &mut TcpStream, at_most: Duration) -> String {
    let mut answer = Vec::new();
    let mut buffer = vec![0u8; 4096];
    let deadline = Instant::now() + at_most;
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("no answer within {at_most:?}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Reads until the server closes the connection; how long that took.
async fn wait_for_close(stream: &mut TcpStream, at_most: Duration) -> Duration {
    let started = Instant::now();
    let mut buffer = vec![0u8; 4096];
    loop {
        match tokio::time::timeout(at_most, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => continue,
            Err(_) => panic!("the server kept the connection open for {at_most:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_no_request_head_or_idles_after_an_answer_is_closed() {
    let app = TestApp::spawn_with_http(short_limits()).await;
    let mut silent = connect(&app).await;
    silent.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap(); // never finished
    assert!(wait_for_close(&mut silent, Duration::from_secs(5)).await >= Duration::from_millis(900));

    let mut idle = connect(&app).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    assert!(read_head(&mut idle, Duration::from_secs(5)).await.starts_with("HTTP/1.1 200"));
    wait_for_close(&mut idle, Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stalls_is_refused_instead_of_holding_the_request() {
    let app = TestApp::spawn_with_http(short_limits()).await;
    let coordinator = app.coordinator_token().await;
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /v1/merchants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {coordinator}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_head(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    let listed = app.get_json(&coordinator, "/v1/merchants").await;
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_does_not_answer_in_time_gets_503_problem_json() {
    let app = TestApp::spawn_with_http(short_limits()).await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "waits", 650).await;
    let code = app.code_text("waits").await;
    // Another process holds the write lock, so the redemption cannot commit.
    let lock = crate::database::hold_the_write_lock(&app.database_url).await;
    let started = Instant::now();
    let response = app.redeem_code(&shop, &code, 20_000).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let problem = assert_problem(response, 503, "unavailable").await;
    assert!(problem["detail"].as_str().unwrap().contains("Idempotency-Key"), "{problem}");
    drop(lock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_credential_is_refused_before_a_large_announced_body_is_read() {
    let app = TestApp::spawn().await;
    for token in ["xyc_not_a_real_coordinator_token", "garbage"] {
        let mut stream = connect(&app).await;
        let head = format!(
            "POST /v1/merchants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let answer = read_head(&mut stream, Duration::from_secs(2)).await;
        assert!(answer.starts_with("HTTP/1.1 401") || answer.starts_with("HTTP/1.1 403"), "{token}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_body_over_64_kib_gets_413_problem_json() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let big = serde_json::json!({"name": "x".repeat(70_000), "category": "mall", "district": "东城区"});
    assert_problem(app.coordinator_post(&coordinator, "/v1/merchants", big).await, 413, "body_too_large").await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let big = serde_json::json!({"code": "x".repeat(70_000), "offer_id": shop.offer_id, "amount_fen": 100});
    assert_problem(app.redeem(&shop.api_key, "big-1", big).await, 413, "body_too_large").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_wrong_methods_bad_queries_and_oversized_requests_answer_problem_json() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    assert_problem(app.http.get(app.url("/v1/nothing-here")).send().await.unwrap(), 404, "not_found").await;
    assert_problem(app.http.delete(app.url("/v1/keys")).send().await.unwrap(), 405, "method_not_allowed").await;
    let bad_query = app.http.get(app.url("/v1/merchant/redemptions?limit=-1")).bearer_auth(&shop.api_key);
    assert_problem(bad_query.send().await.unwrap(), 400, "bad_request").await;
    let long_uri = app.http.get(app.url(&format!("/healthz?pad={}", "a".repeat(9_000))));
    assert_problem(long_uri.send().await.unwrap(), 414, "uri_too_long").await;
    let big_headers = app.http.get(app.url("/healthz")).header("x-padding", "b".repeat(20_000));
    assert_problem(big_headers.send().await.unwrap(), 431, "headers_too_large").await;
    let unknown_merchant = app.http.get(app.url("/v1/merchants/mer_nobody/offers")).bearer_auth(&coordinator);
    assert_problem(unknown_merchant.send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_forbid_inline_scripts_and_framing_and_personal_answers_are_never_stored() {
    let app = TestApp::spawn().await;
    for page in ["/citizen", "/merchant", "/coordinator"] {
        let response = app.http.get(app.url(page)).send().await.unwrap();
        let headers = response.headers();
        let policy = headers["content-security-policy"].to_str().unwrap();
        let scripts = policy.split(';').find(|d| d.trim().starts_with("script-src")).expect("a script-src");
        assert!(!scripts.contains("unsafe-inline"), "{page}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{page}: {policy}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let citizen = app.citizen_token("private");
    for (path, token) in [
        ("/v1/me", citizen.as_str()),
        ("/v1/me/redemptions", citizen.as_str()),
        ("/v1/merchant/redemptions", shop.api_key.as_str()),
        ("/v1/merchant/offers", shop.api_key.as_str()),
    ] {
        let response = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_accepted_in_any_case() {
    let app = TestApp::spawn().await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = app
            .http
            .get(app.url("/v1/me"))
            .header("authorization", format!("{scheme} {}", app.citizen_token("cased")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_half_open_connections_cost_little_memory_and_healthz_still_answers() {
    let app = TestApp::spawn().await;
    let node = app.second_node().await;
    let address = node.base.trim_start_matches("http://").to_owned();
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{}/healthz", node.base)).send().await.unwrap().status(), 200);
    let before = resident_kib(node.pid());
    let mut held = Vec::new();
    for _ in 0..500 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(b"POST /v1/redemptions HTTP/1.1\r\nHost: x\r\nContent-Le").await.unwrap();
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let healthz = tokio::time::timeout(Duration::from_secs(2), client.get(format!("{}/healthz", node.base)).send());
    assert_eq!(healthz.await.expect("answered in time").unwrap().status(), 200);
    let grown_kib = resident_kib(node.pid()).saturating_sub(before);
    assert!(grown_kib <= 50 * 1024, "500 half-open connections grew the node by {grown_kib} KiB");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_a_json_object_is_refused_even_when_its_fields_line_up() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let path = app.url(&format!("/v1/merchants/{}", shop.merchant_id));
    let send = |body: &'static str, content_type: &'static str| {
        app.http.patch(&path).bearer_auth(&coordinator).header("Content-Type", content_type).body(body).send()
    };
    // serde would read this array as the struct's two fields, in order.
    assert_problem(send("[null, null]", "application/json").await.unwrap(), 400, "bad_request").await;
    assert_problem(send("{}", "text/plain").await.unwrap(), 400, "bad_request").await;
    assert_eq!(send(" {}", "application/json").await.unwrap().status(), 200, "an object changes nothing");
}
