//! The `xinyi` command line. `main.rs` only calls [`run`].

mod coordinator;
mod demo;
mod import;
mod keys;
mod ledger;
mod ledger_audit;
mod ledger_tree_check;
mod principal;
mod report;
mod serve;
mod statement;
mod witness;

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;

/// xinyi: the 信易+ credit-benefit service.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrations run first).
    Serve(Box<serve::ServeArgs>),
    /// Run the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Bulk-import data from CSV.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Manage coordinator tokens.
    #[command(subcommand)]
    Coordinator(coordinator::CoordinatorCommand),
    /// Manage staff principals of every role: coordinators, departments, auditors, service desks.
    #[command(subcommand)]
    Principal(principal::PrincipalCommand),
    /// Manage the credit-code signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Reports on fee reductions.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// A merchant's daily settlement statement (China Standard Time day), as CSV or JSON.
    Statement(statement::StatementArgs),
    /// Check the reduced-fee ledger: its hash chain, Merkle tree and checkpoints, inside or from outside.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// A witness of the ledger log: cosigns checkpoints that extend the last it saw.
    #[command(subcommand)]
    Witness(witness::WitnessCommand),
    /// Start the service on a fresh SQLite file with demo citizens and a demo identity provider.
    Demo(demo::DemoArgs),
}

#[derive(Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// sqlite://PATH (created if missing).
    #[arg(long, env = "XINYI_DATABASE_URL", default_value = "sqlite://xinyi.db")]
    pub database_url: String,
}

#[derive(Args, Clone, Debug)]
pub struct MasterKeyArgs {
    /// Seals the signing keys at rest. At least 32 characters.
    #[arg(long, env = "XINYI_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("XINYI_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("XINYI_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// A failure to report to the operator, with the exit code to leave with.
pub struct CliFailure {
    pub message: String,
    pub exit_code: u8,
}

impl<E: std::fmt::Display> From<E> for CliFailure {
    fn from(error: E) -> Self {
        CliFailure { message: error.to_string(), exit_code: 1 }
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(*args).await,
            Command::Migrate(db) => {
                let store = crate::storage::connect(&db.database_url).await?;
                crate::engine::catch_up_ledger_tree(&store).await?;
                eprintln!("migrations are up to date on {}", db.database_url);
                Ok(())
            }
            Command::Import(command) => import::run(command).await,
            Command::Coordinator(command) => coordinator::run(command).await,
            Command::Principal(command) => principal::run(command).await,
            Command::Keys(command) => keys::run(command).await,
            Command::Ledger(command) => ledger::run(command).await,
            Command::Report(command) => report::run(command).await,
            Command::Statement(args) => statement::run(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Witness(command) => witness::run(command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xinyi: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}
