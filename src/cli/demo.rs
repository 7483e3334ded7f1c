//! `xinyi demo`: the whole service on a fresh SQLite file, with a local
//! identity provider and citizens at every level, ready for curl.

use super::CliFailure;
use crate::auth::bearer_tokens::{new_merchant_key, token_hash};
use crate::auth::staff::create_principal;
use crate::demo_idp::DemoIdp;
use crate::domain::levels::LevelThresholds;
use crate::domain::offers::OfferRules;
use crate::domain::principals::NewPrincipal;
use crate::domain::score_event::NewScoreEvent;
use crate::engine::EngineLimits;
use crate::ids::new_id;
use crate::startup::{Application, IdpSettings, Settings, shutdown_signal};
use crate::storage::{Merchant, MerchantKey, StoredOffer};
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use clap::Args;
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use xinyi_merchant_sdk::api::OfferRequest;
use xinyi_merchant_sdk::{CodeLifetime, CreditLevel};

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
}

/// One demo score event: delta, reason, source.
type DemoEvent = (i64, &'static str, &'static str);

/// Demo citizens, one per level, with the events that put them there.
const CITIZENS: [(&str, &[DemoEvent]); 5] = [
    (
        "demo-aaa",
        &[
            (150, "志愿服务 200 小时 Volunteered 200 hours", "civil-affairs"),
            (80, "无偿献血 Blood donation", "health"),
            (20, "按时缴纳水电费 Utilities paid on time", "utilities"),
        ],
    ),
    (
        "demo-aa",
        &[
            (100, "社区志愿服务 Community volunteering", "civil-affairs"),
            (20, "按时缴纳水电费 Utilities paid on time", "utilities"),
        ],
    ),
    ("demo-a", &[(40, "垃圾分类示范户 Model household for waste sorting", "environment")]),
    (
        "demo-b",
        &[
            (-30, "交通违章 Traffic violation", "traffic-police"),
            (-20, "图书逾期未还 Overdue library books", "library"),
        ],
    ),
    (
        "demo-c",
        &[(-120, "欠缴物业费 Unpaid property fees", "housing"), (-30, "交通违章 Traffic violation", "traffic-police")],
    ),
];

