//! Staff principals over HTTP, against a real `xinyi serve` process: a
//! department keeps to its source and limit, an auditor only reads, a
//! service desk sees standing only, and a revocation holds on every node.

use crate::helpers::*;
use serde_json::{Value, json};

struct Staff {
    node: Node,
    http: reqwest::Client,
}

impl Staff {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.node.base)
    }
    async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.http.post(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }
    async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }
}

async fn create(app: &TestApp, coordinator: &str, body: Value) -> Value {
    let response = app.coordinator_post(coordinator, "/v1/principals", body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn event(event_id: &str, source: &str, delta: i64) -> Value {
    json!({"event_id": event_id, "delta": delta, "reason": "志愿服务 12 小时 volunteering",
        "source": source, "occurred_at": "2026-11-20T08:00:00+08:00"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_posts_only_under_its_own_source_and_within_its_limit() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let created = create(
        &app,
        &coordinator,
        json!({"role": "department", "name": "民政局", "source": "civil-affairs", "max_delta": 50}),
    )
    .await;
    assert_eq!(created["role"], "department");
    assert_eq!(created["source"], "civil-affairs");
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("xyd_"));
    let server = Staff { node: app.second_node().await, http: reqwest::Client::new() };

    let path = "/v1/citizens/resident-1/score-events";
    assert_eq!(server.post(token, path, event("ca-1", "civil-affairs", 50)).await.status(), 201);
    assert_problem(server.post(token, path, event("ca-2", "health", 5)).await, 403, "source_not_yours").await;
    assert_problem(server.post(token, path, event("ca-3", "civil-affairs", 51)).await, 422, "delta_too_large").await;
    assert_problem(server.post(token, path, event("ca-4", "civil-affairs", -51)).await, 422, "delta_too_large").await;
    let listing = json!({"list": "black", "reason": "欠费 unpaid", "source": "utilities"});
    let response = server.post(token, "/v1/citizens/resident-1/list-entries", listing).await;
    assert_problem(response, 403, "source_not_yours").await;

    // Nothing refused was written: one event, 550 points, no list entry.
    let standing: Value = app.get_json(&coordinator, "/v1/citizens/resident-1/standing").await;
    assert_eq!(standing["score"], 550);
    assert_eq!(standing["lists"], json!([]));
    let other = app.post_score_event(&coordinator, "resident-2", event("hl-1", "health", 200)).await;
    assert_eq!(other.status(), 201, "a coordinator posts under any source and beyond a department's limit");

    let own: Value = server.get(token, "/v1/score-events").await.json().await.unwrap();
    let ids: Vec<&str> = own.as_array().unwrap().iter().map(|e| e["event_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ca-1"], "a department reads only what its source posted");
    assert_eq!(own[0]["citizen_id"], "resident-1");
    assert_problem(server.get(token, "/v1/score-events?source=health").await, 403, "source_not_yours").await;
    let all: Value = app.get_json(&coordinator, "/v1/score-events").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_reads_the_books_and_cannot_write_anything() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    let auditor = create(&app, &coordinator, json!({"role": "auditor", "name": "审计局"})).await;
    let token = auditor["token"].as_str().unwrap();
    let server = Staff { node: app.second_node().await, http: reqwest::Client::new() };

    let report = "/v1/reports/reductions?from=2026-01-01&to=2026-12-31&group_by=category";
    assert_eq!(server.get(token, report).await.status(), 200);
    let csv = server.http.get(server.url(report)).bearer_auth(token).header("Accept", "text/csv").send().await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let statement = format!("/v1/merchants/{}/statements/2026-11-30", shop.merchant_id);
    assert_eq!(server.get(token, &statement).await.status(), 200);
    app.citizen_with_score(&coordinator, "resident-9", 650).await;
    let code = app.code_text("resident-9").await;
    assert_eq!(app.redeem_code(&shop, &code, 20_000).await.status(), 201);
    let ledger: Value = server.get(token, "/v1/ledger?after_seq=0&limit=10").await.json().await.unwrap();
    assert_eq!((ledger[0]["seq"].as_i64(), ledger[0]["kind"].as_str()), (Some(1), Some("redemption")));
    assert_eq!(ledger[0]["prev_hash"].as_str().unwrap().len(), 64);
    assert!(ledger[0].get("citizen_id").is_none() && ledger[0]["citizen_pseudonym"].is_string());
    for path in ["/v1/disputes", "/v1/repairs", "/v1/list-entries", "/v1/score-events", "/v1/audit", "/v1/merchants"] {
        assert_eq!(server.get(token, path).await.status(), 200, "{path}");
    }
    let writes = [
        ("/v1/merchants", json!({"name": "x", "category": "mall", "district": "东城区"})),
        ("/v1/citizens/resident-1/score-events", event("au-1", "audit", 1)),
        (&format!("/v1/merchants/{}/suspend", shop.merchant_id) as &str, json!({})),
        ("/v1/principals", json!({"role": "auditor", "name": "another"})),
    ];
    for (path, body) in writes {
        let problem = assert_problem(server.post(token, path, body).await, 403, "forbidden_for_role").await;
        assert!(problem["roles_needed"].as_array().unwrap().iter().all(|r| r != "auditor"), "{problem}");
    }
    let merchants: Value = app.get_json(&coordinator, "/v1/merchants").await;
    assert_eq!(merchants.as_array().unwrap().len(), 1, "nothing was written");
    assert_eq!(merchants[0]["suspended"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_desk_sees_one_citizens_standing_and_nothing_else() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    app.citizen_with_score(&coordinator, "resident-1", 720).await;
    let listing = json!({"list": "red", "reason": "无偿献血 blood donor", "source": "health"});
    assert_eq!(app.coordinator_post(&coordinator, "/v1/citizens/resident-1/list-entries", listing).await.status(), 201);
    let desk = create(&app, &coordinator, json!({"role": "service_desk", "name": "政务服务大厅 1 号窗口"})).await;
    let token = desk["token"].as_str().unwrap();
    let server = Staff { node: app.second_node().await, http: reqwest::Client::new() };

    let standing: Value = server.get(token, "/v1/citizens/resident-1/standing").await.json().await.unwrap();
    assert_eq!(standing["known"], true);
    assert_eq!(standing["score"], 720);
    assert_eq!(standing["level"]["name"], "AAA");
    assert_eq!(standing["benefit_level"]["name"], "AAA");
    assert_eq!(standing["lists"][0]["list"], "red");
    assert!(standing.get("events").is_none() && standing.get("redemptions").is_none(), "{standing}");
    let stranger: Value = server.get(token, "/v1/citizens/never-seen/standing").await.json().await.unwrap();
    assert_eq!((stranger["known"].clone(), stranger["score"].clone()), (json!(false), json!(500)));
    let after: Value = app.get_json(&coordinator, "/v1/score-events?citizen_id=never-seen").await;
    assert_eq!(after, json!([]));

    for path in ["/v1/score-events", "/v1/list-entries", "/v1/audit", "/v1/merchants", "/v1/disputes"] {
        assert_problem(server.get(token, path).await, 403, "forbidden_for_role").await;
    }
    assert_problem(server.get(token, "/v1/me").await, 403, "wrong_token_kind").await;
    let post = server.post(token, "/v1/citizens/resident-1/score-events", event("sd-1", "desk", 1)).await;
    assert_problem(post, 403, "forbidden_for_role").await;

    let looks: Value = app.get_json(&coordinator, "/v1/audit?role=service_desk").await;
    assert_eq!(looks.as_array().unwrap().len(), 2, "each look-up is in the audit log: {looks}");
    assert_eq!(looks[1]["action"], "GET /v1/citizens/resident-1/standing");
    assert_eq!(looks[1]["principal_id"], desk["principal_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_principal_is_refused_on_every_node_at_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let auditor = create(&app, &coordinator, json!({"role": "auditor", "name": "审计局"})).await;
    let token = auditor["token"].as_str().unwrap();
    let server = Staff { node: app.second_node().await, http: reqwest::Client::new() };
    assert_eq!(server.get(token, "/v1/audit").await.status(), 200);

    let id = auditor["principal_id"].as_str().unwrap();
    let revoked = app.coordinator_post(&coordinator, &format!("/v1/principals/{id}/revoke"), json!({})).await;
    assert_eq!(revoked.status(), 200);
    let revoked: Value = revoked.json().await.unwrap();
    assert!(revoked["revoked_at"].is_string());
    assert_problem(server.get(token, "/v1/audit").await, 401, "unauthorized").await;
    let here = app.http.get(app.url("/v1/audit")).bearer_auth(token).send().await.unwrap();
    assert_problem(here, 401, "unauthorized").await;
    let again = app.coordinator_post(&coordinator, &format!("/v1/principals/{id}/revoke"), json!({})).await;
    assert_problem(again, 409, "already_revoked").await;
    let missing = app.coordinator_post(&coordinator, "/v1/principals/prn_none/revoke", json!({})).await;
    assert_problem(missing, 404, "not_found").await;

    let listed: Value = app.get_json(&coordinator, "/v1/principals").await;
    let row = listed.as_array().unwrap().iter().find(|p| p["principal_id"] == id).unwrap();
    assert!(row["revoked_at"].is_string() && row.get("token").is_none(), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_principal_with_a_bad_role_scope_or_a_taken_name_is_refused_and_not_made() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let cases = [
        (json!({"role": "root", "name": "x"}), "role"),
        (json!({"role": "department", "name": "x", "max_delta": 5}), "source"),
        (json!({"role": "department", "name": "x", "source": "health"}), "max_delta"),
        (json!({"role": "department", "name": "x", "source": "health", "max_delta": 1001}), "max_delta"),
        (json!({"role": "department", "name": "x", "source": "Health!", "max_delta": 5}), "source"),
        (json!({"role": "auditor", "name": "x", "source": "health"}), "source"),
        (json!({"role": "auditor", "name": " "}), "name"),
    ];
    for (body, field) in cases {
        let problem =
            assert_problem(app.coordinator_post(&coordinator, "/v1/principals", body).await, 422, "invalid_field")
                .await;
        assert_eq!(problem["field"], field);
    }
    create(&app, &coordinator, json!({"role": "auditor", "name": "审计局"})).await;
    let taken =
        app.coordinator_post(&coordinator, "/v1/principals", json!({"role": "service_desk", "name": "审计局"})).await;
    assert_problem(taken, 409, "name_taken").await;
    let listed: Value = app.get_json(&coordinator, "/v1/principals").await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "the coordinator and the one auditor: {listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_write_is_in_the_audit_log_with_its_principal_and_the_log_cannot_be_changed() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let department = create(
        &app,
        &coordinator,
        json!({"role": "department", "name": "卫生健康委", "source": "health", "max_delta": 100}),
    )
    .await;
    let token = department["token"].as_str().unwrap();
    assert_eq!(app.post_score_event(token, "resident-1", event("hl-1", "health", 30)).await.status(), 201);

    let by_role: Value = app.get_json(&coordinator, "/v1/audit?role=department").await;
    assert_eq!(by_role.as_array().unwrap().len(), 1, "{by_role}");
    assert_eq!(by_role[0]["actor"], "卫生健康委");
    assert_eq!(by_role[0]["principal_id"], department["principal_id"]);
    assert_eq!(by_role[0]["action"], "POST /v1/citizens/resident-1/score-events");
    assert!(by_role[0]["detail"].as_str().unwrap().contains("hl-1"));
    let id = department["principal_id"].as_str().unwrap();
    let by_principal: Value = app.get_json(&coordinator, &format!("/v1/audit?principal={id}")).await;
    assert_eq!(by_principal, by_role);
    let coordinators: Value = app.get_json(&coordinator, "/v1/audit?role=coordinator").await;
    assert!(coordinators.as_array().unwrap().iter().all(|e| e["role"] == "coordinator"));
    let bad = app.http.get(app.url("/v1/audit?role=root")).bearer_auth(&coordinator).send().await.unwrap();
    assert_problem(bad, 422, "invalid_field").await;

    assert!(app.database.execute("UPDATE audit_log SET actor = 'someone else'").await.is_err());
    assert!(app.database.execute("DELETE FROM audit_log").await.is_err());
    let after: Value = app.get_json(&coordinator, "/v1/audit?role=department").await;
    assert_eq!(after, by_role);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_principal_commands_create_list_and_revoke_and_coordinator_create_still_works() {
    let app = TestApp::spawn().await;
    let out = app.xinyi(&[
        "principal",
        "create",
        "--role",
        "department",
        "--name",
        "水务集团",
        "--source",
        "utilities",
        "--max-delta",
        "20",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("xyd_"));
    let refused = app.post_score_event(&token, "resident-1", event("ut-1", "utilities", 21)).await;
    assert_problem(refused, 422, "delta_too_large").await;

    let bad = app.xinyi(&["principal", "create", "--role", "department", "--name", "x"]);
    assert_eq!(bad.status.code(), Some(2), "a department without a source is a usage error");

    let list = app.xinyi(&["principal", "list"]);
    let text = String::from_utf8(list.stdout).unwrap();
    let line = text.lines().find(|l| l.contains("水务集团")).expect("listed");
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(&fields[1..5], ["department", "水务集团", "utilities", "20"]);
    assert!(app.xinyi(&["principal", "revoke", fields[0]]).status.success());
    let after = app.post_score_event(&token, "resident-1", event("ut-2", "utilities", 1)).await;
    assert_problem(after, 401, "unauthorized").await;
    assert_eq!(app.xinyi(&["principal", "revoke", fields[0]]).status.code(), Some(1));

    let out = app.xinyi(&["coordinator", "create", "城市信用中心"]);
    let coordinator = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(coordinator.starts_with("xyc_"));
    assert_eq!(app.http.get(app.url("/v1/principals")).bearer_auth(&coordinator).send().await.unwrap().status(), 200);
    assert!(app.xinyi(&["coordinator", "revoke", "城市信用中心"]).status.success());
    let gone = app.http.get(app.url("/v1/principals")).bearer_auth(&coordinator).send().await.unwrap();
    assert_eq!(gone.status(), 401);
}
