//! `TestApp`: the real application on port 0 with its own SQLite file and
//! its own identity provider, driven over HTTP.

use time::{Duration, OffsetDateTime};
use xinyi::demo_idp::DemoIdp;
use xinyi::domain::levels::LevelThresholds;
pub use xinyi::engine::EngineLimits;
pub use xinyi::http::rate_limits::RateSettings;
pub use xinyi::http::serve::HttpLimits;

/// The service's default of 100 failed sign-ins a minute, and no limit on
/// codes: tests of exactly-once issue hundreds of codes to one citizen. The
/// code limit has tests of its own (`rate_limits.rs`).
pub fn default_rates() -> RateSettings {
    RateSettings { codes_per_minute: 0, auth_failures_per_minute: 100, trusted_proxies: vec![] }
}
use xinyi::http::state::AppState;
use xinyi::startup::{Application, IdpSettings, Settings};
use xinyi_merchant_sdk::{CodeLifetime, CreditLevel, TrustedKeys, Verifier};

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub idp: DemoIdp,
    pub state: AppState,
    pub database_url: String,
    pub database: crate::database::TestDatabase,
    pub dir: tempfile::TempDir,
    settings: Settings,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

#[path = "../support/serve_process.rs"]
mod serve_process;
pub use serve_process::Node;

