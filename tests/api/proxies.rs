//! Family proxies (亲友代办): a citizen lets a family member show a code for
//! them, sees everything the family member did with it, and ends it at once.

use crate::helpers::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

impl TestApp {
    async fn invite(&self, grantor: &str, days: i64) -> Value {
        let made = self.post_as(&self.citizen_token(grantor), "/v1/me/proxies", json!({"days": days})).await;
        assert_eq!(made.status(), 201, "{}", made.text().await.unwrap());
        assert_eq!(made.headers()["cache-control"], "no-store");
        made.json().await.unwrap()
    }

    async fn accept(&self, proxy: &str, invitation: &str) -> reqwest::Response {
        self.post_as(&self.citizen_token(proxy), "/v1/me/proxies/accept", json!({"invitation": invitation})).await
    }

    async fn code_for(&self, proxy: &str, grant_id: &str) -> reqwest::Response {
        let path = format!("/v1/me/code?for={grant_id}&format=text");
        self.http.post(self.url(&path)).bearer_auth(self.citizen_token(proxy)).send().await.unwrap()
    }

    async fn end(&self, citizen: &str, grant_id: &str) -> reqwest::Response {
        let path = format!("/v1/me/proxies/{grant_id}");
        self.http.delete(self.url(&path)).bearer_auth(self.citizen_token(citizen)).send().await.unwrap()
    }
}

