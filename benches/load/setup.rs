//! What the load run drives: a fresh database with merchants, offers and
//! citizens, a local identity provider, and N real `xinyi serve` processes.

use time::{Duration, OffsetDateTime};
use xinyi::auth::bearer_tokens::{new_merchant_key, token_hash};
use xinyi::citizen_handle::CitizenNumber;
use xinyi::demo_idp::DemoIdp;
use xinyi::domain::offers::OfferRules;
use xinyi::domain::score_event::NewScoreEvent;
use xinyi::signing::{MasterKey, SigningKeys};
use xinyi::storage::{Merchant, MerchantKey, SharedStore, StoredOffer};
use xinyi_merchant_sdk::{CodeClaims, CodeLifetime, CreditLevel};

pub const MASTER_KEY: &str = "the load benchmark's master key, local only";
pub const MERCHANTS: usize = 50;
pub const CITIZENS: usize = 10_000;

/// A fresh database: a SQLite file in a temporary directory, or a new
/// PostgreSQL database on the named server, dropped at the end.
pub struct LoadDatabase {
    pub url: String,
    server: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl LoadDatabase {
    pub async fn create(spec: &str) -> LoadDatabase {
        let dir = tempfile::tempdir().unwrap();
        if spec == "sqlite" {
            let url = format!("sqlite://{}", dir.path().join("load.db").display());
            return LoadDatabase { url, server: None, _dir: dir };
        }
        use sqlx::Connection as _;
        let server = spec.trim_end_matches('/').to_owned();
        let name = xinyi::ids::new_id("xinyi_load");
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.expect("PostgreSQL is up");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        LoadDatabase { url: format!("{server}/{name}"), server: Some((server, name)), _dir: dir }
    }

    pub async fn drop_database(self) {
        use sqlx::Connection as _;
        if let Some((server, name)) = &self.server {
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.unwrap();
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut admin).await.unwrap();
        }
    }
}

pub struct Shop {
    pub api_key: String,
    pub offer_id: String,
}

/// Merchants with a terminal key and an offer without limits or budget
/// each, so every fresh code redeems; citizens at level A.
pub async fn seed(store: &SharedStore) -> (Vec<Shop>, Vec<CitizenNumber>) {
    let now = OffsetDateTime::now_utc();
    let request = serde_json::from_value(serde_json::json!({"title": "九折 10% off", "min_level": 2,
        "tiers": [{"min_level": 2, "kind": "percent_off", "percent": 10, "cap_fen": 5000}]}))
    .unwrap();
    let mut shops = Vec::new();
    for m in 0..MERCHANTS {
        let merchant_id = format!("mer_load_{m:03}");
        let merchant = Merchant {
            merchant_id: merchant_id.clone(),
            name: format!("商户 {m}"),
            category: ["law_firm", "mall", "housekeeping", "other"][m % 4].into(),
            district: format!("district-{}", m % 16),
            suspended: false,
            created_at: now,
            address: String::new(),
            location: None,
        };
        store.create_merchant(&merchant).await.unwrap();
        let offer_id = format!("off_load_{m:03}");
        let offer = StoredOffer {
            offer_id: offer_id.clone(),
            merchant_id: merchant_id.clone(),
            rules: OfferRules::parse(&request).unwrap(),
            granted_fen: 0,
            granted_count: 0,
        };
        store.create_offer(&offer, now).await.unwrap();
        let api_key = new_merchant_key();
        let key = MerchantKey {
            key_id: format!("key_load_{m:03}"),
            label: "till".into(),
            created_at: now,
            revoked: false,
            offline: false,
        };
        store.add_merchant_key(&merchant_id, &key, &token_hash(&api_key)).await.unwrap();
        shops.push(Shop { api_key, offer_id });
    }
    let events: Vec<_> = (0..CITIZENS)
        .map(|c| {
            NewScoreEvent::parse(&format!("load-{c}"), &citizen_id(c), 10, "志愿服务 volunteering", "load", now, now)
                .unwrap()
        })
        .collect();
    store.record_score_events(&events, now).await.unwrap();
    let mut citizens = Vec::with_capacity(CITIZENS);
    for c in 0..CITIZENS {
        citizens.push(store.citizen_or_create(&citizen_id(c), now).await.unwrap().number);
    }
    (shops, citizens)
}

pub fn citizen_id(c: usize) -> String {
    format!("citizen-{c:05}")
}

/// Fresh codes signed with the service's own current key, as
/// `POST /v1/me/code` would sign them, minted before the clock starts so
/// the client spends no time on them while the server is measured.
pub async fn mint_codes(store: &SharedStore, citizens: &[CitizenNumber], count: usize) -> Vec<String> {
    let master = MasterKey::from_secret(MASTER_KEY).unwrap();
    let keys = SigningKeys::load(store.clone(), Some(master)).await.unwrap();
    let ring = keys.ring().await.unwrap();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let key = ring.signing_key_at(now).expect("a key signs now");
    (0..count)
        .map(|i| {
            let claims = CodeClaims {
                level: CreditLevel::A,
                issued_at: now,
                lifetime: CodeLifetime::MAX,
                handle: key.sealer.seal(citizens[i % citizens.len()], &mut rand::rngs::OsRng),
            };
            key.signer.sign(&claims).unwrap()
        })
        .collect()
}

// Shared with the API tests; the bench never kills a node on purpose.
#[allow(dead_code)]
#[path = "../../tests/support/serve_process.rs"]
mod serve_process;
pub use serve_process::Node;

/// A node on `database_url`. With `XINYI_LOAD_LOG` (a log filter), its log
/// is kept in the temporary directory for reading afterwards.
pub fn spawn_node(database_url: &str, idp: &DemoIdp, jwks_path: &std::path::Path, n: usize) -> Node {
    let jwks = jwks_path.display().to_string();
    let env = [
        ("XINYI_DATABASE_URL", database_url),
        ("XINYI_MASTER_KEY", MASTER_KEY),
        ("XINYI_IDP_JWKS", jwks.as_str()),
        ("XINYI_IDP_ISSUER", idp.issuer.as_str()),
        ("XINYI_IDP_AUDIENCE", idp.audience.as_str()),
        // Metrics on, as in production, each node on a port of its own.
        ("XINYI_METRICS_ADDR", "127.0.0.1:0"),
        // The bench mints fresh codes for few citizens; production's limit
        // of codes a minute per citizen would refuse the issuance phases.
        ("XINYI_CODES_PER_MINUTE", "0"),
    ];
    let filter = std::env::var("XINYI_LOAD_LOG").ok();
    let keep =
        filter.as_ref().map(|_| std::env::temp_dir().join(format!("xinyi-load-{}-node{n}.log", std::process::id())));
    Node::spawn(&env, filter.as_deref().unwrap_or("info"), keep)
}

/// Citizen sign-in tokens for the issuance phases.
pub fn tokens(idp: &DemoIdp, count: usize) -> Vec<String> {
    (0..count).map(|c| idp.token(&citizen_id(c), Duration::hours(2))).collect()
}
