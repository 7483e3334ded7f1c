//! Rate limits answer 429 problem+json with Retry-After; metrics are served
//! on their own address only.

use crate::helpers::*;
use std::net::IpAddr;

fn rates(codes: u32, failures: u32) -> RateSettings {
    RateSettings { codes_per_minute: codes, auth_failures_per_minute: failures, trusted_proxies: vec![] }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_gets_at_most_the_configured_codes_a_minute() {
    let app = TestApp::spawn_with_rates(rates(3, 100)).await;
    let token = app.citizen_token("eager");
    for _ in 0..3 {
        assert_eq!(app.issue_code(&token).await.status(), 200);
    }
    let refused = app.issue_code(&token).await;
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_problem(refused, 429, "rate_limited").await;
    assert_eq!(app.issue_code(&app.citizen_token("patient")).await.status(), 200, "others are not affected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_turns_the_limits_off() {
    let app = TestApp::spawn_with_rates(rates(0, 0)).await;
    let token = app.citizen_token("unlimited");
    for _ in 0..40 {
        assert_eq!(app.issue_code(&token).await.status(), 200);
    }
    for n in 0..120 {
        let guess = app.http.get(app.url("/v1/merchant/offers")).bearer_auth(format!("xym_guess{n}"));
        assert_eq!(guess.send().await.unwrap().status(), 401);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_fails_too_often_is_refused_even_with_a_good_key() {
    let app = TestApp::spawn_with_rates(rates(30, 5)).await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    for n in 0..5 {
        let guess = app.http.get(app.url("/v1/merchant/offers")).bearer_auth(format!("xym_guess{n}"));
        assert_eq!(guess.send().await.unwrap().status(), 401);
    }
    let over = app.http.get(app.url("/v1/merchant/offers")).bearer_auth("xym_guess-over");
    let over = over.send().await.unwrap();
    assert!(over.headers().contains_key("retry-after"));
    assert_problem(over, 429, "rate_limited").await;
    let good = app.http.get(app.url("/v1/merchant/offers")).bearer_auth(&shop.api_key).send().await.unwrap();
    assert_problem(good, 429, "rate_limited").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_address_still_hears_401_for_a_request_without_credentials() {
    let app = TestApp::spawn_with_rates(rates(30, 2)).await;
    for n in 0..3 {
        let guess = app.http.get(app.url("/v1/merchant/offers")).bearer_auth(format!("xym_guess{n}"));
        let _ = guess.send().await.unwrap();
    }
    let guess = app.http.get(app.url("/v1/me")).bearer_auth("bad").send().await.unwrap();
    assert_problem(guess, 429, "rate_limited").await;
    for path in ["/v1/me", "/v1/merchant/offers", "/v1/merchants"] {
        let bare = app.http.get(app.url(path)).send().await.unwrap();
        assert_problem(bare, 401, "unauthorized").await;
    }
    let malformed = app.http.get(app.url("/v1/me")).header("authorization", "Basic eDp5").send().await.unwrap();
    assert_problem(malformed, 429, "rate_limited").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    let loopback: IpAddr = "127.0.0.1".parse().unwrap();
    let behind_proxy = RateSettings { trusted_proxies: vec![loopback], ..rates(30, 2) };
    let app = TestApp::spawn_with_rates(behind_proxy).await;
    let guess = |from: &'static str| {
        app.http.get(app.url("/v1/merchant/offers")).bearer_auth("xym_guess").header("x-forwarded-for", from).send()
    };
    for _ in 0..2 {
        assert_eq!(guess("203.0.113.7").await.unwrap().status(), 401);
    }
    assert_eq!(guess("203.0.113.7").await.unwrap().status(), 429, "that client is over its limit");
    assert_eq!(guess("198.51.100.9").await.unwrap().status(), 401, "another client behind the proxy is not");

    let direct = TestApp::spawn_with_rates(rates(30, 2)).await;
    for from in ["203.0.113.1", "203.0.113.2"] {
        let guess = direct.http.get(direct.url("/v1/me")).bearer_auth("bad").header("x-forwarded-for", from);
        assert_eq!(guess.send().await.unwrap().status(), 401);
    }
    let spoofed = direct.http.get(direct.url("/v1/me")).bearer_auth("bad").header("x-forwarded-for", "203.0.113.3");
    assert_eq!(spoofed.send().await.unwrap().status(), 429, "an untrusted peer's X-Forwarded-For is ignored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_on_their_own_address_and_count_what_happened() {
    let app = TestApp::spawn().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let node = app.second_node_with_env(&[("XINYI_METRICS_ADDR", metrics_addr.as_str())], "info", None).await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let code = app.http.post(format!("{}/v1/me/code?format=text", node.base)).bearer_auth(app.citizen_token("m"));
    let code = code.send().await.unwrap().text().await.unwrap();
    let redeemed = app
        .http
        .post(format!("{}/v1/redemptions", node.base))
        .bearer_auth(&shop.api_key)
        .header("Idempotency-Key", "metrics-1")
        .json(&serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": 5000}))
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.status(), 201, "{}", redeemed.text().await.unwrap());
    let _ = app.http.get(format!("{}/v1/me", node.base)).bearer_auth("bad").send().await.unwrap();
    let public = app.http.get(format!("{}/metrics", node.base)).send().await.unwrap();
    assert_eq!(public.status(), 404, "never on the public port");

    let text = app.http.get(format!("http://{metrics_addr}/metrics")).send().await.unwrap().text().await.unwrap();
    for expected in [
        "xinyi_http_requests_total{route=\"/v1/redemptions\",method=\"POST\",status=\"201\"} 1",
        "xinyi_http_request_duration_seconds_bucket",
        "xinyi_redemptions_total{outcome=\"redeemed\"} 1",
        "xinyi_codes_issued_total{medium=\"phone\"} 1",
        "xinyi_auth_failures_total{kind=\"citizen\"} 1",
        "xinyi_db_pool_connections",
        "xinyi_write_queue_depth",
    ] {
        assert!(text.contains(expected), "{expected} is missing from:\n{text}");
    }
}