pub const MASTER_KEY: &str = "a test master key that is long enough to use";

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with_idp_keys(vec![], None).await
    }

    /// The demo identity provider's key plus `extra_keys` (JWKs); served
    /// from `jwks_url` when given, else from a file.
    pub async fn spawn_with_idp_keys(extra_keys: Vec<serde_json::Value>, jwks_url: Option<String>) -> TestApp {
        TestApp::spawn_with(extra_keys, jwks_url, EngineLimits::default(), HttpLimits::default(), default_rates(), None)
            .await
    }

    /// An app whose writer has these limits.
    pub async fn spawn_with_engine(engine: EngineLimits) -> TestApp {
        TestApp::spawn_with(vec![], None, engine, HttpLimits::default(), default_rates(), None).await
    }

    /// An app with these connection and request limits.
    pub async fn spawn_with_http(http: HttpLimits) -> TestApp {
        TestApp::spawn_with(vec![], None, EngineLimits::default(), http, default_rates(), None).await
    }

    /// An app with these rate limits.
    pub async fn spawn_with_rates(rate: RateSettings) -> TestApp {
        TestApp::spawn_with(vec![], None, EngineLimits::default(), HttpLimits::default(), rate, None).await
    }

    /// An app whose ledger log has these settings (its witnesses).
    pub async fn spawn_with_log(log: xinyi::ledger_log::LogSettings) -> TestApp {
        TestApp::spawn_with(vec![], None, EngineLimits::default(), HttpLimits::default(), default_rates(), Some(log))
            .await
    }

    async fn spawn_with(
        extra_keys: Vec<serde_json::Value>,
        jwks_url: Option<String>,
        engine: EngineLimits,
        http: HttpLimits,
        rate: RateSettings,
        log: Option<xinyi::ledger_log::LogSettings>,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let idp = DemoIdp::generate();
        let mut set = idp.jwks();
        set["keys"].as_array_mut().unwrap().extend(extra_keys);
        let jwks = match jwks_url {
            Some(url) => url,
            None => {
                let path = dir.path().join("jwks.json");
                std::fs::write(&path, set.to_string()).unwrap();
                path.display().to_string()
            }
        };
        let database = crate::database::TestDatabase::create(dir.path()).await;
        let database_url = database.url().to_owned();
        let settings = Settings {
            addr: "127.0.0.1:0".into(),
            database_url: database_url.clone(),
            read_database_url: None,
            master_key: Some(MASTER_KEY.into()),
            thresholds: LevelThresholds::default(),
            code_lifetime: CodeLifetime::DEFAULT,
            code_min_level: CreditLevel::B,
            void_window: Duration::hours(24),
            offline_window: Duration::hours(24),
            scan_grace: Duration::seconds(60),
            idp: IdpSettings { jwks, issuer: idp.issuer.clone(), audience: idp.audience.clone() },
            engine,
            http,
            rate,
            metrics_addr: String::new(),
            // Short, so tests see their redemptions checkpointed quickly.
            log: log.unwrap_or(xinyi::ledger_log::LogSettings {
                checkpoint_interval: std::time::Duration::from_millis(100),
                ..Default::default()
            }),
        };
        let app = Application::build(settings.clone()).await.expect("the app builds");
        let base = format!("http://{}", app.address());
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp { base, http: reqwest::Client::new(), idp, state, database_url, database, dir, settings, _shutdown: tx }
    }

    /// A second `xinyi serve` process on the same database, identity
    /// provider and master key: another node behind the load balancer.
    pub async fn second_node(&self) -> Node {
        self.second_node_logging("info", None).await
    }

    /// A second node whose log, at `filter`, is written to `log` when given.
    pub async fn second_node_logging(&self, filter: &str, log: Option<std::path::PathBuf>) -> Node {
        self.second_node_with_env(&[], filter, log).await
    }

    /// A second node with these environment variables besides the shared ones.
    /// It is waited for on a thread of its own: this app's tasks (its
    /// checkpoints, which take the writer lock) run on the test's runtime,
    /// and must go on while the node starts and takes the lock in turn.
    pub async fn second_node_with_env(
        &self,
        extra: &[(&str, &str)],
        filter: &str,
        log: Option<std::path::PathBuf>,
    ) -> Node {
        let idp = &self.settings.idp;
        // Later pairs win: `extra` may replace a shared one.
        let env: Vec<(String, String)> = [
            ("XINYI_DATABASE_URL", self.database_url.as_str()),
            ("XINYI_MASTER_KEY", MASTER_KEY),
            ("XINYI_IDP_JWKS", idp.jwks.as_str()),
            ("XINYI_IDP_ISSUER", idp.issuer.as_str()),
            ("XINYI_IDP_AUDIENCE", idp.audience.as_str()),
            ("XINYI_METRICS_ADDR", ""),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let filter = filter.to_owned();
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Node::spawn(&env, &filter, log)
        })
        .await
        .expect("the node started")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn citizen_token(&self, citizen_id: &str) -> String {
        self.idp.token(citizen_id, Duration::hours(1))
    }

    pub async fn coordinator_token(&self) -> String {
        self.staff_token("coordinator", None, None).await
    }

    /// A new staff principal's token: a department needs its source and limit.
    pub async fn staff_token(&self, role: &str, source: Option<&str>, max_delta: Option<i64>) -> String {
        let name = format!("{role}-{}", xinyi::ids::new_id("t"));
        let new = xinyi::domain::principals::NewPrincipal::parse(role, &name, source, max_delta).unwrap();
        xinyi::auth::staff::create_principal(&self.state.store, &new, OffsetDateTime::now_utc()).await.unwrap().1
    }

    pub async fn post_score_event(
        &self,
        coordinator: &str,
        citizen_id: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/v1/citizens/{citizen_id}/score-events")))
            .bearer_auth(coordinator)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Brings a new citizen to `score` with one event.
    pub async fn citizen_with_score(&self, coordinator: &str, citizen_id: &str, score: i64) {
        if score == 500 {
            return;
        }
        let response = self
            .post_score_event(
                coordinator,
                citizen_id,
                serde_json::json!({"event_id": format!("{citizen_id}-start"), "delta": score - 500,
                    "reason": "测试 test", "source": "tests", "occurred_at": "2026-01-01T00:00:00Z"}),
            )
            .await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }

    pub async fn me(&self, token: &str) -> reqwest::Response {
        self.http.get(self.url("/v1/me")).bearer_auth(token).send().await.unwrap()
    }

    pub async fn issue_code(&self, token: &str) -> reqwest::Response {
        self.http.post(self.url("/v1/me/code")).bearer_auth(token).send().await.unwrap()
    }

    pub async fn code_text(&self, citizen_id: &str) -> String {
        let response = self.issue_code(&self.citizen_token(citizen_id)).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        body["code"].as_str().unwrap().to_owned()
    }

    pub async fn verifier(&self) -> Verifier {
        let keys = self.http.get(self.url("/v1/keys")).send().await.unwrap().text().await.unwrap();
        Verifier::new(TrustedKeys::from_json(&keys).expect("/v1/keys parses as the SDK's key set"))
    }

    /// Runs the `xinyi` binary against this app's database.
    pub fn xinyi(&self, args: &[&str]) -> std::process::Output {
        self.xinyi_with_master_key(args, Some(MASTER_KEY))
    }

    /// Runs the `xinyi` binary with this master key, or none.
    pub fn xinyi_with_master_key(&self, args: &[&str], master_key: Option<&str>) -> std::process::Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xinyi"));
        command.args(args).env("XINYI_DATABASE_URL", &self.database_url).env("XINYI_LOG", "warn");
        match master_key {
            Some(key) => command.env("XINYI_MASTER_KEY", key),
            None => command.env_remove("XINYI_MASTER_KEY"),
        };
        command.output().unwrap()
    }
}

pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("urn:xinyi:problem:{code}"));
    assert_eq!(body["status"], status);
    body
}

/// A merchant with one terminal key and one offer.
pub struct Shop {
    pub merchant_id: String,
    pub api_key: String,
    pub offer_id: String,
}

pub fn legal_offer() -> serde_json::Value {
    serde_json::json!({
        "title": "免费法律咨询 Free legal consultation",
        "min_level": 3,
        "tiers": [{"min_level": 3, "kind": "percent_off", "percent": 10, "cap_fen": 5000},
                  {"min_level": 4, "kind": "amount_off", "amount_fen": 2000, "min_spend_fen": 10000},
                  {"min_level": 5, "kind": "free_service", "value_fen": 30000}],
        "per_citizen_limit": {"count": 1, "period": "month"},
        "budget_fen": 1000000, "budget_count": 100,
        "valid_from": "2026-01-01T00:00:00+08:00", "valid_until": null})
}

impl TestApp {
    pub async fn coordinator_post(&self, coordinator: &str, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).bearer_auth(coordinator).json(&body).send().await.unwrap()
    }

    pub async fn shop(&self, coordinator: &str, offer: serde_json::Value) -> Shop {
        let law_firm = serde_json::json!({"name": "明理律师事务所", "category": "law_firm", "district": "东城区"});
        self.shop_of(coordinator, law_firm, offer).await
    }

    /// Registers `merchant` (name, category, district) with a key and `offer`.
    pub async fn shop_of(&self, coordinator: &str, merchant: serde_json::Value, offer: serde_json::Value) -> Shop {
        let merchant: serde_json::Value =
            self.coordinator_post(coordinator, "/v1/merchants", merchant).await.json().await.unwrap();
        let merchant_id = merchant["merchant_id"].as_str().unwrap().to_owned();
        let key: serde_json::Value = self
            .coordinator_post(
                coordinator,
                &format!("/v1/merchants/{merchant_id}/keys"),
                serde_json::json!({"label": "front desk"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let response = self.coordinator_post(coordinator, &format!("/v1/merchants/{merchant_id}/offers"), offer).await;
        assert_eq!(response.status(), 201);
        let offer: serde_json::Value = response.json().await.unwrap();
        Shop {
            merchant_id,
            api_key: key["api_key"].as_str().unwrap().to_owned(),
            offer_id: offer["offer_id"].as_str().unwrap().to_owned(),
        }
    }

    /// A new key of `merchant_id` for a terminal that may redeem offline.
    pub async fn offline_key(&self, coordinator: &str, merchant_id: &str) -> String {
        let body = serde_json::json!({"label": "market stall", "offline": true});
        let response = self.coordinator_post(coordinator, &format!("/v1/merchants/{merchant_id}/keys"), body).await;
        assert_eq!(response.status(), 201);
        let key: serde_json::Value = response.json().await.unwrap();
        key["api_key"].as_str().unwrap().to_owned()
    }

    /// A code for `citizen_id` at level AA, signed with the service's
    /// current key as if issued at `issued_at`: how a test gets a code that
    /// has already expired.
    pub async fn code_issued_at(&self, citizen_id: &str, issued_at: OffsetDateTime) -> String {
        let citizen = self.state.store.citizen_or_create(citizen_id, OffsetDateTime::now_utc()).await.unwrap();
        if self.state.keys.ring().await.unwrap().signing_key_at(issued_at).is_none() {
            self.add_key_signing_from(issued_at - Duration::hours(1)).await;
        }
        let ring = self.state.keys.ring().await.unwrap();
        let key = ring.signing_key_at(issued_at).expect("a key signed then");
        let claims = xinyi_merchant_sdk::CodeClaims {
            level: CreditLevel::AA,
            issued_at: issued_at.replace_nanosecond(0).unwrap(),
            lifetime: CodeLifetime::DEFAULT,
            handle: key.sealer.seal(citizen.number, &mut rand::rngs::OsRng),
        };
        key.signer.sign(&claims).unwrap()
    }

    /// A key that began signing at `sign_from`, in the past, before the
    /// key the app started with, as if the service had run since then.
    async fn add_key_signing_from(&self, sign_from: OffsetDateTime) {
        let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let kid = xinyi_merchant_sdk::KeyId::of(&key.verifying_key()).to_base64url();
        let master = xinyi::signing::MasterKey::from_secret(MASTER_KEY).unwrap();
        let sign_from = sign_from.replace_nanosecond(0).unwrap();
        let stored = xinyi::storage::StoredSigningKey {
            secret: master.seal(&kid, key.as_bytes()),
            kid,
            public_key: key.verifying_key().to_bytes(),
            sealed: true,
            created_at: sign_from,
            sign_from,
            sign_until: None,
        };
        self.state.store.add_signing_key(&stored, false).await.unwrap();
        self.state.keys.reload().await.unwrap();
    }

    pub async fn redeem(&self, api_key: &str, idempotency_key: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url("/v1/redemptions"))
            .bearer_auth(api_key)
            .header("Idempotency-Key", idempotency_key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn redeem_code(&self, shop: &Shop, code: &str, amount_fen: i64) -> reqwest::Response {
        let key = xinyi::ids::new_id("idem");
        self.redeem(
            &shop.api_key,
            &key,
            serde_json::json!({"code": code, "offer_id": shop.offer_id, "amount_fen": amount_fen}),
        )
        .await
    }

    pub fn ledger_verify(&self) -> std::process::Output {
        self.xinyi(&["ledger", "verify"])
    }
}

impl TestApp {
    /// As if the service had signed with its key for an hour: a sheet's
    /// codes are dated up to an hour back, never before the key began.
    pub async fn age_signing_keys(&self) {
        self.database
            .execute("UPDATE signing_keys SET sign_from = sign_from - 3600, created_at = created_at - 3600")
            .await
            .unwrap();
        self.state.keys.reload().await.unwrap();
    }

    /// `grantor` makes `proxy` their family proxy for 30 days: the grant's id.
    pub async fn family_grant(&self, grantor: &str, proxy: &str) -> String {
        let invite =
            self.post_as(&self.citizen_token(grantor), "/v1/me/proxies", serde_json::json!({"days": 30})).await;
        assert_eq!(invite.status(), 201);
        let invitation: serde_json::Value = invite.json().await.unwrap();
        let accept = serde_json::json!({"invitation": invitation["invitation"]});
        let accepted = self.post_as(&self.citizen_token(proxy), "/v1/me/proxies/accept", accept).await;
        assert_eq!(accepted.status(), 201, "{}", accepted.text().await.unwrap());
        let grant: serde_json::Value = accepted.json().await.unwrap();
        grant["grant_id"].as_str().unwrap().to_owned()
    }

    /// POSTs `body` as JSON with `token`.
    pub async fn post_as(&self, token: &str, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }
}

impl TestApp {
    /// GET `path` with a bearer token, as JSON.
    pub async fn get_json(&self, token: &str, path: &str) -> serde_json::Value {
        self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap().json().await.unwrap()
    }
}

/// 10% off with no cap and a 10,000-fen budget: 10% of ¥33.33 is 333 fen a
/// redemption, so exactly 30 fit, with 10 fen to spare.
pub fn budget_offer() -> serde_json::Value {
    serde_json::json!({"title": "商场九折 10% off", "min_level": 2,
        "tiers": [{"min_level": 2, "kind": "percent_off", "percent": 10, "cap_fen": null}],
        "per_citizen_limit": null, "budget_fen": 10_000, "budget_count": null})
}

/// An example of the SDK, as a merchant or a third party runs it; `None`
/// when it was not built: `cargo test -p xinyi` alone does not build the
/// SDK's examples, the workspace run (and so nextest in CI) does.
pub fn sdk_example(name: &str) -> Option<std::path::PathBuf> {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let example = deps.parent().unwrap().join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(example.exists() || std::env::var("NEXTEST").is_err(), "{} was not built", example.display());
    example.exists().then_some(example)
}
