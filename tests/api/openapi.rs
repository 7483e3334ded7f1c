//! The OpenAPI document is generated from the code, served, and committed
//! as docs/openapi.json; this test fails when the committed copy drifts.
//! Regenerate with: XINYI_BLESS_OPENAPI=1 cargo test --test api openapi

use crate::helpers::*;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_is_the_generated_one_and_matches_the_committed_copy() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let generated = serde_json::to_value(xinyi::http::openapi()).unwrap();
    assert_eq!(served, generated);
    let pretty = serde_json::to_string_pretty(&generated).unwrap() + "\n";
    if std::env::var_os("XINYI_BLESS_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == pretty,
        "docs/openapi.json is out of date: run XINYI_BLESS_OPENAPI=1 cargo test --test api openapi"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_v1_endpoint_is_documented() {
    let doc = serde_json::to_value(xinyi::http::openapi()).unwrap();
    for path in ["/healthz", "/v1/keys", "/v1/me", "/v1/me/code", "/v1/citizens/{citizen_id}/score-events"] {
        assert!(doc["paths"].get(path).is_some(), "{path} is missing from the OpenAPI document");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_ok() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = app.http.get(app.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_security_requirement_names_a_defined_scheme() {
    let app = TestApp::spawn().await;
    let document: serde_json::Value =
        app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let defined = document["components"]["securitySchemes"].as_object().expect("security schemes are defined");
    let mut named = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for scheme in requirement.as_object().unwrap().keys() {
                    named += 1;
                    assert!(defined.contains_key(scheme), "{method} {path} names the undefined scheme {scheme:?}");
                }
            }
        }
    }
    assert!(named > 10, "the document names schemes on its secured operations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs openapi-spec-validator (python3 -m pip install openapi-spec-validator); .ci/run installs it"]
async fn the_served_document_validates_against_the_openapi_3_1_meta_schema_by_an_independent_validator() {
    let app = TestApp::spawn().await;
    let served = app.http.get(app.url("/openapi.json")).send().await.unwrap().text().await.unwrap();
    let file = app.dir.path().join("openapi.json");
    std::fs::write(&file, served).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--schema", "3.1.0", file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.contains(": OK"), "openapi-spec-validator refused the document:\n{said}");
}

/// The limits layer stands in front of every route, so every operation
/// documents its answers; a fuzzer that sends a 9 KiB query would otherwise
/// meet an undocumented 414.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_the_answers_of_the_limits_layer() {
    let app = TestApp::spawn().await;
    let long_uri = app.http.get(app.url(&format!("/v1/list-entries?citizen_id={}", "a".repeat(9_000))));
    assert_eq!(long_uri.send().await.unwrap().status(), 414);
    let document = serde_json::to_value(xinyi::http::openapi()).unwrap();
    let mut operations = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            for status in ["414", "431", "503"] {
                let response = &operation["responses"][status];
                assert!(
                    response["content"].get("application/problem+json").is_some(),
                    "{method} {path} does not document {status} as problem+json"
                );
            }
        }
    }
    assert!(operations > 60, "the document has the service's operations ({operations})");
}
