//! `xinyi principal`: staff principals of every role, from the command line.

use super::{CliFailure, DatabaseArgs};
use crate::auth::staff::create_principal;
use crate::domain::principals::NewPrincipal;
use crate::storage::{self, Revocation};
use clap::Subcommand;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Subcommand)]
pub enum PrincipalCommand {
    /// Create a principal of one role and print its bearer token, once.
    Create {
        /// coordinator, department, auditor or service_desk.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// Departments only: the score-event source it posts under, e.g. civil-affairs.
        #[arg(long)]
        source: Option<String>,
        /// Departments only: the largest change one event may make, 1-1000.
        #[arg(long)]
        max_delta: Option<i64>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List every principal, live and revoked, as tab-separated lines.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a principal's token by its id; it stops working at once.
    Revoke {
        principal_id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: PrincipalCommand) -> Result<(), CliFailure> {
    match command {
        PrincipalCommand::Create { role, name, source, max_delta, database } => {
            let new = NewPrincipal::parse(&role, &name, source.as_deref(), max_delta)
                .map_err(|e| CliFailure { message: e.to_string(), exit_code: 2 })?;
            let store = storage::connect(&database.database_url).await?;
            let (principal, token) = create_principal(&store, &new, OffsetDateTime::now_utc()).await?;
            eprintln!(
                "{} {} created as {}; this token is shown only once:",
                principal.role.as_str(),
                principal.name,
                principal.principal_id
            );
            println!("{token}");
            Ok(())
        }
        PrincipalCommand::List { database } => {
            let store = storage::connect(&database.database_url).await?;
            println!("principal_id\trole\tname\tsource\tmax_delta\tcreated_at\trevoked_at");
            for p in store.principals().await? {
                let time = |t: Option<OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    p.principal_id,
                    p.role.as_str(),
                    p.name,
                    p.own_source().unwrap_or(""),
                    p.scope.as_ref().map(|s| s.max_delta.to_string()).unwrap_or_default(),
                    time(Some(p.created_at)),
                    time(p.revoked_at)
                );
            }
            Ok(())
        }
        PrincipalCommand::Revoke { principal_id, database } => {
            let store = storage::connect(&database.database_url).await?;
            match store.revoke_principal(&principal_id, OffsetDateTime::now_utc()).await? {
                Revocation::Revoked(p) => {
                    eprintln!("{} {} ({principal_id}) revoked", p.role.as_str(), p.name);
                    Ok(())
                }
                Revocation::AlreadyRevoked(_) => {
                    Err(CliFailure { message: format!("{principal_id} was revoked before"), exit_code: 1 })
                }
                Revocation::NotFound => {
                    Err(CliFailure { message: format!("no principal {principal_id}"), exit_code: 1 })
                }
            }
        }
    }
}
