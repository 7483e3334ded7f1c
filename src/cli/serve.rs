use super::{CliFailure, DatabaseArgs, MasterKeyArgs};
use crate::domain::levels::LevelThresholds;
use crate::engine::{DEFAULT_BATCH, DEFAULT_QUEUE, EngineLimits};
use crate::http::rate_limits::RateSettings;
use crate::http::serve::HttpLimits;
use crate::ledger_log::{DEFAULT_CHECKPOINT_INTERVAL_MS, DEFAULT_ORIGIN, LogSettings, WitnessConfig};
use crate::startup::{Application, IdpSettings, Settings, shutdown_signal};
use clap::Args;
use std::time::Duration;
use xinyi_merchant_sdk::{CodeLifetime, CreditLevel};

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    #[arg(long, env = "XINYI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A PostgreSQL standby for reports, listings, settled statements and
    /// the directory; unset or empty: everything reads the primary.
    #[arg(long, env = "XINYI_READ_DATABASE_URL")]
    pub read_database_url: Option<String>,
    #[command(flatten)]
    pub master_key: MasterKeyArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The identity provider's JWKS: a file path or an https URL.
    #[arg(long, env = "XINYI_IDP_JWKS")]
    pub idp_jwks: String,
    #[arg(long, env = "XINYI_IDP_ISSUER")]
    pub idp_issuer: String,
    #[arg(long, env = "XINYI_IDP_AUDIENCE")]
    pub idp_audience: String,
}

