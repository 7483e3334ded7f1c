//! The citizen's signed credit statement, checked as a third party would:
//! with an independent JOSE library against the published keys.

use crate::helpers::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_compact::alg::Ed25519;
use jwt_compact::{AlgorithmExt, UntrustedToken};
use serde_json::json;

/// The claims, if `jws` verifies against the key the published set names.
fn verify_with_jose(jws: &str, keys: &serde_json::Value) -> Result<serde_json::Value, String> {
    let token = UntrustedToken::new(jws).map_err(|e| e.to_string())?;
    let kid = token.header().key_id.clone().ok_or("no kid")?;
    let jwk = keys["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).ok_or("kid not published")?;
    assert_eq!((jwk["kty"].as_str(), jwk["crv"].as_str()), (Some("OKP"), Some("Ed25519")));
    let x: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
    assert_eq!(token.header().token_type.as_deref(), Some("xinyi-statement+jwt"));
    let verified = Ed25519.validator::<serde_json::Value>(&key).validate(&token).map_err(|e| e.to_string())?;
    let payload = jws.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(verified.claims().custom["sub"], claims["sub"]);
    Ok(claims)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statement_verifies_with_a_jose_library_and_a_changed_byte_does_not() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "tenant", 650).await;
    let honour = json!({"list": "red", "reason": "志愿服务标兵 model volunteer", "source": "市文明办"});
    assert_eq!(app.coordinator_post(&coordinator, "/v1/citizens/tenant/list-entries", honour).await.status(), 201);
    let shop = app.shop(&coordinator, legal_offer()).await;
    assert_eq!(app.redeem_code(&shop, &app.code_text("tenant").await, 15_000).await.status(), 201);
    let token = app.citizen_token("tenant");

    let answer = app.get_json(&token, "/v1/me/statement").await;
    let statement = &answer["statement"];
    assert_eq!((statement["sub"].clone(), statement["score"].clone()), (json!("tenant"), json!(650)));
    assert_eq!(
        (statement["level"]["name"].clone(), statement["benefit_level"]["name"].clone()),
        (json!("AA"), json!("AAA"))
    );
    assert_eq!(statement["score_events"][0]["source"], "tests");
    assert_eq!(statement["lists"][0]["reason"], "志愿服务标兵 model volunteer");
    assert_eq!(statement["redemptions"][0]["merchant_name"], "明理律师事务所");
    assert_eq!(statement["redemptions"][0]["status"], "redeemed");

    let keys: serde_json::Value = app.http.get(app.url("/v1/keys")).send().await.unwrap().json().await.unwrap();
    let jws = answer["jws"].as_str().unwrap();
    let claims = verify_with_jose(jws, &keys).expect("the statement verifies");
    assert_eq!(&claims, statement, "the JWS holds exactly the statement");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jws.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "EdDSA");

    // One changed byte in the claims: the signature no longer holds.
    let (head, rest) = jws.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
    let at = bytes.windows(3).position(|w| w == b"650").unwrap();
    bytes[at] = b'9';
    let forged = format!("{head}.{}.{signature}", URL_SAFE_NO_PAD.encode(&bytes));
    assert!(verify_with_jose(&forged, &keys).is_err(), "a score changed to 950 must not verify");
    let trusted = xinyi_merchant_sdk::TrustedKeys::from_json(&keys.to_string()).unwrap();
    assert_eq!(xinyi_merchant_sdk::verify_statement(jws, &trusted).unwrap().score, 650);
    assert!(xinyi_merchant_sdk::verify_statement(&forged, &trusted).is_err());
    let code = app.code_text("tenant").await;
    assert!(xinyi_merchant_sdk::verify_statement(&code, &trusted).is_err(), "a credit code is not a statement");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printable_statement_carries_the_jws_as_a_qr_and_as_text() {
    let app = TestApp::spawn().await;
    let token = app.citizen_token("printer");
    let page = app.http.get(app.url("/v1/me/statement?format=html")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("信用报告") && html.contains("@page{size:A4") && html.contains("<svg"), "{html}");
    let jws = html.split("<p class=\"jws\">").nth(1).unwrap().split("</p>").next().unwrap();
    let keys = app.http.get(app.url("/v1/keys")).send().await.unwrap().text().await.unwrap();
    let trusted = xinyi_merchant_sdk::TrustedKeys::from_json(&keys).unwrap();
    assert_eq!(xinyi_merchant_sdk::verify_statement(jws, &trusted).unwrap().sub, "printer");
    let bad = app.http.get(app.url("/v1/me/statement?format=pdf")).bearer_auth(&token).send().await.unwrap();
    assert_problem(bad, 422, "invalid_field").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_example_prints_the_claims_of_a_good_statement_and_exits_one_on_a_forgery() {
    let Some(example) = sdk_example("verify-statement") else { return };
    let app = TestApp::spawn().await;
    let answer = app.get_json(&app.citizen_token("landlord-check"), "/v1/me/statement").await;
    let keys = app.dir.path().join("keys.json");
    std::fs::write(&keys, app.http.get(app.url("/v1/keys")).send().await.unwrap().text().await.unwrap()).unwrap();
    let jws = answer["jws"].as_str().unwrap();
    let good = app.dir.path().join("statement.jws");
    std::fs::write(&good, jws).unwrap();
    let out = std::process::Command::new(&example)
        .args(["--keys", keys.to_str().unwrap(), good.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, answer["statement"]);
    let forged = app.dir.path().join("forged.jws");
    let mut bytes = jws.as_bytes().to_vec();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    std::fs::write(&forged, bytes).unwrap();
    let out = std::process::Command::new(&example)
        .args(["--keys", keys.to_str().unwrap(), forged.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
