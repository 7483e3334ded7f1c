use super::{CliFailure, DatabaseArgs};
use crate::auth::staff::create_principal;
use crate::domain::principals::{NewPrincipal, Role};
use crate::storage::{self, Revocation};
use clap::Subcommand;
use time::OffsetDateTime;

/// `xinyi coordinator`: the first role's own commands, kept as they were
/// before there were other roles (`xinyi principal` does every role).
#[derive(Subcommand)]
pub enum CoordinatorCommand {
    /// Create a coordinator and print its bearer token, once.
    Create {
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a coordinator's token; it stops working at once.
    Revoke {
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(command: CoordinatorCommand) -> Result<(), CliFailure> {
    match command {
        CoordinatorCommand::Create { name, database } => {
            let new = NewPrincipal::parse(Role::Coordinator.as_str(), &name, None, None)
                .map_err(|e| CliFailure { message: format!("the coordinator's {e}"), exit_code: 2 })?;
            let store = storage::connect(&database.database_url).await?;
            let (_, token) = create_principal(&store, &new, OffsetDateTime::now_utc()).await?;
            eprintln!("coordinator {} created; this token is shown only once:", new.name);
            println!("{token}");
            Ok(())
        }
        CoordinatorCommand::Revoke { name, database } => {
            let store = storage::connect(&database.database_url).await?;
            let found = store.active_principal_named(Role::Coordinator, &name).await?;
            let revoked = match found {
                Some(p) => store.revoke_principal(&p.principal_id, OffsetDateTime::now_utc()).await?,
                None => Revocation::NotFound,
            };
            match revoked {
                Revocation::Revoked(_) => {
                    eprintln!("coordinator {name} revoked");
                    Ok(())
                }
                _ => Err(CliFailure { message: format!("no active coordinator named {name}"), exit_code: 1 }),
            }
        }
    }
}
