//! Who may do what: the matrix in docs/roles.md against every operation of
//! the OpenAPI document, with every kind of caller.

use crate::helpers::*;
use std::collections::{BTreeMap, BTreeSet};

const ROLES_MD: &str = include_str!("../../docs/roles.md");
const CALLERS: [&str; 7] = ["citizen", "merchant", "coordinator", "department", "auditor", "service_desk", "anonymous"];

/// `METHOD /path` → caller → yes, own or no, as the table in docs/roles.md says.
fn matrix() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut lines = ROLES_MD.lines().skip_while(|l| !l.starts_with("| route |"));
    let header: Vec<String> =
        lines.next().expect("docs/roles.md has the matrix").split('|').map(|c| c.trim().to_owned()).collect();
    assert_eq!(&header[2..9], CALLERS.map(String::from).as_slice(), "the matrix's columns");
    let mut rows = BTreeMap::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let route = cells[1].trim_matches('`').to_owned();
        let row: BTreeMap<String, String> =
            CALLERS.iter().zip(&cells[2..9]).map(|(caller, cell)| (caller.to_string(), cell.to_string())).collect();
        for cell in row.values() {
            assert!(["yes", "no", "own"].contains(&cell.as_str()), "{route}: cell {cell:?}");
        }
        assert!(rows.insert(route.clone(), row).is_none(), "{route} is in the table twice");
    }
    rows
}

/// Every operation of the document, with the security schemes it names.
fn operations() -> BTreeMap<String, BTreeSet<String>> {
    let doc = serde_json::to_value(xinyi::http::openapi()).unwrap();
    let mut ops = BTreeMap::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let schemes = op["security"]
                .as_array()
                .map(|alternatives| alternatives.iter().flat_map(|a| a.as_object().unwrap().keys().cloned()).collect())
                .unwrap_or_default();
            ops.insert(format!("{} {path}", method.to_uppercase()), schemes);
        }
    }
    ops
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_in_docs_roles_md_names_every_route_and_only_routes_and_their_documented_security() {
    let table = matrix();
    let ops = operations();
    let in_table: BTreeSet<&String> = table.keys().collect();
    let in_api: BTreeSet<&String> = ops.keys().collect();
    assert_eq!(in_table, in_api, "docs/roles.md and the API disagree on the routes");
    for (route, schemes) in &ops {
        let allowed: BTreeSet<String> = table[route]
            .iter()
            .filter(|(caller, cell)| *caller != "anonymous" && cell.as_str() != "no")
            .map(|(caller, _)| caller.clone())
            .collect();
        if table[route]["anonymous"] == "yes" {
            assert!(schemes.is_empty(), "{route} is public but documents security {schemes:?}");
        } else {
            assert_eq!(schemes, &allowed, "{route}: the OpenAPI security and docs/roles.md disagree");
        }
    }
}

/// A caller of each kind, with a credential that is valid for its kind.
async fn callers(app: &TestApp) -> BTreeMap<&'static str, Option<String>> {
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    BTreeMap::from([
        ("citizen", Some(app.citizen_token("matrix-citizen"))),
        ("merchant", Some(shop.api_key.clone())),
        ("department", Some(app.staff_token("department", Some("civil-affairs"), Some(50)).await)),
        ("auditor", Some(app.staff_token("auditor", None, None).await)),
        ("service_desk", Some(app.staff_token("service_desk", None, None).await)),
        ("coordinator", Some(coordinator)),
        ("anonymous", None),
    ])
}

/// The route with its parameters filled in: a date where a date goes,
/// an id nothing has elsewhere.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| match part {
            "{date}" => "2026-01-01",
            p if p.starts_with('{') => "matrix-none",
            p => p,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Refused by who the caller is, before the route did anything.
fn refused_by_kind(status: u16, problem: &serde_json::Value) -> bool {
    matches!(status, 401 | 403)
        && ["unauthorized", "wrong_token_kind", "forbidden_for_role"].contains(&problem["code"].as_str().unwrap_or(""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_lets_in_exactly_the_callers_the_table_names() {
    let app = TestApp::spawn().await;
    let table = matrix();
    let callers = callers(&app).await;
    let mut wrong = Vec::new();
    for (route, row) in &table {
        let (method, path) = route.split_once(' ').unwrap();
        for (caller, credential) in &callers {
            let mut request =
                app.http.request(method.parse().unwrap(), app.url(&concrete(path))).header("Idempotency-Key", "matrix");
            if method != "GET" {
                request = request.json(&serde_json::json!({}));
            }
            if let Some(token) = credential {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            assert!(status < 500, "{route} as {caller}: {status} {}", response.text().await.unwrap());
            let problem: serde_json::Value = response.json().await.unwrap_or_default();
            let expected_in = row[*caller] != "no";
            if expected_in == refused_by_kind(status, &problem) {
                wrong.push(format!("{route} as {caller}: {status} {problem}, the table says {}", row[*caller]));
            }
        }
    }
    assert!(wrong.is_empty(), "routes that disagree with docs/roles.md:\n{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_token_of_another_role_is_told_which_roles_the_route_needs() {
    let app = TestApp::spawn().await;
    let auditor = app.staff_token("auditor", None, None).await;
    let response =
        app.http.post(app.url("/v1/merchants")).bearer_auth(&auditor).json(&legal_offer()).send().await.unwrap();
    let problem = assert_problem(response, 403, "forbidden_for_role").await;
    assert_eq!(problem["roles_needed"], serde_json::json!(["coordinator"]));
    assert!(problem["detail"].as_str().unwrap().contains("auditor"), "{problem}");
    let citizen = app.citizen_token("someone");
    let response = app.http.get(app.url("/v1/audit")).bearer_auth(&citizen).send().await.unwrap();
    assert_problem(response, 403, "wrong_token_kind").await;
}