fn at(text: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(text.as_str().unwrap(), &Rfc3339).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxys_code_redeems_at_the_grantors_level_and_the_grantor_sees_it() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, legal_offer()).await;
    app.citizen_with_score(&coordinator, "grandfather-1931", 650).await;
    let invitation = app.invite("grandfather-1931", 30).await;
    let digits = invitation["invitation"].as_str().unwrap();
    assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
    let lifetime = at(&invitation["expires_at"]) - OffsetDateTime::now_utc();
    assert!(lifetime.whole_seconds() > 590 && lifetime.whole_seconds() <= 600, "{lifetime}");

    let accepted = app.accept("daughter-1962", digits).await;
    assert_eq!(accepted.status(), 201);
    let accepted: Value = accepted.json().await.unwrap();
    let grant_id = accepted["grant_id"].as_str().unwrap();
    let days = (at(&accepted["expires_at"]) - OffsetDateTime::now_utc()).whole_hours();
    assert!((29 * 24..=30 * 24).contains(&days), "{days} hours");

    let fetched = app.code_for("daughter-1962", grant_id).await;
    assert_eq!(fetched.status(), 200);
    let code = fetched.text().await.unwrap();
    let verifier = app.verifier().await;
    let checked = verifier.verify(&code, OffsetDateTime::now_utc()).unwrap();
    let own = verifier.verify(&app.code_text("grandfather-1931").await, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(checked.level.rank(), 4, "the grantor's AA, not the proxy's A");
    assert_eq!((checked.medium, checked.expires_at - checked.issued_at), (own.medium, own.expires_at - own.issued_at));
    assert_eq!(code.len(), app.code_text("grandfather-1931").await.len(), "same shape as the grantor's own");

    let redeemed = app.redeem_code(&shop, &code, 15_000).await;
    assert_eq!(redeemed.status(), 201);
    let redeemed: Value = redeemed.json().await.unwrap();
    assert_eq!((redeemed["level"]["rank"].clone(), redeemed["discount_fen"].clone()), (json!(4), json!(2000)));
    let history = app.get_json(&app.citizen_token("grandfather-1931"), "/v1/me/redemptions").await;
    assert_eq!(history.as_array().unwrap().len(), 1, "the grantor's redemption: {history}");
    let theirs = app.get_json(&app.citizen_token("daughter-1962"), "/v1/me/redemptions").await;
    assert_eq!(theirs, json!([]), "not the proxy's");

    let given = app.get_json(&app.citizen_token("grandfather-1931"), "/v1/me/proxies").await;
    let grant = &given["given"][0];
    assert_eq!((grant["grant_id"].as_str(), grant["status"].as_str()), (Some(grant_id), Some("active")));
    assert_eq!(grant["other"], "d****1962");
    assert_eq!(grant["codes_fetched"], 1);
    assert_eq!(grant["codes"][0]["redemption"]["discount_fen"], 2000);
    assert_eq!(grant["codes"][0]["redemption"]["redemption_id"], redeemed["redemption_id"]);
    assert_eq!(given["received"], json!([]));
    let received = app.get_json(&app.citizen_token("daughter-1962"), "/v1/me/proxies").await;
    assert_eq!(received["received"][0]["grant_id"], grant_id);
    assert_eq!(received["received"][0]["other"], "g****1931");
    assert_eq!(received["given"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_works_once_for_someone_else_and_bad_days_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.citizen_token("mother");
    for body in [json!({}), json!({"days": 0}), json!({"days": 91})] {
        let refused = app.post_as(&token, "/v1/me/proxies", body).await;
        assert_eq!(assert_problem(refused, 422, "invalid_field").await["field"], "days");
    }
    let invitation = app.invite("mother", 1).await;
    let digits = invitation["invitation"].as_str().unwrap();
    assert_problem(app.accept("mother", digits).await, 422, "own_invitation").await;
    let malformed = app.accept("son", "12345").await;
    assert_eq!(assert_problem(malformed, 422, "invalid_field").await["field"], "invitation");
    assert_eq!(app.accept("son", digits).await.status(), 201);
    assert_problem(app.accept("nephew", digits).await, 422, "invitation_invalid").await;
    let again = app.invite("mother", 1).await;
    let twice = app.accept("son", again["invitation"].as_str().unwrap()).await;
    assert_problem(twice, 409, "proxy_exists").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_invitations_in_an_hour_lock_accepting_for_an_hour() {
    let app = TestApp::spawn().await;
    let invitation = app.invite("aunt", 7).await;
    let right = invitation["invitation"].as_str().unwrap();
    let wrong = if right == "000000" { "000001" } else { "000000" };
    for left in (1..=4).rev() {
        let problem = assert_problem(app.accept("guesser", wrong).await, 422, "invitation_invalid").await;
        assert!(problem["detail"].as_str().unwrap().contains(&format!("{left} more tries")), "{problem}");
    }
    let fifth = app.accept("guesser", wrong).await;
    let retry: u64 = fifth.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&retry), "{retry}");
    assert_problem(fifth, 429, "rate_limited").await;
    assert_problem(app.accept("guesser", right).await, 429, "rate_limited").await;
    assert_eq!(app.accept("niece", right).await.status(), 201, "the lock is the guesser's alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grantor_gives_at_most_three_running_grants() {
    let app = TestApp::spawn().await;
    let early = app.invite("elder", 10).await;
    for proxy in ["child-1", "child-2", "child-3"] {
        app.family_grant("elder", proxy).await;
    }
    let fourth = app.post_as(&app.citizen_token("elder"), "/v1/me/proxies", json!({"days": 10})).await;
    assert_problem(fourth, 409, "too_many_proxies").await;
    let late = app.accept("child-4", early["invitation"].as_str().unwrap()).await;
    assert_problem(late, 409, "too_many_proxies").await;
    let given = app.get_json(&app.citizen_token("elder"), "/v1/me/proxies").await;
    let grant_id = given["given"][0]["grant_id"].as_str().unwrap().to_owned();
    assert_eq!(app.end("elder", &grant_id).await.status(), 204);
    assert_eq!(app.accept("child-4", early["invitation"].as_str().unwrap()).await.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn either_side_ends_a_grant_at_once_and_its_fetched_code_is_refused_on_every_node() {
    let app = TestApp::spawn().await;
    let other = app.second_node().await;
    let coordinator = app.coordinator_token().await;
    let shop = app.shop(&coordinator, budget_offer()).await;
    let grant_id = app.family_grant("grandmother-2", "grandson-2").await;
    let fetched = app.code_for("grandson-2", &grant_id).await.text().await.unwrap();
    assert_problem(app.end("stranger", &grant_id).await, 404, "not_found").await;
    assert_eq!(app.end("grandmother-2", &grant_id).await.status(), 204);
    assert_problem(app.code_for("grandson-2", &grant_id).await, 403, "grant_ended").await;
    let unspent = app
        .http
        .post(format!("{}/v1/redemptions", other.base))
        .bearer_auth(&shop.api_key)
        .header("Idempotency-Key", xinyi::ids::new_id("idem"))
        .json(&json!({"code": fetched, "offer_id": shop.offer_id, "amount_fen": 3000}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(unspent, 422, "code_withdrawn").await;
    assert!(!problem.to_string().contains("proxy") && !problem.to_string().contains("代办"), "{problem}");
    assert_eq!(app.redeem_code(&shop, &app.code_text("grandmother-2").await, 3000).await.status(), 201);

    let second = app.family_grant("grandmother-2", "grandson-2").await;
    assert_eq!(app.end("grandson-2", &second).await.status(), 204);
    assert_eq!(app.end("grandmother-2", &second).await.status(), 204, "ending twice keeps the first");
    let given = app.get_json(&app.citizen_token("grandmother-2"), "/v1/me/proxies").await;
    let by_id = |id: &str| given["given"].as_array().unwrap().iter().find(|g| g["grant_id"] == id).unwrap().clone();
    let (first, second) = (by_id(&grant_id), by_id(&second));
    assert_eq!((&first["status"], &first["ended_by"]), (&json!("ended"), &json!("grantor")));
    assert_eq!((&second["status"], &second["ended_by"]), (&json!("ended"), &json!("proxy")));
    assert_eq!(first["codes_fetched"], 1);
    assert_eq!(first["codes"][0]["redemption"], Value::Null, "withdrawn, never redeemed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_gets_no_code_for_a_grant_not_theirs_nor_the_reason_a_grantor_has_none() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator_token().await;
    let grant_id = app.family_grant("uncle", "cousin").await;
    assert_problem(app.code_for("stranger", &grant_id).await, 404, "not_found").await;
    assert_problem(app.code_for("uncle", &grant_id).await, 404, "not_found").await;
    let listing = json!({"list": "black", "reason": "失信被执行人 judgment debtor", "source": "东城区人民法院"});
    let listed = app.coordinator_post(&coordinator, "/v1/citizens/uncle/list-entries", listing).await;
    assert_eq!(listed.status(), 201);
    let problem = assert_problem(app.code_for("cousin", &grant_id).await, 403, "blacklisted").await;
    assert!(!problem.to_string().contains("judgment debtor"), "the reason is the grantor's: {problem}");
}
