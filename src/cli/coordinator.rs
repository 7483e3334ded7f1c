use super::{CliFailure, DatabaseArgs};
use crate::auth::bearer_tokens::{new_coordinator_token, token_hash};
use crate::storage;
use clap::Subcommand;
use time::OffsetDateTime;

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
            let name = name.trim();
            if name.is_empty() {
                return Err(CliFailure { message: "the coordinator's name must not be empty".into(), exit_code: 2 });
            }
            let store = storage::connect(&database.database_url).await?;
            let token = new_coordinator_token();
            store.create_coordinator(name, &token_hash(&token), OffsetDateTime::now_utc()).await?;
            eprintln!("coordinator {name} created; this token is shown only once:");
            println!("{token}");
            Ok(())
        }
        CoordinatorCommand::Revoke { name, database } => {
            let store = storage::connect(&database.database_url).await?;
            if store.revoke_coordinator(&name, OffsetDateTime::now_utc()).await? {
                eprintln!("coordinator {name} revoked");
                Ok(())
            } else {
                Err(CliFailure { message: format!("no active coordinator named {name}"), exit_code: 1 })
            }
        }
    }
}
