//! The scenario catalogue: categories as data, public to read, coordinators
//! add and rename, a merchant's category must exist, and an existing
//! database keeps its merchants' categories when it migrates.

use crate::database::TestDatabase;
use crate::helpers::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_starts_with_the_four_categories_and_is_public() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/v1/categories")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let categories: Value = response.json().await.unwrap();
    let codes: Vec<&str> = categories.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["housekeeping", "law_firm", "mall", "other"]);
    assert_eq!(
        categories[1],
        json!({"code": "law_firm", "name_zh": "律师事务所", "name_en": "Law firms", "merchants": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_adds_and_renames_a_scenario_and_merchants_use_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let gov = json!({"code": "gov_service", "name_zh": "信易批", "name_en": "Approvals"});
    let created = app.coordinator_post(&coordinator, "/v1/categories", gov.clone()).await;
    assert_eq!(created.status(), 201);
    assert_problem(app.coordinator_post(&coordinator, "/v1/categories", gov).await, 409, "category_exists").await;
    for (body, field) in [
        (json!({"code": "Gov", "name_zh": "x", "name_en": "x"}), "code"),
        (json!({"code": "gov-service", "name_zh": "x", "name_en": "x"}), "code"),
        (json!({"code": "rent", "name_zh": " ", "name_en": "x"}), "name_zh"),
    ] {
        let problem =
            assert_problem(app.coordinator_post(&coordinator, "/v1/categories", body).await, 422, "invalid_field")
                .await;
        assert_eq!(problem["field"], field);
    }
    let renamed = app
        .http
        .patch(app.url("/v1/categories/gov_service"))
        .bearer_auth(&coordinator)
        .json(&json!({"name_en": "Government approvals"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(
        (renamed["name_zh"].as_str(), renamed["name_en"].as_str()),
        (Some("信易批"), Some("Government approvals"))
    );
    let missing = app
        .http
        .patch(app.url("/v1/categories/nothing"))
        .bearer_auth(&coordinator)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(missing, 404, "not_found").await;

    let unknown = json!({"name": "某窗口", "category": "rentals", "district": "东城区"});
    assert_problem(app.coordinator_post(&coordinator, "/v1/merchants", unknown).await, 422, "unknown_category").await;
    let window = json!({"name": "民政局窗口", "category": "gov_service", "district": "东城区"});
    let shop = app.shop_of(&coordinator, window, legal_offer()).await;
    let listed: Value = app.http.get(app.url("/v1/categories")).send().await.unwrap().json().await.unwrap();
    let gov = listed.as_array().unwrap().iter().find(|c| c["code"] == "gov_service").unwrap();
    assert_eq!(gov["merchants"], 1);

    // The directory and the reports show the catalogue's names.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let offers: Value =
        app.http.get(app.url("/v1/offers?category=gov_service")).send().await.unwrap().json().await.unwrap();
    assert_eq!(offers[0]["merchant"]["category_name_zh"], "信易批");
    assert_eq!(offers[0]["merchant"]["category_name_en"], "Government approvals");
    app.citizen_with_score(&coordinator, "resident-1", 650).await;
    let code = app.code_text("resident-1").await;
    assert_eq!(app.redeem_code(&shop, &code, 10_000).await.status(), 201);
    let report: Value = app.get_json(&coordinator, "/v1/reports/reductions?from=2020-01-01&group_by=category").await;
    assert_eq!(report["rows"][0]["key"], "gov_service");
    assert_eq!(report["rows"][0]["label"], "信易批 Government approvals");
}

/// A merchant of each of the four categories, a coordinator and its audit
/// entry, written as xinyi wrote them before roles and the catalogue.
const BEFORE: [&str; 6] = [
    "INSERT INTO merchants (merchant_id, name, category, district, created_at, address) VALUES \
     ('mer_1', '律所', 'law_firm', '东城区', 1700000000, ''), ('mer_2', '商场', 'mall', '西城区', 1700000000, ''), \
     ('mer_3', '家政', 'housekeeping', '朝阳区', 1700000000, ''), ('mer_4', '其他', 'other', '朝阳区', 1700000000, ''), \
     ('mer_5', '商场二', 'mall', '东城区', 1700000000, '')",
    "INSERT INTO coordinators (name, token_hash, created_at) VALUES ('城市信用中心', 'HASH', 1700000000)",
    "INSERT INTO coordinators (name, token_hash, created_at, revoked_at) VALUES ('former', 'OLD', 1700000000, 1700000100)",
    "INSERT INTO audit_log (at, actor, action, detail) VALUES (1700000001, '城市信用中心', 'POST /v1/merchants', '{}')",
    "INSERT INTO audit_log (at, actor, action, detail) VALUES (1700000002, 'former', 'POST /v1/merchants', '{}')",
    "SELECT 1",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_database_migrates_with_its_merchants_categories_and_its_coordinators_intact() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    database.migrate_to(8).await;
    for statement in BEFORE {
        database.execute(statement).await.unwrap();
    }
    let store = xinyi::storage::connect(database.url()).await.unwrap();

    let merchants = store.merchants(xinyi::storage::Source::Primary).await.unwrap();
    let mut categories: Vec<(String, String)> =
        merchants.iter().map(|m| (m.merchant_id.clone(), m.category.clone())).collect();
    categories.sort();
    assert_eq!(
        categories,
        [("mer_1", "law_firm"), ("mer_2", "mall"), ("mer_3", "housekeeping"), ("mer_4", "other"), ("mer_5", "mall")]
            .map(|(m, c)| (m.to_owned(), c.to_owned()))
    );
    let counts: Vec<(String, i64)> = store.categories().await.unwrap().into_iter().map(|(c, n)| (c.code, n)).collect();
    assert_eq!(
        counts,
        [("housekeeping", 1), ("law_firm", 1), ("mall", 2), ("other", 1)].map(|(c, n)| (c.to_owned(), n))
    );

    let coordinator =
        store.active_principal_by_token_hash("HASH").await.unwrap().expect("the coordinator is a principal");
    assert_eq!((coordinator.name.as_str(), coordinator.role.as_str()), ("城市信用中心", "coordinator"));
    assert!(
        store.active_principal_by_token_hash("OLD").await.unwrap().is_none(),
        "a revoked coordinator stays revoked"
    );
    assert_eq!(store.principals().await.unwrap().len(), 2);
    let log = store.audit_log(None, Some("coordinator"), 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].principal_id.as_deref(), Some(coordinator.principal_id.as_str()));
}