pub async fn run(args: DemoArgs) -> Result<(), CliFailure> {
    let dir = tempfile::Builder::new().prefix("xinyi-demo-").tempdir()?;
    let idp = DemoIdp::generate();
    let jwks_path = dir.path().join("idp-jwks.json");
    std::fs::write(&jwks_path, idp.jwks().to_string())?;
    let settings = Settings {
        addr: args.addr,
        database_url: format!("sqlite://{}", dir.path().join("xinyi-demo.db").display()),
        read_database_url: None,
        master_key: Some("xinyi demo master key: never use this one in production".into()),
        thresholds: LevelThresholds::default(),
        code_lifetime: CodeLifetime::DEFAULT,
        code_min_level: CreditLevel::B,
        void_window: Duration::hours(24),
        offline_window: Duration::hours(24),
        scan_grace: Duration::seconds(60),
        idp: IdpSettings {
            jwks: jwks_path.display().to_string(),
            issuer: idp.issuer.clone(),
            audience: idp.audience.clone(),
        },
        engine: EngineLimits::default(),
        http: crate::http::serve::HttpLimits::default(),
        rate: crate::http::rate_limits::RateSettings::default(),
        metrics_addr: String::new(),
        log: crate::ledger_log::LogSettings::default(),
    };
    let app = Application::build(settings).await?;
    let store = &app.state().store;
    let now = OffsetDateTime::now_utc();
    let mut events = Vec::new();
    for (citizen, citizen_events) in CITIZENS {
        for (i, (delta, reason, source)) in citizen_events.iter().enumerate() {
            let occurred_at = now - Duration::days(30 * (i as i64 + 1));
            events.push(NewScoreEvent::parse(
                &format!("{citizen}-{i}"),
                citizen,
                *delta,
                reason,
                source,
                occurred_at,
                now,
            )?);
        }
    }
    store.record_score_events(&events, now).await?;
    let merchants = seed_merchants(store, now).await?;
    let mut tokens: HashMap<String, String> =
        CITIZENS.iter().map(|(c, _)| (c.to_string(), idp.token(c, Duration::hours(12)))).collect();
    for (who, role, name, source, max_delta) in STAFF {
        let new = NewPrincipal::parse(role, name, source, max_delta)?;
        tokens.insert(who.to_owned(), create_principal(store, &new, now).await?.1);
    }
    let coordinator = tokens["coordinator"].clone();
    let tokens = Arc::new(tokens);
    // Demo only: hands out the demo tokens so the README's curl lines work
    // as copied. Never mounted by `xinyi serve`.
    let served = tokens.clone();
    let demo_citizens: Vec<serde_json::Value> = CITIZENS
        .iter()
        .zip(["AAA", "AA", "A", "B", "C"])
        .map(|((id, _), level)| serde_json::json!({"citizen_id": id, "label": format!("{id} ({level})")}))
        .collect();
    let demo_routes = Router::new()
        .route("/demo/citizens", get(move || async move { axum::Json(demo_citizens) }))
        .route("/demo/merchants", get(move || async move { axum::Json(merchants) }))
        .route(
            "/demo/token/{who}",
            get(move |Path(who): Path<String>| {
                let tokens = served.clone();
                async move { tokens.get(&who).cloned().ok_or((StatusCode::NOT_FOUND, "no such demo user")) }
            }),
        );
    let base = format!("http://{}", app.address());
    let mut banner: Vec<String> = Vec::new();
    banner
        .push(format!("xinyi demo is running at {base}  (Ctrl-C stops it; data lives in {})\n", dir.path().display()));
    banner.push(format!("Citizen tokens (valid 12 h), one per level; also at {base}/demo/token/<citizen>:"));
    for (citizen, _) in CITIZENS {
        banner.push(format!("  {citizen:<9} {}", tokens[citizen]));
    }
    banner.push(format!("\nCoordinator token (also at {base}/demo/token/coordinator):\n  {coordinator}"));
    banner.push(format!("Other staff (at {base}/demo/token/<role>):"));
    for (who, role, name, _, _) in STAFF.iter().skip(1) {
        banner.push(format!("  {who:<13} {} ({role}, {name})", tokens[*who]));
    }
    banner.push(String::new());
    banner.push(format!("Pages: {base}/citizen  {base}/merchant  {base}/coordinator\n"));
    banner.push("Try:".to_owned());
    banner.push(format!("  TOKEN=$(curl -s {base}/demo/token/demo-aa)"));
    banner.push(format!("  curl -s -X POST -H \"Authorization: Bearer $TOKEN\" {base}/v1/me/code"));
    banner.push(format!("  curl -s {base}/v1/keys > keys.json"));
    banner.push(format!(
        "  CODE=$(curl -s -X POST -H \"Authorization: Bearer $TOKEN\" \"{base}/v1/me/code?format=text\")"
    ));
    banner.push("  cargo run -p xinyi-merchant-sdk --example verify -- --keys keys.json \"$CODE\"".to_owned());
    // Written in one go, ignoring a closed stdout (`xinyi demo | head`):
    // the service must keep running either way.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), (banner.join("\n") + "\n").as_bytes());
    app.run_with_extra_routes(demo_routes, shutdown_signal()).await?;
    drop(dir);
    Ok(())
}

/// Demo staff, one per role: the key under /demo/token/, role, name, and a
/// department's source and limit.
type DemoStaff = (&'static str, &'static str, &'static str, Option<&'static str>, Option<i64>);
const STAFF: [DemoStaff; 4] = [
    ("coordinator", "coordinator", "demo-coordinator", None, None),
    ("department", "department", "民政局 Civil Affairs", Some("civil-affairs"), Some(50)),
    ("auditor", "auditor", "审计局 Audit Office", None, None),
    ("service-desk", "service_desk", "政务服务大厅 Service Hall", None, None),
];

