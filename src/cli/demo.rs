//! `xinyi demo`: the whole service on a fresh SQLite file, with a local
//! identity provider and citizens at every level, ready for curl.

use super::CliFailure;
use crate::auth::bearer_tokens::{new_coordinator_token, token_hash};
use crate::demo_idp::DemoIdp;
use crate::domain::levels::LevelThresholds;
use crate::domain::score_event::NewScoreEvent;
use crate::startup::{Application, IdpSettings, Settings, shutdown_signal};
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use clap::Args;
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
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
        master_key: Some("xinyi demo master key: never use this one in production".into()),
        thresholds: LevelThresholds::default(),
        code_lifetime: CodeLifetime::DEFAULT,
        code_min_level: CreditLevel::B,
        void_window: Duration::hours(24),
        offline_window: Duration::hours(24),
        idp: IdpSettings {
            jwks: jwks_path.display().to_string(),
            issuer: idp.issuer.clone(),
            audience: idp.audience.clone(),
        },
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
    let coordinator = new_coordinator_token();
    store.create_coordinator("demo-coordinator", &token_hash(&coordinator), now).await?;

    let mut tokens: HashMap<String, String> =
        CITIZENS.iter().map(|(c, _)| (c.to_string(), idp.token(c, Duration::hours(12)))).collect();
    tokens.insert("coordinator".into(), coordinator.clone());
    let tokens = Arc::new(tokens);
    // Demo only: hands out the demo tokens so the README's curl lines work
    // as copied. Never mounted by `xinyi serve`.
    let served = tokens.clone();
    let demo_citizens: Vec<serde_json::Value> = CITIZENS
        .iter()
        .zip(["AAA", "AA", "A", "B", "C"])
        .map(|((id, _), level)| serde_json::json!({"citizen_id": id, "label": format!("{id} ({level})")}))
        .collect();
    let demo_routes =
        Router::new().route("/demo/citizens", get(move || async move { axum::Json(demo_citizens) })).route(
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
    banner.push(format!("\nCoordinator token (also at {base}/demo/token/coordinator):\n  {coordinator}\n"));
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