#[derive(Args, Clone, Debug)]
pub struct PolicyArgs {
    /// How long a credit code is valid, 1–300 seconds.
    #[arg(long, env = "XINYI_CODE_TTL_SECS", default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub code_ttl_secs: u64,
    /// The lowest level rank (1–5) that gets credit codes.
    #[arg(long, env = "XINYI_CODE_MIN_RANK", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub code_min_rank: u8,
    /// How long a merchant may void a redemption, in seconds.
    #[arg(long, env = "XINYI_VOID_WINDOW_SECS", default_value_t = 86_400)]
    pub void_window_secs: u32,
    /// How long after a scan an offline redemption may be submitted, in seconds.
    #[arg(long, env = "XINYI_OFFLINE_WINDOW_SECS", default_value_t = 86_400)]
    pub offline_window_secs: u32,
    /// How old a scan a terminal without an offline key may send, in seconds.
    #[arg(long, env = "XINYI_SCAN_GRACE_SECS", default_value_t = 60)]
    pub scan_grace_secs: u32,
    /// Redemptions, voids and dispute resolutions waiting for the writer at
    /// most; past it callers get 503 with Retry-After.
    #[arg(long, env = "XINYI_WRITE_QUEUE", default_value_t = DEFAULT_QUEUE, value_parser = clap::value_parser!(u32).range(1..))]
    pub write_queue: u32,
    /// Writes in one transaction (group commit) at most.
    #[arg(long, env = "XINYI_WRITE_BATCH", default_value_t = DEFAULT_BATCH, value_parser = clap::value_parser!(u32).range(1..))]
    pub write_batch: u32,
    /// A connection that has not sent a whole request head within this many
    /// seconds (new, or idle after an answer) is closed.
    #[arg(long, env = "XINYI_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,
    /// A request body that stalls this many seconds is refused.
    #[arg(long, env = "XINYI_BODY_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,
    /// A request not answered within this many seconds gets 503.
    #[arg(long, env = "XINYI_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Credit codes one citizen may get a minute; 0: no limit.
    #[arg(long, env = "XINYI_CODES_PER_MINUTE", default_value_t = RateSettings::DEFAULT_CODES_PER_MINUTE)]
    pub codes_per_minute: u32,
    /// Failed authentications one client address may make a minute before
    /// it is refused for a while; 0: no limit.
    #[arg(long, env = "XINYI_AUTH_FAILURES_PER_MINUTE", default_value_t = RateSettings::DEFAULT_AUTH_FAILURES_PER_MINUTE)]
    pub auth_failures_per_minute: u32,
    /// Proxies (IP addresses, comma-separated) whose X-Forwarded-For names the client.
    #[arg(long, env = "XINYI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where Prometheus metrics are served (`/metrics`); empty: nowhere.
    #[arg(long, env = "XINYI_METRICS_ADDR", default_value = "127.0.0.1:9464")]
    pub metrics_addr: String,
    /// The ledger log's origin: the first line of every checkpoint and the
    /// log key's name. It names one log; it is never changed.
    #[arg(long, env = "XINYI_LOG_ORIGIN", default_value = DEFAULT_ORIGIN, value_parser = parse_origin)]
    pub log_origin: String,
    /// A new checkpoint is signed within this many milliseconds of a commit.
    #[arg(long, env = "XINYI_CHECKPOINT_INTERVAL_MS", default_value_t = DEFAULT_CHECKPOINT_INTERVAL_MS, value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub checkpoint_interval_ms: u64,
    /// Witnesses that must cosign a checkpoint before it is published:
    /// comma-separated `URL=KEY` (the key as `xinyi witness key` prints it).
    #[arg(long, env = "XINYI_WITNESSES", value_delimiter = ',', value_parser = WitnessConfig::parse)]
    pub witnesses: Vec<WitnessConfig>,
    /// How many of XINYI_WITNESSES must cosign (all of them when not set).
    #[arg(long, env = "XINYI_WITNESS_QUORUM")]
    pub witness_quorum: Option<usize>,
    /// Minimum scores of AAA, AA, A and B.
    #[arg(long, env = "XINYI_LEVEL_THRESHOLDS", default_value = "700,600,500,400")]
    pub level_thresholds: LevelThresholds,
}

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        Settings {
            addr: self.addr.clone(),
            database_url: self.database.database_url.clone(),
            read_database_url: self.read_database_url.clone().filter(|url| !url.trim().is_empty()),
            master_key: self.master_key.master_key.clone(),
            thresholds: self.policy.level_thresholds,
            code_lifetime: CodeLifetime::from_secs(self.policy.code_ttl_secs).expect("range checked by clap"),
            code_min_level: CreditLevel::from_rank(self.policy.code_min_rank).expect("range checked by clap"),
            void_window: time::Duration::seconds(self.policy.void_window_secs.into()),
            offline_window: time::Duration::seconds(self.policy.offline_window_secs.into()),
            scan_grace: time::Duration::seconds(self.policy.scan_grace_secs.into()),
            idp: IdpSettings {
                jwks: self.idp_jwks.clone(),
                issuer: self.idp_issuer.clone(),
                audience: self.idp_audience.clone(),
            },
            engine: EngineLimits {
                queue: self.policy.write_queue.max(self.policy.write_batch) as usize,
                batch: self.policy.write_batch as usize,
            },
            http: HttpLimits {
                header_timeout: Duration::from_secs(self.policy.header_timeout_secs),
                body_timeout: Duration::from_secs(self.policy.body_timeout_secs),
                request_timeout: Duration::from_secs(self.policy.request_timeout_secs),
            },
            rate: RateSettings {
                codes_per_minute: self.policy.codes_per_minute,
                auth_failures_per_minute: self.policy.auth_failures_per_minute,
                trusted_proxies: self.policy.trusted_proxies.clone(),
            },
            metrics_addr: self.policy.metrics_addr.clone(),
            log: LogSettings {
                origin: self.policy.log_origin.clone(),
                checkpoint_interval: Duration::from_millis(self.policy.checkpoint_interval_ms),
                witnesses: self.policy.witnesses.clone(),
                quorum: self.policy.witness_quorum.unwrap_or(self.policy.witnesses.len()),
            },
        }
    }
}

pub async fn run(args: ServeArgs) -> Result<(), CliFailure> {
    let (witnesses, quorum) = (args.policy.witnesses.len(), args.policy.witness_quorum);
    if quorum.is_some_and(|q| q == 0 || q > witnesses) {
        return Err(format!("XINYI_WITNESS_QUORUM must be 1 to the {witnesses} witnesses of XINYI_WITNESSES").into());
    }
    let app = Application::build(args.settings()).await?;
    tracing::info!(address = %app.address(), "xinyi is listening");
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

/// A checkpoint origin (C2SP tlog-checkpoint): a schema-less URL, without
/// spaces or `+`, since it is also the signed-note key name.
fn parse_origin(text: &str) -> Result<String, String> {
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control() || c == '+') {
        return Err("an origin is a schema-less URL without spaces or '+', such as city.example/ledger".into());
    }
    Ok(text.to_owned())
}