/// Demo merchants, one per category, each with a terminal key and an offer.
const MERCHANTS: [(&str, &str, &str, &str); 4] = [
    (
        "明理律师事务所 Mingli Law Firm",
        "law_firm",
        "东城区",
        r#"{"title": "免费法律咨询 Free legal consultation", "min_level": 3,
        "tiers": [{"min_level": 3, "kind": "percent_off", "percent": 10, "cap_fen": 5000},
                  {"min_level": 4, "kind": "amount_off", "amount_fen": 2000, "min_spend_fen": 10000},
                  {"min_level": 5, "kind": "free_service", "value_fen": 30000}],
        "per_citizen_limit": {"count": 1, "period": "month"}, "budget_fen": 1000000, "budget_count": 100}"#,
    ),
    (
        "万达广场 Wanda Plaza",
        "mall",
        "西城区",
        r#"{"title": "商场折扣 Mall discount", "min_level": 2,
        "tiers": [{"min_level": 2, "kind": "percent_off", "percent": 5, "cap_fen": 2000},
                  {"min_level": 4, "kind": "percent_off", "percent": 10, "cap_fen": 5000},
                  {"min_level": 5, "kind": "percent_off", "percent": 15, "cap_fen": 10000}],
        "per_citizen_limit": {"count": 3, "period": "week"}, "budget_fen": 5000000}"#,
    ),
    (
        "好帮手家政 Helping Hands Housekeeping",
        "housekeeping",
        "朝阳区",
        r#"{"title": "家政服务减免 Housekeeping fee reduction", "min_level": 3,
        "tiers": [{"min_level": 3, "kind": "amount_off", "amount_fen": 1000, "min_spend_fen": 5000},
                  {"min_level": 5, "kind": "amount_off", "amount_fen": 3000, "min_spend_fen": 5000}],
        "per_citizen_limit": {"count": 2, "period": "month"}, "budget_count": 500}"#,
    ),
    (
        "民政局信易批窗口 Civil Affairs 信易批 Window",
        "gov_service",
        "东城区",
        r#"{"title": "容缺受理 免收工本费 Approval with documents to follow, fee waived", "min_level": 4,
        "tiers": [{"min_level": 4, "kind": "free_service", "value_fen": 2000}],
        "per_citizen_limit": {"count": 1, "period": "month"}, "budget_count": 1000}"#,
    ),
];

/// The scenario the demo adds to the four the catalogue starts with.
const GOV_SERVICE: (&str, &str, &str) = ("gov_service", "信易批", "Government approvals");

/// Where each demo merchant is: an address and a point in Beijing.
fn demo_place(category: &str) -> (&'static str, i64, i64) {
    match category {
        "law_firm" => ("东城区东长安街 1 号 1 Dongchang'an St", 39_908_722, 116_397_499),
        "mall" => ("西城区西单北大街 130 号 130 Xidan North St", 39_913_818, 116_374_614),
        "gov_service" => ("东城区政务服务中心 2 楼 2F, Dongcheng Government Service Center", 39_928_900, 116_416_300),
        _ => ("朝阳区建国路 88 号 88 Jianguo Rd", 39_908_400, 116_460_600),
    }
}

async fn seed_merchants(
    store: &crate::storage::SharedStore,
    now: OffsetDateTime,
) -> Result<Vec<serde_json::Value>, CliFailure> {
    let (code, name_zh, name_en) = GOV_SERVICE;
    store.create_category(&crate::domain::categories::Category::parse(code, name_zh, name_en)?, now).await?;
    let mut seeded = Vec::new();
    for (name, category, district, offer) in MERCHANTS {
        let (address, lat_e6, lon_e6) = demo_place(category);
        let merchant = Merchant {
            merchant_id: new_id("mer"),
            name: name.into(),
            category: category.into(),
            district: district.into(),
            suspended: false,
            created_at: now,
            address: address.into(),
            location: Some(crate::domain::places::GeoPoint { lat_e6, lon_e6 }),
        };
        store.create_merchant(&merchant).await?;
        let request: OfferRequest = serde_json::from_str(offer)?;
        let rules = OfferRules::parse(&request).map_err(|e| format!("demo offer {}: {}", e.field, e.message))?;
        let offer = StoredOffer {
            offer_id: new_id("off"),
            merchant_id: merchant.merchant_id.clone(),
            rules,
            granted_fen: 0,
            granted_count: 0,
        };
        store.create_offer(&offer, now).await?;
        let api_key = new_merchant_key();
        let key = MerchantKey {
            key_id: new_id("key"),
            label: "demo till".into(),
            created_at: now,
            revoked: false,
            offline: false,
        };
        store.add_merchant_key(&merchant.merchant_id, &key, &token_hash(&api_key)).await?;
        seeded.push(serde_json::json!({"merchant_id": merchant.merchant_id, "name": name, "api_key": api_key}));
    }
    Ok(seeded)
}
