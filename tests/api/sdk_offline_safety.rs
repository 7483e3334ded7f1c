//! The SDK's limits for offline terminals: no verifying with a key set
//! that is too old, and a warning when the clock is off the service's.

use crate::helpers::*;
use crate::sdk_client::{dead_address, offline_config as offline};
use axum::http::header::DATE;
use std::time::{Duration, SystemTime};
use xinyi_merchant_sdk::client::{ClientConfig, ClientError, MerchantClient, RedeemOutcome};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_set_older_than_its_maximum_age_is_refused_for_offline_verification() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let queue = app.dir.path().join("till.queue");
    MerchantClient::new(offline(&app.base, &shop.api_key, &queue)).refresh_keys().await.unwrap();
    let code = app.code_text("stale-keys").await;
    let cut_off = offline(&dead_address().await, &shop.api_key, &queue);

    let fresh = MerchantClient::new(cut_off.clone());
    assert!(matches!(fresh.redeem(&code, &shop.offer_id, 5000).await.unwrap(), RedeemOutcome::Queued(_)));

    // The same keys, fetched 25 hours ago.
    let keys = queue.with_extension("keys.json");
    let file = std::fs::File::options().write(true).open(&keys).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(25 * 3600)).unwrap();
    let stale = MerchantClient::new(cut_off.clone());
    let other_code = app.code_text("stale-keys-2").await;
    match stale.redeem(&other_code, &shop.offer_id, 5000).await {
        Err(ClientError::StaleKeys { age, max_age }) => {
            assert!(age >= Duration::from_secs(25 * 3600) && max_age == Duration::from_secs(24 * 3600));
        }
        other => panic!("a day-old key set must not verify offline, got {other:?}"),
    }
    assert!(matches!(
        stale.verify(&other_code, time::OffsetDateTime::now_utc()).await,
        Err(ClientError::StaleKeys { .. })
    ));
    let lenient = MerchantClient::new(cut_off.with_key_max_age(Duration::from_secs(48 * 3600)));
    assert!(lenient.verify(&other_code, time::OffsetDateTime::now_utc()).await.is_ok(), "the maximum is configurable");

    // Back online, the client fetches a fresh set instead of refusing.
    let online = MerchantClient::new(offline(&app.base, &shop.api_key, &queue));
    file.set_modified(SystemTime::now() - Duration::from_secs(25 * 3600)).unwrap();
    assert!(online.verify(&other_code, time::OffsetDateTime::now_utc()).await.is_ok());
}

/// A service whose `Date` header runs `skew` ahead of the real time.
async fn service_with_clock_ahead_by(skew: Duration) -> String {
    let answer = move || async move {
        ([(DATE, httpdate::fmt_http_date(SystemTime::now() + skew))], axum::Json(serde_json::json!([])))
    };
    let router = axum::Router::new().route("/v1/merchant/offers", axum::routing::get(answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_more_than_thirty_seconds_off_the_service_s_gives_a_typed_warning() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let in_step = MerchantClient::new(ClientConfig::new(&app.base, &shop.api_key));
    in_step.offers().await.unwrap();
    assert_eq!(in_step.clock_warning(), None, "this machine and the service share a clock");

    let ahead = service_with_clock_ahead_by(Duration::from_secs(120)).await;
    let slow_terminal = MerchantClient::new(ClientConfig::new(&ahead, "xym_any"));
    slow_terminal.offers().await.unwrap();
    let warning = slow_terminal.clock_warning().expect("two minutes off warns");
    assert!((119..=121).contains(&warning.offset.whole_seconds()), "{warning:?}");
    assert!(warning.to_string().contains("slow"));

    let close = service_with_clock_ahead_by(Duration::from_secs(20)).await;
    let near = MerchantClient::new(ClientConfig::new(&close, "xym_any"));
    near.offers().await.unwrap();
    assert_eq!(near.clock_warning(), None, "20 s is within the tolerance");
}
